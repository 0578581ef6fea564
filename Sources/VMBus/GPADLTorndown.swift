// GPADL_TORNDOWN channel message (vmbus-facts.md §9.3).

/// GPADL_TORNDOWN (host → guest).
/// 12 bytes: gpadl @8.
public struct GPADLTorndown: ChannelMessage {
    public static let type = ChannelMessageType.gpadlTorndown
    public static let size = 12
    public var gpadl: UInt32

    public init(gpadl: UInt32) {
        self.gpadl = gpadl
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        gpadl = payload.le32(8)
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setLE32(8, gpadl)
        return bytes
    }
}
