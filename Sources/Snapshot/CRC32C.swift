// CRC-32C (Castagnoli), the checksum of every snapshot record and of the whole file.

/// A running CRC-32C (polynomial 0x1EDC6F41, reflected 0x82F63B78, as in iSCSI, ext4 and
/// Btrfs), computed slicing-by-8: eight table lookups per 8-byte word.
///
/// Why CRC-32C and not zstd's XXH64: libzstd keeps XXH64 private, and a CRC detects every burst
/// error up to 32 bits, which is what a flipped or torn byte range in a file looks like.
struct CRC32C {
    private var state: UInt32 = 0xFFFF_FFFF

    init() {}

    /// Continues a checksum whose value so far is `value`.
    init(value: UInt32) { state = value ^ 0xFFFF_FFFF }

    /// The checksum of everything passed to `update` so far.
    var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// The checksum of A followed by B, from the checksums of A and of B and B's length.
    ///
    /// PERF: this lets worker threads checksum records in parallel while the whole-file
    /// checksum is still exact, instead of one thread passing over every byte a second time.
    /// Appending `n` bytes multiplies A's remainder by x^(8n) modulo the polynomial (the pre-
    /// and post-inversion cancel); x^(8n) comes from repeated squaring in O(log n) steps.
    static func combine(_ a: UInt32, _ b: UInt32, lengthOfB n: UInt64) -> UInt32 {
        var p: UInt32 = 1 << 31  // x^0 in reflected bit order
        var k = 3  // x^(2^3) = x^8: one byte
        var m = n
        while m != 0 {
            if m & 1 != 0 { p = multiplyModP(powers[k], p) }
            m >>= 1
            k += 1
        }
        return multiplyModP(p, a) ^ b
    }

    /// a·b modulo the CRC polynomial, both in reflected bit order (bit 31 = x^0).
    private static func multiplyModP(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var m: UInt32 = 1 << 31
        var p: UInt32 = 0
        var b = b
        while m != 0 {
            if a & m != 0 { p ^= b }
            m >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ 0x82F6_3B78 : b >> 1
        }
        return p
    }

    /// x^(2^k) modulo the polynomial for k = 0...66: enough for any 64-bit byte count
    /// (byte count bit j needs x^(2^(j+3))).
    private static let powers: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 67)
        t[0] = 1 << 30  // x^1
        for k in 1..<67 { t[k] = multiplyModP(t[k - 1], t[k - 1]) }
        return t
    }()

    /// The checksum of one buffer.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = CRC32C()
        c.update(bytes)
        return c.value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let n = bytes.count
        var crc = state
        var p = 0
        CRC32C.table.withUnsafeBufferPointer { t in
            // PERF: slicing-by-8 runs at several bytes per cycle; a byte-at-a-time loop would
            // make checksumming cost as much as decompressing (SnapshotBenchmark).
            while n - p >= 8 {
                let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt64.self)) ^ UInt64(crc)
                crc = t[7 << 8 | Int(w & 0xFF)] ^ t[6 << 8 | Int((w >> 8) & 0xFF)]
                    ^ t[5 << 8 | Int((w >> 16) & 0xFF)] ^ t[4 << 8 | Int((w >> 24) & 0xFF)]
                    ^ t[3 << 8 | Int((w >> 32) & 0xFF)] ^ t[2 << 8 | Int((w >> 40) & 0xFF)]
                    ^ t[1 << 8 | Int((w >> 48) & 0xFF)] ^ t[Int(w >> 56)]
                p += 8
            }
            while p < n {
                let b = base.load(fromByteOffset: p, as: UInt8.self)
                crc = t[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8)
                p += 1
            }
        }
        state = crc
    }

    /// Table k, entry i: the CRC of byte i followed by k zero bytes (tables 0–7, 256 entries each).
    private static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) << 8 | i]
                t[k << 8 | i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()
}
