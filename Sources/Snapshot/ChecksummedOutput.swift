// Buffered output to the snapshot file that checksums every byte it writes.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends to a file through a buffer, keeping the running CRC-32C and length of everything
/// written so the trailer can record both.
final class ChecksummedOutput {
    private let file: POSIXFile
    private var buffer: [UInt8] = []
    private let capacity = 1 << 20
    private(set) var crc = CRC32C()
    /// Bytes accepted so far (buffered or written).
    private(set) var count: UInt64 = 0
    /// Fault injection for tests: fail like a full disk once this many bytes have been accepted.
    private let failAfter: UInt64?

    init(file: POSIXFile, failAfter: Int?) {
        self.file = file
        self.failAfter = failAfter.map { UInt64(max(0, $0)) }
        buffer.reserveCapacity(capacity)
    }

    func write(_ bytes: [UInt8]) throws(SnapshotFileError) {
        var failure: SnapshotFileError?
        bytes.withUnsafeBytes { b in
            do throws(SnapshotFileError) { try write(b) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(SnapshotFileError) {
        var c = crc
        c.update(bytes)
        try write(bytes, updated: c)
    }

    /// Writes bytes whose CRC-32C a worker thread already computed; the running checksum is
    /// extended with `CRC32C.combine` instead of a second pass over the bytes.
    func write(_ bytes: UnsafeRawBufferPointer, checksum: UInt32) throws(SnapshotFileError) {
        let c = CRC32C(value: CRC32C.combine(crc.value, checksum, lengthOfB: UInt64(bytes.count)))
        try write(bytes, updated: c)
    }

    private func write(_ bytes: UnsafeRawBufferPointer, updated: CRC32C) throws(SnapshotFileError) {
        if let limit = failAfter, count + UInt64(bytes.count) > limit {
            throw .io(operation: "write (injected failure)", path: file.path, errno: ENOSPC)
        }
        crc = updated
        count += UInt64(bytes.count)
        if buffer.count + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try file.writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Writes out whatever is buffered.
    func flush() throws(SnapshotFileError) {
        guard !buffer.isEmpty else { return }
        var failure: SnapshotFileError?
        buffer.withUnsafeBytes { b in
            do throws(SnapshotFileError) { try file.writeAll(b) } catch { failure = error }
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }
}
