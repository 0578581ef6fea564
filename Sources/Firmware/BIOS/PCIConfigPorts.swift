// PCI configuration mechanism #1 as firmware uses it: CONFIG_ADDRESS 0CF8h, CONFIG_DATA 0CFCh.

import EmulatorCore

/// Configuration space reads and writes through the machine's I/O ports, exactly as the ROM
/// would issue them (PCI Local Bus Specification 2.1 §3.7.4.1): the dword address
/// 8000_0000h | bus << 16 | device << 11 | function << 8 | register & FCh goes to 0CF8h, the
/// data moves at 0CFCh + (register & 3).
struct PCIConfigPorts {
    let ports: PortIOBus

    static func address(bus: UInt8, device: UInt8, function: UInt8, register: UInt8) -> UInt32 {
        0x8000_0000 | UInt32(bus) << 16 | UInt32(device & 0x1F) << 11 | UInt32(function & 7) << 8 | UInt32(register & 0xFC)
    }

    func read(bus: UInt8 = 0, device: UInt8, function: UInt8, register: UInt8, width: AccessWidth) -> UInt32 {
        ports.write(IOPort(0xCF8), width: .dword, value: Self.address(bus: bus, device: device, function: function, register: register))
        return ports.read(IOPort(0xCFC + UInt16(register & 3)), width: width) & width.mask
    }

    func write(bus: UInt8 = 0, device: UInt8, function: UInt8, register: UInt8, width: AccessWidth, value: UInt32) {
        ports.write(IOPort(0xCF8), width: .dword, value: Self.address(bus: bus, device: device, function: function, register: register))
        ports.write(IOPort(0xCFC + UInt16(register & 3)), width: width, value: value & width.mask)
    }
}
