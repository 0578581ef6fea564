// OPENCHANNEL_RESULT channel message (vmbus-facts.md §9.3).

/// OPENCHANNEL_RESULT (host → guest): status 0 = open; non-zero fails the guest driver's probe.
/// 20 bytes: childRelID @8, openID @12, status @16.
public struct OpenChannelResult: ChannelMessage {
    public static let type = ChannelMessageType.openChannelResult
    public static let size = 20
    public var childRelID: UInt32
    public var openID: UInt32
    public var status: UInt32

    public init(childRelID: UInt32, openID: UInt32, status: UInt32 = 0) {
        self.childRelID = childRelID
        self.openID = openID
        self.status = status
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        childRelID = payload.le32(8)
        openID = payload.le32(12)
        status = payload.le32(16)
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setLE32(8, childRelID)
        bytes.setLE32(12, openID)
        bytes.setLE32(16, status)
        return bytes
    }
}
