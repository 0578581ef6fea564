// Big-endian field access for SCSI CDBs and parameter data.

extension Array where Element == UInt8 {
    /// Byte at `offset`, 0 past the end (a short CDB never traps).
    func be8(_ offset: Int) -> UInt8 { offset >= 0 && offset < count ? self[offset] : 0 }
    func be16(_ offset: Int) -> UInt16 { UInt16(be8(offset)) << 8 | UInt16(be8(offset + 1)) }
    func be32(_ offset: Int) -> UInt32 { UInt32(be16(offset)) << 16 | UInt32(be16(offset + 2)) }
    func be64(_ offset: Int) -> UInt64 { UInt64(be32(offset)) << 32 | UInt64(be32(offset + 4)) }

    mutating func setBE16(_ offset: Int, _ v: UInt16) {
        self[offset] = UInt8(truncatingIfNeeded: v >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: v)
    }
    mutating func setBE32(_ offset: Int, _ v: UInt32) {
        setBE16(offset, UInt16(truncatingIfNeeded: v >> 16))
        setBE16(offset + 2, UInt16(truncatingIfNeeded: v))
    }
    mutating func setBE64(_ offset: Int, _ v: UInt64) {
        setBE32(offset, UInt32(truncatingIfNeeded: v >> 32))
        setBE32(offset + 4, UInt32(truncatingIfNeeded: v))
    }
}
