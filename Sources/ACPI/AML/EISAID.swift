// EISA ID compression: the ASL EISAID() macro (ACPI 6.5, ASL operator EISAID and the _HID object).

/// A compressed EISA-type PnP ID such as `PNP0A03`.
public enum EISAID {
    /// Compresses a seven-character ID (three letters `A`–`Z`, then four upper-case hex digits) into the
    /// 32-bit integer `EISAID()` produces; nil if `id` is malformed.
    ///
    /// The three letters are 5 bits each (`'A'` = 1) packed into a big-endian 16-bit vendor word
    /// (bit 15 zero), followed by the product number as a big-endian 16-bit word; the four bytes
    /// are then read as a little-endian DWord, so `PNP0A03` → bytes 41 D0 0A 03 → 0x030A_D041.
    public static func compress(_ id: String) -> UInt32? {
        let chars = Array(id.utf8)
        guard chars.count == 7 else { return nil }
        var vendor: UInt16 = 0
        for c in chars[0..<3] {
            guard (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) else { return nil }
            vendor = vendor << 5 | UInt16(c - 0x40)
        }
        var product: UInt16 = 0
        for c in chars[3...] {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): product = product << 4 | UInt16(c - UInt8(ascii: "0"))
            case UInt8(ascii: "A")...UInt8(ascii: "F"): product = product << 4 | UInt16(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        let bytes = [UInt8(vendor >> 8), UInt8(vendor & 0xFF), UInt8(product >> 8), UInt8(product & 0xFF)]
        return bytes.enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }
}
