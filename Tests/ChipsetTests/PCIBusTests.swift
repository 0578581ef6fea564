import Foundation
import Testing
import EmulatorCore
@testable import Chipset

@Suite("PCI bus: configuration mechanism #1")
struct PCIBusTests {
    @Test("Linux's pci_check_type1 sees CONFIG_ADDRESS read back 0x80000000 after its byte write to 0xCFB")
    func checkType1() {
        let b = PCIBench()
        b.outb(0x01, 0xCFB)
        let saved = b.inl(0xCF8)
        b.outl(0x8000_0000, 0xCF8)
        #expect(b.inl(0xCF8) == 0x8000_0000)
        b.outl(saved, 0xCF8)
        #expect(b.inl(0xCF8) == saved)
        // Byte and word accesses to 0xCF8-0xCFB are not CONFIG_ADDRESS.
        b.outl(0x8000_0800, 0xCF8)
        b.outb(0x00, 0xCF8)
        b.outw(0x0000, 0xCFA)
        #expect(b.inl(0xCF8) == 0x8000_0800)
        #expect(b.inb(0xCF8) == 0xFF && b.inw(0xCFA) == 0xFFFF)
        // 0xCF9 stays free for the reset control register.
        #expect(!b.ports.isClaimed(IOPort(0xCF9)))
    }

    @Test("Linux's pci_sanity_check finds a host bridge class or an Intel vendor ID on bus 0")
    func sanityCheck() {
        let b = PCIBench()
        var found = false
        for device in 0..<32 {
            let devfn = PCIBench.devfn(device, 0)
            let cls = b.conf1Read(devfn: devfn, reg: 0x0A, len: 2)
            let vendor = b.conf1Read(devfn: devfn, reg: 0x00, len: 2)
            if cls == 0x0600 || cls == 0x0300 || vendor == 0x8086 { found = true }
        }
        #expect(found)
        #expect(b.conf1Read(devfn: 0, reg: 0x0A, len: 2) == 0x0600)
    }

    @Test("reserved CONFIG_ADDRESS bits (30:24, 1:0) read as zero")
    func configAddressReservedBits() {
        let b = PCIBench()
        b.outl(0xFFFF_FFFF, 0xCF8)
        #expect(b.inl(0xCF8) == 0x80FF_FFFC)
    }

    @Test("absent devices, absent functions and other buses read all ones (vendor 0xFFFF)")
    func absentFunctionsFloat() {
        let b = PCIBench()
        #expect(b.conf1Read(devfn: PCIBench.devfn(5, 0), reg: 0, len: 4) == 0xFFFF_FFFF)
        #expect(b.conf1Read(devfn: PCIBench.devfn(1, 2), reg: 0, len: 2) == 0xFFFF)
        #expect(b.conf1Read(devfn: PCIBench.devfn(31, 7), reg: 0x3C, len: 1) == 0xFF)
        #expect(b.conf1Read(bus: 1, devfn: 0, reg: 0, len: 4) == 0xFFFF_FFFF)
        // Writes to nothing are dropped; bus 1 device 0 is not bus 0 device 0.
        b.conf1Write(bus: 1, devfn: 0, reg: 0x59, len: 1, value: 0x30)
        #expect(b.host.pam(0) == 0)
    }

    @Test("CONFIG_DATA with the enable bit clear is ordinary I/O: reads float high, writes are dropped")
    func disabledConfigData() {
        let b = PCIBench()
        b.outl(0x0000_0058, 0xCF8)  // host bridge, register 0x58, but enable clear
        #expect(b.inl(0xCFC) == 0xFFFF_FFFF)
        b.outb(0x30, 0xCFD)
        #expect(b.host.pam(0) == 0)
    }

    @Test("byte and word CONFIG_DATA accesses take the byte offset from the port, as pci_conf1_read does")
    func subDwordAccesses() {
        let b = PCIBench()
        #expect(b.conf1Read(devfn: 0, reg: 0x00, len: 4) == 0x1237_8086)
        #expect(b.conf1Read(devfn: 0, reg: 0x02, len: 2) == 0x1237)
        #expect(b.conf1Read(devfn: 0, reg: 0x08, len: 1) == 0x02)
        #expect(b.conf1Read(devfn: 0, reg: 0x0B, len: 1) == 0x06)
        #expect(b.conf1Read(devfn: 0, reg: 0x0A, len: 1) == 0x00)
        b.conf1Write(devfn: 0, reg: 0x5A, len: 1, value: 0x33)
        b.conf1Write(devfn: 0, reg: 0x5E, len: 2, value: 0x1122)
        #expect(b.host.pam(1) == 0x33)
        #expect(b.host.pam(5) == 0x22 && b.host.pam(6) == 0x11)
        #expect(b.conf1Read(devfn: 0, reg: 0x58, len: 4) == 0x0033_0000)
    }

    @Test("an access running past 0xCFF returns configuration bytes and then all ones")
    func accessPastConfigData() {
        let b = PCIBench()
        b.outl(PCIBench.conf1Address(bus: 0, devfn: 0, reg: 0), 0xCF8)
        #expect(b.inl(0xCFE) == 0xFFFF_1237)
        #expect(b.inw(0xCFD) == 0x3780)
        #expect(b.inw(0xCFF) == 0xFF12)
    }

    @Test("multi-function devices set Header Type bit 7 on function 0; a scan finds exactly the registered functions")
    func multiFunctionScan() {
        let b = PCIBench()
        #expect(b.conf1Read(devfn: 0, reg: 0x0E, len: 1) == 0x00)
        #expect(b.conf1Read(devfn: PCIBench.devfn(1, 0), reg: 0x0E, len: 1) == 0x80)
        #expect(b.conf1Read(devfn: PCIBench.devfn(PCIBench.deviceSlot, 0), reg: 0x0E, len: 1) == 0x00)
        // Linux pci_scan_slot: function 0 first, the others only when bit 7 says so.
        var found: [String] = []
        for device in 0..<32 {
            for function in 0..<8 {
                let devfn = PCIBench.devfn(device, function)
                let id = b.conf1Read(devfn: devfn, reg: 0, len: 4)
                if id == 0xFFFF_FFFF || id == 0 {
                    if function == 0 { break } else { continue }
                }
                found.append(String(format: "%02x.%d %04x:%04x", device, function, id & 0xFFFF, id >> 16))
                if function == 0 && b.conf1Read(devfn: devfn, reg: 0x0E, len: 1) & 0x80 == 0 { break }
            }
        }
        #expect(found == ["00.0 8086:1237", "01.0 8086:7000", "01.3 8086:7113", "03.0 1234:5678"])
    }

    @Test("the bus connects a registered function's INTx# through the router; unregistering empties the slot")
    func intxRouterConnection() {
        let b = PCIBench()
        #expect(b.bus.function(device: 1, function: 3) === b.pm)
        b.bus.unregister(device: PCIBench.deviceSlot, function: 0)
        #expect(b.conf1Read(devfn: PCIBench.devfn(PCIBench.deviceSlot, 0), reg: 0, len: 4) == 0xFFFF_FFFF)
        let d = TestPCIDevice(pin: .intB)
        b.bus.register(d, device: 2, function: 0)
        b.conf1Write(devfn: PCIBench.devfn(1, 0), reg: 0x60 + PIIX3ISABridge.pirq(device: 2, pin: .intB), len: 1,
                     value: 10)
        d.config.intx.raise()
        #expect(b.irqs[10].level)
    }

    @Test("save and restore CONFIG_ADDRESS; a value with reserved bits is refused")
    func saveRestore() throws {
        let a = PCIBench()
        a.outl(PCIBench.conf1Address(bus: 0, devfn: 8, reg: 0x60), 0xCF8)
        let saved = a.bus.saveState()
        let decoded = try JSONDecoder().decode(PCIBus.SavedState.self, from: JSONEncoder().encode(saved))
        let b = PCIBench()
        try b.bus.restoreState(decoded)
        #expect(b.inl(0xCF8) == 0x8000_0860)
        #expect(b.inb(0xCFC) == 0x80)
        #expect(throws: SnapshotStateError.self) {
            try b.bus.restoreState(PCIBus.SavedState(configAddress: 0x8000_0861))
        }
        #expect(b.inl(0xCF8) == 0x8000_0860)
        b.bus.reset()
        #expect(b.inl(0xCF8) == 0)
    }
}
