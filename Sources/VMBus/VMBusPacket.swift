// One packet of a channel ring: descriptor, descriptor extension and payload.

/// A ring packet (`struct vmpacket_descriptor` and what follows, vmbus-facts.md §10.2):
/// u16 type @0, u16 offset8 @2, u16 len8 @4, u16 flags @6, u64 trans_id @8; bytes 16 ..<
/// offset8×8 are `headerExtension` (GPA-direct and transfer-page ranges); the payload runs to
/// len8×8 (padding included).
public struct VMBusPacket: Equatable, Sendable {
    public static let descriptorSize = 16
    /// Flags bit 0: the sender wants a completion.
    public static let completionRequestedFlag: UInt16 = 1

    public var type: VMBusPacketType
    public var flags: UInt16
    public var transactionID: UInt64
    public var headerExtension: [UInt8]
    public var payload: [UInt8]

    public init(type: VMBusPacketType, flags: UInt16 = 0, transactionID: UInt64, headerExtension: [UInt8] = [],
                payload: [UInt8]) {
        self.type = type
        self.flags = flags
        self.transactionID = transactionID
        self.headerExtension = headerExtension
        self.payload = payload
    }

    /// An inband data packet.
    public static func inband(_ payload: [UInt8], transactionID: UInt64, completionRequested: Bool = false) -> Self {
        Self(type: .dataInband, flags: completionRequested ? completionRequestedFlag : 0, transactionID: transactionID,
             payload: payload)
    }

    /// A completion for the request `transactionID`.
    public static func completion(_ payload: [UInt8], transactionID: UInt64) -> Self {
        Self(type: .completion, transactionID: transactionID, payload: payload)
    }

    /// A GPA-direct packet: u32 reserved, u32 range_count, the ranges back to back, then payload.
    public static func gpaDirect(_ ranges: [GPARange], payload: [UInt8], transactionID: UInt64,
                                 completionRequested: Bool = false) -> Self {
        var ext = [UInt8](repeating: 0, count: 8 + ranges.reduce(0) { $0 + $1.encodedSize })
        ext.setLE32(4, UInt32(ranges.count))
        var at = 8
        for r in ranges {
            ext.setLE32(at, r.byteCount)
            ext.setLE32(at + 4, r.byteOffset)
            for (i, pfn) in r.pfns.enumerated() { ext.setLE64(at + 8 + 8 * i, pfn) }
            at += r.encodedSize
        }
        return Self(type: .dataUsingGPADirect, flags: completionRequested ? completionRequestedFlag : 0,
                    transactionID: transactionID, headerExtension: ext, payload: payload)
    }

    /// A transfer-page packet (host → guest, netvsc receive): u16 xfer_pageset_id, u8
    /// sender_owns_set, u8 reserved, u32 range_count, then {u32 byte_count, u32 byte_offset}
    /// ranges into the guest's registered receive buffer.
    public static func transferPages(pageSetID: UInt16, ranges: [(byteCount: UInt32, byteOffset: UInt32)],
                                     payload: [UInt8], transactionID: UInt64, completionRequested: Bool = true) -> Self {
        var ext = [UInt8](repeating: 0, count: 8 + 8 * ranges.count)
        ext.setLE16(0, pageSetID)
        ext.setLE32(4, UInt32(ranges.count))
        for (i, r) in ranges.enumerated() {
            ext.setLE32(8 + 8 * i, r.byteCount)
            ext.setLE32(12 + 8 * i, r.byteOffset)
        }
        return Self(type: .dataUsingTransferPages, flags: completionRequested ? completionRequestedFlag : 0,
                    transactionID: transactionID, headerExtension: ext, payload: payload)
    }

    public var completionRequested: Bool { flags & Self.completionRequestedFlag != 0 }

    /// The ranges of a GPA-direct packet; nil when this is not one or the ranges are malformed
    /// (count or PFN lists running past the descriptor extension, offsets ≥ 4096, empty ranges).
    public var gpaDirectRanges: [GPARange]? {
        guard type == .dataUsingGPADirect, headerExtension.count >= 8 else { return nil }
        let count = Int(headerExtension.le32(4))
        guard count <= (headerExtension.count - 8) / 16 else { return nil }
        var ranges: [GPARange] = []
        var at = 8
        for _ in 0..<count {
            guard at + 8 <= headerExtension.count else { return nil }
            let byteCount = headerExtension.le32(at)
            let byteOffset = headerExtension.le32(at + 4)
            guard byteOffset < 4096, byteCount > 0 else { return nil }
            let pages = GPADL.pagesSpanned(byteOffset: byteOffset, byteCount: byteCount)
            guard pages <= (headerExtension.count - at - 8) / 8 else { return nil }
            ranges.append(GPARange(byteCount: byteCount, byteOffset: byteOffset,
                                   pfns: (0..<pages).map { headerExtension.le64(at + 8 + 8 * $0) }))
            at += 8 + 8 * pages
        }
        return ranges
    }

    /// Bytes this packet takes in a ring, trailer excluded: descriptor and extension rounded up
    /// to 8, payload rounded up to 8.
    public var encodedLength: Int {
        Self.roundUp8(Self.descriptorSize + headerExtension.count) + Self.roundUp8(payload.count)
    }

    static func roundUp8(_ n: Int) -> Int { (n + 7) & ~7 }
}
