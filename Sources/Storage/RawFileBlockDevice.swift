// A disk backed by a raw image file: pread / pwrite / fsync on one file descriptor.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A raw (flat) disk image: block n lives at byte n × `blockSize` (512, or 2048 for CDs) of the file. The size comes from the
/// file when it is opened; a trailing partial block is not addressable. Opened read-only when
/// asked (O_RDONLY; writes then fail with `.readOnly`).
///
/// I/O is synchronous on the calling thread; scatter/gather requests go through preadv / pwritev.
/// Not modelled: growing the image, sparse-file hints, O_DIRECT.
public final class RawFileBlockDevice: BlockDevice {
    public let path: String
    public let isReadOnly: Bool
    public let blockSize: Int
    public let blockCount: UInt64
    private var fd: Int32

    /// Opens `path`; throws `.cannotOpen` / `.tooSmall` / `.io` instead of trapping.
    /// `blockSize` is 512, or 2048 for a CD-ROM (ISO 9660) image.
    public init(path: String, readOnly: Bool = false, blockSize: Int = 512) throws(DiskError) {
        precondition(blockSize == 512 || blockSize == 2048, "block size must be 512 or 2048")
        let fd = open(path, (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            _ = closeDescriptor(fd)
            throw .io(operation: "fstat", errno: e)
        }
        let size = UInt64(max(0, st.st_size))
        guard size >= UInt64(blockSize) else {
            _ = closeDescriptor(fd)
            throw .tooSmall(path: path, bytes: size)
        }
        self.path = path
        self.isReadOnly = readOnly
        self.fd = fd
        self.blockSize = blockSize
        self.blockCount = size / UInt64(blockSize)
    }

    deinit { if fd >= 0 { _ = closeDescriptor(fd) } }

    /// Closes the file; later requests fail with `.closed`.
    public func close() {
        if fd >= 0 { _ = closeDescriptor(fd) }
        fd = -1
    }

    public var identity: DiskIdentity {
        var st = stat()
        guard fd >= 0, fstat(fd, &st) == 0 else {
            return DiskIdentity(path: path, byteCount: byteCount, modificationNanoseconds: 0)
        }
        #if canImport(Darwin)
        let m = st.st_mtimespec
        #else
        let m = st.st_mtim
        #endif
        return DiskIdentity(path: path, byteCount: UInt64(max(0, st.st_size)),
                            modificationNanoseconds: Int64(m.tv_sec) &* 1_000_000_000 &+ Int64(m.tv_nsec))
    }

    private func check(_ offset: UInt64, _ count: Int) throws(DiskError) {
        guard fd >= 0 else { throw .closed }
        try checkRange(offset, count)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(DiskError) {
        try check(offset, buffer.count)
        try PositionalFileIO.read(fd, into: buffer, at: offset, what: "read")
    }

    public func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(DiskError) {
        guard !isReadOnly else { throw .readOnly }
        try check(offset, buffer.count)
        try PositionalFileIO.write(fd, buffer, at: offset, what: "write")
    }

    public func read(into buffers: [UnsafeMutableRawBufferPointer], at offset: UInt64) throws(DiskError) {
        try check(offset, buffers.reduce(0) { $0 + $1.count })
        try PositionalFileIO.read(fd, into: buffers, at: offset, what: "read")
    }

    public func write(_ buffers: [UnsafeRawBufferPointer], at offset: UInt64) throws(DiskError) {
        guard !isReadOnly else { throw .readOnly }
        try check(offset, buffers.reduce(0) { $0 + $1.count })
        try PositionalFileIO.write(fd, buffers, at: offset, what: "write")
    }

    public func flush() throws(DiskError) {
        guard fd >= 0 else { throw .closed }
        guard !isReadOnly else { return }
        while fsync(fd) != 0 {
            if errno != EINTR { throw .io(operation: "fsync", errno: errno) }
        }
    }
}

/// close(2), reachable from inside a type that has its own `close()`.
func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
