// GPADL_TEARDOWN channel message (vmbus-facts.md §9.3).

/// GPADL_TEARDOWN (guest → host): answered by GPADL_TORNDOWN.
/// 16 bytes: childRelID @8, gpadl @12.
public struct GPADLTeardown: ChannelMessage {
    public static let type = ChannelMessageType.gpadlTeardown
    public static let size = 16
    public var childRelID: UInt32
    public var gpadl: UInt32

    public init(childRelID: UInt32, gpadl: UInt32) {
        self.childRelID = childRelID
        self.gpadl = gpadl
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        childRelID = payload.le32(8)
        gpadl = payload.le32(12)
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setLE32(8, childRelID)
        bytes.setLE32(12, gpadl)
        return bytes
    }
}
