// One range of a GPA-direct packet.

/// `struct vmbus_packet_mpb_array` range (vmbus-facts.md §10.2): `byteCount` bytes starting
/// `byteOffset` into the first of `pfns`; pfns.count = ceil((byteOffset + byteCount) / 4096).
public struct GPARange: Equatable, Sendable {
    public var byteCount: UInt32
    public var byteOffset: UInt32
    public var pfns: [UInt64]

    public init(byteCount: UInt32, byteOffset: UInt32, pfns: [UInt64]) {
        self.byteCount = byteCount
        self.byteOffset = byteOffset
        self.pfns = pfns
    }

    /// Encoded size: 8 + 8 per PFN.
    public var encodedSize: Int { 8 + 8 * pfns.count }
}
