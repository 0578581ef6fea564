// The type field of a ring-buffer packet descriptor.

/// `enum vmbus_packet_type` (vmbus-facts.md §10.2).
public struct VMBusPacketType: RawRepresentable, Hashable, Codable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let synch = Self(rawValue: 0x1)
    public static let addTransferPageSet = Self(rawValue: 0x2)
    public static let removeTransferPageSet = Self(rawValue: 0x3)
    public static let establishGPADL = Self(rawValue: 0x4)
    public static let teardownGPADL = Self(rawValue: 0x5)
    /// VM_PKT_DATA_INBAND: payload in the ring.
    public static let dataInband = Self(rawValue: 0x6)
    /// VM_PKT_DATA_USING_XFER_PAGES (host → guest, netvsc).
    public static let dataUsingTransferPages = Self(rawValue: 0x7)
    public static let dataUsingGPADL = Self(rawValue: 0x8)
    /// VM_PKT_DATA_USING_GPA_DIRECT: ranges of guest pages, then the payload.
    public static let dataUsingGPADirect = Self(rawValue: 0x9)
    public static let cancelRequest = Self(rawValue: 0xA)
    /// VM_PKT_COMP: a completion echoing a request's trans_id.
    public static let completion = Self(rawValue: 0xB)
    public static let dataUsingAdditionalPacket = Self(rawValue: 0xC)
    public static let additionalData = Self(rawValue: 0xD)
}
