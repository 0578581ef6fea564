// Little-endian field access for VMBus device wire formats.

/// Bounds-checked little-endian loads and stores (loads past the end read 0, stores past the
/// end are dropped), so a decoder never traps on a short guest packet. VMBus keeps its own
/// helpers internal; devices carry this copy.
extension Array where Element == UInt8 {
    func u8(_ offset: Int) -> UInt8 { offset >= 0 && offset < count ? self[offset] : 0 }
    func u16(_ offset: Int) -> UInt16 { UInt16(u8(offset)) | UInt16(u8(offset + 1)) << 8 }
    func u32(_ offset: Int) -> UInt32 { UInt32(u16(offset)) | UInt32(u16(offset + 2)) << 16 }
    func u64(_ offset: Int) -> UInt64 { UInt64(u32(offset)) | UInt64(u32(offset + 4)) << 32 }

    mutating func put8(_ offset: Int, _ v: UInt8) {
        if offset >= 0 && offset < count { self[offset] = v }
    }
    mutating func put16(_ offset: Int, _ v: UInt16) {
        put8(offset, UInt8(truncatingIfNeeded: v))
        put8(offset + 1, UInt8(truncatingIfNeeded: v >> 8))
    }
    mutating func put32(_ offset: Int, _ v: UInt32) {
        put16(offset, UInt16(truncatingIfNeeded: v))
        put16(offset + 2, UInt16(truncatingIfNeeded: v >> 16))
    }
    mutating func put64(_ offset: Int, _ v: UInt64) {
        put32(offset, UInt32(truncatingIfNeeded: v))
        put32(offset + 4, UInt32(truncatingIfNeeded: v >> 32))
    }
}
