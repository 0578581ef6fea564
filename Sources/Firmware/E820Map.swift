// The BIOS memory map (INT 15h E820) handed to operating systems.

/// An E820 memory map: sorted, non-overlapping ranges with their types.
public struct E820Map: Equatable, Sendable {
    public enum RangeType: UInt32, Sendable {
        case usable = 1
        case reserved = 2
        case acpiReclaimable = 3
        case acpiNVS = 4
        case unusable = 5
    }

    public struct Entry: Equatable, Sendable {
        public var base: UInt64
        public var length: UInt64
        public var type: RangeType
        public init(base: UInt64, length: UInt64, type: RangeType) {
            self.base = base
            self.length = length
            self.type = type
        }
        public var end: UInt64 { base + length }
    }

    public private(set) var entries: [Entry] = []

    public init(entries: [Entry] = []) {
        for e in entries { add(e) }
    }

    /// Adds a range, keeping the list sorted by base. Overlapping ranges are a programming error.
    public mutating func add(_ e: Entry) {
        precondition(e.length > 0, "empty E820 range")
        precondition(!entries.contains { $0.base < e.end && e.base < $0.end }, "overlapping E820 ranges")
        entries.append(e)
        entries.sort { $0.base < $1.base }
    }

    /// The 20-byte records of `boot_params.e820_table` / INT 15h E820: base, length, type.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        for e in entries {
            out += le64(e.base) + le64(e.length) + le32(e.type.rawValue)
        }
        return out
    }

    /// The map of a PC with `ramSize` bytes of RAM (below 4 GiB) and `acpiSize` bytes at the end
    /// of RAM holding the ACPI tables: conventional memory up to the EBDA at 0x9FC00, the EBDA,
    /// the BIOS area 0xF0000–0xFFFFF, extended memory, the ACPI region (its first `acpiNVSSize`
    /// bytes ACPI NVS — the FACS, which the OS writes — the rest ACPI reclaimable), and the I/O
    /// APIC, local APIC and firmware ranges at the top of the 4 GiB space. `biosAreaBase` is
    /// where the reserved BIOS area below 1 MiB starts (0xF0000; Partita's BIOS keeps tables
    /// from 0xE0000).
    public static func pc(ramSize: UInt32, acpiSize: UInt32, acpiNVSSize: UInt32 = 0,
                          biosAreaBase: UInt64 = 0xF_0000, firmwareSize: UInt32 = 0x4_0000) -> E820Map {
        var m = E820Map()
        m.add(Entry(base: 0, length: 0x9_FC00, type: .usable))
        m.add(Entry(base: 0x9_FC00, length: 0x400, type: .reserved))
        m.add(Entry(base: biosAreaBase, length: 0x10_0000 - biosAreaBase, type: .reserved))
        let acpiBase = UInt64(ramSize) - UInt64(acpiSize)
        if acpiBase > 0x10_0000 {
            m.add(Entry(base: 0x10_0000, length: acpiBase - 0x10_0000, type: .usable))
        }
        let nvs = UInt64(min(acpiNVSSize, acpiSize))
        if nvs > 0 { m.add(Entry(base: acpiBase, length: nvs, type: .acpiNVS)) }
        if UInt64(acpiSize) > nvs {
            m.add(Entry(base: acpiBase + nvs, length: UInt64(acpiSize) - nvs, type: .acpiReclaimable))
        }
        m.add(Entry(base: 0xFEC0_0000, length: 0x1000, type: .reserved))
        m.add(Entry(base: 0xFEE0_0000, length: 0x1000, type: .reserved))
        m.add(Entry(base: 0x1_0000_0000 - UInt64(firmwareSize), length: UInt64(firmwareSize), type: .reserved))
        return m
    }
}

func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
