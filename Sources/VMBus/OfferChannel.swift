// OFFERCHANNEL channel message (vmbus-facts.md §9.3).

/// OFFERCHANNEL (host → guest), 196 bytes: offer body @8 (class GUID @8, instance GUID @24,
/// chn_flags @56, mmio_megabytes @58, user-defined area @60 (120 bytes), sub_channel_index
/// @180), u32 child_relid @184, u8 monitorid @188, u8 monitor_allocated @189 (bit 0), u16
/// is_dedicated_interrupt @190 (bit 0), u32 connection_id @192.
public struct OfferChannel: ChannelMessage {
    public static let type = ChannelMessageType.offerChannel
    public static let size = 196
    /// Length of the user-defined area.
    public static let userDefinedSize = 120

    public var classID: VMBusGUID
    public var instanceID: VMBusGUID
    public var channelFlags: UInt16
    public var mmioMegabytes: UInt16
    /// Exactly 120 bytes.
    public var userDefined: [UInt8]
    public var subChannelIndex: UInt16
    public var childRelID: UInt32
    public var monitorID: UInt8
    /// Must stay false: with a monitor the guest never issues HvSignalEvent (§9.2).
    public var monitorAllocated: Bool
    public var isDedicatedInterrupt: Bool
    /// The connection HvSignalEvent names for this channel.
    public var connectionID: UInt32

    public init(classID: VMBusGUID, instanceID: VMBusGUID, channelFlags: UInt16 = 0, mmioMegabytes: UInt16 = 0,
                userDefined: [UInt8] = [], subChannelIndex: UInt16 = 0, childRelID: UInt32, monitorID: UInt8 = 0,
                monitorAllocated: Bool = false, isDedicatedInterrupt: Bool = true, connectionID: UInt32) {
        self.classID = classID
        self.instanceID = instanceID
        self.channelFlags = channelFlags
        self.mmioMegabytes = mmioMegabytes
        self.userDefined = userDefined.slice(0, Self.userDefinedSize)
        self.subChannelIndex = subChannelIndex
        self.childRelID = childRelID
        self.monitorID = monitorID
        self.monitorAllocated = monitorAllocated
        self.isDedicatedInterrupt = isDedicatedInterrupt
        self.connectionID = connectionID
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        classID = VMBusGUID(bytes: payload.slice(8, 16))!
        instanceID = VMBusGUID(bytes: payload.slice(24, 16))!
        channelFlags = payload.le16(56)
        mmioMegabytes = payload.le16(58)
        userDefined = payload.slice(60, Self.userDefinedSize)
        subChannelIndex = payload.le16(180)
        childRelID = payload.le32(184)
        monitorID = payload.le8(188)
        monitorAllocated = payload.le8(189) & 1 != 0
        isDedicatedInterrupt = payload.le16(190) & 1 != 0
        connectionID = payload.le32(192)
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setBytes(8, classID.bytes)
        bytes.setBytes(24, instanceID.bytes)
        bytes.setLE16(56, channelFlags)
        bytes.setLE16(58, mmioMegabytes)
        bytes.setBytes(60, userDefined.slice(0, Self.userDefinedSize))
        bytes.setLE16(180, subChannelIndex)
        bytes.setLE32(184, childRelID)
        bytes.setLE8(188, monitorID)
        bytes.setLE8(189, monitorAllocated ? 1 : 0)
        bytes.setLE16(190, isDedicatedInterrupt ? 1 : 0)
        bytes.setLE32(192, connectionID)
        return bytes
    }
}
