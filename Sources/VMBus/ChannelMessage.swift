// The common shape of every channel-management wire struct.

/// A VMBus channel message: `u32 msgtype @0, u32 padding @4`, then fields at fixed offsets,
/// encoded and decoded with explicit little-endian loads and stores (never layout punning).
public protocol ChannelMessage: Equatable, Sendable {
    static var type: ChannelMessageType { get }
    /// The exact payload_size Linux 6.1 posts or requires (vmbus-facts.md §9.3, §17).
    static var size: Int { get }
    /// Decodes `payload`; nil when it is shorter than `size` or its msgtype differs.
    init?(payload: [UInt8])
    /// The `size`-byte image (variable-length messages: header plus their PFNs).
    var payload: [UInt8] { get }
}

extension ChannelMessage {
    /// A zeroed image of `size` bytes with the msgtype filled in.
    static func emptyImage(size: Int = Self.size) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.setLE32(0, type.rawValue)
        return bytes
    }

    /// Whether `payload` can hold this message: long enough and of this type.
    static func accepts(_ payload: [UInt8]) -> Bool {
        payload.count >= size && payload.le32(0) == type.rawValue
    }
}
