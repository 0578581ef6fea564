// SMBIOS 2.4 tables: the "_SM_" entry point and the structures an OS inventories.

/// The SMBIOS (DMTF DSP0134 2.4) description of the machine: BIOS (type 0), system (1),
/// processor (4), physical memory array (16), one memory device (17), its mapped address (19),
/// system boot information (32) and the end-of-table marker (127). Strings follow each
/// structure's formatted area, each NUL-terminated, the set ending with a second NUL.
///
/// The 31-byte entry point goes on a 16-byte boundary in F0000h–FFFFFh; the structure table
/// anywhere below 4 GiB (the BIOS puts it in the E segment).
public struct SMBIOSTables: Sendable {
    public var ramSize: UInt64
    public var cpuSignature: UInt32
    public var cpuFeatures: UInt32
    /// Virtual CPU speed in MHz (1 instruction per ns: 1000).
    public var cpuMHz: UInt16 = 1000
    public var biosVersion = "0.1.0"
    public var biosDate = "06/01/2024"
    /// Segment of the BIOS image start (E000h for 128 KiB).
    public var biosSegment: UInt16 = 0xE000
    public var biosSizeKiB = 128

    public init(ramSize: UInt64, cpuSignature: UInt32, cpuFeatures: UInt32) {
        self.ramSize = ramSize
        self.cpuSignature = cpuSignature
        self.cpuFeatures = cpuFeatures
    }

    static func structure(_ type: UInt8, handle: UInt16, _ body: [UInt8], strings: [String]) -> [UInt8] {
        var s: [UInt8] = [type, UInt8(4 + body.count)] + le16(handle) + body
        if strings.isEmpty {
            s += [0, 0]
        } else {
            for str in strings { s += Array(str.utf8) + [0] }
            s += [0]
        }
        return s
    }

    /// The structure table and the number of structures in it.
    public func structures() -> (bytes: [UInt8], count: Int) {
        var t: [UInt8] = []
        // Type 0: vendor, version, start segment, release date, ROM size in 64 KiB - 1,
        // characteristics (ISA 4, PCI 7, APM 10, boot from CD 15, selectable boot 16, EDD 19,
        // INT 13h floppy formats 22–25, 8042 27, serial 28, printer 29, CGA/mono text 30),
        // extension bytes (ACPI; BIOS Boot Specification), release 0.1, no embedded controller.
        var characteristics: UInt64 = 1 << 4 | 1 << 7 | 1 << 10 | 1 << 15 | 1 << 16 | 1 << 19
        characteristics |= 1 << 22 | 1 << 23 | 1 << 24 | 1 << 25 | 1 << 27 | 1 << 28 | 1 << 29 | 1 << 30
        t += Self.structure(0, handle: 0, [1, 2] + le16(biosSegment) + [3, UInt8(biosSizeKiB / 64 - 1)]
            + le64(characteristics) + [0x01, 0x01, 0, 1, 0xFF, 0xFF],
            strings: ["Partita", biosVersion, biosDate])
        // Type 1: manufacturer, product, version, serial, UUID, wake-up (power switch), SKU, family.
        let uuid: [UInt8] = [0x50, 0x61, 0x72, 0x74, 0x69, 0x74, 0x61, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]
        t += Self.structure(1, handle: 0x100, [1, 2, 3, 4] + uuid + [6, 5, 6],
                            strings: ["Partita", "Partita PC", "0.1", "0", "Partita-PC", "Partita"])
        // Type 4: socket, central processor, family (0Dh: Pentium II, as CPUID family 6 model 3
        // says), manufacturer, CPUID signature and features, version, voltage (3.3 V), speeds, status
        // (populated, enabled), upgrade (other), no cache handles, serial/asset/part strings.
        t += Self.structure(4, handle: 0x400, [1, 3, 0x0D, 2] + le32(cpuSignature) + le32(cpuFeatures) + [3, 0x02]
            + le16(0) + le16(cpuMHz) + le16(cpuMHz) + [0x41, 0x01] + le16(0xFFFF) + le16(0xFFFF) + le16(0xFFFF) + [0, 0, 0],
            strings: ["CPU 0", "GenuineIntel", "Partita i686"])
        // Type 16: system board, system memory, no error correction, capacity in KiB, one device.
        let kib = UInt32(min(ramSize / 1024, 0x7FFF_FFFF))
        t += Self.structure(16, handle: 0x1000, [3, 3, 3] + le32(kib) + le16(0xFFFE) + le16(1), strings: [])
        // Type 17: in array 1000h, 64-bit, size in MiB (KiB with bit 15 if not whole), DIMM,
        // locator strings, type RAM, no detail.
        let sizeField: UInt16 = ramSize % (1 << 20) == 0 && ramSize >> 20 < 0x7FFF
            ? UInt16(ramSize >> 20) : 0x8000 | UInt16(min(ramSize >> 10, 0x7FFF))
        t += Self.structure(17, handle: 0x1100, le16(0x1000) + le16(0xFFFE) + le16(64) + le16(64) + le16(sizeField)
            + [0x09, 0, 1, 2, 0x07] + le16(0x0002) + le16(0) + [3, 0, 0, 0],
            strings: ["DIMM 0", "BANK 0", "Partita"])
        // Type 19: mapped from 0 to the last KiB of RAM, array 1000h, one device wide.
        t += Self.structure(19, handle: 0x1300, le32(0) + le32(kib &- 1) + le16(0x1000) + [1], strings: [])
        // Type 32: no errors detected at boot.
        t += Self.structure(32, handle: 0x2000, [0, 0, 0, 0, 0, 0, 0], strings: [])
        t += Self.structure(127, handle: 0x7F00, [], strings: [])
        return (t, 8)
    }

    /// The entry point for a structure table of `bytes` at `address` with `count` structures.
    public static func entryPoint(tableAddress: UInt32, tableLength: Int, count: Int, maxStructureSize: Int) -> [UInt8] {
        var e: [UInt8] = Array("_SM_".utf8) + [0, 0x1F, 2, 4] + le16(UInt16(maxStructureSize)) + [0, 0, 0, 0, 0, 0]
        e += Array("_DMI_".utf8) + [0] + le16(UInt16(tableLength)) + le32(tableAddress) + le16(UInt16(count)) + [0x24]
        e[0x15] = 0 &- e[0x10..<0x1F].reduce(0, &+)
        e[4] = 0 &- e.reduce(0, &+)
        return e
    }

    /// The largest structure (formatted area and strings) in a table.
    public static func largestStructure(_ table: [UInt8]) -> Int {
        var i = 0, largest = 0
        while i + 4 <= table.count {
            var j = i + Int(table[i + 1])
            while j + 1 < table.count && !(table[j] == 0 && table[j + 1] == 0) { j += 1 }
            j += 2
            largest = max(largest, j - i)
            if table[i] == 127 { break }
            i = j
        }
        return largest
    }
}
