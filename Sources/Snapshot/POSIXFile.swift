// An open file descriptor with the few calls the snapshot container needs.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened with `open(2)`, closed on `close()` or deinit. Positional reads (`pread`) so
/// the reader never depends on a file offset; writes go to the end.
///
/// Every failure becomes a `SnapshotFileError` naming the operation and the path.
final class POSIXFile {
    let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { if fd >= 0 { _ = closeDescriptor(fd) } }

    static func openForReading(_ path: String) throws(SnapshotFileError) -> POSIXFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        return POSIXFile(path: path, fd: fd)
    }

    /// Creates (or truncates) `path` for writing, mode 0644 before the umask.
    static func create(_ path: String) throws(SnapshotFileError) -> POSIXFile {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "create", path: path, errno: errno) }
        return POSIXFile(path: path, fd: fd)
    }

    /// Size in bytes from `fstat`.
    func size() throws(SnapshotFileError) -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(operation: "stat", path: path, errno: errno) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw .io(operation: "open (not a regular file)", path: path, errno: EINVAL)
        }
        return UInt64(clamping: st.st_size)
    }

    /// Fills `buffer` from `offset`. A short file is reported as truncation at the first byte
    /// that could not be read (the caller checked sizes first, so this means the file shrank).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64, what: String) throws(SnapshotFileError) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let n = pread(fd, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "read", path: path, errno: errno)
            }
            if n == 0 { throw .truncated(offset: offset + UInt64(done), expected: what) }
            done += n
        }
    }

    /// Reads `count` bytes at `offset` into a new array.
    func read(count: Int, at offset: UInt64, what: String) throws(SnapshotFileError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: SnapshotFileError?
        bytes.withUnsafeMutableBytes { b in
            do throws(SnapshotFileError) { try read(into: b, at: offset, what: what) } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Writes all of `bytes`, retrying short writes and EINTR.
    func writeAll(_ bytes: UnsafeRawBufferPointer) throws(SnapshotFileError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = write(fd, base + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: path, errno: errno)
            }
            done += n
        }
    }

    /// Flushes the file's data and metadata to the device.
    func sync() throws(SnapshotFileError) {
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    func close() throws(SnapshotFileError) {
        let d = fd
        fd = -1
        guard d >= 0 else { return }
        guard closeDescriptor(d) == 0 else { throw .io(operation: "close", path: path, errno: errno) }
    }
}

/// `close(2)`; a free function because the method of the same name would shadow it.
private func closeDescriptor(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}
