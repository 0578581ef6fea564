// RESCIND_CHANNELOFFER channel message (vmbus-facts.md §9.3).

/// RESCIND_CHANNELOFFER (host → guest): the device is gone; the guest answers RELID_RELEASED.
/// 12 bytes: childRelID @8.
public struct RescindChannelOffer: ChannelMessage {
    public static let type = ChannelMessageType.rescindChannelOffer
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
