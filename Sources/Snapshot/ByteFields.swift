// Little-endian integer fields in byte arrays (the container's only integer encoding).

/// Appends and parses the fixed-width little-endian fields of the container, with explicit
/// byte order and explicit bounds — never by punning Swift structs onto file bytes.
enum ByteFields {
    static func append(_ v: UInt16, to b: inout [UInt8]) {
        b.append(UInt8(truncatingIfNeeded: v))
        b.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    static func append(_ v: UInt32, to b: inout [UInt8]) {
        for i in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * i))) }
    }

    static func append(_ v: UInt64, to b: inout [UInt8]) {
        for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) }
    }

    /// The UInt16 at `b[o..<o+2]`; the caller has checked `o + 2 <= b.count`.
    static func u16(_ b: [UInt8], _ o: Int) -> UInt16 {
        UInt16(b[o]) | UInt16(b[o + 1]) << 8
    }

    static func u32(_ b: [UInt8], _ o: Int) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(b[o + i]) << UInt32(8 * i) }
        return v
    }

    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(b[o + i]) << UInt64(8 * i) }
        return v
    }
}
