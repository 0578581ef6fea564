// A message the host posts into a SynIC message slot (struct hv_message, 256 bytes).

/// A host-to-guest SynIC message: u32 type @0, u8 payload size @4, u8 flags @5 (bit 0
/// msg_pending), u64 sender @8, 240 payload bytes @16 (vmbus-facts.md §7.3).
public struct HyperVMessage: Equatable, Sendable {
    /// Message types with a meaning to Linux.
    public enum MessageType {
        /// HvMessageTypeNone: the slot is empty.
        public static let none: UInt32 = 0
        /// What VMBus channel messages use.
        public static let channel: UInt32 = 1
        /// HVMSG_TIMER_EXPIRED (synthetic timers).
        public static let timerExpired: UInt32 = 0x8000_0010
    }

    /// Size of one slot.
    public static let size = 256
    /// Maximum payload (HV_MESSAGE_PAYLOAD_BYTE_COUNT).
    public static let maximumPayloadSize = 240

    /// The message type; never `MessageType.none`.
    public var type: UInt32
    /// At most 240 bytes; the slot's payload_size is its exact length.
    public var payload: [UInt8]
    /// The sender / port field at offset 8 (0 for VMBus).
    public var sender: UInt64

    public init(type: UInt32 = MessageType.channel, payload: [UInt8], sender: UInt64 = 0) {
        precondition(type != MessageType.none, "message type 0 means an empty slot")
        precondition(payload.count <= Self.maximumPayloadSize, "a SynIC message carries at most 240 bytes")
        self.type = type
        self.payload = payload
        self.sender = sender
    }

    /// The 256-byte slot image with flags 0 (payload zero-padded).
    public var encoded: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.size)
        for i in 0..<4 { out[i] = UInt8(truncatingIfNeeded: type >> (8 * UInt32(i))) }
        out[4] = UInt8(payload.count)
        for i in 0..<8 { out[8 + i] = UInt8(truncatingIfNeeded: sender >> (8 * UInt64(i))) }
        out.replaceSubrange(16..<16 + payload.count, with: payload)
        return out
    }
}
