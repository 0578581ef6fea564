// A PCI machine slice for tests: bus, i440FX, PIIX3, PIIX4 PM and a test device, reached through
// ports the way Linux's arch/x86/pci/direct.c does, with recording ISA IRQ lines.

import EmulatorCore
import TestSupport
@testable import Chipset

/// A PCI function with an I/O BAR, a memory BAR and a prefetchable memory BAR that records the
/// accesses reaching it.
final class TestPCIDevice: PCIFunction, PortIODevice, MMIODevice {
    static let identity = PCIDeviceIdentity(vendorID: 0x1234, deviceID: 0x5678, revision: 0x11,
                                            classCode: PCIClassCode(baseClass: 0x02, subclass: 0x00),
                                            subsystemVendorID: 0x1AF4, subsystemID: 0x1100)
    let config: PCIConfigSpace
    private(set) var ioWrites: [(port: UInt16, value: UInt32)] = []
    private(set) var mmioWrites: [(offset: UInt32, value: UInt32)] = []

    init(pin: PCIInterruptPin? = .intA) {
        config = PCIConfigSpace(identity: Self.identity, interruptPin: pin)
        config.defineBAR(0, .io(size: 32))
        config.defineBAR(1, .memory(size: 4096, prefetchable: false))
        config.defineBAR(2, .memory(size: 1 << 20, prefetchable: true))
    }

    func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        let base = config.decodedRegion(0)?.base ?? 0
        return 0xA0 + (UInt32(port.value) - base)
    }

    func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) { ioWrites.append((port.value, value)) }

    func mmioRead(offset: UInt32, width: AccessWidth) -> UInt32 { 0xB000_0000 | offset }

    func mmioWrite(offset: UInt32, width: AccessWidth, value: UInt32) { mmioWrites.append((offset, value)) }
}

/// Bus 0 with the host bridge at 00:00.0, the PIIX3 at 00:01.0, the PIIX4 PM function at
/// 00:01.3 (PM block mapped by a `PCIBARMapper`, SCI shared on ISA IRQ 9) and, optionally, a
/// `TestPCIDevice` in slot 3 with its INTA# through the swizzle.
final class PCIBench {
    let ports = PortIOBus()
    let memory = PhysicalMemory(ramSize: 1 << 20)
    let scheduler = Scheduler()
    let irqs = (0..<16).map { _ in RecordingInterruptLine() }
    let ioAPIC = (0..<4).map { _ in RecordingInterruptLine() }
    let bus = PCIBus()
    let host = PCIHostBridge()
    let isa: PIIX3ISABridge
    let pm: PIIX4PowerManagement
    let mapper: PCIBARMapper
    let device: TestPCIDevice?
    static let deviceSlot = 3
    private(set) var powerOffs = 0
    /// BAR observer reports for the test device: (index, old, new).
    private(set) var barChanges: [(Int, PCIBARRegion?, PCIBARRegion?)] = []

    init(withDevice: Bool = true, scheduler: Scheduler? = nil) {
        let lines = irqs
        isa = PIIX3ISABridge(isaIRQ: { lines[$0] }, ioAPICInputs: ioAPIC)
        var off: (() -> Void)?
        pm = PIIX4PowerManagement(scheduler: self.scheduler, sci: isa.isaIRQInput(9)) { off?() }
        mapper = PCIBARMapper(memory: memory, ports: ports)
        device = withDevice ? TestPCIDevice() : nil
        off = { [unowned self] in powerOffs += 1 }
        bus.intxRouter = { [unowned isa] device, pin in isa.intxLine(device: device, pin: pin) }
        bus.register(host, device: 0, function: 0)
        bus.register(isa, device: 1, function: 0)
        bus.register(pm, device: 1, function: 3)
        for r in PCIBus.portRanges { ports.register(bus, ports: r) }
        ports.register(pm.smiCommandPort, ports: pm.smiCommandPort.ports)
        mapper.attach(pm)
        if let device {
            bus.register(device, device: Self.deviceSlot, function: 0)
            mapper.attach(device.config, bar: 0, to: .io(device))
            mapper.attach(device.config, bar: 1, to: .memory(device))
            mapper.attach(device.config, bar: 2, to: .memory(device))
            device.config.barObservers.append { [unowned self] i, old, new in barChanges.append((i, old, new)) }
        }
    }

    // MARK: Port I/O as a guest does it

    func outb(_ value: UInt8, _ port: UInt16) { ports.write(IOPort(port), width: .byte, value: UInt32(value)) }
    func outw(_ value: UInt16, _ port: UInt16) { ports.write(IOPort(port), width: .word, value: UInt32(value)) }
    func outl(_ value: UInt32, _ port: UInt16) { ports.write(IOPort(port), width: .dword, value: value) }
    func inb(_ port: UInt16) -> UInt8 { UInt8(ports.read(IOPort(port), width: .byte)) }
    func inw(_ port: UInt16) -> UInt16 { UInt16(ports.read(IOPort(port), width: .word)) }
    func inl(_ port: UInt16) -> UInt32 { ports.read(IOPort(port), width: .dword) }

    // MARK: Linux arch/x86/pci/direct.c, configuration type 1

    static func conf1Address(bus: Int, devfn: Int, reg: Int) -> UInt32 {
        0x8000_0000 | UInt32((reg & 0xF00) << 16) | UInt32(bus << 16) | UInt32(devfn << 8) | UInt32(reg & 0xFC)
    }

    static func devfn(_ device: Int, _ function: Int) -> Int { device << 3 | function }

    /// pci_conf1_read.
    func conf1Read(bus: Int = 0, devfn: Int, reg: Int, len: Int) -> UInt32 {
        outl(Self.conf1Address(bus: bus, devfn: devfn, reg: reg), 0xCF8)
        switch len {
        case 1: return UInt32(inb(0xCFC + UInt16(reg & 3)))
        case 2: return UInt32(inw(0xCFC + UInt16(reg & 2)))
        default: return inl(0xCFC)
        }
    }

    /// pci_conf1_write.
    func conf1Write(bus: Int = 0, devfn: Int, reg: Int, len: Int, value: UInt32) {
        outl(Self.conf1Address(bus: bus, devfn: devfn, reg: reg), 0xCF8)
        switch len {
        case 1: outb(UInt8(truncatingIfNeeded: value), 0xCFC + UInt16(reg & 3))
        case 2: outw(UInt16(truncatingIfNeeded: value), 0xCFC + UInt16(reg & 2))
        default: outl(value, 0xCFC)
        }
    }

    /// Linux __pci_read_base's sizing of the BAR at `reg`: decode off, save, write all ones,
    /// read back, restore, decode back on. Returns what the all-ones write read back.
    func sizeBAR(devfn: Int, reg: Int) -> UInt32 {
        let command = conf1Read(devfn: devfn, reg: 0x04, len: 2)
        if command & 0x3 != 0 { conf1Write(devfn: devfn, reg: 0x04, len: 2, value: command & ~0x3) }
        let original = conf1Read(devfn: devfn, reg: reg, len: 4)
        conf1Write(devfn: devfn, reg: reg, len: 4, value: 0xFFFF_FFFF)
        let size = conf1Read(devfn: devfn, reg: reg, len: 4)
        conf1Write(devfn: devfn, reg: reg, len: 4, value: original)
        if command & 0x3 != 0 { conf1Write(devfn: devfn, reg: 0x04, len: 2, value: command) }
        return size
    }

    // MARK: Time

    func advance(to nanoseconds: UInt64) { scheduler.advance(to: VirtualTime(nanoseconds: nanoseconds)) }
    func advance(to time: VirtualTime) { scheduler.advance(to: time) }

    // MARK: PIIX4 PM as firmware and Linux's ACPI code use it

    static let pmBase: UInt16 = ACPIPMLayout.standard.pmBase
    static let pmDevfn = devfn(1, 3)

    /// The firmware's PMBA / PMIOSE setup at POST.
    func enablePMBlock(base: UInt16 = PCIBench.pmBase) {
        conf1Write(devfn: Self.pmDevfn, reg: 0x40, len: 4, value: UInt32(base) | 1)
        conf1Write(devfn: Self.pmDevfn, reg: 0x80, len: 1, value: 1)
    }

    /// acpi_enable: write ACPI_ENABLE to SMI_CMD, then poll SCI_EN.
    func acpiEnable() -> Bool {
        outb(ACPIPMLayout.standard.acpiEnable, ACPIPMLayout.standard.smiCommandPort)
        return inw(ACPIPMLayout.standard.pm1aControlBlock) & 1 != 0
    }
}
