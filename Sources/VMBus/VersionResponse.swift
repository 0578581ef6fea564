// VERSION_RESPONSE channel message (vmbus-facts.md §9.3).

/// VERSION_RESPONSE (host → guest): version_supported non-zero accepts; msg_conn_id is the connection later messages use (version ≥ 5.0).
/// 16 bytes: versionSupported @8, connectionState @9, messageConnectionID @12.
public struct VersionResponse: ChannelMessage {
    public static let type = ChannelMessageType.versionResponse
    public static let size = 16
    public var versionSupported: UInt8
    public var connectionState: UInt8
    public var messageConnectionID: UInt32

    public init(versionSupported: UInt8, connectionState: UInt8 = 0, messageConnectionID: UInt32) {
        self.versionSupported = versionSupported
        self.connectionState = connectionState
        self.messageConnectionID = messageConnectionID
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        versionSupported = payload.le8(8)
        connectionState = payload.le8(9)
        messageConnectionID = payload.le32(12)
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setLE8(8, versionSupported)
        bytes.setLE8(9, connectionState)
        bytes.setLE32(12, messageConnectionID)
        return bytes
    }
}
