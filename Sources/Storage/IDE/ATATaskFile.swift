// One device's copy of the ATA command block registers.

/// The command block registers as one device holds them (ATA/ATAPI-6 chapter 7). Both devices
/// of a channel latch every write to these registers (the host writes them on a shared bus);
/// each keeps its own Status and Error and loads its own results and signature, so reads come
/// from the selected device's copy.
///
/// Features, Sector Count and the three LBA registers are two-byte FIFOs for 48-bit commands
/// (ATA/ATAPI-6 §6.20): a write pushes the current byte into "previous"; reading with
/// Device Control.HOB set returns the previous byte.
public struct ATATaskFile: Codable, Equatable, Sendable {
    public var features: UInt8 = 0
    public var previousFeatures: UInt8 = 0
    /// Sector Count; for packet devices, the Interrupt Reason register when read.
    public var sectorCount: UInt8 = 0
    public var previousSectorCount: UInt8 = 0
    /// LBA Low (Sector Number in CHS mode).
    public var lbaLow: UInt8 = 0
    public var previousLBALow: UInt8 = 0
    /// LBA Mid (Cylinder Low; Byte Count low for packet devices).
    public var lbaMid: UInt8 = 0
    public var previousLBAMid: UInt8 = 0
    /// LBA High (Cylinder High; Byte Count high for packet devices).
    public var lbaHigh: UInt8 = 0
    public var previousLBAHigh: UInt8 = 0
    /// Device register: bit 6 LBA, bit 4 DEV, bits 3:0 head or LBA 27:24 (bits 7 and 5 are
    /// obsolete and read back as written).
    public var device: UInt8 = 0
    public var status: ATAStatus = []
    public var error: UInt8 = 0

    public init() {}

    /// Register offsets within the command block.
    public enum Register {
        public static let data = 0
        public static let error = 1, features = 1
        public static let sectorCount = 2
        public static let lbaLow = 3
        public static let lbaMid = 4
        public static let lbaHigh = 5
        public static let device = 6
        public static let status = 7, command = 7
    }

    /// Device register bit 6: the address is an LBA (not CHS).
    public var usesLBA: Bool { device & 0x40 != 0 }

    /// The 28-bit LBA (Device bits 3:0 are LBA 27:24).
    public var lba28: UInt64 {
        UInt64(device & 0x0F) << 24 | UInt64(lbaHigh) << 16 | UInt64(lbaMid) << 8 | UInt64(lbaLow)
    }

    /// The 48-bit LBA: previous bytes 47:24, current bytes 23:0.
    public var lba48: UInt64 {
        UInt64(previousLBAHigh) << 40 | UInt64(previousLBAMid) << 32 | UInt64(previousLBALow) << 24
            | UInt64(lbaHigh) << 16 | UInt64(lbaMid) << 8 | UInt64(lbaLow)
    }

    /// Sector count of a 28-bit command: 0 means 256.
    public var count28: Int { sectorCount == 0 ? 256 : Int(sectorCount) }

    /// Sector count of a 48-bit command: 0 means 65 536.
    public var count48: Int {
        let n = Int(previousSectorCount) << 8 | Int(sectorCount)
        return n == 0 ? 65_536 : n
    }

    /// Stores `lba` back into the address registers (the address of the last sector moved, or
    /// of the failing one after an error).
    public mutating func setLBA(_ lba: UInt64, lba48: Bool) {
        lbaLow = UInt8(truncatingIfNeeded: lba)
        lbaMid = UInt8(truncatingIfNeeded: lba >> 8)
        lbaHigh = UInt8(truncatingIfNeeded: lba >> 16)
        if lba48 {
            previousLBALow = UInt8(truncatingIfNeeded: lba >> 24)
            previousLBAMid = UInt8(truncatingIfNeeded: lba >> 32)
            previousLBAHigh = UInt8(truncatingIfNeeded: lba >> 40)
        } else {
            device = (device & 0xF0) | UInt8(truncatingIfNeeded: (lba >> 24) & 0x0F)
        }
    }

    /// Loads the signature a device leaves after power-on, reset or EXECUTE DEVICE DIAGNOSTIC
    /// (ATA/ATAPI-6 §9.12): Sector Count 01h, LBA Low 01h, LBA Mid/High 00h/00h for an ATA
    /// device, 14h/EBh for a packet device, FFh/FFh where no device answers (what QEMU shows and
    /// Linux's ata_sff_dev_classify takes as "no device"); Device 00h.
    public mutating func loadSignature(packet: Bool, present: Bool = true) {
        sectorCount = 1
        lbaLow = 1
        lbaMid = present ? (packet ? 0x14 : 0x00) : 0xFF
        lbaHigh = present ? (packet ? 0xEB : 0x00) : 0xFF
        device = 0
    }

    /// A host write to command block register `register` (1–6): both FIFO halves shift.
    public mutating func write(register: Int, value: UInt8) {
        switch register {
        case Register.features: (previousFeatures, features) = (features, value)
        case Register.sectorCount: (previousSectorCount, sectorCount) = (sectorCount, value)
        case Register.lbaLow: (previousLBALow, lbaLow) = (lbaLow, value)
        case Register.lbaMid: (previousLBAMid, lbaMid) = (lbaMid, value)
        case Register.lbaHigh: (previousLBAHigh, lbaHigh) = (lbaHigh, value)
        case Register.device: device = value
        default: break
        }
    }

    /// A host read of command block register `register` (1–7); `hob` selects the previous bytes.
    public func read(register: Int, hob: Bool) -> UInt8 {
        switch register {
        case Register.error: return error
        case Register.sectorCount: return hob ? previousSectorCount : sectorCount
        case Register.lbaLow: return hob ? previousLBALow : lbaLow
        case Register.lbaMid: return hob ? previousLBAMid : lbaMid
        case Register.lbaHigh: return hob ? previousLBAHigh : lbaHigh
        case Register.device: return device
        case Register.status: return status.rawValue
        default: return 0xFF
        }
    }
}
