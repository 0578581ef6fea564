// MODIFYCHANNEL_RESPONSE channel message (vmbus-facts.md §9.3).

/// MODIFYCHANNEL_RESPONSE (host → guest, version 5.3 only; the guest waits for it).
/// 16 bytes: childRelID @8, status @12.
public struct ModifyChannelResponse: ChannelMessage {
    public static let type = ChannelMessageType.modifyChannelResponse
    public static let size = 16
    public var childRelID: UInt32
    public var status: UInt32

    public init(childRelID: UInt32, status: UInt32 = 0) {
        self.childRelID = childRelID
        self.status = status
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        childRelID = payload.le32(8)
        status = payload.le32(12)
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setLE32(8, childRelID)
        bytes.setLE32(12, status)
        return bytes
    }
}
