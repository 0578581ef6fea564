// The msgtype field that starts every VMBus channel-management message.

/// `enum vmbus_channel_message_type` (vmbus-facts.md §9.3).
public struct ChannelMessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The msgtype of a raw message payload (0, never valid, when shorter than 4 bytes).
    public init(payload: [UInt8]) { rawValue = payload.count >= 4 ? payload.le32(0) : 0 }

    public static let offerChannel = Self(rawValue: 1)
    public static let rescindChannelOffer = Self(rawValue: 2)
    public static let requestOffers = Self(rawValue: 3)
    public static let allOffersDelivered = Self(rawValue: 4)
    public static let openChannel = Self(rawValue: 5)
    public static let openChannelResult = Self(rawValue: 6)
    public static let closeChannel = Self(rawValue: 7)
    public static let gpadlHeader = Self(rawValue: 8)
    public static let gpadlBody = Self(rawValue: 9)
    public static let gpadlCreated = Self(rawValue: 10)
    public static let gpadlTeardown = Self(rawValue: 11)
    public static let gpadlTorndown = Self(rawValue: 12)
    public static let relIDReleased = Self(rawValue: 13)
    public static let initiateContact = Self(rawValue: 14)
    public static let versionResponse = Self(rawValue: 15)
    public static let unload = Self(rawValue: 16)
    public static let unloadResponse = Self(rawValue: 17)
    public static let tlConnectRequest = Self(rawValue: 21)
    public static let modifyChannel = Self(rawValue: 22)
    public static let tlConnectResult = Self(rawValue: 23)
    public static let modifyChannelResponse = Self(rawValue: 24)

    public var description: String {
        let names: [UInt32: String] = [
            1: "OFFERCHANNEL", 2: "RESCIND_CHANNELOFFER", 3: "REQUESTOFFERS", 4: "ALLOFFERS_DELIVERED",
            5: "OPENCHANNEL", 6: "OPENCHANNEL_RESULT", 7: "CLOSECHANNEL", 8: "GPADL_HEADER", 9: "GPADL_BODY",
            10: "GPADL_CREATED", 11: "GPADL_TEARDOWN", 12: "GPADL_TORNDOWN", 13: "RELID_RELEASED",
            14: "INITIATE_CONTACT", 15: "VERSION_RESPONSE", 16: "UNLOAD", 17: "UNLOAD_RESPONSE",
            21: "TL_CONNECT_REQUEST", 22: "MODIFYCHANNEL", 23: "TL_CONNECT_RESULT", 24: "MODIFYCHANNEL_RESPONSE",
        ]
        return names[rawValue] ?? "msgtype \(rawValue)"
    }
}
