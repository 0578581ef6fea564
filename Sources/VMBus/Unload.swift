// UNLOAD channel message (vmbus-facts.md §9.3).

/// UNLOAD (guest → host): disconnect; answered by UNLOAD_RESPONSE.
/// 8 bytes.
public struct Unload: ChannelMessage {
    public static let type = ChannelMessageType.unload
    public static let size = 8

    public init() {}

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
    }

    public var payload: [UInt8] {
        Self.emptyImage()
    }
}
