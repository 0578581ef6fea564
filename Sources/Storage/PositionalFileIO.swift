// Whole-buffer pread/pwrite on a file descriptor, retried on EINTR and short transfers.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The read and write loops every file-backed disk shares (`RawFileBlockDevice`,
/// `CopyOnWriteOverlay`): a request either moves every byte or throws a `DiskError`. The
/// vectored forms (preadv / pwritev) move a scatter list, e.g. a guest's scattered pages, in
/// one system call per `maxVectors` pieces.
enum PositionalFileIO {
    /// Pieces per preadv / pwritev call (IOV_MAX on Linux and the BSDs).
    static let maxVectors = 1024

    /// Fills `buffer` from `offset`; end of file first is `.shortRead`. `what` names the
    /// operation in errors ("read", "read (overlay)").
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64,
                     what: String) throws(DiskError) {
        var done = 0
        while done < buffer.count {
            // SAFETY: done < buffer.count, so base + done and the remaining count lie inside buffer.
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + UInt64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: what, errno: errno)
            }
            if n == 0 { throw .shortRead(offset: offset + UInt64(done)) }
            done += n
        }
    }

    /// Fills `buffers` one after another from `offset`; end of file first is `.shortRead`.
    static func read(_ fd: Int32, into buffers: [UnsafeMutableRawBufferPointer], at offset: UInt64,
                     what: String) throws(DiskError) {
        var vectors = buffers.compactMap { b in b.isEmpty ? nil : iovec(iov_base: b.baseAddress, iov_len: b.count) }
        try transfer(fd, &vectors, at: offset, what: what, eofIsShortRead: true) { preadv($0, $1, $2, $3) }
    }

    /// Writes `buffers` one after another at `offset`.
    static func write(_ fd: Int32, _ buffers: [UnsafeRawBufferPointer], at offset: UInt64,
                      what: String) throws(DiskError) {
        // pwritev only reads through iov_base; iovec has no const form.
        var vectors = buffers.compactMap { b in
            b.isEmpty ? nil : iovec(iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress), iov_len: b.count)
        }
        try transfer(fd, &vectors, at: offset, what: what, eofIsShortRead: false) { pwritev($0, $1, $2, $3) }
    }

    /// The preadv / pwritev loop: at most `maxVectors` pieces per call; a short transfer moves
    /// on from where it stopped (inside a piece if need be); EINTR is retried.
    private static func transfer(_ fd: Int32, _ vectors: inout [iovec], at offset: UInt64, what: String,
                                 eofIsShortRead: Bool,
                                 _ call: (Int32, UnsafePointer<iovec>, Int32, off_t) -> Int) throws(DiskError) {
        var first = 0
        var position = offset
        while first < vectors.count {
            let pieces = min(vectors.count - first, maxVectors)
            // SAFETY: first + pieces <= vectors.count; each iovec describes a caller's buffer.
            let n = vectors.withUnsafeBufferPointer { call(fd, $0.baseAddress! + first, Int32(pieces), off_t(position)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: what, errno: errno)
            }
            if n == 0 {
                if eofIsShortRead { throw .shortRead(offset: position) }
                throw .io(operation: what, errno: EIO)
            }
            position += UInt64(n)
            var left = n
            while left > 0 {
                if left >= vectors[first].iov_len {
                    left -= vectors[first].iov_len
                    first += 1
                } else {
                    vectors[first].iov_base += left
                    vectors[first].iov_len -= left
                    left = 0
                }
            }
        }
    }

    /// Writes all of `buffer` at `offset`.
    static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: UInt64,
                      what: String) throws(DiskError) {
        var done = 0
        while done < buffer.count {
            // SAFETY: as in read.
            let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + UInt64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: what, errno: errno)
            }
            done += n
        }
    }
}

/// Hands out consecutive stretches of a scatter list, front to back (a backend splitting one
/// request between two files).
struct ScatterCursor {
    let buffers: [UnsafeMutableRawBufferPointer]
    private var index = 0
    private var skip = 0

    init(_ buffers: [UnsafeMutableRawBufferPointer]) { self.buffers = buffers }

    /// The next `count` bytes as the pieces that hold them (the first and last cut to fit).
    mutating func take(_ count: Int) -> [UnsafeMutableRawBufferPointer] {
        var pieces: [UnsafeMutableRawBufferPointer] = []
        var left = count
        while left > 0 {
            precondition(index < buffers.count, "took past the end of the scatter list")
            let buffer = buffers[index]
            let n = min(buffer.count - skip, left)
            if n > 0 { pieces.append(UnsafeMutableRawBufferPointer(rebasing: buffer[skip..<(skip + n)])) }
            left -= n
            skip += n
            if skip == buffer.count {
                index += 1
                skip = 0
            }
        }
        return pieces
    }
}
