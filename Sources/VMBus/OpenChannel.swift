// OPENCHANNEL channel message (vmbus-facts.md §9.3, §9.5).

/// OPENCHANNEL (guest → host), 148 bytes: u32 child_relid @8, u32 openid @12, u32
/// ringbuffer_gpadl @16, u32 target_vp @20, u32 downstream_ringbuffer_pageoffset @24,
/// userdata[120] @28. Answered by OPENCHANNEL_RESULT with the same relid and openid.
public struct OpenChannel: ChannelMessage {
    public static let type = ChannelMessageType.openChannel
    public static let size = 148
    public static let userDataSize = 120

    public var childRelID: UInt32
    public var openID: UInt32
    public var ringBufferGPADL: UInt32
    public var targetVP: UInt32
    /// Page offset of the host-to-guest ring inside the ring GPADL (= guest send size / 4096).
    public var downstreamPageOffset: UInt32
    /// Exactly 120 bytes.
    public var userData: [UInt8]

    public init(childRelID: UInt32, openID: UInt32, ringBufferGPADL: UInt32, targetVP: UInt32,
                downstreamPageOffset: UInt32, userData: [UInt8] = []) {
        self.childRelID = childRelID
        self.openID = openID
        self.ringBufferGPADL = ringBufferGPADL
        self.targetVP = targetVP
        self.downstreamPageOffset = downstreamPageOffset
        self.userData = userData.slice(0, Self.userDataSize)
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        childRelID = payload.le32(8)
        openID = payload.le32(12)
        ringBufferGPADL = payload.le32(16)
        targetVP = payload.le32(20)
        downstreamPageOffset = payload.le32(24)
        userData = payload.slice(28, Self.userDataSize)
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setLE32(8, childRelID)
        bytes.setLE32(12, openID)
        bytes.setLE32(16, ringBufferGPADL)
        bytes.setLE32(20, targetVP)
        bytes.setLE32(24, downstreamPageOffset)
        bytes.setBytes(28, userData.slice(0, Self.userDataSize))
        return bytes
    }
}
