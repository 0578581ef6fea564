// MODIFYCHANNEL channel message (vmbus-facts.md §9.3).

/// MODIFYCHANNEL (guest → host, version ≥ 4.1): send this channel's events to `targetVP`.
/// 16 bytes: childRelID @8, targetVP @12.
public struct ModifyChannel: ChannelMessage {
    public static let type = ChannelMessageType.modifyChannel
    public static let size = 16
    public var childRelID: UInt32
    public var targetVP: UInt32

    public init(childRelID: UInt32, targetVP: UInt32) {
        self.childRelID = childRelID
        self.targetVP = targetVP
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        childRelID = payload.le32(8)
        targetVP = payload.le32(12)
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setLE32(8, childRelID)
        bytes.setLE32(12, targetVP)
        return bytes
    }
}
