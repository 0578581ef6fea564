// The Intel MultiProcessor Specification 1.4 tables: floating pointer and configuration table.

/// The MP tables of a one-processor PC with an I/O APIC: the 16-byte floating pointer
/// ("_MP_", in the BIOS area on a 16-byte boundary) and the configuration table ("PCMP") with a
/// processor entry, buses PCI (0) and ISA (1), the I/O APIC, an I/O interrupt entry per ISA IRQ
/// (IRQ 0 on pin 2, as the board wires the PIT) and per PCI interrupt pin (on the ISA IRQ its
/// PIRQ is routed to, level-triggered active high, as the PIIX3 drives it), and the local
/// interrupts (ExtINT on LINT0, NMI on LINT1). MP 1.4 §4.
public struct MPTable: Sendable {
    public struct PCIInterrupt: Sendable {
        public var device: UInt8
        /// 1–4: INTA#–INTD#.
        public var pin: UInt8
        public var irq: UInt8
        public init(device: UInt8, pin: UInt8, irq: UInt8) {
            self.device = device
            self.pin = pin
            self.irq = irq
        }
    }

    public var localAPICAddress: UInt32 = 0xFEE0_0000
    public var ioapicAddress: UInt32 = 0xFEC0_0000
    public var ioapicID: UInt8 = 1
    public var cpuSignature: UInt32
    public var cpuFeatures: UInt32
    public var pciInterrupts: [PCIInterrupt] = []
    /// The ACPI SCI's ISA IRQ (level, active high on the I/O APIC).
    public var sciIRQ: UInt8 = 9

    public init(cpuSignature: UInt32, cpuFeatures: UInt32) {
        self.cpuSignature = cpuSignature
        self.cpuFeatures = cpuFeatures
    }

    /// The configuration table ("PCMP" header and its entries).
    public func configurationTable() -> [UInt8] {
        var entries: [UInt8] = []
        var count = 0
        // Processor: APIC ID 0, version 14h, enabled bootstrap processor.
        entries += [0, 0, 0x14, 0x03] + le32(cpuSignature) + le32(cpuFeatures) + [UInt8](repeating: 0, count: 8)
        count += 1
        entries += [1, 0] + Array("PCI   ".utf8)
        entries += [1, 1] + Array("ISA   ".utf8)
        count += 2
        entries += [2, ioapicID, 0x11, 0x01] + le32(ioapicAddress)
        count += 1
        for irq in UInt8(0)..<16 where irq != 2 {
            // Conforming polarity/trigger (ISA: edge, active high), except the SCI: level, high.
            let flags: UInt16 = irq == sciIRQ ? 0x000D : 0
            entries += [3, 0] + le16(flags) + [1, irq, ioapicID, irq == 0 ? 2 : irq]
            count += 1
        }
        for p in pciInterrupts {
            entries += [3, 0] + le16(0x000D) + [0, p.device << 2 | (p.pin - 1), ioapicID, p.irq]
            count += 1
        }
        entries += [4, 3, 0, 0, 1, 0, 0xFF, 0]  // ExtINT → LINT0 of every local APIC
        entries += [4, 1, 0, 0, 1, 0, 0xFF, 1]  // NMI → LINT1
        count += 2
        var header: [UInt8] = Array("PCMP".utf8)
        header += le16(UInt16(44 + entries.count)) + [4, 0]
        header += Array("PARTITA ".utf8) + Array("PC          ".utf8)
        header += le32(0) + le16(0) + le16(UInt16(count)) + le32(localAPICAddress) + le16(0) + [0, 0]
        var table = header + entries
        table[7] = 0 &- table.reduce(0, &+)
        return table
    }

    /// The floating pointer for a configuration table at `tableAddress`: no default
    /// configuration, IMCR absent (the PIC reaches the CPU through the local APIC's LINT0).
    public static func floatingPointer(tableAddress: UInt32) -> [UInt8] {
        var p: [UInt8] = Array("_MP_".utf8) + le32(tableAddress) + [1, 4, 0, 0, 0, 0, 0, 0]
        p[10] = 0 &- p.reduce(0, &+)
        return p
    }
}
