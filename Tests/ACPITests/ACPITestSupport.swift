// Test helpers: hex golden bytes, and reading fields back out of tables the way an OS parses them.

@testable import ACPI

/// Bytes from space-separated hex pairs: `hex("08 5F 53 35 5F")`.
func hex(_ string: String) -> [UInt8] {
    string.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0, radix: 16)! }
}

/// Little-endian field access over a table's bytes.
struct TableReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func u8(_ offset: Int) -> UInt8 { bytes[offset] }
    func u16(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8 }
    func u32(_ offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) } }
    func u64(_ offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) } }
    func ascii(_ offset: Int, _ count: Int) -> String { String(decoding: bytes[offset..<offset + count], as: UTF8.self) }

    /// The header's Signature.
    var signature: String { ascii(0, 4) }
    /// The header's Length.
    var length: Int { Int(u32(4)) }
    var revision: UInt8 { u8(8) }
    /// True when every byte sums to zero modulo 256.
    var checksumIsValid: Bool { bytes.reduce(0, &+) == 0 }

    /// A Generic Address Structure at `offset`: (space, bit width, address).
    func gas(_ offset: Int) -> (space: UInt8, bitWidth: UInt8, address: UInt64) {
        (u8(offset), u8(offset + 1), u64(offset + 4))
    }
}

/// A MADT interrupt controller structure parsed back from bytes.
enum ParsedMADTEntry: Equatable {
    case localAPIC(uid: UInt8, apicID: UInt8, flags: UInt32)
    case ioAPIC(id: UInt8, address: UInt32, gsiBase: UInt32)
    case override(bus: UInt8, source: UInt8, gsi: UInt32, flags: UInt16)
    case localAPICNMI(uid: UInt8, flags: UInt16, lint: UInt8)
    case unknown(type: UInt8, length: UInt8)

    /// Walks the structures after the 44-byte MADT header; nil if a length field is inconsistent.
    static func parse(_ table: [UInt8]) -> [ParsedMADTEntry]? {
        let r = TableReader(table)
        var offset = 44
        var entries: [ParsedMADTEntry] = []
        while offset < r.length {
            guard offset + 2 <= r.length else { return nil }
            let type = r.u8(offset)
            let length = Int(r.u8(offset + 1))
            guard length >= 2, offset + length <= r.length else { return nil }
            switch (type, length) {
            case (0, 8): entries.append(.localAPIC(uid: r.u8(offset + 2), apicID: r.u8(offset + 3), flags: r.u32(offset + 4)))
            case (1, 12): entries.append(.ioAPIC(id: r.u8(offset + 2), address: r.u32(offset + 4), gsiBase: r.u32(offset + 8)))
            case (2, 10):
                entries.append(.override(bus: r.u8(offset + 2), source: r.u8(offset + 3), gsi: r.u32(offset + 4),
                                         flags: r.u16(offset + 8)))
            case (4, 6): entries.append(.localAPICNMI(uid: r.u8(offset + 2), flags: r.u16(offset + 3), lint: r.u8(offset + 5)))
            default: entries.append(.unknown(type: type, length: UInt8(length)))
            }
            offset += length
        }
        return entries
    }
}
