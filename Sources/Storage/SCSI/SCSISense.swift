// Sense data of a failed SCSI command.

/// Sense key and additional sense code / qualifier (SPC-4 §4.5), reported in fixed format.
public struct SCSISense: Codable, Equatable, Sendable {
    public var key: UInt8
    /// Additional Sense Code.
    public var asc: UInt8
    /// Additional Sense Code Qualifier.
    public var ascq: UInt8

    public init(key: UInt8, asc: UInt8, ascq: UInt8 = 0) {
        self.key = key
        self.asc = asc
        self.ascq = ascq
    }

    public enum Key {
        public static let noSense: UInt8 = 0x00
        public static let notReady: UInt8 = 0x02
        public static let mediumError: UInt8 = 0x03
        public static let hardwareError: UInt8 = 0x04
        public static let illegalRequest: UInt8 = 0x05
        public static let unitAttention: UInt8 = 0x06
        public static let dataProtect: UInt8 = 0x07
        public static let abortedCommand: UInt8 = 0x0B
    }

    public static let noSense = Self(key: Key.noSense, asc: 0)
    /// ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE.
    public static let invalidOpcode = Self(key: Key.illegalRequest, asc: 0x20)
    /// ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT OF RANGE.
    public static let lbaOutOfRange = Self(key: Key.illegalRequest, asc: 0x21)
    /// ILLEGAL REQUEST, INVALID FIELD IN CDB.
    public static let invalidFieldInCDB = Self(key: Key.illegalRequest, asc: 0x24)
    /// ILLEGAL REQUEST, PARAMETER LIST LENGTH ERROR (data buffer too small for the command).
    public static let parameterListLength = Self(key: Key.illegalRequest, asc: 0x1A)
    /// DATA PROTECT, WRITE PROTECTED.
    public static let writeProtected = Self(key: Key.dataProtect, asc: 0x27)
    /// MEDIUM ERROR, UNRECOVERED READ ERROR.
    public static let readError = Self(key: Key.mediumError, asc: 0x11)
    /// MEDIUM ERROR, WRITE ERROR.
    public static let writeError = Self(key: Key.mediumError, asc: 0x0C)
    /// NOT READY, MEDIUM NOT PRESENT (SPC-4 / MMC-5: no disc, or the tray is open).
    public static let mediumNotPresent = Self(key: Key.notReady, asc: 0x3A)
    /// UNIT ATTENTION, NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (a disc was loaded).
    public static let mediumMayHaveChanged = Self(key: Key.unitAttention, asc: 0x28)
    /// ILLEGAL REQUEST, MEDIUM REMOVAL PREVENTED (eject while PREVENT ALLOW MEDIUM REMOVAL holds).
    public static let mediumRemovalPrevented = Self(key: Key.illegalRequest, asc: 0x53, ascq: 0x02)
    /// ILLEGAL REQUEST, SAVING PARAMETERS NOT SUPPORTED (MODE SENSE of saved values).
    public static let savingParametersNotSupported = Self(key: Key.illegalRequest, asc: 0x39)
    /// ABORTED COMMAND, no additional sense (the transport could not move the data).
    public static let abortedCommand = Self(key: Key.abortedCommand, asc: 0)

    /// Fixed-format sense data (response code 0x70, current error), 18 bytes.
    public var fixedFormat: [UInt8] {
        var b = [UInt8](repeating: 0, count: 18)
        b[0] = 0x70
        b[2] = key & 0x0F
        b[7] = 10 // additional sense length: bytes 8..17
        b[12] = asc
        b[13] = ascq
        return b
    }
}
