// The ATA Status register.

/// Status register (ATA/ATAPI-6 §7.15), read at command block offset 7 (which also clears a
/// pending interrupt) or as Alternate Status in the control block (which does not).
public struct ATAStatus: OptionSet, Codable, Equatable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// ERR: the last command ended in an error; the Error register says which.
    public static let error = ATAStatus(rawValue: 0x01)
    /// DRQ: the device is ready to move a word of data through the Data register.
    public static let dataRequest = ATAStatus(rawValue: 0x08)
    /// DSC (Device Seek Complete, ATA-3; bit 4 is command dependent in ATA-6, SERV for
    /// packet devices). Set with DRDY, as BIOSes of the DOS era wait for it.
    public static let seekComplete = ATAStatus(rawValue: 0x10)
    /// DF: device fault.
    public static let deviceFault = ATAStatus(rawValue: 0x20)
    /// DRDY: the device accepts commands.
    public static let ready = ATAStatus(rawValue: 0x40)
    /// BSY: the device owns the command block registers.
    public static let busy = ATAStatus(rawValue: 0x80)

    /// What an ATA device shows when idle and ready.
    public static let idle: ATAStatus = [.ready, .seekComplete]
}
