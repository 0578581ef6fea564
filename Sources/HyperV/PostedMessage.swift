// A message the guest posted with HvPostMessage, after validation.

/// The validated contents of `struct hv_input_post_message` (vmbus-facts.md §6.3).
public struct PostedMessage: Equatable, Sendable {
    /// Bits 23:0 of connection_id (bits 31:24 are not part of the ID).
    public var connectionID: UInt32
    /// message_type: non-zero, high bit clear (Linux always sends 1).
    public var messageType: UInt32
    /// Exactly payload_size (≤ 240) bytes.
    public var payload: [UInt8]

    public init(connectionID: UInt32, messageType: UInt32, payload: [UInt8]) {
        self.connectionID = connectionID
        self.messageType = messageType
        self.payload = payload
    }
}
