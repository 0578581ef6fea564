// GPADL_HEADER channel message (vmbus-facts.md §9.3, §9.6).

/// GPADL_HEADER (guest → host): u32 child_relid @8, u32 gpadl @12, u16 range_buflen @16, u16
/// rangecount @18, then ranges @20: {u32 byte_count, u32 byte_offset, u64 pfn[]}. The header
/// carries as many of the first range's PFNs as fit (Linux: ≤ 26); GPADL_BODY messages carry
/// the rest. `size` is the fixed part up to the first PFN.
public struct GPADLHeader: ChannelMessage {
    public static let type = ChannelMessageType.gpadlHeader
    public static let size = 28
    /// PFNs that fit in one 240-byte message after the fixed part.
    public static let maximumPFNsInHeader = (240 - 28) / 8

    public var childRelID: UInt32
    public var gpadl: UInt32
    /// Bytes of range descriptions (8 per range + 8 per PFN over all ranges).
    public var rangeBufferLength: UInt16
    public var rangeCount: UInt16
    /// The first range's byte_count and byte_offset.
    public var byteCount: UInt32
    public var byteOffset: UInt32
    /// The PFNs this message carries (the payload beyond the fixed part, whole u64s only).
    public var pfns: [UInt64]

    public init(childRelID: UInt32, gpadl: UInt32, rangeBufferLength: UInt16, rangeCount: UInt16 = 1,
                byteCount: UInt32, byteOffset: UInt32 = 0, pfns: [UInt64]) {
        self.childRelID = childRelID
        self.gpadl = gpadl
        self.rangeBufferLength = rangeBufferLength
        self.rangeCount = rangeCount
        self.byteCount = byteCount
        self.byteOffset = byteOffset
        self.pfns = pfns
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        childRelID = payload.le32(8)
        gpadl = payload.le32(12)
        rangeBufferLength = payload.le16(16)
        rangeCount = payload.le16(18)
        byteCount = payload.le32(20)
        byteOffset = payload.le32(24)
        let n = min((payload.count - Self.size) / 8, Self.maximumPFNsInHeader)
        pfns = (0..<n).map { payload.le64(Self.size + 8 * $0) }
    }

    /// Total PFNs the GPADL has when it is one range: (range_buflen − 8) / 8.
    public var totalPageCount: Int { max(0, (Int(rangeBufferLength) - 8) / 8) }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage(size: Self.size + 8 * pfns.count)
        bytes.setLE32(8, childRelID)
        bytes.setLE32(12, gpadl)
        bytes.setLE16(16, rangeBufferLength)
        bytes.setLE16(18, rangeCount)
        bytes.setLE32(20, byteCount)
        bytes.setLE32(24, byteOffset)
        for (i, pfn) in pfns.enumerated() { bytes.setLE64(Self.size + 8 * i, pfn) }
        return bytes
    }
}
