// ALLOFFERS_DELIVERED channel message (vmbus-facts.md §9.3).

/// ALLOFFERS_DELIVERED (host → guest): the end of the offers.
/// 8 bytes.
public struct AllOffersDelivered: ChannelMessage {
    public static let type = ChannelMessageType.allOffersDelivered
    public static let size = 8

    public init() {}

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
    }

    public var payload: [UInt8] {
        Self.emptyImage()
    }
}
