// A copy-on-write layer over a disk: the guest's writes land in a private file, the base image
// is never written.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A disk whose writes go to an overlay instead of the base image (`partita run
/// --snapshot-disks`): the base stays exactly as it was when the machine started, so a snapshot
/// taken at any point can be restored onto it — the snapshot carries the overlay's sectors
/// (`exportRecords` / `importRecord`).
///
/// The overlay is an unlinked temporary file the size of the base (sparse: only written sectors
/// take space) plus a bitmap of which 512-byte sectors it holds. Reads take each sector from the
/// overlay when its bit is set, else from the base. A write that covers part of a sector not yet
/// in the overlay first copies that sector from the base, so a sector is always whole in one
/// place. When the machine ends, the overlay is gone with it (nothing reaches the base).
///
/// `flush()` forwards nothing to the base (nothing of the guest's is there); it syncs the overlay
/// file, which is private to this process and discarded at exit either way.
public final class CopyOnWriteOverlay: BlockDevice {
    public let base: any BlockDevice
    public var blockSize: Int { Self.sectorSize }
    public let blockCount: UInt64
    public var isReadOnly: Bool { base.isReadOnly }
    /// The base's identity: the overlay never changes it, which is the point.
    public var identity: DiskIdentity { base.identity }

    static let sectorSize = 512
    private var fd: Int32
    /// One bit per sector: set when the overlay holds that sector.
    private var present: [UInt64]
    /// Sectors the overlay holds.
    public private(set) var sectorsInOverlay: Int = 0

    /// Creates an empty overlay over `base` in `directory` (default `$TMPDIR` or /tmp). The file
    /// is unlinked at once, so it never outlives the process.
    public init(base: any BlockDevice, directory: String? = nil) throws(DiskError) {
        guard base.blockSize == Self.sectorSize else {
            throw .io(operation: "overlay over a disk with \(base.blockSize)-byte blocks", errno: EINVAL)
        }
        self.base = base
        blockCount = base.blockCount
        let dir = directory ?? Self.temporaryDirectory()
        var template = Array((dir + "/partita-overlay-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .cannotOpen(path: dir + "/partita-overlay-*", errno: errno) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
        present = [UInt64](repeating: 0, count: Int((blockCount + 63) / 64))
    }

    deinit { if fd >= 0 { _ = closeDescriptor(fd) } }

    static func temporaryDirectory() -> String {
        if let t = getenv("TMPDIR"), t.pointee != 0 { return String(cString: t) }
        return "/tmp"
    }

    @inline(__always) func holds(_ sector: UInt64) -> Bool {
        present[Int(sector >> 6)] & (1 << (sector & 63)) != 0
    }

    private func mark(_ sector: UInt64) {
        let i = Int(sector >> 6), bit: UInt64 = 1 << (sector & 63)
        if present[i] & bit == 0 {
            present[i] |= bit
            sectorsInOverlay += 1
        }
    }

    private func check(_ offset: UInt64, _ count: Int) throws(DiskError) {
        guard fd >= 0 else { throw .closed }
        try checkRange(offset, count)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(DiskError) {
        try read(into: [buffer], at: offset)
    }

    public func read(into buffers: [UnsafeMutableRawBufferPointer], at offset: UInt64) throws(DiskError) {
        let total = buffers.reduce(0) { $0 + $1.count }
        try check(offset, total)
        let size = UInt64(Self.sectorSize), end = offset + UInt64(total)
        var cursor = ScatterCursor(buffers)
        var done = 0
        while done < total {
            let position = offset + UInt64(done)
            let sector = position / size
            let inOverlay = holds(sector)
            // Extend the run while the following sectors come from the same place.
            var runEnd = min(end, (sector + 1) * size)
            while runEnd < end && holds(runEnd / size) == inOverlay {
                runEnd = min(end, runEnd + size)
            }
            let count = Int(runEnd - position)
            let pieces = cursor.take(count)
            if inOverlay {
                // The overlay file is sparse and never shorter than what it holds; a short read
                // means someone truncated it under us.
                try PositionalFileIO.read(fd, into: pieces, at: position, what: "read (overlay)")
            } else {
                try base.read(into: pieces, at: position)
            }
            done += count
        }
    }

    public func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(DiskError) {
        try write([buffer], at: offset)
    }

    public func write(_ buffers: [UnsafeRawBufferPointer], at offset: UInt64) throws(DiskError) {
        guard !isReadOnly else { throw .readOnly }
        let total = buffers.reduce(0) { $0 + $1.count }
        try check(offset, total)
        guard total > 0 else { return }
        let size = UInt64(Self.sectorSize)
        let first = offset / size, last = (offset + UInt64(total) - 1) / size
        // Partial sectors at either end that the overlay does not hold yet are copied up first.
        for sector in Set([first, last]) where !holds(sector) {
            let start = sector * size
            let covered = offset <= start && offset + UInt64(total) >= start + size
            if !covered { try copyUp(sector) }
        }
        try PositionalFileIO.write(fd, buffers, at: offset, what: "write (overlay)")
        for sector in first...last { mark(sector) }
    }

    public func flush() throws(DiskError) {
        guard fd >= 0 else { throw .closed }
        guard fdatasync(fd) == 0 else { throw .io(operation: "fdatasync (overlay)", errno: errno) }
    }

    /// Closes the overlay file; later requests fail with `.closed`.
    public func close() {
        if fd >= 0 { _ = closeDescriptor(fd) }
        fd = -1
    }

    private func copyUp(_ sector: UInt64) throws(DiskError) {
        var bytes = [UInt8](repeating: 0, count: Self.sectorSize)
        var failure: DiskError?
        bytes.withUnsafeMutableBytes { raw in
            do throws(DiskError) {
                try base.read(into: raw, at: sector * UInt64(Self.sectorSize))
                try writeOverlay(UnsafeRawBufferPointer(raw), at: sector * UInt64(Self.sectorSize))
            } catch { failure = error }
        }
        if let failure { throw failure }
        mark(sector)
    }

    private func readOverlay(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(DiskError) {
        // The overlay file is sparse and never shorter than what it holds; a short read means
        // someone truncated it under us.
        try PositionalFileIO.read(fd, into: buffer, at: offset, what: "read (overlay)")
    }

    private func writeOverlay(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(DiskError) {
        try PositionalFileIO.write(fd, buffer, at: offset, what: "write (overlay)")
    }

    // MARK: Saving the overlay into a snapshot

    /// The overlay's sectors as records of at most `maxRecordBytes` each (runs of consecutive
    /// sectors). Record layout, little-endian: u32 format (1) · u64 base block count · u32 run
    /// count · per run: u64 first sector, u32 sector count, then the sectors' bytes.
    public func exportRecords(maxRecordBytes: Int = 32 << 20) throws(DiskError) -> [[UInt8]] {
        let header = 16, runHeader = 12, size = Self.sectorSize
        let maxRunSectors = max(1, (maxRecordBytes - header - runHeader) / size)
        var records: [[UInt8]] = []
        var record: [UInt8] = []
        var runs: UInt32 = 0
        func startRecord() {
            record = [UInt8](repeating: 0, count: header)
            OverlayRecordLayout.put32(&record, 0, OverlayRecordLayout.format)
            OverlayRecordLayout.put64(&record, 4, blockCount)
            runs = 0
        }
        func finishRecord() {
            guard runs > 0 else { return }
            OverlayRecordLayout.put32(&record, 12, runs)
            records.append(record)
        }
        startRecord()
        var sector: UInt64 = 0
        while sector < blockCount {
            if present[Int(sector >> 6)] == 0 && sector & 63 == 0 { sector += 64; continue }
            guard holds(sector) else { sector += 1; continue }
            var count: UInt64 = 1
            while sector + count < blockCount && holds(sector + count) && count < UInt64(maxRunSectors) { count += 1 }
            let bytes = Int(count) * size
            if record.count + runHeader + bytes > maxRecordBytes {
                finishRecord()
                startRecord()
            }
            var head = [UInt8](repeating: 0, count: runHeader)
            OverlayRecordLayout.put64(&head, 0, sector)
            OverlayRecordLayout.put32(&head, 8, UInt32(count))
            record += head
            let at = record.count
            record += [UInt8](repeating: 0, count: bytes)
            var failure: DiskError?
            record.withUnsafeMutableBytes { raw in
                do throws(DiskError) {
                    try readOverlay(into: UnsafeMutableRawBufferPointer(rebasing: raw[at..<(at + bytes)]),
                                    at: sector * UInt64(size))
                } catch { failure = error }
            }
            if let failure { throw failure }
            runs += 1
            sector += count
        }
        finishRecord()
        return records
    }

    /// Puts one record made by `exportRecords` back (into an overlay over the same base). Every
    /// field is checked before anything is written; a bad record is refused with the reason.
    public func importRecord(_ record: [UInt8]) throws(OverlayRecordError) {
        let size = Self.sectorSize
        guard record.count >= 16 else { throw .malformed("\(record.count) bytes, shorter than the header") }
        guard OverlayRecordLayout.u32(record, 0) == OverlayRecordLayout.format else {
            throw .malformed("format \(OverlayRecordLayout.u32(record, 0)), expected \(OverlayRecordLayout.format)")
        }
        let savedBlocks = OverlayRecordLayout.u64(record, 4)
        guard savedBlocks == blockCount else {
            throw .malformed("made for a disk of \(savedBlocks) sectors, this one has \(blockCount)")
        }
        // Validate every run first, so a bad record changes nothing.
        var runs: [(sector: UInt64, count: Int, at: Int)] = []
        var at = 16
        for _ in 0..<OverlayRecordLayout.u32(record, 12) {
            guard record.count - at >= 12 else { throw .malformed("run header truncated at byte \(at)") }
            let sector = OverlayRecordLayout.u64(record, at)
            let count = UInt64(OverlayRecordLayout.u32(record, at + 8))
            at += 12
            guard count > 0, sector < blockCount, count <= blockCount - sector else {
                throw .malformed("run of \(count) sectors at \(sector) lies outside the disk")
            }
            guard UInt64(record.count - at) >= count * UInt64(size) else { throw .malformed("run data truncated") }
            runs.append((sector, Int(count), at))
            at += Int(count) * size
        }
        guard at == record.count else { throw .malformed("\(record.count - at) trailing bytes") }
        for run in runs {
            let bytes = run.count * size
            var failure: DiskError?
            record.withUnsafeBytes { raw in
                do throws(DiskError) {
                    try writeOverlay(UnsafeRawBufferPointer(rebasing: raw[run.at..<(run.at + bytes)]),
                                     at: run.sector * UInt64(size))
                } catch { failure = error }
            }
            if let failure { throw .disk(failure) }
            for s in run.sector..<(run.sector + UInt64(run.count)) { mark(s) }
        }
    }
}
