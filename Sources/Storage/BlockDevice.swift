// The interface every disk backend implements: fixed-size blocks read and written by byte offset.

/// A disk backend (raw image file, later copy-on-write overlays). Called on the emulation thread;
/// every failure is a `DiskError` value the caller turns into a guest-visible error (a SCSI
/// MEDIUM ERROR, an ATA ABRT), never a crash.
///
/// Offsets and counts are in bytes and need not be block-aligned; a request that does not lie
/// inside `0 ..< byteCount` fails with `.outOfRange` before anything is touched.
public protocol BlockDevice: AnyObject {
    /// Logical block size in bytes (512 for every backend so far).
    var blockSize: Int { get }
    /// Whole blocks on the device (a trailing partial block of an image is not addressable).
    var blockCount: UInt64 { get }
    /// Writes fail with `.readOnly`; the guest sees the disk write-protected.
    var isReadOnly: Bool { get }
    /// What names the backing store in saved state (path, size, modification stamp).
    var identity: DiskIdentity { get }

    /// Fills `buffer` from `offset`.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(DiskError)
    /// Writes `buffer` at `offset`.
    func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(DiskError)
    /// Fills `buffers` one after another from `offset` (a scatter list, e.g. a guest's pages):
    /// one vectored read where the backend can. Default: each buffer in turn.
    func read(into buffers: [UnsafeMutableRawBufferPointer], at offset: UInt64) throws(DiskError)
    /// Writes `buffers` one after another at `offset` (a gather list): one vectored write where
    /// the backend can. Default: each buffer in turn.
    func write(_ buffers: [UnsafeRawBufferPointer], at offset: UInt64) throws(DiskError)
    /// Makes completed writes durable (fsync).
    func flush() throws(DiskError)
}

extension BlockDevice {
    /// Addressable bytes: `blockCount × blockSize`.
    public var byteCount: UInt64 { blockCount * UInt64(blockSize) }

    /// Throws `outOfRange` unless `count` bytes at `offset` lie inside the device.
    public func checkRange(_ offset: UInt64, _ count: Int) throws(DiskError) {
        guard count >= 0, offset <= byteCount, UInt64(count) <= byteCount - offset else {
            throw .outOfRange(offset: offset, count: count)
        }
    }

    public func read(into buffers: [UnsafeMutableRawBufferPointer], at offset: UInt64) throws(DiskError) {
        try checkRange(offset, buffers.reduce(0) { $0 + $1.count })
        var position = offset
        for buffer in buffers {
            try read(into: buffer, at: position)
            position += UInt64(buffer.count)
        }
    }

    public func write(_ buffers: [UnsafeRawBufferPointer], at offset: UInt64) throws(DiskError) {
        try checkRange(offset, buffers.reduce(0) { $0 + $1.count })
        var position = offset
        for buffer in buffers {
            try write(buffer, at: position)
            position += UInt64(buffer.count)
        }
    }

    /// `count` bytes at `offset` as an array (count bounded by the caller).
    public func read(at offset: UInt64, count: Int) throws(DiskError) -> [UInt8] {
        guard count >= 0 else { throw .outOfRange(offset: offset, count: count) }
        var out = [UInt8](repeating: 0, count: count)
        var failure: DiskError?
        out.withUnsafeMutableBytes { raw in
            do throws(DiskError) { try read(into: raw, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }

    /// Writes `bytes` at `offset`.
    public func write(_ bytes: [UInt8], at offset: UInt64) throws(DiskError) {
        var failure: DiskError?
        bytes.withUnsafeBytes { raw in
            do throws(DiskError) { try write(raw, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
