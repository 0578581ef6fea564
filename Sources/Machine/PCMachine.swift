// The PC: memory map, CPU, chipset devices, and the run loop on virtual time.

import Chipset
import EmulatorCore
import Firmware
import Foundation
import X86

/// A PC built from a `MachineConfiguration`.
///
/// Memory map: RAM from 0; the firmware image at the top of the first MiB and at the top of
/// 4 GiB. I/O: PIC (0x20, 0xA0, ELCR 0x4D0), PIT (0x40) and port 0x61, RTC/CMOS (0x70), COM1
/// (0x3F8, IRQ 4), port 0x92, reset control 0xCF9, POST port 0x80, optional debug console and
/// isa-debug-exit. Time is virtual: each retired instruction advances it by
/// `nanosecondsPerInstruction`; a halted CPU skips to the next device deadline.
///
/// Not yet modelled here (later issues): APICs, PCI, ACPI, PS/2, storage, VGA, direct kernel boot.
public final class PCMachine {
    public let configuration: MachineConfiguration
    public let memory: PhysicalMemory
    public let ports = PortIOBus()
    public let scheduler = Scheduler()
    public let cpu: CPU
    public let pic: PIC
    public let pit: PIT
    public let portB: SystemControlPortB
    public let rtc: RTC
    public let com1: UART16550
    public let postPort: POSTCodePort
    private var portA: SystemControlPortA!
    private var resetControl: ResetControl!
    private var sinks: [FileHandle] = []
    private let serialBackend: SerialBackend

    /// Host bytes for COM1 (a terminal or pipe on standard input); drained between slices.
    public var serialInput: HostInputQueue?
    /// Called with each host byte before it reaches COM1; return false to swallow it (the
    /// frontend's escape keys, e.g. Ctrl-A x).
    public var serialInputFilter: ((UInt8) -> Bool)?

    private var pendingStop: MachineStop?
    private var resetRequested = false
    /// Number of machine resets (guest-initiated) so far.
    public private(set) var resetCount = 0

    public init(_ config: MachineConfiguration) throws {
        configuration = config
        guard config.ramSize >= 1 << 20, config.ramSize <= 3 << 30, config.ramSize % 4096 == 0 else {
            throw ConfigurationError.badRAMSize(config.ramSize)
        }
        memory = PhysicalMemory(ramSize: config.ramSize)
        cpu = CPU(memory: memory, ports: ports)
        let cpuRef = cpu
        pic = PIC(setINTR: { [unowned cpuRef] level in cpuRef.intrLine = level })
        cpu.interruptController = pic
        pit = PIT(scheduler: scheduler, irq0: pic.irq(0))
        portB = SystemControlPortB(pit: pit, scheduler: scheduler)
        rtc = RTC(interrupt: pic.irq(8), scheduler: scheduler, start: config.rtcStart)
        rtc.applyStandardLayout(CMOSConfiguration(ramSize: UInt64(config.ramSize)))
        switch config.serial {
        case .null: serialBackend = NullSerialBackend()
        case .stdio: serialBackend = StdioSerialBackend()
        case .file(let path):
            do { serialBackend = try FileSerialBackend(path: path) } catch {
                throw ConfigurationError.cannotOpen(path, "\(error)")
            }
        }
        com1 = UART16550(base: IOPort(0x3F8), interrupt: pic.irq(4), scheduler: scheduler, backend: serialBackend)
        var postSink: ((UInt8) -> Void)?
        if let p = config.postCodes {
            let handle = try PCMachine.openSink(p.path)
            sinks.append(handle)
            postSink = { byte in
                handle.write(Data(String(format: "%02X\n", byte).utf8))
            }
        }
        postPort = POSTCodePort(port: config.postCodes?.port ?? POSTCodePort.defaultPort, sink: postSink)

        for r in PIC.portRanges { ports.register(pic, ports: r) }
        ports.register(pit, ports: 0x40...0x43)
        ports.register(portB, ports: 0x61...0x61)
        ports.register(rtc, ports: 0x70...0x71)
        ports.register(com1, ports: 0x3F8...0x3FF)
        ports.register(postPort, ports: postPort.port...postPort.port)
        portA = SystemControlPortA(setA20: { [unowned self] on in memory.setA20(enabled: on) },
                                   resetCPU: { [unowned self] in requestReset() })
        resetControl = ResetControl(resetMachine: { [unowned self] in requestReset() })
        ports.register(portA, ports: SystemControlPortA.port...SystemControlPortA.port)
        ports.register(resetControl, ports: ResetControl.port...ResetControl.port)
        if let d = config.debugConsole {
            let handle = try PCMachine.openSink(d.path)
            sinks.append(handle)
            let console = DebugConsole(port: d.port) { byte in handle.write(Data([byte])) }
            ports.register(console, ports: d.port...d.port)
        }
        if config.isaDebugExit {
            let exitDevice = ISADebugExit { [unowned self] status in stop(.debugExit(status: status)) }
            ports.register(exitDevice, ports: ISADebugExit.defaultPort...ISADebugExit.defaultPort)
        }
        if let image = config.firmware {
            try PCMachine.mapFirmware(image, into: memory)
        }
        if let kernel = config.kernel {
            do {
                let image = try LinuxKernelImage(kernel)
                try LinuxBootLoader.load(kernel: image, initrd: config.initrd, commandLine: config.commandLine,
                                         e820: .pc(ramSize: config.ramSize, acpiSize: 0), usableTop: config.ramSize,
                                         rsdpAddress: nil, memory: memory, cpu: cpu)
            } catch {
                throw ConfigurationError.badKernel("\(error)")
            }
        }
    }

    private static func openSink(_ path: String) throws -> FileHandle {
        if path == "-" || path == "stdio" { return FileHandle.standardOutput }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let h = FileHandle(forWritingAtPath: path) else {
            throw ConfigurationError.cannotOpen(path, "could not create the file")
        }
        return h
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
        pic.reset()
        pit.reset()
        portB.reset()
        rtc.reset()
        com1.reset()
        portA.reset()
        resetControl.reset()
        memory.setA20(enabled: true)
        resetCount += 1
    }

    /// Writes out buffered serial and debug output (the run loop also does this per slice).
    public func flushOutputs() {
        (serialBackend as? StdioSerialBackend)?.flush()
        (serialBackend as? FileSerialBackend)?.flush()
        for h in sinks where h !== FileHandle.standardOutput { try? h.synchronize() }
    }

    /// Virtual time now.
    public var now: VirtualTime { scheduler.now }

    /// Runs until the guest exits, faults fatally, `stop` is called, or `wallClockLimit`
    /// seconds pass (checked between slices of at most `sliceInstructions`).
    public func run(wallClockLimit: Double? = nil, sliceInstructions: Int = 1_000_000) -> MachineStop {
        let started = Date()
        let nsPerInstruction = max(1, configuration.nanosecondsPerInstruction)
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
            if let limit = wallClockLimit, Date().timeIntervalSince(started) >= limit { return .timeout }
            if let input = serialInput {
                let bytes = input.drain()
                if !bytes.isEmpty {
                    let passed = serialInputFilter.map { f in bytes.filter(f) } ?? bytes
                    if !passed.isEmpty { com1.receive(passed) }
                    if let s = pendingStop { pendingStop = nil; flushOutputs(); return s }
                }
            }
            var budget = sliceInstructions
            if let deadline = scheduler.nextDeadline {
                let ahead = deadline.nanoseconds > now.nanoseconds ? deadline.nanoseconds - now.nanoseconds : 0
                budget = Int(min(UInt64(sliceInstructions), max(1, ahead / nsPerInstruction)))
            }
            let before = cpu.instructionsRetired
            let reason = cpu.run(budget: budget)
            let executed = cpu.instructionsRetired &- before
            scheduler.advance(to: now + executed &* nsPerInstruction)
            (serialBackend as? StdioSerialBackend)?.flush()
            switch reason {
            case .shutdown:
                return .tripleFault
            case .halted:
                // Nothing runs until the next device event: skip ahead to it.
                guard let deadline = scheduler.nextDeadline else {
                    // No timer is armed: only host input (through COM1's interrupt) can still wake
                    // the CPU, and only with interrupts enabled. Wait for it in wall-clock time.
                    if cpu.eflags & Flags.if != 0 && serialInput != nil {
                        Thread.sleep(forTimeInterval: 0.001)
                        continue
                    }
                    return pendingStop ?? .haltedForever
                }
                scheduler.advance(to: deadline)
            case .budgetExhausted, .stopRequested:
                break
            }
        }
    }
}
