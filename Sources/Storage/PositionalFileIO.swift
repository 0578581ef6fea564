// Whole-buffer pread/pwrite on a file descriptor, retried on EINTR and short transfers.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The read and write loops every file-backed disk shares (`RawFileBlockDevice`,
/// `CopyOnWriteOverlay`): a request either moves every byte or throws a `DiskError`.
enum PositionalFileIO {
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
