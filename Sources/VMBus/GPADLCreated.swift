// GPADL_CREATED channel message (vmbus-facts.md §9.3).

/// GPADL_CREATED (host → guest): creation_status 0 = usable.
/// 20 bytes: childRelID @8, gpadl @12, creationStatus @16.
public struct GPADLCreated: ChannelMessage {
    public static let type = ChannelMessageType.gpadlCreated
    public static let size = 20
    public var childRelID: UInt32
    public var gpadl: UInt32
    public var creationStatus: UInt32

    public init(childRelID: UInt32, gpadl: UInt32, creationStatus: UInt32 = 0) {
        self.childRelID = childRelID
        self.gpadl = gpadl
        self.creationStatus = creationStatus
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        childRelID = payload.le32(8)
        gpadl = payload.le32(12)
        creationStatus = payload.le32(16)
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setLE32(8, childRelID)
        bytes.setLE32(12, gpadl)
        bytes.setLE32(16, creationStatus)
        return bytes
    }
}
