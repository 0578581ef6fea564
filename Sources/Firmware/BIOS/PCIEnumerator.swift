// POST's PCI pass: find the functions on bus 0, size and place their BARs, route their interrupts.

/// Walks bus 0 through configuration mechanism #1 and programs what a PC BIOS programs:
///
/// - BARs: each is sized by writing all ones and reading back the mask (PCI 2.1 §6.2.5.1); I/O
///   BARs are placed from `ioBase` (C000h) and memory BARs from `memoryBase` (E000_0000h), the
///   largest first so natural alignment leaves no holes; a 64-bit BAR gets a zero upper half.
///   Memory must end below the I/O APIC (FEC0_0000h); a BAR that does not fit stays 0 and the
///   function's decoding of that space stays off.
/// - Command register: I/O and memory decoding for the spaces the function uses, bus mastering.
/// - Interrupts: the PIIX3 PIRQ route registers (ISA bridge 60h–63h) get `pirqIRQs`; a function's
///   INTx# is wired to PIRQ (device + pin − 1) mod 4 (the i440FX board swizzle,
///   `PIIX3ISABridge.pirq`); config 3Ch gets that IRQ; the ELCR (4D0h/4D1h) marks those IRQs and
///   the ACPI SCI level-triggered, as PCI interrupts are.
/// - Chipset functions: the PIIX3 IDE function (8086:7010) gets its legacy decode enabled
///   (IDETIM 40h/42h bit 15), the PIIX4 power management function (8086:7113) its PM I/O base
///   (PMBA 40h) and PMIOSE (80h bit 0).
struct PCIEnumerator {
    let config: PCIConfigPorts
    var ioBase: UInt32 = 0xC000
    var memoryBase: UInt32 = 0xE000_0000
    var memoryLimit: UInt32 = 0xFEC0_0000
    /// ISA IRQs for PIRQA#–PIRQD# (each must be one the layout's `_PRS` offers).
    var pirqIRQs: [UInt8] = [10, 10, 11, 11]
    var pmBase: UInt16 = 0x600
    var sciIRQ: UInt8 = 9

    struct BAR {
        var device: UInt8, function: UInt8, register: UInt8
        var size: UInt32
        var io: Bool
        var is64: Bool
    }

    /// Programs bus 0 and returns the functions found, in device/function order.
    func run() -> [PCIFunctionRecord] {
        var found: [PCIFunctionRecord] = []
        var bars: [BAR] = []
        for device in UInt8(0)..<32 {
            for function in UInt8(0)..<8 {
                let ids = config.read(device: device, function: function, register: 0, width: .dword)
                if ids & 0xFFFF == 0xFFFF || ids & 0xFFFF == 0 {
                    if function == 0 { break }
                    continue
                }
                let header = config.read(device: device, function: function, register: 0x0E, width: .byte)
                let classCode = config.read(device: device, function: function, register: 0x08, width: .dword) >> 8
                let pin = UInt8(config.read(device: device, function: function, register: 0x3D, width: .byte))
                found.append(PCIFunctionRecord(device: device, function: function, vendorID: UInt16(ids & 0xFFFF),
                                               deviceID: UInt16(ids >> 16), classCode: classCode, interruptPin: pin,
                                               pirq: nil, irq: 0xFF))
                if header & 0x7F == 0 { bars += sizeBARs(device: device, function: function) }
                if function == 0 && header & 0x80 == 0 { break }
            }
        }
        place(bars)
        routeInterrupts(&found)
        for f in found { configureChipset(f) }
        // Enable decoding only after every BAR holds its final address.
        for f in found where !(f.device == 0 && f.function == 0) {
            let mine = bars.filter { $0.device == f.device && $0.function == f.function }
            var command = config.read(device: f.device, function: f.function, register: 0x04, width: .word)
            if mine.contains(where: { $0.io && $0.size > 0 }) { command |= 0x1 }
            if mine.contains(where: { !$0.io && $0.size > 0 }) { command |= 0x2 }
            command |= 0x4
            config.write(device: f.device, function: f.function, register: 0x04, width: .word, value: command)
        }
        return found
    }

    func sizeBARs(device: UInt8, function: UInt8) -> [BAR] {
        var out: [BAR] = []
        // Decoding off while the BARs hold all ones.
        let command = config.read(device: device, function: function, register: 0x04, width: .word)
        config.write(device: device, function: function, register: 0x04, width: .word, value: command & ~0x3)
        var index = 0
        while index < 6 {
            let register = UInt8(0x10 + 4 * index)
            let original = config.read(device: device, function: function, register: register, width: .dword)
            config.write(device: device, function: function, register: register, width: .dword, value: 0xFFFF_FFFF)
            let mask = config.read(device: device, function: function, register: register, width: .dword)
            config.write(device: device, function: function, register: register, width: .dword, value: original)
            index += 1
            guard mask != 0 && mask != 0xFFFF_FFFF else { continue }
            if mask & 1 != 0 {
                let size = (~(mask & 0xFFFF_FFFC) & 0xFFFF) &+ 1
                out.append(BAR(device: device, function: function, register: register, size: size, io: true, is64: false))
            } else {
                let is64 = (mask >> 1) & 3 == 2
                let size = ~(mask & 0xFFFF_FFF0) &+ 1
                out.append(BAR(device: device, function: function, register: register, size: size, io: false, is64: is64))
                if is64 { index += 1 }
            }
        }
        return out
    }

    func place(_ bars: [BAR]) {
        var io = ioBase, mem = memoryBase
        for bar in bars.sorted(by: { $0.size > $1.size }) {
            guard bar.size > 0, bar.size & (bar.size - 1) == 0 else { continue }
            if bar.io {
                let address = (io + bar.size - 1) & ~(bar.size - 1)
                guard UInt64(address) + UInt64(bar.size) <= 0x1_0000 else { continue }
                config.write(device: bar.device, function: bar.function, register: bar.register, width: .dword, value: address)
                io = address + bar.size
            } else {
                let address = UInt64((UInt64(mem) + UInt64(bar.size) - 1) & ~(UInt64(bar.size) - 1))
                guard address + UInt64(bar.size) <= UInt64(memoryLimit) else { continue }
                config.write(device: bar.device, function: bar.function, register: bar.register, width: .dword,
                             value: UInt32(address))
                if bar.is64 {
                    config.write(device: bar.device, function: bar.function, register: bar.register + 4, width: .dword, value: 0)
                }
                mem = UInt32(address + UInt64(bar.size))
            }
        }
    }

    /// The PIIX3 ISA bridge (8086:7000) on bus 0, if present.
    static func isISABridge(_ f: PCIFunctionRecord) -> Bool {
        f.vendorID == 0x8086 && f.deviceID == 0x7000
    }

    func routeInterrupts(_ found: inout [PCIFunctionRecord]) {
        guard let bridge = found.first(where: Self.isISABridge) else { return }
        for (i, irq) in pirqIRQs.enumerated() {
            config.write(device: bridge.device, function: 0, register: UInt8(0x60 + i), width: .byte, value: UInt32(irq))
        }
        var elcr: UInt16 = 1 << UInt16(sciIRQ)
        for i in found.indices {
            let pin = found[i].interruptPin
            guard (1...4).contains(pin) else { continue }
            let pirq = (Int(found[i].device) + Int(pin) - 1) % 4
            found[i].pirq = pirq
            found[i].irq = pirqIRQs[pirq]
            elcr |= 1 << UInt16(pirqIRQs[pirq])
            config.write(device: found[i].device, function: found[i].function, register: 0x3C, width: .byte,
                         value: UInt32(pirqIRQs[pirq]))
        }
        // IRQs 0, 1, 2, 8 and 13 must stay edge-triggered (8259A/PIIX datasheets).
        elcr &= ~0x2107
        config.ports.write(.init(0x4D0), width: .byte, value: UInt32(elcr & 0xFF))
        config.ports.write(.init(0x4D1), width: .byte, value: UInt32(elcr >> 8))
    }

    func configureChipset(_ f: PCIFunctionRecord) {
        switch (f.vendorID, f.deviceID) {
        case (0x8086, 0x7010), (0x8086, 0x7111):
            // IDETIM primary/secondary: IDE decode enable (bit 15), so 1F0h/170h answer.
            config.write(device: f.device, function: f.function, register: 0x40, width: .word, value: 0x8000)
            config.write(device: f.device, function: f.function, register: 0x42, width: .word, value: 0x8000)
        case (0x8086, 0x7113):
            config.write(device: f.device, function: f.function, register: 0x40, width: .dword, value: UInt32(pmBase) | 1)
            config.write(device: f.device, function: f.function, register: 0x80, width: .byte, value: 1)
        default:
            break
        }
    }
}
