// REQUESTOFFERS channel message (vmbus-facts.md §9.3).

/// REQUESTOFFERS (guest → host): send every offer, then ALLOFFERS_DELIVERED.
/// 8 bytes.
public struct RequestOffers: ChannelMessage {
    public static let type = ChannelMessageType.requestOffers
    public static let size = 8

    public init() {}

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
    }

    public var payload: [UInt8] {
        Self.emptyImage()
    }
}
