// Checks and decompresses RAM chunk records straight into the machine's RAM, several at a time.

import Dispatch
import Foundation

/// The reading half of `RAMChunkEncoder`. Records are read in order (lengths checked as each
/// header arrives), then a round of them is CRC-checked and decompressed concurrently, each
/// into its own slice of the caller's RAM; errors are reported for the lowest chunk index.
///
/// SAFETY (`@unchecked Sendable`): during a round worker w only touches slots s with
/// s % threads == w, their RAM slices (disjoint) and its own decompressor; the calling thread
/// fills the slots and reads the results only between rounds.
final class RAMChunkDecoder: @unchecked Sendable {
    private let ram: UnsafeMutableRawBufferPointer
    private let chunkSize: Int
    private let chunkCount: Int
    private let threads: Int
    private let decompressors: [ZstdDecompressor]
    private let slots: Int
    /// A slot holds one whole record: header, frame (at most the compress bound), CRC.
    private let slotSize: Int
    private let arena: UnsafeMutableRawPointer
    /// Frame length per slot (0 = all-zero chunk).
    private let stored: UnsafeMutablePointer<Int>
    /// Why a slot's record was refused ("checksum" or zstd's reason), nil when it decoded.
    private let failures: UnsafeMutablePointer<String?>
    private var recordOffsets: [UInt64]
    /// The destination already holds zeros: elided chunks need no write.
    private let ramIsZeroed: Bool
    private var roundFirst = 0
    private var roundCount = 0

    init(ram: UnsafeMutableRawBufferPointer, chunkSize: Int, ramIsZeroed: Bool = false,
         threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(SnapshotFileError) {
        self.ram = ram
        self.ramIsZeroed = ramIsZeroed
        self.chunkSize = chunkSize
        chunkCount = (ram.count + chunkSize - 1) / chunkSize
        self.threads = chunkSize < SnapshotFile.minParallelChunkSize ? 1 : max(1, min(threads, chunkCount))
        decompressors = try (0..<self.threads).map { _ throws(SnapshotFileError) in try ZstdDecompressor() }
        slots = self.threads * 4
        slotSize = SnapshotFile.chunkHeaderSize + ZstdCompressor.bound(chunkSize) + SnapshotFile.crcSize
        arena = .allocate(byteCount: slots * slotSize, alignment: 64)
        stored = .allocate(capacity: slots)
        stored.initialize(repeating: 0, count: slots)
        failures = .allocate(capacity: slots)
        failures.initialize(repeating: nil, count: slots)
        recordOffsets = [UInt64](repeating: 0, count: slots)
    }

    deinit {
        arena.deallocate()
        stored.deallocate()
        failures.deinitialize(count: slots)
        failures.deallocate()
    }

    func decode(from cursor: inout SnapshotCursor) throws(SnapshotFileError) {
        while roundFirst < chunkCount {
            roundCount = min(slots, chunkCount - roundFirst)
            for s in 0..<roundCount { try readRecord(slot: s, from: &cursor) }
            if threads == 1 {
                decodeRound(worker: 0)
            } else {
                DispatchQueue.concurrentPerform(iterations: threads) { self.decodeRound(worker: $0) }
            }
            for s in 0..<roundCount {
                guard let failure = failures[s] else { continue }
                let index = roundFirst + s
                if failure == "checksum" { throw .checksumMismatch(what: "RAM chunk \(index)", offset: recordOffsets[s]) }
                throw .compression(what: "RAM chunk \(index) at offset \(recordOffsets[s])", reason: failure)
            }
            roundFirst += roundCount
        }
    }

    /// Reads one record into slot `s`, checking its index and length before reading its frame.
    private func readRecord(slot s: Int, from cursor: inout SnapshotCursor) throws(SnapshotFileError) {
        let index = roundFirst + s
        let chunkLength = min(chunkSize, ram.count - index * chunkSize)
        let slot = arena + s * slotSize
        recordOffsets[s] = cursor.offset
        failures[s] = nil
        try cursor.take(into: UnsafeMutableRawBufferPointer(start: slot, count: SnapshotFile.chunkHeaderSize),
                        "RAM chunk \(index) header")
        let recordedIndex = UInt32(littleEndian: slot.loadUnaligned(as: UInt32.self))
        let length = UInt32(littleEndian: slot.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        guard recordedIndex == UInt32(index) else {
            throw .malformed(offset: recordOffsets[s], reason: "RAM chunk \(index) is labelled \(recordedIndex)")
        }
        guard Int(length) <= ZstdCompressor.bound(chunkLength) else {
            throw .malformed(offset: recordOffsets[s], reason: "RAM chunk \(index) stores \(length) bytes for \(chunkLength)")
        }
        stored[s] = Int(length)
        try cursor.take(into: UnsafeMutableRawBufferPointer(start: slot + SnapshotFile.chunkHeaderSize,
                                                            count: Int(length) + SnapshotFile.crcSize),
                        "RAM chunk \(index) data")
    }

    private func decodeRound(worker: Int) {
        guard let ramBase = ram.baseAddress else { return }
        var s = worker
        while s < roundCount {
            let start = (roundFirst + s) * chunkSize
            // SAFETY: start < ram.count (index < chunkCount); the length is clipped to the end of
            // RAM. The slot holds header + stored[s] + 4 bytes (read by readRecord).
            let dest = UnsafeMutableRawBufferPointer(start: ramBase + start, count: min(chunkSize, ram.count - start))
            let slot = arena + s * slotSize
            let covered = SnapshotFile.chunkHeaderSize + stored[s]
            let recorded = UInt32(littleEndian: slot.loadUnaligned(fromByteOffset: covered, as: UInt32.self))
            if CRC32C.checksum(UnsafeRawBufferPointer(start: slot, count: covered)) != recorded {
                failures[s] = "checksum"
            } else if stored[s] == 0 {
                if !ramIsZeroed { dest.initializeMemory(as: UInt8.self, repeating: 0) }
            } else {
                let frame = UnsafeRawBufferPointer(start: slot + SnapshotFile.chunkHeaderSize, count: stored[s])
                failures[s] = decompressors[worker].decompress(frame, into: dest)
            }
            s += threads
        }
    }
}
