// Explicit little-endian loads and stores at byte offsets of a wire buffer.

/// Little-endian field access on a byte array, bounds-checked: loads outside the array read as
/// zero and stores outside it are dropped, so a decoder never traps on a short guest message
/// (decoders check the length first and fail the request; this is the second fence).
extension Array where Element == UInt8 {
    @inlinable func le8(_ offset: Int) -> UInt8 {
        offset >= 0 && offset < count ? self[offset] : 0
    }

    @inlinable func le16(_ offset: Int) -> UInt16 {
        UInt16(le8(offset)) | UInt16(le8(offset + 1)) << 8
    }

    @inlinable func le32(_ offset: Int) -> UInt32 {
        UInt32(le16(offset)) | UInt32(le16(offset + 2)) << 16
    }

    @inlinable func le64(_ offset: Int) -> UInt64 {
        UInt64(le32(offset)) | UInt64(le32(offset + 4)) << 32
    }

    @inlinable mutating func setLE8(_ offset: Int, _ value: UInt8) {
        guard offset >= 0 && offset < count else { return }
        self[offset] = value
    }

    @inlinable mutating func setLE16(_ offset: Int, _ value: UInt16) {
        setLE8(offset, UInt8(truncatingIfNeeded: value))
        setLE8(offset + 1, UInt8(truncatingIfNeeded: value >> 8))
    }

    @inlinable mutating func setLE32(_ offset: Int, _ value: UInt32) {
        setLE16(offset, UInt16(truncatingIfNeeded: value))
        setLE16(offset + 2, UInt16(truncatingIfNeeded: value >> 16))
    }

    @inlinable mutating func setLE64(_ offset: Int, _ value: UInt64) {
        setLE32(offset, UInt32(truncatingIfNeeded: value))
        setLE32(offset + 4, UInt32(truncatingIfNeeded: value >> 32))
    }

    /// `length` bytes from `offset`, zero-filled past the end.
    func slice(_ offset: Int, _ length: Int) -> [UInt8] {
        (0..<Swift.max(0, length)).map { le8(offset + $0) }
    }

    mutating func setBytes(_ offset: Int, _ bytes: [UInt8]) {
        for (i, b) in bytes.enumerated() { setLE8(offset + i, b) }
    }
}
