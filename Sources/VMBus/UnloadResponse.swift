// UNLOAD_RESPONSE channel message (vmbus-facts.md §9.3).

/// UNLOAD_RESPONSE (host → guest).
/// 8 bytes.
public struct UnloadResponse: ChannelMessage {
    public static let type = ChannelMessageType.unloadResponse
    public static let size = 8

    public init() {}

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
    }

    public var payload: [UInt8] {
        Self.emptyImage()
    }
}
