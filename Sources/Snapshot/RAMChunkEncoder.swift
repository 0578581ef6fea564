// Compresses guest RAM chunk by chunk on several threads and writes the records in order.

import Dispatch

/// Turns RAM into the container's chunk records (layout in `SnapshotFile`): all-zero chunks
/// become empty records; the others are compressed concurrently, a round of chunks at a time,
/// and written in address order.
///
/// PERF: compressing independent chunks on `threads` threads, one zstd context each, beat one
/// context with zstd's own workers (`ZSTD_c_nbWorkers = 2`) on 256 MiB of
/// `SnapshotBenchmark.mixedRAM` (release, 2 idle cores, level 1): 1257 MiB/s against 837 MiB/s,
/// and 1057 MiB/s on one thread (compression only, output discarded). zstd's workers share out
/// one frame in jobs of at least 512 KiB (more by default), so a 1 MiB chunk is about one job:
/// they add hand-off cost and no parallelism.
///
/// SAFETY (`@unchecked Sendable`): during a round the workers only read the RAM and the round
/// bounds, and worker w only touches slots s with s % threads == w and its own compressor;
/// everything else is written by the calling thread between rounds.
final class RAMChunkEncoder: @unchecked Sendable {
    private let ram: UnsafeRawBufferPointer
    private let chunkSize: Int
    private let chunkCount: Int
    private let threads: Int
    private let compressors: [ZstdCompressor]
    /// One slot per chunk of a round, holding the whole record: header, frame (at most the
    /// compress bound), CRC.
    private let slots: Int
    private let slotSize: Int
    private let arena: UnsafeMutableRawPointer
    /// Frame length per slot: 0 = all-zero chunk, negative = zstd error code.
    private let lengths: UnsafeMutablePointer<Int>
    /// CRC-32C of each slot's whole record, CRC field included (for the file checksum).
    private let recordChecksums: UnsafeMutablePointer<UInt32>
    private var roundFirst = 0
    private var roundCount = 0

    init(ram: UnsafeRawBufferPointer, options: SnapshotWriteOptions) throws(SnapshotFileError) {
        self.ram = ram
        chunkSize = options.chunkSize
        chunkCount = (ram.count + chunkSize - 1) / chunkSize
        threads = chunkSize < SnapshotFile.minParallelChunkSize ? 1 : max(1, min(options.threads, chunkCount))
        compressors = try (0..<threads).map { _ throws(SnapshotFileError) in try ZstdCompressor(level: options.compressionLevel) }
        // A few chunks per thread per round keeps threads busy when some chunks are zero.
        slots = threads * 4
        slotSize = SnapshotFile.chunkHeaderSize + ZstdCompressor.bound(chunkSize) + SnapshotFile.crcSize
        arena = .allocate(byteCount: slots * slotSize, alignment: 64)
        lengths = .allocate(capacity: slots)
        lengths.initialize(repeating: 0, count: slots)
        recordChecksums = .allocate(capacity: slots)
        recordChecksums.initialize(repeating: 0, count: slots)
    }

    deinit {
        arena.deallocate()
        lengths.deallocate()
        recordChecksums.deallocate()
    }

    func encode(to out: ChecksummedOutput) throws(SnapshotFileError) {
        while roundFirst < chunkCount {
            roundCount = min(slots, chunkCount - roundFirst)
            if threads == 1 {
                compressRound(worker: 0)
            } else {
                DispatchQueue.concurrentPerform(iterations: threads) { self.compressRound(worker: $0) }
            }
            for s in 0..<roundCount { try writeRecord(slot: s, to: out) }
            roundFirst += roundCount
        }
    }

    /// Compresses this worker's chunks of the round and builds their records in their slots.
    private func compressRound(worker: Int) {
        guard let ramBase = ram.baseAddress else { return }
        var s = worker
        while s < roundCount {
            let index = roundFirst + s
            let start = index * chunkSize
            // SAFETY: start < ram.count (chunk index < chunkCount) and the length is clipped to
            // the end of RAM; slot s lies inside the arena (s < slots) and holds a whole record.
            let src = UnsafeRawBufferPointer(start: ramBase + start, count: min(chunkSize, ram.count - start))
            let slot = arena + s * slotSize
            var length = 0
            if !RAMChunkEncoder.isAllZero(src) {
                let frame = UnsafeMutableRawBufferPointer(start: slot + SnapshotFile.chunkHeaderSize,
                                                          count: slotSize - SnapshotFile.chunkHeaderSize - SnapshotFile.crcSize)
                length = compressors[worker].compress(src, into: frame)
            }
            lengths[s] = length
            if length >= 0 {
                slot.storeBytes(of: UInt32(index).littleEndian, as: UInt32.self)
                slot.storeBytes(of: UInt32(length).littleEndian, toByteOffset: 4, as: UInt32.self)
                let covered = SnapshotFile.chunkHeaderSize + length
                var crc = CRC32C()
                crc.update(UnsafeRawBufferPointer(start: slot, count: covered))
                slot.storeBytes(of: crc.value.littleEndian, toByteOffset: covered, as: UInt32.self)
                crc.update(UnsafeRawBufferPointer(start: slot + covered, count: SnapshotFile.crcSize))
                recordChecksums[s] = crc.value
            }
            s += threads
        }
    }

    private func writeRecord(slot s: Int, to out: ChecksummedOutput) throws(SnapshotFileError) {
        let length = lengths[s]
        guard length >= 0 else {
            throw .compression(what: "RAM chunk \(roundFirst + s)", reason: ZstdCompressor.errorName(length))
        }
        let record = UnsafeRawBufferPointer(
            start: arena + s * slotSize, count: SnapshotFile.chunkHeaderSize + length + SnapshotFile.crcSize)
        try out.write(record, checksum: recordChecksums[s])
    }

    /// True when every byte is zero. PERF: ORs 64 bytes per step and stops at the first
    /// non-zero block, so a data chunk is rejected within its first few words.
    static func isAllZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        var p = 0
        while n - p >= 64 {
            var acc: UInt64 = 0
            for k in stride(from: 0, to: 64, by: 8) { acc |= base.loadUnaligned(fromByteOffset: p + k, as: UInt64.self) }
            if acc != 0 { return false }
            p += 64
        }
        while p < n {
            if base.load(fromByteOffset: p, as: UInt8.self) != 0 { return false }
            p += 1
        }
        return true
    }
}
