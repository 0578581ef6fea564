// The PC: memory map, CPU, chipset devices, and the run loop on virtual time.

import ACPI
import Chipset
import EmulatorCore
import Firmware
import Foundation
import HyperV
import Graphics
import Storage
import X86

/// A PC built from a `MachineConfiguration`.
///
/// Memory map: RAM from 0; the firmware image at the top of the first MiB and at the top of
/// 4 GiB; the I/O APIC at 0xFEC0_0000 and the local APIC at 0xFEE0_0000. For a direct kernel
/// boot the ACPI tables sit in the top 64 KiB of RAM with the RSDP at 0xE0000 (`PlatformLayout`).
///
/// I/O: PIC (0x20, 0xA0, ELCR 0x4D0), PIT (0x40) and port 0x61, RTC/CMOS (0x70), 8042 (0x60,
/// 0x64), COM1 (0x3F8, IRQ 4), port 0x92, PCI configuration mechanism #1 (0xCF8/0xCFC) with the
/// i440FX host bridge (00:00.0), the PIIX3 ISA bridge (00:01.0) and the PIIX4 power management
/// function (00:01.3, PM block 0x600, SCI on IRQ 9, APM control 0xB2), reset control 0xCF9, POST
/// port 0x80, optional debug console and isa-debug-exit.
///
/// Interrupts: every ISA IRQ reaches both the 8259A pair and the I/O APIC (IRQ 0 on pin 2); the
/// 8259A's INTR goes to the local APIC's LINT0, the local APIC drives the CPU. Time is virtual:
/// each retired instruction advances it by `nanosecondsPerInstruction`; a halted CPU skips to
/// the next device deadline.
public final class PCMachine {
    public let configuration: MachineConfiguration
    public let memory: PhysicalMemory
    public let ports: PortIOBus
    public let scheduler = Scheduler()
    public let cpu: CPU
    public let localAPIC: LocalAPIC
    public let ioapic: IOAPIC
    public let pic: PIC
    public let pit: PIT
    public let portB: SystemControlPortB
    public let rtc: RTC
    public let ps2: PS2Controller
    /// COM1–COM4 (0x3F8 IRQ 4, 0x2F8 IRQ 3, 0x3E8 IRQ 4, 0x2E8 IRQ 3).
    public let serialPorts: [UART16550]
    public var com1: UART16550 { serialPorts[0] }
    public let pci = PCIBus()
    public let hostBridge = PCIHostBridge()
    public let isaBridge: PIIX3ISABridge
    public let powerManagement: PIIX4PowerManagement
    public let postPort: POSTCodePort
    /// The platform's addresses, shared by the device wiring, the E820 map and the ACPI tables.
    public let layout: PlatformLayout
    /// The ACPI tables written into RAM for a direct kernel boot (nil when firmware boots).
    public private(set) var acpiTables: ACPITables?
    private var portA: SystemControlPortA!
    private var resetControl: ResetControl!
    let a20: A20Gate
    private var isaLines: [ISAInterruptLine] = []
    private let barMapper: PCIBARMapper
    private var sinks: [FileHandle] = []
    private let serialBackends: [SerialBackend]
    /// Ports whose backend is a Unix socket (polled for input between slices).
    private let socketPorts: [(backend: UnixSocketSerialBackend, port: UART16550)]
    /// The port whose backend is standard output: `serialInput` feeds it.
    private let stdioPort: UART16550?
    /// Hyper-V enlightenments and the VMBus (nil without `configuration.hyperV`).
    var hyperV: HyperVStack?
    /// QEMU's fw_cfg (nil when the configuration leaves it out).
    public private(set) var fwCfg: FwCfg?
    /// The floppy, hard disk and CD-ROM images, opened once: the BIOS serves them through INT 13h,
    /// and the floppy and IDE controllers are to be handed the same objects.
    public let legacyDisks: LegacyDisks
    /// The 8237A DMA pair (ISA DMA channels 0–7, page registers 0x81–0x8F).
    public let dma: DMAController
    /// The 82077AA floppy controller (0x3F0–0x3F5, 0x3F7, IRQ 6, DMA channel 2) with drives A:, B:.
    public let floppyController: FloppyController
    /// The PIIX3 IDE function (00:01.1): hard disks and the CD-ROM on the legacy channels
    /// (0x1F0/0x3F6 IRQ 14, 0x170/0x376 IRQ 15), bus-master DMA in BAR4.
    public let ide: PIIX3IDEFunction
    /// The VGA with Bochs VBE (0x3B0–0x3DF, 0x1CE/0x1CF, 0xA0000–0xBFFFF) and its PCI function
    /// (00:02.0, 1234:1111, linear framebuffer in BAR0): the machine's display.
    public let vga: VGADevice
    let vgaFunction: PCIVGAFunction
    /// The ATA disks on the IDE channels, in `legacyDisks.hardDisks` order.
    let ataDisks: [ATADisk]
    /// Copy-on-write overlays of the floppy and hard disk images ("fd0", "hd0", …) with
    /// `snapshotDisks`.
    let legacyOverlays: [(name: String, overlay: CopyOnWriteOverlay)]
    /// The services Partita's BIOS calls through port 0AF0h (nil for a direct kernel boot).
    public private(set) var biosServices: BIOSServices?
    /// Every device object this machine created, with the ports it claimed (see `MachineDevice`).
    public private(set) var devices: [MachineDevice] = []
    /// What a snapshot's manifest records about this machine. A restored machine keeps the
    /// description it was restored from, so its own snapshots still name the original kernel.
    public internal(set) var snapshotDescription: MachineSnapshotDescription
    /// The firmware image mapped as ROM (not in RAM, so snapshots store it).
    var firmwareImage: [UInt8]?
    /// The video BIOS mapped at 0xC0000 (stored in snapshots like the firmware).
    var videoBIOSImage: [UInt8]?
    /// True while the CPU executes a slice inside `run` (snapshots are refused then).
    var inSlice = false

    /// Called by `run` on the emulation thread at every slice boundary (an instruction
    /// boundary with time settled): the place to take a snapshot without ending the run, or to
    /// act on host requests (signals) that other threads can only flag.
    public var betweenSlices: ((PCMachine) -> Void)?
    /// Asked (on the emulation thread) while an idle guest waits in host time: true ends the
    /// wait early, so `betweenSlices` sees a host request (a signal) at once, not at the guest's
    /// next timer.
    public var hostRequestPending: (() -> Bool)?

    /// Host bytes for COM1 (a terminal or pipe on standard input); drained between slices.
    public var serialInput: HostInputQueue?
    /// Called with each host byte before it reaches COM1; return false to swallow it (the
    /// frontend's escape keys, e.g. Ctrl-A x).
    public var serialInputFilter: ((UInt8) -> Bool)?
    /// Key and mouse events from a frontend (the SDL window); drained between slices into the
    /// PS/2 keyboard and mouse.
    public var hostEvents: HostEventQueue?

    private var pendingStop: MachineStop?
    var resetRequested = false
    /// Number of machine resets (guest-initiated) so far.
    public private(set) var resetCount = 0

    public init(_ config: MachineConfiguration) throws {
        configuration = config
        snapshotDescription = MachineSnapshotDescription(config)
        let bus = PortIOBus()
        ports = bus
        guard config.ramSize >= 1 << 20, config.ramSize <= 3 << 30, config.ramSize % 4096 == 0 else {
            throw ConfigurationError.badRAMSize(config.ramSize)
        }
        layout = PlatformLayout(ramSize: config.ramSize)
        memory = PhysicalMemory(ramSize: config.ramSize)
        a20 = A20Gate(memory: memory)
        cpu = CPU(memory: memory, ports: bus)

        let cpuRef = cpu
        scheduler.attachInstructionClock(nanosecondsPerTick: Self.nanosecondsPerInstruction(config)) {
            [unowned cpuRef] in cpuRef.instructionsRetired
        }
        scheduler.deadlineMovedEarlier = { [unowned cpuRef] in cpuRef.requestStop() }

        // Interrupt controllers: CPU ← local APIC ← (LINT0: 8259A pair; messages: I/O APIC).
        localAPIC = LocalAPIC(cpu: cpu, scheduler: scheduler, memory: memory)
        let lapic = localAPIC
        ioapic = IOAPIC(id: layout.ioapicID) { [unowned lapic] message in lapic.receive(message) }
        memory.mapMMIO(ioapic, base: IOAPIC.defaultBase, size: IOAPIC.mmioSize)
        let ioapicRef = ioapic
        localAPIC.endOfInterruptBroadcast = { [unowned ioapicRef] vector in ioapicRef.endOfInterrupt(vector: vector) }
        pic = PIC(setINTR: { [unowned lapic] level in lapic.lint0.setLevel(level) })
        localAPIC.externalInterruptController = pic
        // DEVIATION: the bootstrap processor's APIC comes out of reset in virtual-wire mode
        // (what every PC BIOS programs, and what QEMU's reset state gives LINT0), so firmware
        // and operating systems that never touch the APIC still receive the 8259A's interrupts.
        localAPIC.configureVirtualWire()
        let picRef = pic
        let irqLines = (0..<16).map { irq in
            ISAInterruptLine(picInput: picRef.irq(irq), ioapicInput: ioapicRef.pin(ISAInterruptLine.ioapicPin(forIRQ: irq)))
        }
        isaLines = irqLines
        func irq(_ n: Int) -> InterruptLine { irqLines[n] }

        pit = PIT(scheduler: scheduler, irq0: irq(0))
        portB = SystemControlPortB(pit: pit, scheduler: scheduler)
        rtc = RTC(interrupt: irq(8), scheduler: scheduler, start: config.rtcStart)
        let (disks, overlays) = try Self.openLegacyDisks(config)
        legacyDisks = disks
        legacyOverlays = overlays
        let floppyTypes = (0..<2).map { i -> CMOSConfiguration.FloppyType in
            guard let d = disks.floppy(i), let g = DiskGeometry.floppy(bytes: d.byteCount) else { return .none }
            return CMOSConfiguration.FloppyType(rawValue: g.floppyType) ?? .none
        }
        rtc.applyStandardLayout(CMOSConfiguration(ramSize: UInt64(config.ramSize), floppyA: floppyTypes[0],
                                                  floppyB: floppyTypes[1],
                                                  hardDiskCount: min(2, disks.hardDisks.count)))
        let gate = a20
        var resetHook: () -> Void = {}
        ps2 = PS2Controller(scheduler: scheduler, keyboardInterrupt: irq(PS2Controller.keyboardIRQ),
                            mouseInterrupt: irq(PS2Controller.mouseIRQ),
                            setA20: { gate.setKeyboardController($0) }, resetCPU: { resetHook() })
        let serialConfigs = [config.serial] + config.additionalSerial
        guard serialConfigs.count <= Self.serialPortLayout.count else {
            throw ConfigurationError.tooManySerialPorts(serialConfigs.count)
        }
        guard serialConfigs.filter({ $0 == .stdio }).count <= 1 else { throw ConfigurationError.stdioTwice }
        var backends: [SerialBackend] = []
        for c in serialConfigs + Array(repeating: .null, count: Self.serialPortLayout.count - serialConfigs.count) {
            backends.append(try Self.makeSerialBackend(c))
        }
        serialBackends = backends
        let sched = scheduler
        let uarts = zip(Self.serialPortLayout, backends).map { layout, backend in
            UART16550(base: IOPort(layout.base), interrupt: irqLines[layout.irq], scheduler: sched, backend: backend)
        }
        serialPorts = uarts
        socketPorts = zip(backends, uarts).compactMap { b, u in (b as? UnixSocketSerialBackend).map { ($0, u) } }
        stdioPort = zip(backends, uarts).first { $0.0 is StdioSerialBackend }?.1

        // PCI: host bridge 00:00.0, ISA bridge 00:01.0 (PIRQs to ISA IRQs and I/O APIC pins
        // 16–19), power management 00:01.3 (SCI shares IRQ 9 with PIRQs routed there).
        isaBridge = PIIX3ISABridge(isaIRQ: { irqLines[$0] }, ioAPICInputs: (16..<20).map { ioapicRef.pin($0) })
        let bridge = isaBridge
        pci.intxRouter = { [unowned bridge] device, pin in bridge.intxLine(device: device, pin: pin) }
        var powerOffHook: () -> Void = {}
        powerManagement = PIIX4PowerManagement(scheduler: scheduler, sci: isaBridge.isaIRQInput(Int(layout.sciIRQ)),
                                               powerOff: { powerOffHook() })
        pci.register(hostBridge, device: PCIHostBridge.device, function: 0)
        pci.register(isaBridge, device: PIIX3ISABridge.device, function: 0)
        pci.register(powerManagement, device: PIIX4PowerManagement.device, function: PIIX4PowerManagement.function)
        barMapper = PCIBARMapper(memory: memory, ports: bus)
        barMapper.attach(powerManagement)

        // Legacy PC devices: DMA, floppy, IDE and VGA (Hyper-V "Generation 1" has them all).
        dma = DMAController(memory: memory)
        floppyController = FloppyController(scheduler: scheduler, interrupt: irq(6), dma: dma)
        for (drive, media) in disks.floppies.enumerated() {
            guard let media else { continue }
            do { try floppyController.insert(media, drive: drive, writeProtected: media.isReadOnly) } catch {
                throw ConfigurationError.badDisk("floppy \(drive == 0 ? "A:" : "B:"): \(error)")
            }
        }
        // QEMU's placement: hard disks in order on primary master, primary slave, then the
        // secondary channel, the CD-ROM on the secondary master when there is one.
        var slots: [ATADevice?] = [nil, nil, nil, nil]
        var free = [0, 1, 2, 3]
        if let cd = disks.cdrom {
            slots[2] = ATAPIDevice(cdrom: SCSICDROM(medium: cd), serial: "PARTITA-CD0")
            free.removeAll { $0 == 2 }
        }
        var ata: [ATADisk] = []
        for (i, disk) in disks.hardDisks.enumerated() {
            let drive = ATADisk(device: disk, serial: "PARTITA-HD\(i)")
            ata.append(drive)
            slots[free[i]] = drive
        }
        ataDisks = ata
        ide = PIIX3IDEFunction(memory: memory, primaryInterrupt: isaBridge.isaIRQInput(14),
                               secondaryInterrupt: isaBridge.isaIRQInput(15), primaryMaster: slots[0],
                               primarySlave: slots[1], secondaryMaster: slots[2], secondarySlave: slots[3])
        pci.register(ide, device: PIIX3IDEFunction.device, function: PIIX3IDEFunction.function)
        barMapper.attach(ide.config, bar: PIIX3IDEFunction.busMasterBAR, to: .io(ide))
        let clock = scheduler
        vga = VGADevice(videoMemorySize: 16 << 20, now: { [unowned clock] in clock.now.nanoseconds })
        memory.mapMMIO(vga, base: 0xA_0000, size: 0x2_0000)
        vgaFunction = PCIVGAFunction(vga: vga)
        pci.register(vgaFunction, device: 2, function: 0)
        barMapper.attach(vgaFunction, framebufferDirectlyInto: memory)

        var postSink: ((UInt8) -> Void)?
        if let p = config.postCodes, !p.path.isEmpty {
            let handle = try PCMachine.openSink(p.path)
            sinks.append(handle)
            postSink = { byte in
                handle.write(Data(String(format: "%02X\n", byte).utf8))
            }
        }
        postPort = POSTCodePort(port: config.postCodes?.port ?? POSTCodePort.defaultPort, sink: postSink)

        // Every device object goes into the registry (`devices`): snapshot tests walk it.
        var registry = [MachineDevice("cpu", cpu), MachineDevice("lapic", localAPIC), MachineDevice("ioapic", ioapic),
                        MachineDevice("a20", a20), MachineDevice("i440fx", hostBridge), MachineDevice("piix3", isaBridge),
                        MachineDevice("piix4-pm", powerManagement)]
        func claim(_ name: String, _ device: PortIODevice, _ ranges: [ClosedRange<UInt16>]) {
            for r in ranges { bus.register(device, ports: r) }
            registry.append(MachineDevice(name, device, ports: ranges))
        }
        claim("pic", pic, PIC.portRanges)
        claim("pit", pit, [0x40...0x43])
        claim("port61", portB, [0x61...0x61])
        claim("rtc", rtc, [0x70...0x71])
        claim("ps2", ps2, PS2Controller.portRanges)
        for (i, u) in serialPorts.enumerated() { claim("com\(i + 1)", u, [u.base.value...u.base.value + 7]) }
        claim("post", postPort, [postPort.port...postPort.port])
        claim("pci", pci, PCIBus.portRanges)
        let apm = powerManagement.smiCommandPort
        claim("apm", apm, [apm.ports])
        claim("dma", dma, DMAController.portRanges)
        claim("fdc", floppyController, FloppyController.portRanges)
        claim("piix3-ide", ide, PIIX3IDEFunction.legacyPortRanges)
        claim("vga", vga, VGADevice.portRanges)
        registry.append(MachineDevice("vga-pci", vgaFunction))

        // Everything below captures self.
        resetHook = { [unowned self] in self.requestReset() }
        powerOffHook = { [unowned self] in stop(.powerOff) }
        portA = SystemControlPortA(setA20: { gate.setPortA($0) }, resetCPU: { [unowned self] in self.requestReset() })
        resetControl = ResetControl(resetMachine: { [unowned self] in self.requestReset() })
        claim("port92", portA, [SystemControlPortA.port...SystemControlPortA.port])
        claim("portcf9", resetControl, [ResetControl.port...ResetControl.port])
        if let d = config.debugConsole {
            var write: (UInt8) -> Void = { _ in }  // an empty path drops the bytes (a restore without --debugcon)
            if !d.path.isEmpty {
                let handle = try PCMachine.openSink(d.path)
                sinks.append(handle)
                write = { byte in handle.write(Data([byte])) }
            }
            claim("debugcon", DebugConsole(port: d.port, sink: write), [d.port...d.port])
        }
        if config.isaDebugExit {
            let exitDevice = ISADebugExit { [unowned self] status in stop(.debugExit(status: status)) }
            claim("isa-debug-exit", exitDevice, [ISADebugExit.defaultPort...ISADebugExit.defaultPort])
        }
        if config.fwCfg {
            var fw = FwCfgConfiguration(ramSize: UInt64(config.ramSize), cpuCount: 1)
            fw.commandLine = config.commandLine
            do {
                // As QEMU's: RAM only; firmware carves out the legacy holes itself.
                try fw.addFile("etc/e820", contents: E820Map(entries: [
                    .init(base: 0, length: UInt64(config.ramSize), type: .usable)]).encoded())
                // SeaBIOS takes a PCI device's option ROM from the fw_cfg file
                // "pciVVVV,DDDD.rom" (as QEMU offers the stdvga's); Partita's BIOS finds the
                // ROM mapped at 0xC0000 instead.
                if let rom = config.videoBIOS { try fw.addFile("pci1234,1111.rom", contents: rom) }
                let device = try FwCfg(fw, memory: memory)
                claim("fw_cfg", device, FwCfg.portRanges)
                fwCfg = device
            } catch {
                throw ConfigurationError.badFirmware("fw_cfg: \(error)")
            }
        }
        if !config.vmbusDisks.isEmpty && !config.hyperV { throw ConfigurationError.vmbusDiskNeedsHyperV }
        if config.hyperV {
            let stack = try HyperVStack(cpu: cpu, localAPIC: localAPIC, memory: memory, scheduler: scheduler,
                                        disks: config.vmbusDisks, snapshotDisks: config.snapshotDisks)
            hyperV = stack
            registry += stack.devices
        }
        if config.kernel == nil && config.biosServices {
            // Firmware boot: Partita's BIOS calls its heavy services through one port.
            let services = BIOSServices(cpu: cpu, memory: memory, ports: bus, layout: layout, disks: legacyDisks,
                                        bootOrder: config.bootOrder,
                                        acpiDevices: hyperV == nil ? [] : [VMBusACPIDevice()])
            services.log = { FileHandle.standardError.write(Data("partita: bios: \($0)\n".utf8)) }
            biosServices = services
            claim("bios", services, [BIOSServices.port...BIOSServices.port])
        }
        devices = registry
        if let image = config.firmware {
            try PCMachine.mapFirmware(image, into: memory)
            firmwareImage = image
        }
        if let rom = config.videoBIOS {
            try PCMachine.mapVideoBIOS(rom, into: memory)
            videoBIOSImage = rom
        }
        hostBridge.pamChanged = { [unowned self] register, _, _ in applyShadowRegisters(register) }
        applyShadowRegisters()
        if let kernel = config.kernel {
            // No firmware sets up the chipset: do what a BIOS would have done for Linux.
            dma.configureCascadeAsFirmwareDoes()
            ide.configureAsFirmware(busMasterBase: 0xC000)
            try bootKernelDirectly(kernel)
        }
    }

    static func nanosecondsPerInstruction(_ config: MachineConfiguration) -> UInt64 {
        max(1, config.nanosecondsPerInstruction)
    }

    /// Base port and ISA IRQ of COM1–COM4.
    static let serialPortLayout: [(base: UInt16, irq: Int)] = [(0x3F8, 4), (0x2F8, 3), (0x3E8, 4), (0x2E8, 3)]

    static func makeSerialBackend(_ c: MachineConfiguration.SerialConfiguration) throws -> SerialBackend {
        switch c {
        case .null: return NullSerialBackend()
        case .stdio: return StdioSerialBackend()
        case .file(let path):
            do { return try FileSerialBackend(path: path) } catch {
                throw ConfigurationError.cannotOpen(path, "\(error)")
            }
        case .unixSocket(let path, let server):
            do { return try UnixSocketSerialBackend(path: path, role: server ? .server : .client) } catch {
                throw ConfigurationError.cannotOpen(path, "\(error)")
            }
        }
    }

    /// Moves waiting socket bytes into their UARTs (as much as each will queue); true when a
    /// UART now has input for the guest.
    private func pollSockets() -> Bool {
        var any = false
        for (backend, port) in socketPorts {
            backend.poll(maxInput: max(0, 4096 - port.pendingInputCount))
            if port.pendingInputCount > 0 { any = true }
        }
        return any
    }

    private func flushSerialBackends() {
        for b in serialBackends { b.flush() }
    }

    /// Sleeps up to `nanoseconds` of host time, in short steps so that host input (terminal or
    /// socket) or a host request (`hostRequestPending`) ends the wait at once; returns the
    /// nanoseconds actually waited.
    private func waitInHostTime(upTo nanoseconds: UInt64) -> UInt64 {
        let start = DispatchTime.now().uptimeNanoseconds
        while true {
            let waited = DispatchTime.now().uptimeNanoseconds &- start
            if waited >= nanoseconds { return nanoseconds }
            if serialInput?.hasPendingInput == true || hostEvents?.hasPendingEvents == true
                || hostRequestPending?() == true { return waited }
            if pollSockets() { return waited }
            let step = min(nanoseconds - waited, 2_000_000)
            Thread.sleep(forTimeInterval: Double(step) / 1e9)
        }
    }

    /// Does what firmware would have done before handing over to the kernel — PCI power
    /// management enabled at its PM block, ACPI tables in RAM — then loads the kernel through the Linux boot protocol.
    private func bootKernelDirectly(_ kernel: [UInt8]) throws {
        powerManagement.configureAsFirmware()
        openShadowRAM()
        let tables: ACPITables
        let acpiDevices: [any ACPIDeviceDescribing] = hyperV == nil ? [] : [VMBusACPIDevice()]
        do { tables = try ACPITables.build(layout: layout, devices: acpiDevices) } catch {
            throw ConfigurationError.badKernel("cannot build the ACPI tables: \(error)")
        }
        for t in tables.tables { memory.load(t.bytes, at: t.address.value) }
        acpiTables = tables
        let e820 = E820Map.pc(ramSize: configuration.ramSize, acpiSize: layout.acpiRegion.size,
                              acpiNVSSize: layout.acpiNVSRegion.size)
        do {
            if (try? LinuxKernelImage(kernel)) == nil, MultibootLoader.isMultiboot(kernel) {
                let image = try MultibootImage(kernel)
                try MultibootLoader.load(kernel: image, modules: configuration.multibootModules,
                                         commandLine: configuration.commandLine, e820: e820, memory: memory, cpu: cpu)
                return
            }
            let image = try LinuxKernelImage(kernel)
            try LinuxBootLoader.load(kernel: image, initrd: configuration.initrd, commandLine: configuration.commandLine,
                                     e820: e820, usableTop: layout.acpiRegion.base.value,
                                     rsdpAddress: tables.rsdpAddress.value, memory: memory, cpu: cpu)
        } catch {
            throw ConfigurationError.badKernel("\(error)")
        }
    }

    /// Opens the configuration's floppy, hard disk and CD-ROM images; with `snapshotDisks` the
    /// writable ones behind copy-on-write overlays (the CD-ROM is read-only anyway).
    static func openLegacyDisks(_ config: MachineConfiguration) throws
        -> (LegacyDisks, [(name: String, overlay: CopyOnWriteOverlay)])
    {
        guard config.floppyImages.count <= 2 else { throw ConfigurationError.badDisk("a PC has two floppy drives (A: and B:)") }
        let maxDisks = config.cdrom == nil ? 4 : 3
        guard config.hardDisks.count <= maxDisks else {
            throw ConfigurationError.badDisk("\(config.hardDisks.count) hard disks given; the two IDE channels hold \(maxDisks) beside \(config.cdrom == nil ? "nothing else" : "the CD-ROM")")
        }
        func open(_ image: MachineConfiguration.DiskImage, blockSize: Int = 512) throws -> any BlockDevice {
            do { return try RawFileBlockDevice(path: image.path, readOnly: image.readOnly, blockSize: blockSize) } catch {
                throw ConfigurationError.badDisk("\(image.path): \(error)")
            }
        }
        var floppies: [(any BlockDevice)?] = []
        for image in config.floppyImages {
            guard let image else { floppies.append(nil); continue }
            let device = try open(image)
            guard DiskGeometry.floppy(bytes: device.byteCount) != nil else {
                throw ConfigurationError.badDisk("floppy image \(image.path) is \(device.byteCount) bytes; a PC floppy holds \(DiskGeometry.floppySizes)")
            }
            floppies.append(device)
        }
        var disks = try config.hardDisks.map { try open($0) }
        let cd = try config.cdrom.map { try open(.init(path: $0, readOnly: true), blockSize: 2048) }
        var overlays: [(name: String, overlay: CopyOnWriteOverlay)] = []
        if config.snapshotDisks {
            func overlay(_ d: any BlockDevice, _ name: String) throws -> any BlockDevice {
                guard !d.isReadOnly else { return d }
                do {
                    let o = try CopyOnWriteOverlay(base: d)
                    overlays.append((name, o))
                    return o
                } catch {
                    throw ConfigurationError.badDisk("overlay for \(name): \(error)")
                }
            }
            floppies = try floppies.enumerated().map { i, d in try d.map { try overlay($0, "fd\(i)") } }
            disks = try disks.enumerated().map { i, d in try overlay(d, "hd\(i)") }
        }
        return (LegacyDisks(floppies: floppies, hardDisks: disks, cdrom: cd), overlays)
    }

    private static func openSink(_ path: String) throws -> FileHandle {
        if path == "-" || path == "stdio" { return FileHandle.standardOutput }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let h = FileHandle(forWritingAtPath: path) else {
            throw ConfigurationError.cannotOpen(path, "could not create the file")
        }
        return h
    }

    /// Maps a video option ROM (55h AAh, at most 128 KiB) read-only at 0xC0000.
    static func mapVideoBIOS(_ rom: [UInt8], into memory: PhysicalMemory) throws {
        guard rom.count >= 512, rom.count <= 128 << 10, rom[0] == 0x55, rom[1] == 0xAA else {
            throw ConfigurationError.badFirmware("a video BIOS must be a PC option ROM (55h AAh) of 512 bytes to 128 KiB")
        }
        memory.mapROM(rom, at: 0xC_0000)
    }

    /// Maps a 64/128/256 KiB image so it ends at 1 MiB and at 4 GiB (the reset vector).
    static func mapFirmware(_ image: [UInt8], into memory: PhysicalMemory) throws {
        guard [64 << 10, 128 << 10, 256 << 10].contains(image.count) else {
            throw ConfigurationError.badFirmwareSize(image.count)
        }
        memory.mapROM(image, at: 0x10_0000 - UInt32(image.count))
        memory.mapROM(image, at: UInt32(truncatingIfNeeded: 0x1_0000_0000 - UInt64(image.count)))
    }

    /// Ends the current `run` at the next instruction boundary with `reason`.
    public func stop(_ reason: MachineStop) {
        if pendingStop == nil { pendingStop = reason }
        cpu.requestStop()
    }

    /// A guest-initiated reset (port 0x92 bit 0, 0xCF9): done at the next instruction boundary.
    func requestReset() {
        resetRequested = true
        cpu.requestStop()
    }

    /// Returns guest-visible state to power-on values (RAM keeps its contents, as on a warm reset).
    public func reset() {
        cpu.reset()
        localAPIC.reset()
        localAPIC.configureVirtualWire()
        ioapic.reset()
        pic.reset()
        pit.reset()
        portB.reset()
        rtc.reset()
        ps2.reset()
        for u in serialPorts { u.reset() }
        pci.reset()
        hostBridge.reset()
        isaBridge.reset()
        powerManagement.reset()
        portA.reset()
        resetControl.reset()
        a20.reset()
        fwCfg?.reset()
        hyperV?.reset()
        dma.reset()
        floppyController.reset()
        ide.reset()
        vga.reset()
        vgaFunction.reset()
        biosServices?.reset()
        resetCount += 1
    }

    /// Hands frontend input to the PS/2 keyboard and mouse (emulation thread, between slices).
    func deliver(_ events: [HostEvent]) {
        for event in events {
            switch event {
            case .key(let k): ps2.keyboard.handle(k)
            case .mouse(let m): ps2.mouse.handle(m)
            }
        }
    }

    /// Writes out buffered serial and debug output (the run loop also does this per slice).
    public func flushOutputs() {
        flushSerialBackends()
        for h in sinks where h !== FileHandle.standardOutput { try? h.synchronize() }
    }

    /// Virtual time now.
    public var now: VirtualTime { scheduler.now }

    /// Runs until the guest exits, faults fatally, `stop` is called, `wallClockLimit` seconds
    /// pass (checked between slices of at most `sliceInstructions`), or the CPU has retired
    /// `instructionLimit` instructions since power-on (slices are clamped so it stops exactly
    /// there; the count survives snapshots, so a restored run can stop at the same point as an
    /// uninterrupted one).
    public func run(wallClockLimit: Double? = nil, sliceInstructions: Int = 1_000_000,
                    instructionLimit: UInt64? = nil) -> MachineStop {
        let started = Date()
        let nsPerInstruction = Self.nanosecondsPerInstruction(configuration)
        while true {
            if let s = pendingStop {
                pendingStop = nil
                flushOutputs()
                return s
            }
            if resetRequested {
                resetRequested = false
                reset()
            }
            if let hook = betweenSlices {
                hook(self)
                if let s = pendingStop {
                    pendingStop = nil
                    flushOutputs()
                    return s
                }
            }
            if let limit = wallClockLimit, Date().timeIntervalSince(started) >= limit { return .timeout }
            _ = pollSockets()
            if let input = serialInput {
                let bytes = input.drain()
                if !bytes.isEmpty {
                    let passed = serialInputFilter.map { f in bytes.filter(f) } ?? bytes
                    if !passed.isEmpty { stdioPort?.receive(passed) }
                    if let s = pendingStop { pendingStop = nil; flushOutputs(); return s }
                }
            }
            if let events = hostEvents { deliver(events.drain()) }
            var budget = sliceInstructions
            if let deadline = scheduler.nextDeadline {
                let ahead = deadline.nanoseconds > now.nanoseconds ? deadline.nanoseconds - now.nanoseconds : 0
                budget = Int(min(UInt64(sliceInstructions), max(1, ahead / nsPerInstruction)))
            }
            if let limit = instructionLimit {
                let retired = cpu.instructionsRetired
                if retired >= limit {
                    flushOutputs()
                    return .instructionLimit
                }
                budget = Int(min(UInt64(budget), limit - retired))
            }
            // Time is live during the slice (the scheduler follows instructionsRetired); a timer
            // armed for before the planned end stops the slice early.
            scheduler.horizon = now + UInt64(budget) &* nsPerInstruction
            inSlice = true
            let reason = cpu.run(budget: budget)
            inSlice = false
            scheduler.horizon = nil
            scheduler.advance(to: now)
            flushSerialBackends()
            switch reason {
            case .shutdown:
                return .tripleFault
            case .halted:
                // Nothing runs until the next device event: skip ahead to it.
                guard let deadline = scheduler.nextDeadline else {
                    // No timer is armed: only host input (through COM1's interrupt) can still wake
                    // the CPU, and only with interrupts enabled. Wait for it in wall-clock time.
                    if cpu.eflags & Flags.if != 0 && (serialInput != nil || hostEvents != nil || !socketPorts.isEmpty) {
                        Thread.sleep(forTimeInterval: 0.001)
                        continue
                    }
                    return pendingStop ?? .haltedForever
                }
                var idle = deadline.nanoseconds > now.nanoseconds ? deadline.nanoseconds - now.nanoseconds : 0
                if configuration.clock == .realtime {
                    // Host input ends the wait early; the guest then sees only the time waited.
                    idle = waitInHostTime(upTo: idle)
                }
                // The time-stamp counter keeps counting while halted (it counts CPU clocks, one
                // per instruction time), so TSC and the other clocks agree.
                cpu.tscOffset &+= idle / nsPerInstruction
                scheduler.advance(to: now + idle)
            case .budgetExhausted, .stopRequested:
                break
            }
        }
    }
}
