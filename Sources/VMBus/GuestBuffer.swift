// A guest buffer described by page frame numbers, read and written with bounds on every access.

import EmulatorCore

/// Bytes `byteOffset ..< byteOffset + length` of the guest pages `pfns` (in order, not
/// contiguous in host memory): a GPADL, one ring of a channel, or a GPA-direct range.
///
/// Every access is checked against `length`, and every page is looked up again on each access
/// and must be guest RAM below 4 GiB (not ROM, MMIO or unmapped), so a guest-chosen PFN can
/// never reach a device register or host memory outside guest RAM.
public struct GuestBuffer {
    public static let pageSize = 4096
    let memory: PhysicalMemory
    public let pfns: [UInt64]
    /// Offset of byte 0 inside the first page (< 4096).
    public let byteOffset: Int
    public let length: Int

    /// Nil when the pages cannot hold the range or any page is not guest RAM.
    public init?(memory: PhysicalMemory, pfns: [UInt64], byteOffset: Int = 0, length: Int? = nil) {
        let length = length ?? pfns.count * Self.pageSize - byteOffset
        guard byteOffset >= 0, byteOffset < Self.pageSize, length >= 0,
              pfns.count <= (Int(UInt32.max) >> 12) + 1,
              byteOffset + length <= pfns.count * Self.pageSize else { return nil }
        for pfn in pfns where Self.page(memory, pfn) == nil { return nil }
        self.memory = memory
        self.pfns = pfns
        self.byteOffset = byteOffset
        self.length = length
    }

    /// The host page of guest frame `pfn` when it is writable RAM below 4 GiB.
    static func page(_ memory: PhysicalMemory, _ pfn: UInt64) -> (pointer: UnsafeMutablePointer<UInt8>, index: Int)? {
        guard pfn < 1 << 20 else { return nil }
        let address = UInt32(pfn << 12) & memory.a20Mask
        guard let page = memory.hostPage(address), page.writable else { return nil }
        return (page.pointer, Int(address >> 12))
    }

    /// A sub-range of this buffer (bounds-checked).
    public func subrange(_ offset: Int, length: Int) -> GuestBuffer? {
        guard offset >= 0, length >= 0, offset <= self.length - length else { return nil }
        let start = byteOffset + offset
        let first = start / Self.pageSize
        let last = length == 0 ? first : (start + length - 1) / Self.pageSize
        return GuestBuffer(memory: memory, pfns: Array(pfns[first...last]), byteOffset: start % Self.pageSize,
                           length: length)
    }

    /// Walks `offset ..< offset + count` page by page; false if out of range or a page is not RAM.
    private func forEachChunk(_ offset: Int, _ count: Int,
                              _ body: (_ host: UnsafeMutablePointer<UInt8>, _ pageIndex: Int, _ done: Int, _ n: Int) -> Void) -> Bool {
        guard offset >= 0, count >= 0, offset <= length - count else { return false }
        var done = 0
        while done < count {
            let position = byteOffset + offset + done
            let inPage = position % Self.pageSize
            let n = min(count - done, Self.pageSize - inPage)
            guard let page = Self.page(memory, pfns[position / Self.pageSize]) else { return false }
            body(page.pointer + inPage, page.index, done, n)
            done += n
        }
        return true
    }

    /// `count` bytes at `offset`, or nil when out of range or a page stopped being RAM.
    public func read(at offset: Int, count: Int) -> [UInt8]? {
        // Bound before allocating: `count` may come from the guest.
        guard offset >= 0, count >= 0, offset <= length - count else { return nil }
        var out = [UInt8](repeating: 0, count: max(0, count))
        let ok = out.withUnsafeMutableBufferPointer { dst in
            forEachChunk(offset, count) { host, _, done, n in
                // SAFETY: forEachChunk bounds [done, done + n) by count == dst.count and
                // [host, host + n) by the end of one RAM page.
                (dst.baseAddress! + done).update(from: host, count: n)
            }
        }
        return ok ? out : nil
    }

    /// Writes `bytes` at `offset`; false (nothing or part written) when out of range.
    @discardableResult
    public func write(_ bytes: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset <= length - bytes.count else { return false }
        return bytes.withUnsafeBufferPointer { src in
            forEachChunk(offset, bytes.count) { host, pageIndex, done, n in
                // Decoded code from this page is stale once the host writes it.
                if memory.codePage[pageIndex] != 0 { memory.codeWritten(page: pageIndex) }
                // SAFETY: as in read; the source range lies inside `bytes`.
                host.update(from: src.baseAddress! + done, count: n)
            }
        }
    }

    /// Lends `offset ..< offset + count` to `body` as host memory, without copying: one call
    /// with the range's runs in order, each a stretch that is contiguous in host memory
    /// (neighbouring RAM pages are coalesced, so physically contiguous guest pages make one run).
    /// Every page is looked up again first, as `read` and `write` do; `body` runs only when all
    /// of them are guest RAM. With `modifying` (the caller will store into the runs), the decoded
    /// code of each page is dropped first, as `write` does.
    ///
    /// The runs are valid only during `body`. Returns false, without calling `body`, when the
    /// range is out of bounds or a page is not guest RAM.
    public func withHostRuns<E: Error>(at offset: Int, count: Int, modifying: Bool,
                                       _ body: ([UnsafeMutableRawBufferPointer]) throws(E) -> Void) throws(E) -> Bool {
        guard offset >= 0, count >= 0, offset <= length - count else { return false }
        // At most one run per page the range touches: bounded by `length`, which the caller
        // bounded (a GPA-direct range holds at most the transport's maximum transfer).
        var runs: [UnsafeMutableRawBufferPointer] = []
        runs.reserveCapacity(((byteOffset + offset) % Self.pageSize + count + Self.pageSize - 1) / Self.pageSize)
        var runStart: UnsafeMutablePointer<UInt8>?
        var runLength = 0
        let accessible = forEachChunk(offset, count) { host, pageIndex, _, n in
            // Decoded code from this page is stale once the caller writes it.
            if modifying && memory.codePage[pageIndex] != 0 { memory.codeWritten(page: pageIndex) }
            if let start = runStart, start + runLength == host {
                runLength += n
            } else {
                // SAFETY: [start, start + runLength) is made of checked pieces of RAM pages,
                // each inside one page and inside `offset ..< offset + count`.
                if let start = runStart { runs.append(UnsafeMutableRawBufferPointer(start: start, count: runLength)) }
                runStart = host
                runLength = n
            }
        }
        guard accessible else { return false }
        // SAFETY: as above.
        if let start = runStart { runs.append(UnsafeMutableRawBufferPointer(start: start, count: runLength)) }
        try body(runs)
        return true
    }

    public func load32(at offset: Int) -> UInt32? {
        read(at: offset, count: 4).map { $0.le32(0) }
    }

    @discardableResult
    public func store32(_ value: UInt32, at offset: Int) -> Bool {
        var b = [UInt8](repeating: 0, count: 4)
        b.setLE32(0, value)
        return write(b, at: offset)
    }
}
