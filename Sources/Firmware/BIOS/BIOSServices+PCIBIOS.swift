// The PCI BIOS (PCI BIOS Specification 2.1): INT 1Ah AH=B1h and its 32-bit entry.

import EmulatorCore

extension BIOSServices {
    /// The 32-bit protected-mode entry of the PCI BIOS (firmware/bios/bios32.asm, a fixed
    /// address), reported in EDI by the installation check.
    static let pci32Entry: UInt32 = 0xE_0080

    /// AL = function (AH = B1h). Config accesses go through 0CF8h/0CFCh. Status in AH: 00h
    /// success, 81h unsupported function, 83h bad vendor ID, 86h device not found, 87h bad
    /// register number, 88h set failed, 89h buffer too small; CF=1 on any error.
    func pciBIOS(_ f: inout BIOSRegisterFrame) {
        let config = PCIConfigPorts(ports: ports)
        func done(_ status: UInt8) {
            f.ah = status
            f.carryFlag = status != 0
        }
        let bus = f.bh, device = f.bl >> 3, function = f.bl & 7
        switch f.al {
        case 0x01:
            f.edx = 0x2049_4350  // "PCI "
            f.al = 0x01  // configuration mechanism #1
            f.bx = 0x0210  // version 2.10
            f.cl = 0  // last bus
            f.edi = Self.pci32Entry
            done(0)
        case 0x02:
            guard f.dx != 0xFFFF else { done(0x83); return }
            var index = Int(f.si)
            for (d, fn) in presentFunctions(config) {
                let ids = config.read(device: d, function: fn, register: 0, width: .dword)
                if ids & 0xFFFF == UInt32(f.dx) && ids >> 16 == UInt32(f.cx) {
                    if index == 0 {
                        f.bh = 0
                        f.bl = d << 3 | fn
                        done(0)
                        return
                    }
                    index -= 1
                }
            }
            done(0x86)
        case 0x03:
            var index = Int(f.si)
            for (d, fn) in presentFunctions(config) {
                let cls = config.read(device: d, function: fn, register: 0x08, width: .dword) >> 8
                if cls == f.ecx & 0xFF_FFFF {
                    if index == 0 {
                        f.bh = 0
                        f.bl = d << 3 | fn
                        done(0)
                        return
                    }
                    index -= 1
                }
            }
            done(0x86)
        case 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D:
            let width: AccessWidth = [0x08: .byte, 0x0B: .byte, 0x09: .word, 0x0C: .word][f.al] ?? .dword
            let register = Int(f.di)
            guard register <= 0xFF, register % width.rawValue == 0 else { done(0x87); return }
            guard bus == 0 else {
                // Only bus 0 exists: reads float high, writes vanish (as the bridge would do).
                if f.al <= 0x0A { f.ecx = f.ecx & ~width.mask | width.mask }
                done(0)
                return
            }
            if f.al <= 0x0A {
                let v = config.read(device: device, function: function, register: UInt8(register), width: width)
                f.ecx = f.ecx & ~width.mask | v
            } else {
                config.write(device: device, function: function, register: UInt8(register), width: width,
                             value: f.ecx & width.mask)
            }
            done(0)
        case 0x0E:
            routingOptions(&f)
        case 0x0F:
            // Set PCI IRQ: route the PIRQ behind INTx# (CL = IRQ, CH = pin 0Ah–0Dh) to IRQ CL.
            let pin = Int(f.ch) - 0x0A
            guard (0..<4).contains(pin), layout.pirqIRQChoices.contains(f.cl), bus == 0 else { done(0x88); return }
            let pirq = (Int(device) + pin) % 4
            config.write(device: layout.isaBridgeDevice, function: 0, register: UInt8(0x60 + pirq), width: .byte,
                         value: UInt32(f.cl))
            done(0)
        default:
            done(0x81)
        }
    }

    /// Present functions of bus 0 in device/function order.
    func presentFunctions(_ config: PCIConfigPorts) -> [(UInt8, UInt8)] {
        var out: [(UInt8, UInt8)] = []
        for d in UInt8(0)..<32 {
            for fn in UInt8(0)..<8 {
                let vendor = config.read(device: d, function: fn, register: 0, width: .word)
                if vendor == 0xFFFF {
                    if fn == 0 { break }
                    continue
                }
                out.append((d, fn))
                if fn == 0 && config.read(device: d, function: 0, register: 0x0E, width: .byte) & 0x80 == 0 { break }
            }
        }
        return out
    }

    /// B10Eh: ES:DI (ES:EDI in 32-bit mode) points to { size word, data pointer }; the $PIR
    /// slot entries are copied to the data buffer if they fit (else AH=89h), the size is set,
    /// and BX = IRQs dedicated to PCI (none).
    func routingOptions(_ f: inout BIOSRegisterFrame) {
        let header = f.is32 ? cpu.segment(.es).base &+ f.edi : linear(f.es, f.di)
        guard let size = guest.read16(header) else { f.ah = 0x89; f.carryFlag = true; return }
        let data: UInt32
        if f.is32 {
            guard let offset = guest.read32(header &+ 2) else { f.ah = 0x89; f.carryFlag = true; return }
            data = cpu.segment(.es).base &+ offset
        } else {
            guard let offset = guest.read16(header &+ 2), let segment = guest.read16(header &+ 4) else {
                f.ah = 0x89; f.carryFlag = true; return
            }
            data = linear(segment, offset)
        }
        guest.write16(header, UInt16(routingEntries.count))
        f.bx = 0
        guard Int(size) >= routingEntries.count else {
            f.ah = 0x89
            f.carryFlag = true
            return
        }
        guard guest.writeBytes(data, routingEntries) else { f.ah = 0x89; f.carryFlag = true; return }
        f.ah = 0
        f.carryFlag = false
    }
}
