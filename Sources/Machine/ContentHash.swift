// A cheap content hash for telling blobs and RAM images apart.

import CZlib

/// CRC-32 (zlib's, so any `crc32` tool agrees) of byte buffers. Used to record which kernel,
/// initrd or firmware a snapshot came from and by `partita snapshot info --hashes` to compare
/// snapshots. Not a security measure: it detects differences, not tampering.
public enum ContentHash {
    /// The CRC-32 of `bytes` as 8 lowercase hex digits.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> String {
        var crc: UInt = 0
        var offset = 0
        // zlib takes a 32-bit length: feed it in 1 GiB pieces.
        while offset < bytes.count {
            let n = min(bytes.count - offset, 1 << 30)
            // SAFETY: offset + n <= bytes.count, so the pointer covers n readable bytes.
            crc = CZlib.crc32(crc, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), uInt(n))
            offset += n
        }
        let hex = String(crc, radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    public static func crc32(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { crc32($0) }
    }

    /// The Adler-32 of `bytes` as 8 lowercase hex digits.
    public static func adler32(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { raw in
            var sum: UInt = CZlib.adler32(0, nil, 0)
            var offset = 0
            while offset < raw.count {
                let n = min(raw.count - offset, 1 << 30)
                // SAFETY: offset + n <= raw.count, so the pointer covers n readable bytes.
                sum = CZlib.adler32(sum, raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), uInt(n))
                offset += n
            }
            let hex = String(sum, radix: 16)
            return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
        }
    }
}
