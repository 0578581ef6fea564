// The $PIR table: how PCI interrupt pins reach the PIIX3's PIRQ lines (for OSes without ACPI).

/// The PCI IRQ Routing Table (Microsoft "PCI IRQ Routing Table Specification" 1.0): a 32-byte
/// header ("$PIR", version 1.0, size, the interrupt router's bus/devfn, IRQs reserved for PCI,
/// the compatible router's vendor/device, a checksum making the table sum to zero) followed by
/// one 16-byte entry per device: bus, devfn, then for INTA#–INTD# the link value (the PIIX
/// route register 60h–63h it uses, 0 when not connected) and the bitmap of IRQs it may take,
/// the slot number and a reserved byte. It must sit on a 16-byte boundary in F0000h–FFFFFh.
enum PCIRoutingTable {
    /// The slot entries for `devices` (one per PCI device number, function 0 describing it).
    static func entries(devices: [UInt8], routerDevice: UInt8, irqChoices: [UInt8]) -> [UInt8] {
        let bitmap = irqChoices.reduce(UInt16(0)) { $0 | 1 << UInt16($1) }
        var out: [UInt8] = []
        for device in devices {
            var e = [UInt8](repeating: 0, count: 16)
            e[0] = 0
            e[1] = device << 3
            for pin in 0..<4 {
                let pirq = (Int(device) + pin) % 4
                e[2 + 3 * pin] = UInt8(0x60 + pirq)
                e[3 + 3 * pin] = UInt8(truncatingIfNeeded: bitmap)
                e[4 + 3 * pin] = UInt8(bitmap >> 8)
            }
            e[14] = device == routerDevice || device == 0 ? 0 : device  // 0: built into the board
            out += e
        }
        return out
    }

    /// The whole table for `entries`, the router at 00:`routerDevice`.0 (a PIIX3, 8086:7000).
    static func table(entries: [UInt8], routerDevice: UInt8) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 32)
        h[0...3] = [0x24, 0x50, 0x49, 0x52]  // "$PIR"
        h[4] = 0x00
        h[5] = 0x01  // version 1.0
        let size = 32 + entries.count
        h[6] = UInt8(truncatingIfNeeded: size)
        h[7] = UInt8(size >> 8)
        h[8] = 0
        h[9] = routerDevice << 3
        // Exclusive PCI IRQs (10–11): none are dedicated, the ISA devices use their own.
        h[12...15] = [0x86, 0x80, 0x00, 0x70]  // compatible router 8086:7000
        var t = h + entries
        t[31] = 0 &- t.reduce(0, &+)
        return t
    }
}
