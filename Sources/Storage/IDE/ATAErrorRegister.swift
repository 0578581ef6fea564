// The ATA Error register.

/// Error register bits (ATA/ATAPI-6 §7.9), valid when Status.ERR is set. For packet devices
/// bits 7:4 hold the SCSI sense key of the failed packet command instead (ATA/ATAPI-6 §9.10).
public struct ATAErrorRegister: OptionSet, Codable, Equatable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// ABRT: command not supported, parameter invalid, or the command could not complete.
    public static let aborted = ATAErrorRegister(rawValue: 0x04)
    /// IDNF: the requested address lies outside the device (or the CHS translation).
    public static let idNotFound = ATAErrorRegister(rawValue: 0x10)
    /// UNC: data could not be read (here: the host read failed).
    public static let uncorrectable = ATAErrorRegister(rawValue: 0x40)

    /// After reset or EXECUTE DEVICE DIAGNOSTIC: 01h = device 0 passed (and device 1 passed or
    /// is absent); for device 1, 01h = passed (ATA/ATAPI-6 §8.11, table 11).
    public static let diagnosticPassed: UInt8 = 0x01
}
