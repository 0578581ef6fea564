// RELID_RELEASED channel message (vmbus-facts.md §9.3).

/// RELID_RELEASED (guest → host, no reply): a rescinded relid may be reused.
/// 12 bytes: childRelID @8.
public struct RelIDReleased: ChannelMessage {
    public static let type = ChannelMessageType.relIDReleased
    public static let size = 12
    public var childRelID: UInt32

    public init(childRelID: UInt32) {
        self.childRelID = childRelID
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        childRelID = payload.le32(8)
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setLE32(8, childRelID)
        return bytes
    }
}
