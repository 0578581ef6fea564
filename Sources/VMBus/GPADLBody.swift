// GPADL_BODY channel message (vmbus-facts.md §9.3, §9.6).

/// GPADL_BODY (guest → host): u32 msgnumber @8 (Linux sends 0; ignored), u32 gpadl @12, u64
/// pfn[] @16 — the next PFNs of a GPADL whose header came earlier (Linux: ≤ 28 each).
public struct GPADLBody: ChannelMessage {
    public static let type = ChannelMessageType.gpadlBody
    public static let size = 16
    public static let maximumPFNs = (240 - 16) / 8

    public var messageNumber: UInt32
    public var gpadl: UInt32
    public var pfns: [UInt64]

    public init(messageNumber: UInt32 = 0, gpadl: UInt32, pfns: [UInt64]) {
        self.messageNumber = messageNumber
        self.gpadl = gpadl
        self.pfns = pfns
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        messageNumber = payload.le32(8)
        gpadl = payload.le32(12)
        let n = min((payload.count - Self.size) / 8, Self.maximumPFNs)
        pfns = (0..<n).map { payload.le64(Self.size + 8 * $0) }
    }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage(size: Self.size + 8 * pfns.count)
        bytes.setLE32(8, messageNumber)
        bytes.setLE32(12, gpadl)
        for (i, pfn) in pfns.enumerated() { bytes.setLE64(Self.size + 8 * i, pfn) }
        return bytes
    }
}
