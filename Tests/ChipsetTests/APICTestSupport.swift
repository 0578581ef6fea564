// Test benches for the local APIC and I/O APIC: devices with recorded outputs, driven the way
// Linux's arch/x86/kernel/apic/apic.c and io_apic.c drive them.

import EmulatorCore
@testable import Chipset

/// Linux's fixed vectors (arch/x86/include/asm/irq_vectors.h).
enum LinuxVector {
    static let spurious: UInt8 = 0xFF
    static let error: UInt8 = 0xFE
    static let localTimer: UInt8 = 0xEC
}

/// Local APIC register offsets as Linux's apicdef.h names them.
enum APICReg {
    static let id: UInt32 = 0x20
    static let lvr: UInt32 = 0x30
    static let taskpri: UInt32 = 0x80
    static let arbpri: UInt32 = 0x90
    static let procpri: UInt32 = 0xA0
    static let eoi: UInt32 = 0xB0
    static let ldr: UInt32 = 0xD0
    static let dfr: UInt32 = 0xE0
    static let spiv: UInt32 = 0xF0
    static let isr: UInt32 = 0x100
    static let tmr: UInt32 = 0x180
    static let irr: UInt32 = 0x200
    static let esr: UInt32 = 0x280
    static let icr: UInt32 = 0x300
    static let icr2: UInt32 = 0x310
    static let lvtt: UInt32 = 0x320
    static let lvtpc: UInt32 = 0x340
    static let lvt0: UInt32 = 0x350
    static let lvt1: UInt32 = 0x360
    static let lvterr: UInt32 = 0x370
    static let tmict: UInt32 = 0x380
    static let tmcct: UInt32 = 0x390
    static let tdcr: UInt32 = 0x3E0
}

/// Bits of LVT and ICR values as Linux's apicdef.h names them.
enum APICBits {
    static let spivEnabled: UInt32 = 1 << 8
    static let masked: UInt32 = 1 << 16
    static let periodic: UInt32 = 1 << 17
    static let levelTrigger: UInt32 = 1 << 15
    static let remoteIRR: UInt32 = 1 << 14
    static let dmNMI: UInt32 = 0x400
    static let dmINIT: UInt32 = 0x500
    static let dmExtINT: UInt32 = 0x700
    static let destSelf: UInt32 = 0x4_0000
    static let destAllIncluding: UInt32 = 0x8_0000
    static let destAllButSelf: UInt32 = 0xC_0000
    static let destLogical: UInt32 = 0x800
    static let intAssert: UInt32 = 0x4000
    static let icrBusy: UInt32 = 0x1000
    static let tdrDiv16: UInt32 = 0x3
}

/// A local APIC with INTR, NMI, INIT and EOI broadcasts recorded.
final class LocalAPICBench {
    let scheduler = Scheduler()
    let lapic: LocalAPIC
    private(set) var intr = false
    private(set) var intrChanges = 0
    private(set) var nmiCount = 0
    private(set) var initCount = 0
    private(set) var eoiBroadcasts: [UInt8] = []

    init(configuration: LocalAPIC.Configuration = LocalAPIC.Configuration(), memory: PhysicalMemory? = nil) {
        var intrSink: ((Bool) -> Void)?
        var nmiSink: (() -> Void)?
        lapic = LocalAPIC(configuration: configuration, scheduler: scheduler, memory: memory,
                          setINTR: { intrSink?($0) }, raiseNMI: { nmiSink?() })
        intrSink = { [unowned self] level in
            intr = level
            intrChanges += 1
        }
        nmiSink = { [unowned self] in nmiCount += 1 }
        lapic.initRequested = { [unowned self] in initCount += 1 }
        lapic.endOfInterruptBroadcast = { [unowned self] vector in
            eoiBroadcasts.append(vector)
            forwardEOI?(vector)
        }
    }

    /// Where EOI broadcasts go after being recorded (an I/O APIC).
    var forwardEOI: ((UInt8) -> Void)?

    func read(_ offset: UInt32) -> UInt32 { lapic.mmioRead(offset: offset, width: .dword) }
    func write(_ offset: UInt32, _ value: UInt32) { lapic.mmioWrite(offset: offset, width: .dword, value: value) }

    /// Register word `i` of ISR, TMR or IRR.
    func word(_ base: UInt32, _ i: Int) -> UInt32 { read(base + UInt32(i) * 0x10) }

    /// Whether `vector` is set in the 256-bit register at `base` (Linux's `apic_read(APIC_ISR +
    /// (v & ~0x1f) >> 1) & (1 << (v & 0x1f))`).
    func bit(_ base: UInt32, _ vector: UInt8) -> Bool {
        read(base + (UInt32(vector) & ~0x1F) >> 1) & (1 << (UInt32(vector) & 0x1F)) != 0
    }

    /// The CPU side: if INTR is high, run the INTA cycle.
    func takeInterrupt() -> UInt8? { intr ? lapic.acknowledgeInterrupt() : nil }

    func advance(to ns: UInt64) { scheduler.advance(to: VirtualTime(nanoseconds: ns)) }

    /// Linux `setup_local_APIC` + `end_local_APIC_setup` on the BSP of a 32-bit kernel (flat
    /// logical mode, TPR 0x10, SPIV enabled with vector 0xFF, the given LINT0 value, LINT1 NMI,
    /// error vector 0xFE, timer masked). Returns the ESR values read before and after the error
    /// vector was programmed.
    @discardableResult
    func linuxSetup(lint0: UInt32 = APICBits.dmExtINT, lint1: UInt32 = APICBits.dmNMI) -> (UInt32, UInt32) {
        write(APICReg.spiv, read(APICReg.spiv) & ~APICBits.spivEnabled)
        // default_init_apic_ldr: flat model, logical ID 1 << cpu.
        write(APICReg.dfr, 0xFFFF_FFFF)
        write(APICReg.ldr, (read(APICReg.ldr) & ~0xFF00_0000) | (1 << 24))
        write(APICReg.taskpri, (read(APICReg.taskpri) & ~0xFF) | 0x10)
        // apic_pending_intr_clear: EOI everything in service.
        for _ in 0..<512 {
            let inService = (0..<8).reduce(0) { $0 | word(APICReg.isr, $1) }
            if inService == 0 { break }
            write(APICReg.eoi, 0)
        }
        var spiv = read(APICReg.spiv) & ~0xFF
        spiv |= APICBits.spivEnabled
        spiv &= ~(1 << 9)  // 32-bit kernels clear "focus disabled"
        spiv |= UInt32(LinuxVector.spurious)
        write(APICReg.spiv, spiv)
        write(APICReg.lvt0, lint0)
        write(APICReg.lvt1, lint1)
        // lapic_setup_esr (maxlvt > 3).
        write(APICReg.esr, 0)
        let before = read(APICReg.esr)
        write(APICReg.lvterr, UInt32(LinuxVector.error))
        write(APICReg.esr, 0)
        let after = read(APICReg.esr)
        write(APICReg.lvtt, read(APICReg.lvtt) | APICBits.masked | UInt32(LinuxVector.localTimer))
        return (before, after)
    }

    /// Linux `__setup_APIC_LVTT(clocks, oneshot, irqen)` on a P6 (no TSC deadline).
    func linuxSetupLVTT(clocks: UInt32, oneshot: Bool, irqen: Bool) {
        var lvtt = UInt32(LinuxVector.localTimer)
        if !oneshot { lvtt |= APICBits.periodic }
        if !irqen { lvtt |= APICBits.masked }
        write(APICReg.lvtt, lvtt)
        write(APICReg.tdcr, (read(APICReg.tdcr) & ~0xF) | APICBits.tdrDiv16)
        if !oneshot { write(APICReg.tmict, clocks / 16) }
    }
}

/// An I/O APIC wired to a local APIC bench (messages in, EOI broadcasts back), driven like
/// Linux's io_apic.c.
final class IOAPICBench {
    let apic = LocalAPICBench()
    let ioapic: IOAPIC
    private(set) var messages: [APICMessage] = []

    init() {
        var sink: ((APICMessage) -> Bool)?
        ioapic = IOAPIC(id: 2, deliver: { sink?($0) ?? false })
        sink = { [unowned self] message in
            messages.append(message)
            return apic.lapic.receive(message)
        }
        apic.forwardEOI = { [unowned ioapic] in ioapic.endOfInterrupt(vector: $0) }
    }

    /// Linux `io_apic_read`: index into IOREGSEL, data from IOWIN.
    func read(_ index: UInt8) -> UInt32 {
        ioapic.mmioWrite(offset: 0x00, width: .dword, value: UInt32(index))
        return ioapic.mmioRead(offset: 0x10, width: .dword)
    }

    func write(_ index: UInt8, _ value: UInt32) {
        ioapic.mmioWrite(offset: 0x00, width: .dword, value: UInt32(index))
        ioapic.mmioWrite(offset: 0x10, width: .dword, value: value)
    }

    /// Linux `__ioapic_write_entry`: the high word first, then the low word.
    func writeEntry(_ pin: Int, _ entry: UInt64) {
        write(UInt8(0x11 + 2 * pin), UInt32(entry >> 32))
        write(UInt8(0x10 + 2 * pin), UInt32(truncatingIfNeeded: entry))
    }

    func readEntry(_ pin: Int) -> UInt64 {
        UInt64(read(UInt8(0x10 + 2 * pin))) | UInt64(read(UInt8(0x11 + 2 * pin))) << 32
    }

    func clearMessages() { messages.removeAll() }
}

/// Redirection entry bits as Linux's io_apic.h lays them out.
enum RTE {
    static let logical: UInt64 = 1 << 11
    static let deliveryStatus: UInt64 = 1 << 12
    static let activeLow: UInt64 = 1 << 13
    static let remoteIRR: UInt64 = 1 << 14
    static let level: UInt64 = 1 << 15
    static let masked: UInt64 = 1 << 16

    /// Fixed delivery to logical destination 0x01 (CPU 0 in flat mode), as Linux programs it.
    static func linux(vector: UInt8, level: Bool, activeLow: Bool, masked: Bool = false) -> UInt64 {
        var e = UInt64(vector) | logical | 0x01 << 56
        if level { e |= self.level }
        if activeLow { e |= self.activeLow }
        if masked { e |= self.masked }
        return e
    }
}

/// A PIC initialized the way Linux's `init_8259A` does (vectors 0x20/0x28), driving LINT0.
func makeLinuxPIC(driving lapic: LocalAPIC, masterMask: UInt8 = 0xFA) -> PIC {
    let pic = PIC(setINTR: { [unowned lapic] in lapic.lint0.setLevel($0) })
    lapic.externalInterruptController = pic
    let writes: [(UInt16, UInt8)] = [
        (0x21, 0xFF), (0xA1, 0xFF), (0x20, 0x11), (0x21, 0x20), (0x21, 0x04), (0x21, 0x01),
        (0xA0, 0x11), (0xA1, 0x28), (0xA1, 0x02), (0xA1, 0x01), (0x21, masterMask), (0xA1, 0xFF),
    ]
    for (port, value) in writes { pic.ioWrite(port: IOPort(port), width: .byte, value: UInt32(value)) }
    return pic
}

/// An interrupt line that runs a closure on each rising edge (a stand-in for a handler).
final class RisingEdgeProbe: InterruptLine {
    private var level = false
    var onRise: () -> Void = {}
    func setLevel(_ high: Bool) {
        if high && !level { onRise() }
        level = high
    }
}
