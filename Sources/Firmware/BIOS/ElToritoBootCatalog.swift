// Reading the El Torito boot record and boot catalog of an ISO 9660 image.

import Storage

/// The initial/default entry of an El Torito boot catalog ("El Torito" Bootable CD-ROM Format
/// Specification 1.0): the boot record volume descriptor at CD sector 17 names the catalog; the
/// catalog's validation entry (header ID 01h, key 55h AAh, words summing to zero) is followed by
/// the initial entry (boot indicator 88h, media type, load segment, sector count, load RBA).
public struct ElToritoBootCatalog: Equatable, Sendable {
    public var platformID: UInt8
    public var bootable: Bool
    /// 0 no emulation, 1 1.2M, 2 1.44M, 3 2.88M diskette, 4 hard disk.
    public var mediaType: UInt8
    /// Segment to load the image at (0 in the catalog means 07C0h).
    public var loadSegment: UInt16
    public var systemType: UInt8
    /// 512-byte virtual sectors to load (no emulation); emulation loads one sector.
    public var sectorCount: UInt16
    /// 2048-byte sector where the image starts.
    public var loadRBA: UInt32
    /// 2048-byte sector of the catalog.
    public var catalogRBA: UInt32

    public enum Failure: Error, Equatable {
        case noBootRecord
        case badValidationEntry
        case notBootable
        case unreadable
    }

    /// Reads the catalog of the CD in `device` (byte addressed; CD sectors are 2048 bytes).
    public static func read(_ device: any BlockDevice) throws(Failure) -> ElToritoBootCatalog {
        guard let record = try? device.read(at: 17 * 2048, count: 2048) else { throw .unreadable }
        let ident = Array("EL TORITO SPECIFICATION".utf8)
        guard record[0] == 0, Array(record[1...5]) == Array("CD001".utf8), record[6] == 1,
              Array(record[7..<7 + ident.count]) == ident else { throw .noBootRecord }
        let catalogRBA = UInt32(record[0x47]) | UInt32(record[0x48]) << 8 | UInt32(record[0x49]) << 16
            | UInt32(record[0x4A]) << 24
        guard let catalog = try? device.read(at: UInt64(catalogRBA) * 2048, count: 64) else { throw .unreadable }
        var sum: UInt16 = 0
        for i in stride(from: 0, to: 32, by: 2) { sum &+= UInt16(catalog[i]) | UInt16(catalog[i + 1]) << 8 }
        guard catalog[0] == 1, catalog[30] == 0x55, catalog[31] == 0xAA, sum == 0 else { throw .badValidationEntry }
        let e = Array(catalog[32..<64])
        guard e[0] == 0x88 else { throw .notBootable }
        let media = e[1] & 0x0F
        guard media <= 4 else { throw .notBootable }
        return ElToritoBootCatalog(
            platformID: catalog[1], bootable: true, mediaType: media,
            loadSegment: UInt16(e[2]) | UInt16(e[3]) << 8, systemType: e[4],
            sectorCount: UInt16(e[6]) | UInt16(e[7]) << 8,
            loadRBA: UInt32(e[8]) | UInt32(e[9]) << 8 | UInt32(e[10]) << 16 | UInt32(e[11]) << 24,
            catalogRBA: catalogRBA)
    }
}
