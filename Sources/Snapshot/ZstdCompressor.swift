// One reusable zstd compression context.

import CZstd

/// A `ZSTD_CCtx` set up for snapshot records: the given level, the content size in the frame
/// header (the reader bounds decompression by it) and zstd's own XXH64 content checksum, so a
/// decompressor bug or a flipped bit that the record CRC missed still cannot go unnoticed.
///
/// Not thread-safe: the writer gives each worker its own.
final class ZstdCompressor {
    private let context: OpaquePointer

    init(level: Int) throws(SnapshotFileError) {
        guard let c = ZSTD_createCCtx() else {
            throw .compression(what: "compressor", reason: "cannot allocate a context")
        }
        context = c
        try set(ZSTD_c_compressionLevel, Int32(clamping: level))
        try set(ZSTD_c_checksumFlag, 1)
        try set(ZSTD_c_contentSizeFlag, 1)
    }

    deinit { ZSTD_freeCCtx(context) }

    private func set(_ p: ZSTD_cParameter, _ v: Int32) throws(SnapshotFileError) {
        let r = ZSTD_CCtx_setParameter(context, p, v)
        if ZSTD_isError(r) != 0 {
            throw .compression(what: "compressor setup", reason: String(cString: ZSTD_getErrorName(r)))
        }
    }

    /// The largest frame `count` input bytes can produce.
    static func bound(_ count: Int) -> Int { ZSTD_compressBound(count) }

    /// Compresses `source` into `destination` (at least `bound(source.count)` bytes). Returns
    /// the frame length, or a zstd error code (negative as an `Int`; see `errorName`).
    func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Int {
        ZSTD_compress2(context, destination.baseAddress, destination.count, source.baseAddress, source.count)
    }

    /// zstd's name for an error code `compress` returned.
    static func errorName(_ code: Int) -> String {
        ZSTD_isError(code) != 0 ? String(cString: ZSTD_getErrorName(code)) : "no error"
    }
}
