// A guest physical address descriptor list: one guest buffer the guest shared by PFNs.

/// A GPADL as assembled from GPADL_HEADER and GPADL_BODY messages (vmbus-facts.md §9.6): one
/// range of `byteCount` bytes starting `byteOffset` into the first of `pfns`. Complete when
/// all `pageCount` PFNs have arrived.
public struct GPADL: Codable, Equatable, Sendable {
    /// The guest-chosen handle.
    public var id: UInt32
    /// The channel it was created on.
    public var childRelID: UInt32
    public var byteCount: UInt32
    public var byteOffset: UInt32
    /// The PFNs received so far, in order.
    public var pfns: [UInt64]
    /// PFNs the header announced.
    public var pageCount: Int

    public init(id: UInt32, childRelID: UInt32, byteCount: UInt32, byteOffset: UInt32, pfns: [UInt64], pageCount: Int) {
        self.id = id
        self.childRelID = childRelID
        self.byteCount = byteCount
        self.byteOffset = byteOffset
        self.pfns = pfns
        self.pageCount = pageCount
    }

    public var isComplete: Bool { pfns.count == pageCount }

    /// PFNs needed for `byteCount` bytes at `byteOffset` (ceil((offset + count) / 4096)).
    public static func pagesSpanned(byteOffset: UInt32, byteCount: UInt32) -> Int {
        (Int(byteOffset) + Int(byteCount) + GuestBuffer.pageSize - 1) / GuestBuffer.pageSize
    }
}
