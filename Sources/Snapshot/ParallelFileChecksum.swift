// The CRC-32C of a byte range of a file, computed by several threads and combined.

import Dispatch

/// Checksums `[0, length)` of a file in `threads` contiguous pieces at once and joins the
/// pieces' CRCs with `CRC32C.combine` — the reader's first pass over a snapshot, which must
/// touch every byte before RAM may be overwritten.
///
/// SAFETY (`@unchecked Sendable`): `pread` on one descriptor is safe from several threads (it
/// takes its own offset); worker w writes only element w of `checksums` and `failures`
/// (separately allocated elements, so no shared Array storage is mutated concurrently).
final class ParallelFileChecksum: @unchecked Sendable {
    private let file: POSIXFile
    private let length: UInt64
    private let threads: Int
    private let checksums: UnsafeMutablePointer<UInt32>
    private let failures: UnsafeMutablePointer<SnapshotFileError?>

    init(file: POSIXFile, length: UInt64, threads: Int) {
        self.file = file
        self.length = length
        // Small files are not worth a thread each.
        self.threads = max(1, min(threads, Int(length >> 22) + 1))
        checksums = .allocate(capacity: self.threads)
        checksums.initialize(repeating: 0, count: self.threads)
        failures = .allocate(capacity: self.threads)
        failures.initialize(repeating: nil, count: self.threads)
    }

    deinit {
        checksums.deallocate()
        failures.deinitialize(count: threads)
        failures.deallocate()
    }

    func compute() throws(SnapshotFileError) -> UInt32 {
        if threads == 1 {
            checksumPiece(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { self.checksumPiece($0) }
        }
        var crc = CRC32C().value
        for w in 0..<threads {
            if let f = failures[w] { throw f }
            let (start, end) = piece(w)
            crc = CRC32C.combine(crc, checksums[w], lengthOfB: end - start)
        }
        return crc
    }

    /// Piece w's byte range: equal parts rounded to 1 MiB, the last one taking the rest.
    private func piece(_ w: Int) -> (UInt64, UInt64) {
        let step = (length / UInt64(threads)) & ~UInt64(0xF_FFFF)
        let start = step * UInt64(w)
        return (start, w == threads - 1 ? length : start + step)
    }

    private func checksumPiece(_ w: Int) {
        let (start, end) = piece(w)
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
        defer { block.deallocate() }
        var crc = CRC32C()
        var offset = start
        while offset < end {
            let n = Int(min(UInt64(block.count), end - offset))
            let part = UnsafeMutableRawBufferPointer(rebasing: block[0..<n])
            do throws(SnapshotFileError) {
                try file.read(into: part, at: offset, what: "file contents")
            } catch {
                failures[w] = error
                return
            }
            crc.update(UnsafeRawBufferPointer(part))
            offset += UInt64(n)
        }
        checksums[w] = crc.value
    }
}
