// The device classes the BIOS tries at INT 19h.

/// A class of boot device, in the order the BIOS tries them (`MachineConfiguration.bootOrder`).
public enum BootDevice: String, Sendable, Codable, CaseIterable {
    /// Floppy drive A: (drive 00h).
    case floppy
    /// The first hard disk (drive 80h).
    case hardDisk
    /// The CD-ROM, through its El Torito boot catalog.
    case cdrom

    /// The byte POST keeps in the EBDA boot list (firmware/bios/defs.inc BOOT_*).
    var romCode: UInt8 {
        switch self {
        case .floppy: return 0
        case .hardDisk: return 1
        case .cdrom: return 2
        }
    }

    /// The PC convention for a boot drive letter: a = floppy, c = hard disk, d = CD-ROM.
    public init?(letter: Character) {
        switch letter {
        case "a", "A": self = .floppy
        case "c", "C": self = .hardDisk
        case "d", "D": self = .cdrom
        default: return nil
        }
    }

    /// The default order: floppy, hard disk, CD-ROM (as PC BIOSes shipped).
    public static let defaultOrder: [BootDevice] = [.floppy, .hardDisk, .cdrom]

    /// `first` (a drive letter sequence such as "d" or "dca") followed by the classes it leaves
    /// out, in the default order.
    public static func order(preferring letters: String) -> [BootDevice]? {
        var order: [BootDevice] = []
        for c in letters {
            guard let d = BootDevice(letter: c) else { return nil }
            if !order.contains(d) { order.append(d) }
        }
        return order + defaultOrder.filter { !order.contains($0) }
    }
}
