// A cheap content hash for telling blobs and RAM images apart.

import CZlib

/// zlib checksums of byte buffers. CRC-32 identifies RAM images and snapshot sections
/// (`partita snapshot info --hashes`); Adler-32 identifies input files (a bzImage's CRC-32 is a
/// constant, see `BlobSummary`). Not a security measure: they detect differences, not tampering.
public enum ContentHash {
    /// The CRC-32 (zlib's, so any `crc32` tool agrees) of `bytes` as 8 lowercase hex digits.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> String {
        hex(feed(bytes, start: 0) { CZlib.crc32($0, $1, $2) })
    }

    public static func crc32(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { crc32($0) }
    }

    /// The Adler-32 of `bytes` as 8 lowercase hex digits.
    public static func adler32(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { raw in hex(feed(raw, start: CZlib.adler32(0, nil, 0)) { CZlib.adler32($0, $1, $2) }) }
    }

    /// Runs a zlib checksum over `bytes` in 1 GiB pieces (zlib takes a 32-bit length).
    private static func feed(_ bytes: UnsafeRawBufferPointer, start: UInt,
                             _ update: (UInt, UnsafePointer<UInt8>, uInt) -> UInt) -> UInt {
        var sum = start
        var offset = 0
        while offset < bytes.count {
            let n = min(bytes.count - offset, 1 << 30)
            // SAFETY: offset + n <= bytes.count, so the pointer covers n readable bytes.
            sum = update(sum, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), uInt(n))
            offset += n
        }
        return sum
    }

    private static func hex(_ value: UInt) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
