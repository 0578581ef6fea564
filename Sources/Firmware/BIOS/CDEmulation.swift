// The El Torito emulation a CD boot image started.

/// What the BIOS emulates after booting a CD-ROM with a floppy or hard-disk emulation image
/// (El Torito 1.0 §3): the image, starting at `imageSector` (512-byte units of the CD), answers
/// as `drive`, and the real drive of that class moves up by one.
public struct CDEmulation: Equatable, Sendable, Codable {
    /// El Torito media type: 0 no emulation, 1 1.2M, 2 1.44M, 3 2.88M floppy, 4 hard disk.
    public var mediaType: UInt8
    /// BIOS drive the image answers as (00h or 80h; E0h without emulation).
    public var drive: UInt8
    /// Start of the image on the CD in 512-byte sectors (the catalog's RBA × 4).
    public var imageSector: UInt64
    /// 2048-byte sector of the image (the catalog's load RBA).
    public var loadRBA: UInt32
    public var loadSegment: UInt16
    public var sectorCount: UInt16
    /// The emulated geometry (floppy types, or from the image's partition table).
    public var geometry: DiskGeometry
    /// Sectors in the emulated disk.
    public var sectors: UInt64
    /// False once INT 13h AX=4B00h terminated the emulation.
    public var active: Bool

    public var emulatesFloppy: Bool { (1...3).contains(mediaType) }
    public var emulatesHardDisk: Bool { mediaType == 4 }
}
