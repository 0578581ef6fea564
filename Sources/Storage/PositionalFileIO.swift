// Whole-buffer preadv/pwritev on a file descriptor, retried on EINTR and short transfers.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The read and write loops every file-backed disk shares (`RawFileBlockDevice`,
/// `CopyOnWriteOverlay`): a request either moves every byte or throws a `DiskError`. A single
/// buffer is a one-piece scatter list; a scatter list (e.g. a guest's scattered pages) moves in
/// one system call per `maxVectors` pieces.
enum PositionalFileIO {
    /// Pieces per preadv / pwritev call (IOV_MAX on Linux and the BSDs).
    static let maxVectors = 1024

    /// Fills `buffer` from `offset`; end of file first is `.shortRead`. `what` names the
    /// operation in errors ("read", "read (overlay)").
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64,
                     what: String) throws(DiskError) {
        try read(fd, into: [buffer], at: offset, what: what)
    }

    /// Writes all of `buffer` at `offset`.
    static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: UInt64,
                      what: String) throws(DiskError) {
        try write(fd, [buffer], at: offset, what: what)
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
}
