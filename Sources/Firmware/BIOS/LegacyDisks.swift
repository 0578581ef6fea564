// The disks of a legacy PC: floppy drives, hard disks and a CD-ROM, opened once per machine.

import Storage

/// The opened images behind floppy drives A: and B:, up to four hard disks and one CD-ROM.
/// The BIOS serves them through INT 13h; the same objects are meant for the floppy and IDE
/// controllers, so a guest driver and the BIOS see one disk.
///
/// Hard disks are BIOS drives 80h, 81h, … in order; the CD-ROM answers as drive E0h (EDD
/// functions with 2048-byte sectors). Floppy images must have a standard PC size (160 KiB to
/// 2.88 MB); `DiskGeometry.floppy(bytes:)` lists them.
public struct LegacyDisks {
    /// Drive A: and B: (nil: no drive).
    public var floppies: [(any BlockDevice)?]
    public var hardDisks: [any BlockDevice]
    public var cdrom: (any BlockDevice)?

    public init(floppies: [(any BlockDevice)?] = [], hardDisks: [any BlockDevice] = [], cdrom: (any BlockDevice)? = nil) {
        self.floppies = floppies
        self.hardDisks = hardDisks
        self.cdrom = cdrom
    }

    /// Floppy drive `index` (0 = A:), if present.
    public func floppy(_ index: Int) -> (any BlockDevice)? {
        index < floppies.count ? floppies[index] : nil
    }

    /// Number of floppy drives (the highest present drive + 1, as the equipment word counts).
    public var floppyDriveCount: Int {
        (floppies.lastIndex { $0 != nil }).map { $0 + 1 } ?? 0
    }

    /// Every opened device, for identity checks in snapshots: A:, B:, hard disks, CD-ROM.
    public var all: [(any BlockDevice)?] {
        [floppy(0), floppy(1)] + hardDisks.map { $0 } + [cdrom]
    }
}
