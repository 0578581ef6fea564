// One reusable zstd decompression context that never trusts its input.

import CZstd

/// A `ZSTD_DCtx` that decompresses exactly one frame into a buffer of the size the record
/// announced. Before decompressing it checks that the input is one whole frame and that the
/// frame header's content size equals that size, so a crafted frame can neither run past the
/// buffer (zstd never writes beyond the capacity it is given) nor leave part of it stale.
///
/// Not thread-safe: the reader gives each worker its own.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() throws(SnapshotFileError) {
        guard let d = ZSTD_createDCtx() else {
            throw .compression(what: "decompressor", reason: "cannot allocate a context")
        }
        context = d
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses the single frame `source` into all of `destination`; returns nil on success
    /// or why the frame was refused.
    func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> String? {
        guard let src = source.baseAddress, source.count > 0 else { return "empty frame" }
        let frameLength = ZSTD_findFrameCompressedSize(src, source.count)
        if ZSTD_isError(frameLength) != 0 { return String(cString: ZSTD_getErrorName(frameLength)) }
        guard frameLength == source.count else { return "data after the zstd frame" }
        let contentSize = ZSTD_getFrameContentSize(src, source.count)
        // ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR are the two largest UInt64 values.
        guard contentSize < UInt64.max - 1 else { return "frame header without a content size" }
        guard contentSize == UInt64(destination.count) else {
            return "frame holds \(contentSize) bytes, record says \(destination.count)"
        }
        // An empty destination has no base address; zstd accepts NULL with capacity 0.
        let r = ZSTD_decompressDCtx(context, destination.baseAddress, destination.count, src, source.count)
        if ZSTD_isError(r) != 0 { return String(cString: ZSTD_getErrorName(r)) }
        guard r == destination.count else { return "frame decompressed to \(r) bytes, expected \(destination.count)" }
        return nil
    }
}
