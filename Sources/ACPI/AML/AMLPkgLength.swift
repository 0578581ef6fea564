// AML PkgLength: the 1–4 byte length prefix of packages, scopes, methods and buffers (ACPI 6.5 §20.2.4).

/// PkgLength encoding.
///
/// One byte holds 0–63 in bits 5:0. Otherwise bits 7:6 of the lead byte give the number of
/// following bytes (1–3), bits 3:0 hold the low nibble, and each following byte holds the next 8
/// bits, so 2, 3 and 4 byte forms reach 2^12−1, 2^20−1 and 2^28−1.
public enum AMLPkgLength {
    /// Largest value a PkgLength can hold (28 bits).
    public static let maximum = (1 << 28) - 1

    /// The bytes encoding `value` in the smallest form.
    ///
    /// This is the raw encoding, used as-is for field-unit bit widths in a FieldList; for a
    /// package the value must count the PkgLength bytes themselves — use `wrapping(_:)`.
    public static func encode(_ value: Int) -> [UInt8] {
        precondition(value >= 0 && value <= maximum, "PkgLength \(value) out of range")
        if value < 0x40 { return [UInt8(value)] }
        let following = value < (1 << 12) ? 1 : value < (1 << 20) ? 2 : 3
        var out = [UInt8(following << 6) | UInt8(value & 0x0F)]
        for i in 0..<following { out.append(UInt8(truncatingIfNeeded: value >> (4 + 8 * i))) }
        return out
    }

    /// `content` preceded by its PkgLength, where the length counts the PkgLength bytes and the
    /// content (the form every package-like term uses).
    public static func wrapping(_ content: [UInt8]) -> [UInt8] {
        // The encoded size depends on the total, which depends on the encoded size: try each form.
        for size in 1...4 {
            let total = content.count + size
            if encode(total).count == size { return encode(total) + content }
        }
        preconditionFailure("AML package of \(content.count) bytes is too large for a PkgLength")
    }
}
