// The outcome of one SCSI command.

/// What a SCSI target returns for a command: SAM status, sense for CHECK CONDITION, and the
/// bytes moved through the data buffer. `transportFailed` means the data buffer itself could
/// not be accessed (a page that is not RAM): the transport reports an error, not a SCSI status.
public struct SCSIResult: Equatable, Sendable {
    /// SAM status codes.
    public enum Status: UInt8, Sendable {
        case good = 0x00
        case checkCondition = 0x02
    }

    public var status: Status
    public var sense: SCSISense?
    public var bytesTransferred: Int
    public var transportFailed: Bool

    public init(status: Status, sense: SCSISense? = nil, bytesTransferred: Int = 0, transportFailed: Bool = false) {
        self.status = status
        self.sense = sense
        self.bytesTransferred = bytesTransferred
        self.transportFailed = transportFailed
    }

    public static func good(_ bytes: Int = 0) -> Self { Self(status: .good, bytesTransferred: bytes) }
    public static func check(_ sense: SCSISense) -> Self { Self(status: .checkCondition, sense: sense) }
    public static let transportError = Self(status: .good, transportFailed: true)
}
