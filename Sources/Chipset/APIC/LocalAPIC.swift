// The local APIC of a P6-family processor: registers, priorities, local interrupts and IPIs.

import EmulatorCore
import X86

/// The on-chip local APIC of a P6-family processor (Pentium Pro, Pentium II/III), version 0x11
/// with five LVT entries (timer, performance counter, LINT0, LINT1, error): the version register
/// reads 0x0004_0011, which Linux (`lapic_get_version() < 0x14`) treats as a pre-xAPIC integrated
/// APIC with 4-bit APIC IDs and physical broadcast 0xF.
///
/// MMIO: 4 KiB at the base held in IA32_APIC_BASE (MSR 0x1B, power-on 0xFEE0_0000). Given a
/// `PhysicalMemory`, the APIC maps its own window and moves it when software relocates the base or
/// clears the global enable bit. Inputs: `lint0` (the 8259A pair's INTR in a PC) and `lint1`
/// (NMI in a PC), messages from I/O APICs (`receive`). Outputs: the CPU's INTR (`setINTR`) with
/// the acknowledge cycle (`InterruptController`), NMI (`raiseNMI`), and EOI messages for
/// level-triggered vectors (`endOfInterruptBroadcast`).
///
/// Follows the Intel SDM Vol. 3A chapter 10 (Advanced Programmable Interrupt Controller) for the
/// P6 family: §10.4 (IA32_APIC_BASE, enabling, states after reset/software disable/INIT), §10.5
/// (LVT, ESR, timer), §10.6 (ICR, destinations, IPIs), §10.8 (IRR/ISR/TMR, TPR/PPR/APR, EOI),
/// §10.9 (spurious interrupt). The timer counts a bus clock of `Configuration.busFrequencyHz`
/// (default 100 MHz) derived from virtual time; only its next expiry is armed as a `DeviceTimer`.
///
/// Not modelled: SMI delivery (dropped), remote read IPIs (ICR mode 011; RRD reads 0, status
/// "invalid"), the performance-counter and thermal sources (the performance LVT is a plain
/// register; P6 has no thermal LVT), arbitration IDs and APIC bus timing (messages are delivered
/// the moment they are sent, so delivery-status bits always read idle), checksum and receive-
/// accept errors, other processors (an IPI that does not reach this APIC sets Send Accept Error,
/// as on a 3-wire APIC bus where nobody accepted it).
///
/// Where the SDM leaves room, this model: answers an ExtINT before any fixed vector at INTA;
/// keeps dispatching what IRR already holds after software disable (§10.4.7.2: "held and require
/// masking or handling by the CPU") but accepts no new fixed interrupts; raises the error LVT
/// interrupt once per newly collected ESR bit; treats 8- and 16-bit MMIO accesses as the addressed
/// bytes of the 32-bit register. DEVIATION: LINT levels are asserted states (polarity bit kept,
/// not applied), as for `IOAPIC` pins.
public final class LocalAPIC: MMIODevice, InterruptController, MSRHandler {
    /// What the board fixes about this APIC.
    public struct Configuration: Sendable, Equatable {
        /// The hardware-assigned APIC ID (0–14; 15 is the P6 physical broadcast).
        public var apicID: UInt8
        /// Whether IA32_APIC_BASE reports this processor as the bootstrap processor.
        public var isBootstrapProcessor: Bool
        /// The bus clock the timer divides (Hz, 1 MHz–1 GHz). P6 systems ran 66–133 MHz; Linux
        /// calibrates the timer against the PIT, so any value works for guests.
        public var busFrequencyHz: UInt64

        public init(apicID: UInt8 = 0, isBootstrapProcessor: Bool = true, busFrequencyHz: UInt64 = 100_000_000) {
            self.apicID = apicID
            self.isBootstrapProcessor = isBootstrapProcessor
            self.busFrequencyHz = busFrequencyHz
        }
    }

    /// The power-on APIC base (IA32_APIC_BASE bits 31:12).
    public static let defaultBase: UInt32 = 0xFEE0_0000
    /// Size of the register window.
    public static let mmioSize: UInt32 = 0x1000
    /// IA32_APIC_BASE.
    public static let apicBaseMSR: UInt32 = 0x1B
    /// Version register: version 0x11 (P6 integrated APIC), Max LVT Entry 4 (five entries).
    static let versionRegister: UInt32 = 0x0004_0011

    /// Register offsets in the 4 KiB window (SDM Vol. 3A Table 10-1).
    enum Register {
        static let id: UInt32 = 0x020
        static let version: UInt32 = 0x030
        /// Task Priority Register.
        static let tpr: UInt32 = 0x080
        /// Arbitration Priority Register.
        static let apr: UInt32 = 0x090
        /// Processor Priority Register.
        static let ppr: UInt32 = 0x0A0
        static let eoi: UInt32 = 0x0B0
        /// Remote Read Register.
        static let rrd: UInt32 = 0x0C0
        /// Logical Destination Register.
        static let ldr: UInt32 = 0x0D0
        /// Destination Format Register.
        static let dfr: UInt32 = 0x0E0
        /// Spurious-Interrupt Vector Register.
        static let svr: UInt32 = 0x0F0
        /// In-Service Register, 8 words of 16 bytes each.
        static let isr: UInt32 = 0x100
        /// Trigger Mode Register.
        static let tmr: UInt32 = 0x180
        /// Interrupt Request Register.
        static let irr: UInt32 = 0x200
        /// Error Status Register.
        static let esr: UInt32 = 0x280
        /// Interrupt Command Register, bits 31:0 and 63:32.
        static let icrLow: UInt32 = 0x300
        static let icrHigh: UInt32 = 0x310
        static let lvtTimer: UInt32 = 0x320
        static let lvtPerformance: UInt32 = 0x340
        static let lvtLINT0: UInt32 = 0x350
        static let lvtLINT1: UInt32 = 0x360
        static let lvtError: UInt32 = 0x370
        static let timerInitialCount: UInt32 = 0x380
        static let timerCurrentCount: UInt32 = 0x390
        /// Divide Configuration Register.
        static let dcr: UInt32 = 0x3E0
    }

    /// IA32_APIC_BASE bits.
    enum BaseMSR {
        static let bootstrapProcessor: UInt64 = 1 << 8
        static let globalEnable: UInt64 = 1 << 11
        static let baseMask: UInt64 = 0xFFFF_F000
    }

    /// Spurious-Interrupt Vector Register bits. On P6 vector bits 3:0 are hardwired to 1.
    enum SVR {
        static let vectorHardwired: UInt32 = 0x0F
        static let softwareEnable: UInt32 = 1 << 8
        static let focusCheckingDisabled: UInt32 = 1 << 9
        static let writable: UInt32 = 0x3F0
    }

    /// Local vector table entries, in saved-state order.
    enum LVT: Int, CaseIterable {
        case timer = 0, performance, lint0, lint1, error

        var offset: UInt32 {
            switch self {
            case .timer: return Register.lvtTimer
            case .performance: return Register.lvtPerformance
            case .lint0: return Register.lvtLINT0
            case .lint1: return Register.lvtLINT1
            case .error: return Register.lvtError
            }
        }

        /// Bits software can write (SDM Figure 10-8, P6 columns).
        var writable: UInt32 {
            switch self {
            case .timer: return 0x0003_00FF  // vector, mask, periodic
            case .performance: return 0x0001_07FF  // vector, delivery mode, mask
            case .lint0, .lint1: return 0x0001_A7FF  // + polarity, trigger mode
            case .error: return 0x0001_00FF
            }
        }

        /// Whether the entry has a delivery-mode field (timer and error always deliver fixed).
        var hasDeliveryMode: Bool { self == .performance || self == .lint0 || self == .lint1 }
    }

    /// LVT entry bits.
    enum LVTBits {
        static let vector: UInt32 = 0xFF
        static let deliveryModeShift: UInt32 = 8
        static let activeLow: UInt32 = 1 << 13
        static let remoteIRR: UInt32 = 1 << 14
        static let levelTriggered: UInt32 = 1 << 15
        static let masked: UInt32 = 1 << 16
        static let periodic: UInt32 = 1 << 17
        /// Power-on value of every entry.
        static let powerOn: UInt32 = masked
    }

    /// Interrupt Command Register bits (low word).
    enum ICR {
        static let vector: UInt32 = 0xFF
        static let logical: UInt32 = 1 << 11
        static let assert: UInt32 = 1 << 14
        static let levelTriggered: UInt32 = 1 << 15
        static let shorthandShift: UInt32 = 18
        /// Vector, delivery mode, destination mode, level, trigger mode, shorthand.
        static let writableLow: UInt32 = 0x000C_CFFF
        static let writableHigh: UInt32 = 0xFF00_0000
    }

    /// Error Status Register bits (P6 layout).
    enum ErrorBit {
        static let sendAccept: UInt32 = 1 << 2
        static let sendIllegalVector: UInt32 = 1 << 5
        static let receiveIllegalVector: UInt32 = 1 << 6
        static let illegalRegisterAddress: UInt32 = 1 << 7
        /// Bits a P6 ESR can hold (bit 4 is reserved before the xAPIC).
        static let all: UInt32 = 0xEF
    }

    // MARK: Wiring

    public let configuration: Configuration
    let scheduler: Scheduler
    private let memory: PhysicalMemory?
    let setINTR: (Bool) -> Void
    let raiseNMI: () -> Void
    private var timer: DeviceTimer!
    private var lintLines: [LocalAPICInputLine] = []

    /// The 8259A pair behind LINT0 (and behind ExtINT messages): answers the INTA cycle of an
    /// ExtINT interrupt, and of any interrupt while the APIC is globally disabled.
    public weak var externalInterruptController: InterruptController?
    /// Sends the EOI message for a level-triggered vector to every I/O APIC
    /// (`ioapic.endOfInterrupt(vector:)`).
    public var endOfInterruptBroadcast: ((UInt8) -> Void)?
    /// Called when IA32_APIC_BASE's global enable changes: CPUID.1:EDX.APIC follows it
    /// (`cpu.hasLocalAPIC = $0`).
    public var globalEnableChanged: ((Bool) -> Void)?
    /// The processor must take an INIT reset (an INIT IPI or an LVT entry in INIT mode reached
    /// this APIC, which has already done its own INIT reset).
    public var initRequested: (() -> Void)?
    /// A start-up IPI reached this APIC, with its vector (the start-up page). A BSP that is not
    /// waiting for SIPI ignores it, which is what happens when this is nil.
    public var startupRequested: ((UInt8) -> Void)?

    // MARK: State

    /// IA32_APIC_BASE bits 31:12.
    var baseAddress = LocalAPIC.defaultBase
    /// IA32_APIC_BASE bit 11: the APIC is hardware enabled (the processor has an APIC at all).
    public internal(set) var globallyEnabled = true
    /// Where the window is mapped in `memory` now.
    private var mappedBase: UInt32?

    /// Local APIC ID Register (bits 27:24 on P6).
    var id: UInt32
    /// Task Priority Register.
    var tpr: UInt32 = 0
    /// Logical Destination Register (bits 31:24).
    var ldr: UInt32 = 0
    /// Destination Format Register (model in bits 31:28, the rest reads as ones).
    var dfr: UInt32 = 0xFFFF_FFFF
    /// Spurious-Interrupt Vector Register.
    var svr: UInt32 = 0xFF
    /// In-Service, Trigger Mode and Interrupt Request registers.
    var isr = APICVectorSet(), tmr = APICVectorSet(), irr = APICVectorSet()
    /// The Error Status Register as software reads it (updated by a write to it).
    var esr: UInt32 = 0
    /// Errors detected since the last ESR write.
    var pendingErrors: UInt32 = 0
    /// Interrupt Command Register.
    var icrLow: UInt32 = 0, icrHigh: UInt32 = 0
    /// Local vector table, indexed by `LVT.rawValue`.
    var lvt = [UInt32](repeating: LVTBits.powerOn, count: LVT.allCases.count)
    /// Divide Configuration Register (bits 3, 1, 0).
    var dcr: UInt32 = 0
    /// Timer Initial Count Register.
    var timerInitialCount: UInt32 = 0
    /// The timer's count at `timerBaseTick` (0 = stopped). Invariant while running: the next
    /// expiry is at bus tick `timerBaseTick + timerCount × divider`.
    var timerCount: UInt32 = 0
    /// Bus-clock tick at which the count was `timerCount` (wrapping arithmetic; see restore).
    var timerBaseTick: UInt64 = 0
    /// Input levels of LINT0 and LINT1 (the wires, kept across resets).
    var lintLevels = [false, false]
    /// An ExtINT message (from an I/O APIC) waits for its INTA cycle.
    var extINTLatched = false
    /// The level last driven on the CPU's INTR.
    public internal(set) var intrOutput = false

    /// - Parameters:
    ///   - scheduler: virtual time for the timer.
    ///   - memory: where the APIC maps (and moves) its register window; nil when the caller maps
    ///     it (then relocation is not followed).
    ///   - setINTR: drives the CPU's INTR input (`cpu.intrLine`); called on every change.
    ///   - raiseNMI: raises the CPU's NMI (`cpu.raiseNMI()`).
    public init(configuration: Configuration = Configuration(), scheduler: Scheduler,
                memory: PhysicalMemory? = nil, setINTR: @escaping (Bool) -> Void,
                raiseNMI: @escaping () -> Void) {
        precondition(configuration.apicID < 15, "P6 APIC IDs are 0–14")
        precondition((1_000_000...1_000_000_000).contains(configuration.busFrequencyHz),
                     "APIC bus clock must be 1 MHz–1 GHz")
        self.configuration = configuration
        self.scheduler = scheduler
        self.memory = memory
        self.setINTR = setINTR
        self.raiseNMI = raiseNMI
        id = UInt32(configuration.apicID) << 24
        timer = DeviceTimer(name: "lapic.timer", scheduler: scheduler) { [unowned self] _ in
            self.timerExpired()
        }
        lintLines = (0..<2).map { LocalAPICInputLine(apic: self, pin: $0) }
        updateMapping()
    }

    /// Wires this APIC to `cpu`: INTR and NMI closures must already lead to it (see the
    /// convenience initializer); installs it as the CPU's interrupt controller and MSR handler and
    /// makes CPUID's APIC flag follow the global enable bit.
    public func attach(to cpu: CPU) {
        cpu.interruptController = self
        cpu.msrHandler = self
        cpu.hasLocalAPIC = globallyEnabled
        globalEnableChanged = { [unowned cpu] in cpu.hasLocalAPIC = $0 }
    }

    /// An APIC wired to `cpu` (INTR, NMI, interrupt controller, MSR 0x1B, CPUID flag).
    public convenience init(cpu: CPU, configuration: Configuration = Configuration(), scheduler: Scheduler,
                            memory: PhysicalMemory? = nil) {
        self.init(configuration: configuration, scheduler: scheduler, memory: memory,
                  setINTR: { [unowned cpu] in cpu.intrLine = $0 },
                  raiseNMI: { [unowned cpu] in cpu.raiseNMI() })
        attach(to: cpu)
    }

    /// The LINT0 input pin (in a PC, the 8259A pair's INTR output).
    public var lint0: InterruptLine { lintLines[0] }
    /// The LINT1 input pin (in a PC, the NMI logic's output).
    public var lint1: InterruptLine { lintLines[1] }

    /// The physical address of the register window (IA32_APIC_BASE bits 31:12).
    public var base: UInt32 { baseAddress }

    /// Returns to the power-on state (SDM §10.4.7.1): IA32_APIC_BASE = 0xFEE0_0000 with global
    /// enable (and BSP per the configuration), software disabled, every LVT entry masked. The
    /// input pins keep their levels.
    public func reset() {
        let wasEnabled = globallyEnabled
        baseAddress = Self.defaultBase
        globallyEnabled = true
        resetRegisters(keepingID: false)
        updateMapping()
        if !wasEnabled { globalEnableChanged?(true) }
        intrOutput = computeINTR()
        setINTR(intrOutput)
    }

    /// The INIT# pin or an INIT message (SDM §10.4.7.3): the power-on register state except the
    /// APIC ID; IA32_APIC_BASE is unchanged. The caller resets the processor core.
    public func initReset() {
        resetRegisters(keepingID: true)
        updateINTR()
    }

    private func resetRegisters(keepingID: Bool) {
        if !keepingID { id = UInt32(configuration.apicID) << 24 }
        tpr = 0
        ldr = 0
        dfr = 0xFFFF_FFFF
        svr = 0xFF
        isr = APICVectorSet()
        tmr = APICVectorSet()
        irr = APICVectorSet()
        esr = 0
        pendingErrors = 0
        icrLow = 0
        icrHigh = 0
        for i in lvt.indices { lvt[i] = LVTBits.powerOn }
        dcr = 0
        timerInitialCount = 0
        timerCount = 0
        timerBaseTick = 0
        timer.cancel()
        extINTLatched = false
    }

    // MARK: Derived state

    /// APIC software enable (SVR bit 8).
    public var softwareEnabled: Bool { svr & SVR.softwareEnable != 0 }

    var spuriousVector: UInt8 { UInt8(truncatingIfNeeded: svr) }

    /// Processor Priority Register (SDM §10.8.3.1): TPR, or the class of the highest vector in
    /// service when that is higher.
    var ppr: UInt32 {
        let isrv = UInt32(isr.highest ?? 0)
        return (tpr >> 4) >= (isrv >> 4) ? tpr : isrv & 0xF0
    }

    /// Arbitration Priority Register (SDM §10.8.3.1, P6 formula).
    var apr: UInt32 {
        let isrv = UInt32(isr.highest ?? 0), irrv = UInt32(irr.highest ?? 0)
        if (tpr >> 4) >= (irrv >> 4) && (tpr >> 4) > (isrv >> 4) { return tpr }
        return max(tpr & 0xF0, isrv & 0xF0, irrv & 0xF0)
    }

    /// The highest requested vector whose class is above the processor priority, if any.
    var deliverableVector: UInt8? {
        guard let v = irr.highest, UInt32(v >> 4) > ppr >> 4 else { return nil }
        return v
    }

    /// An ExtINT interrupt is pending: an ExtINT message, or an unmasked ExtINT LVT entry whose
    /// pin is asserted (ExtINT is always level-sensitive).
    var extINTPending: Bool { extINTLatched || lintRequestsExtINT(.lint0) || lintRequestsExtINT(.lint1) }

    private func lintRequestsExtINT(_ entry: LVT) -> Bool {
        let value = lvt[entry.rawValue]
        return lintIsAsserted(entry) && value & LVTBits.masked == 0
            && Self.deliveryMode(value) == APICDeliveryMode.extINT.rawValue
    }

    /// DEVIATION: a LINT level is the asserted state, not the electrical one; the polarity bit
    /// is kept for software but not applied (as in the I/O APIC; see `IOAPIC`).
    private func lintIsAsserted(_ entry: LVT) -> Bool { lintLevels[entry == .lint0 ? 0 : 1] }

    static func deliveryMode(_ value: UInt32) -> UInt8 { UInt8((value >> LVTBits.deliveryModeShift) & 7) }

    private func computeINTR() -> Bool {
        // Globally disabled, the processor has no APIC: LINT0 is the INTR pin (SDM §10.4.3).
        guard globallyEnabled else { return lintLevels[0] }
        return extINTPending || deliverableVector != nil
    }

    /// Brings the CPU's INTR to what the APIC now requests.
    func updateINTR() {
        let out = computeINTR()
        guard out != intrOutput else { return }
        intrOutput = out
        setINTR(out)
    }

    /// Drives INTR even when unchanged (after a restore the CPU may hold another level).
    func setINTRUnconditionally() {
        intrOutput = computeINTR()
        setINTR(intrOutput)
    }

    // MARK: InterruptController

    /// The INTA cycle. ExtINT interrupts come first and are answered by the external controller
    /// (they bypass IRR, ISR and the priority registers); otherwise the highest requested vector
    /// above the processor priority moves from IRR to ISR. With nothing deliverable (the guest
    /// raised TPR after INTR rose, say) the answer is the spurious vector, and ISR is untouched
    /// (SDM §10.9).
    public func acknowledgeInterrupt() -> UInt8 {
        defer { updateINTR() }
        guard globallyEnabled else {
            return externalInterruptController?.acknowledgeInterrupt() ?? spuriousVector
        }
        if extINTPending {
            extINTLatched = false
            return externalInterruptController?.acknowledgeInterrupt() ?? spuriousVector
        }
        guard let v = deliverableVector else { return spuriousVector }
        irr.remove(v)
        isr.insert(v)
        return v
    }

    // MARK: MSRHandler (IA32_APIC_BASE)

    /// IA32_APIC_BASE as RDMSR reads it.
    public var apicBaseValue: UInt64 {
        UInt64(baseAddress) | (globallyEnabled ? BaseMSR.globalEnable : 0)
            | (configuration.isBootstrapProcessor ? BaseMSR.bootstrapProcessor : 0)
    }

    public func readMSR(_ index: UInt32) -> UInt64? {
        index == Self.apicBaseMSR ? apicBaseValue : nil
    }

    public func writeMSR(_ index: UInt32, value: UInt64) -> Bool {
        guard index == Self.apicBaseMSR else { return false }
        writeAPICBase(value)
        return true
    }

    /// WRMSR to IA32_APIC_BASE. The BSP flag is read-only.
    ///
    /// DEVIATION: reserved bits (7:0, 10:9, 63:32) are ignored; a P6 raises #GP. `MSRHandler`
    /// cannot ask for the #GP: a false return makes the CPU fall back to its own copy of the MSR.
    public func writeAPICBase(_ value: UInt64) {
        let enable = value & BaseMSR.globalEnable != 0
        baseAddress = UInt32(truncatingIfNeeded: value & BaseMSR.baseMask)
        if enable != globallyEnabled {
            globallyEnabled = enable
            // SDM §10.4.3: clearing the global enable may return the APIC to its power-on state;
            // we always do, so re-enabling (as Linux does for "Local APIC disabled by BIOS")
            // starts from a known state.
            // DEVIATION: a P6 on the 3-wire APIC bus cannot in general be re-enabled without a
            // reset (lost arbitration); with one processor nothing is lost, so we allow it.
            resetRegisters(keepingID: false)
            globalEnableChanged?(enable)
        }
        updateMapping()
        updateINTR()
    }

    func updateMapping() {
        guard let memory else { return }
        let wanted: UInt32? = globallyEnabled ? baseAddress : nil
        guard wanted != mappedBase else { return }
        if let old = mappedBase { memory.unmapMMIO(base: old) }
        if let new = wanted { memory.mapMMIO(self, base: new, size: Self.mmioSize) }
        mappedBase = wanted
    }

    // MARK: MMIO

    /// Registers sit on 16-byte boundaries and are 32 bits wide (SDM §10.4.1). Narrower reads
    /// return the addressed bytes; bytes 4–15 of each slot read as 0.
    public func mmioRead(offset: UInt32, width: AccessWidth) -> UInt32 {
        // A globally disabled APIC is gone from the address space (the window is unmapped when
        // the APIC maps itself; this covers a caller-mapped window).
        guard globallyEnabled else { return width.mask }
        let byte = offset & 0xF
        guard byte < 4 else { return 0 }
        return (readRegister(offset & 0xFF0) >> (8 * byte)) & width.mask
    }

    /// Narrower writes merge into the register (model-specific on real parts) and then act as a
    /// full write; writes to bytes 4–15 of a slot are dropped.
    public func mmioWrite(offset: UInt32, width: AccessWidth, value: UInt32) {
        guard globallyEnabled else { return }
        let byte = offset & 0xF
        guard byte < 4 else { return }
        let slot = offset & 0xFF0
        var full = value
        if width != .dword || byte != 0 {
            let mask = width.mask << (8 * byte)
            full = (registerValue(slot) & ~mask) | ((value << (8 * byte)) & mask)
        }
        writeRegister(slot, full)
        updateINTR()
    }

    /// A register as software reads it; reserved offsets log Illegal Register Address.
    func readRegister(_ offset: UInt32) -> UInt32 {
        guard let v = registerIfImplemented(offset) else {
            recordError(ErrorBit.illegalRegisterAddress)
            return 0
        }
        return v
    }

    /// A register's value without side effects (0 for reserved offsets).
    private func registerValue(_ offset: UInt32) -> UInt32 { registerIfImplemented(offset) ?? 0 }

    private func registerIfImplemented(_ offset: UInt32) -> UInt32? {
        switch offset {
        case Register.id: return id
        case Register.version: return Self.versionRegister
        case Register.tpr: return tpr
        case Register.apr: return apr
        case Register.ppr: return ppr
        case Register.eoi: return 0  // write-only
        case Register.rrd: return 0  // remote read is not modelled
        case Register.ldr: return ldr
        case Register.dfr: return dfr
        case Register.svr: return svr
        case Register.isr..<Register.tmr: return isr.word(Int(offset - Register.isr) >> 4)
        case Register.tmr..<Register.irr: return tmr.word(Int(offset - Register.tmr) >> 4)
        case Register.irr..<Register.esr: return irr.word(Int(offset - Register.irr) >> 4)
        case Register.esr: return esr
        case Register.icrLow: return icrLow  // delivery status: always idle
        case Register.icrHigh: return icrHigh
        case Register.lvtTimer: return lvt[LVT.timer.rawValue]
        case Register.lvtPerformance: return lvt[LVT.performance.rawValue]
        case Register.lvtLINT0: return lvt[LVT.lint0.rawValue]
        case Register.lvtLINT1: return lvt[LVT.lint1.rawValue]
        case Register.lvtError: return lvt[LVT.error.rawValue]
        case Register.timerInitialCount: return timerInitialCount
        case Register.timerCurrentCount: return timerCurrentCount(atTick: currentBusTick)
        case Register.dcr: return dcr
        default: return nil
        }
    }

    func writeRegister(_ offset: UInt32, _ value: UInt32) {
        switch offset {
        case Register.id: id = value & 0x0F00_0000
        case Register.tpr: tpr = value & 0xFF
        case Register.eoi: endOfInterrupt()
        case Register.ldr: ldr = value & 0xFF00_0000
        case Register.dfr: dfr = value | 0x0FFF_FFFF
        case Register.svr: writeSVR(value)
        case Register.esr:
            // Write-then-read (SDM §10.5.3): the write publishes the errors detected since the
            // previous write and starts collecting anew.
            esr = pendingErrors
            pendingErrors = 0
        case Register.icrLow:
            icrLow = value & ICR.writableLow
            sendIPI()
        case Register.icrHigh: icrHigh = value & ICR.writableHigh
        case Register.lvtTimer: writeLVT(.timer, value)
        case Register.lvtPerformance: writeLVT(.performance, value)
        case Register.lvtLINT0: writeLVT(.lint0, value)
        case Register.lvtLINT1: writeLVT(.lint1, value)
        case Register.lvtError: writeLVT(.error, value)
        case Register.timerInitialCount: writeTimerInitialCount(value)
        case Register.dcr: writeDivideConfiguration(value)
        case Register.version, Register.apr, Register.ppr, Register.rrd, Register.isr..<Register.esr,
             Register.timerCurrentCount:
            break  // read-only
        default:
            recordError(ErrorBit.illegalRegisterAddress)
        }
    }

    private func writeSVR(_ value: UInt32) {
        svr = (value & SVR.writable) | SVR.vectorHardwired
        if !softwareEnabled {
            // SDM §10.4.7.2: software disabling sets every LVT mask bit; IRR and ISR are kept.
            for i in lvt.indices { lvt[i] |= LVTBits.masked }
        }
    }

    private func writeLVT(_ entry: LVT, _ value: UInt32) {
        let old = lvt[entry.rawValue]
        var new = value & entry.writable
        // Remote IRR is read-only and only means something for level-triggered inputs.
        if new & LVTBits.levelTriggered != 0 { new |= old & LVTBits.remoteIRR }
        // While software disabled, mask bits cannot be cleared.
        if !softwareEnabled { new |= LVTBits.masked }
        lvt[entry.rawValue] = new
        switch entry {
        case .timer:
            if (old ^ new) & LVTBits.periodic != 0 {
                // The mode applies from now on: restate the running count so that the next
                // expiry follows the new mode (a mode change alone does not restart the timer).
                rebaseTimer(keepingPhase: true)
                armTimer()
            }
        case .lint0, .lint1:
            serviceLevelLINT(entry)
        case .performance, .error:
            break
        }
    }

    // MARK: Errors

    /// Logs errors in the ESR's collection; newly detected errors raise the error LVT's interrupt.
    /// (An illegal error vector logs Receive Illegal Vector, which is then no longer new, so this
    /// cannot recurse more than once.)
    func recordError(_ bits: UInt32) {
        let new = bits & ~pendingErrors
        pendingErrors |= bits
        guard new != 0 else { return }
        deliverLocal(.error)
        updateINTR()
    }

    // MARK: Accepting interrupts

    /// Puts a fixed interrupt into IRR (collapsing with one already requested) and records its
    /// trigger mode in TMR. Vectors 0–15 are illegal: logged, not accepted (SDM §10.5.3).
    @discardableResult
    func acceptFixed(_ vector: UInt8, levelTriggered: Bool) -> Bool {
        guard vector >= 16 else {
            recordError(ErrorBit.receiveIllegalVector)
            return false
        }
        irr.insert(vector)
        if levelTriggered { tmr.insert(vector) } else { tmr.remove(vector) }
        return true
    }

    /// Takes a message addressed to this APIC. Returns whether it was accepted.
    private func accept(mode: APICDeliveryMode, vector: UInt8, levelTriggered: Bool) -> Bool {
        switch mode {
        case .fixed, .lowestPriority:
            // A software-disabled APIC keeps what it holds but takes no new fixed interrupts;
            // it still answers NMI, INIT, SMI and start-up (SDM §10.4.7.2).
            guard softwareEnabled else { return false }
            return acceptFixed(vector, levelTriggered: levelTriggered)
        case .extINT:
            guard softwareEnabled else { return false }
            extINTLatched = true
            return true
        case .nmi:
            raiseNMI()
            return true
        case .initialize:
            initReset()
            initRequested?()
            return true
        case .startup:
            startupRequested?(vector)
            return true
        case .smi:
            return true  // accepted and dropped: SMM is not modelled
        }
    }

    /// A message from the APIC bus (an I/O APIC redirection entry). Returns whether this APIC
    /// accepted it; an I/O APIC sets Remote IRR of a level-triggered entry only then.
    @discardableResult
    public func receive(_ message: APICMessage) -> Bool {
        guard globallyEnabled,
              matchesDestination(message.destination, logical: message.logicalDestination) else { return false }
        let accepted = accept(mode: message.deliveryMode, vector: message.vector,
                              levelTriggered: message.levelTriggered)
        updateINTR()
        return accepted
    }

    /// Whether a destination field addresses this APIC (SDM §10.6.2). Physical: the 4-bit APIC ID
    /// or the P6 broadcast 0xF. Logical: the flat model ANDs the message destination address with
    /// LDR bits 31:24; the cluster model compares the cluster (high nibble, 0xF = all clusters)
    /// and ANDs the low nibbles.
    public func matchesDestination(_ destination: UInt8, logical: Bool) -> Bool {
        guard logical else {
            let d = UInt32(destination & 0x0F)
            return d == 0x0F || d == (id >> 24) & 0x0F
        }
        let logicalID = UInt8(truncatingIfNeeded: ldr >> 24)
        switch dfr >> 28 {
        case 0xF:
            return destination & logicalID != 0
        case 0x0:
            let cluster = destination >> 4
            return (cluster == 0xF || cluster == logicalID >> 4) && destination & logicalID & 0x0F != 0
        default:
            return false  // reserved models accept nothing
        }
    }

    // MARK: Local interrupt sources (LVT)

    /// Delivers an LVT source's interrupt per its entry: masked entries (every entry while
    /// software disabled) deliver nothing.
    private func deliverLocal(_ entry: LVT) {
        let value = lvt[entry.rawValue]
        guard value & LVTBits.masked == 0 else { return }
        let vector = UInt8(value & LVTBits.vector)
        guard entry.hasDeliveryMode else {
            acceptFixed(vector, levelTriggered: false)
            return
        }
        switch APICDeliveryMode(rawValue: Self.deliveryMode(value)) {
        case .fixed?:
            acceptFixed(vector, levelTriggered: false)
        case .nmi?:
            raiseNMI()
        case .initialize?:
            initReset()
            initRequested?()
        case .extINT?, .smi?, .lowestPriority?, .startup?, nil:
            // ExtINT is level-sensitive and seen through `extINTPending`; SMI is not modelled;
            // the other encodings are reserved in an LVT entry.
            break
        }
    }

    /// A LINT pin changed level.
    func setLINT(_ pin: Int, high: Bool) {
        let old = lintLevels[pin]
        guard old != high else { return }
        lintLevels[pin] = high
        guard globallyEnabled else {
            // Without an APIC, LINT0 is INTR and LINT1 is NMI (edge-triggered).
            if pin == 1 && high { raiseNMI() }
            updateINTR()
            return
        }
        let entry: LVT = pin == 0 ? .lint0 : .lint1
        if isLevelTriggeredFixed(entry) {
            serviceLevelLINT(entry)
        } else if high {
            deliverLocal(entry)  // an asserting edge
        }
        updateINTR()
    }

    /// LINT0 in fixed mode with the level bit set behaves level-triggered: Remote IRR is set when
    /// the interrupt is accepted and cleared by its EOI. SDM §10.5.1: LINT1 supports only
    /// edge-triggered interrupts, and NMI, SMI, INIT are edge and ExtINT level whatever the bit.
    private func isLevelTriggeredFixed(_ entry: LVT) -> Bool {
        let value = lvt[entry.rawValue]
        return entry == .lint0 && value & LVTBits.levelTriggered != 0
            && Self.deliveryMode(value) == APICDeliveryMode.fixed.rawValue
    }

    private func serviceLevelLINT(_ entry: LVT) {
        guard globallyEnabled, isLevelTriggeredFixed(entry) else { return }
        let value = lvt[entry.rawValue]
        guard value & (LVTBits.masked | LVTBits.remoteIRR) == 0, lintIsAsserted(entry) else { return }
        if acceptFixed(UInt8(value & LVTBits.vector), levelTriggered: true) {
            lvt[entry.rawValue] |= LVTBits.remoteIRR
        }
    }

    // MARK: EOI

    /// An EOI write ends the highest-priority vector in service (SDM §10.8.5). A level-triggered
    /// one (TMR set) also clears Remote IRR of a level LINT entry with that vector and is
    /// broadcast to the I/O APICs.
    func endOfInterrupt() {
        guard let v = isr.highest else { return }
        isr.remove(v)
        guard tmr.contains(v) else { return }
        for entry in [LVT.lint0, .lint1] where lvt[entry.rawValue] & LVTBits.remoteIRR != 0
            && UInt8(lvt[entry.rawValue] & LVTBits.vector) == v {
            lvt[entry.rawValue] &= ~LVTBits.remoteIRR
            serviceLevelLINT(entry)
        }
        endOfInterruptBroadcast?(v)
    }

    // MARK: IPIs

    /// A write to ICR bits 31:0 sends the IPI it describes (SDM §10.6.1). With no other
    /// processor, only messages that reach this APIC are delivered; a message nobody accepts
    /// sets Send Accept Error, as on the P6 APIC bus.
    private func sendIPI() {
        let mode = Self.deliveryMode(icrLow)
        let vector = UInt8(icrLow & ICR.vector)
        let level = icrLow & ICR.levelTriggered != 0
        // INIT level de-assert (P6): resynchronises arbitration IDs everywhere; nothing else.
        if mode == APICDeliveryMode.initialize.rawValue && level && icrLow & ICR.assert == 0 { return }
        // Mode 011 is remote read on P6 (not modelled); other reserved encodings do nothing.
        guard let deliveryMode = APICDeliveryMode(rawValue: mode) else { return }
        let toSelf: Bool
        switch (icrLow >> ICR.shorthandShift) & 3 {
        case 0:
            toSelf = matchesDestination(UInt8(icrHigh >> 24), logical: icrLow & ICR.logical != 0)
        case 1:
            // The self shorthand allows fixed interrupts only (SDM Table 10-3, P6).
            guard deliveryMode == .fixed else { return }
            toSelf = true
        case 2:
            toSelf = true
        default:
            toSelf = false
        }
        if (deliveryMode == .fixed || deliveryMode == .lowestPriority) && vector < 16 {
            recordError(ErrorBit.sendIllegalVector)
            if toSelf { recordError(ErrorBit.receiveIllegalVector) }
            return
        }
        guard toSelf, accept(mode: deliveryMode, vector: vector, levelTriggered: level) else {
            recordError(ErrorBit.sendAccept)
            return
        }
    }

    // MARK: Timer

    /// The timer's divider from DCR bits 3, 1, 0 (SDM Figure 10-10): 2, 4, …, 128, or 1 for 111.
    var divider: UInt64 { Self.divider(forDCR: dcr) }

    static func divider(forDCR dcr: UInt32) -> UInt64 {
        let v = (dcr & 3) | ((dcr >> 1) & 4)
        return v == 7 ? 1 : 2 << UInt64(v)
    }

    /// Bus-clock ticks from power-on up to and including `time`.
    func busTicks(at time: VirtualTime) -> UInt64 {
        let product = time.nanoseconds.multipliedFullWidth(by: configuration.busFrequencyHz)
        return UInt64(1_000_000_000).dividingFullWidth(product).quotient
    }

    /// The first virtual time at which `busTicks` reaches `tick`.
    func time(ofBusTick tick: UInt64) -> VirtualTime {
        let hz = configuration.busFrequencyHz
        let product = tick.multipliedFullWidth(by: 1_000_000_000)
        let (low, carry) = product.low.addingReportingOverflow(hz - 1)
        let high = product.high + (carry ? 1 : 0)
        guard high < hz else { return VirtualTime(nanoseconds: .max) }
        return VirtualTime(nanoseconds: hz.dividingFullWidth((high, low)).quotient)
    }

    var currentBusTick: UInt64 { busTicks(at: scheduler.now) }

    /// The Current Count Register at bus tick `tick`: counts down from `timerCount` once per
    /// `divider` bus clocks; periodic mode reloads the initial count on reaching 0, one-shot
    /// mode stays at 0.
    func timerCurrentCount(atTick tick: UInt64) -> UInt32 {
        guard timerCount != 0 else { return 0 }
        let elapsed = (tick &- timerBaseTick) / divider
        if elapsed < UInt64(timerCount) { return timerCount - UInt32(elapsed) }
        guard lvt[LVT.timer.rawValue] & LVTBits.periodic != 0, timerInitialCount != 0 else { return 0 }
        let intoPeriod = (elapsed - UInt64(timerCount)) % UInt64(timerInitialCount)
        return timerInitialCount - UInt32(intoPeriod)
    }

    /// Restates the running timer as "count c at tick b" for the current tick, so that a change
    /// of mode or divider applies from now on. `keepingPhase` keeps the position inside the
    /// current divided clock (mode changes); a divider change starts a fresh divided clock.
    private func rebaseTimer(keepingPhase: Bool) {
        let tick = currentBusTick
        let count = timerCurrentCount(atTick: tick)
        guard count != 0 else {
            timerCount = 0
            return
        }
        let phase = keepingPhase ? (tick &- timerBaseTick) % divider : 0
        timerBaseTick = tick &- phase
        timerCount = count
    }

    /// Arms the device timer for the next expiry, or cancels it when the timer is stopped.
    func armTimer() {
        guard timerCount != 0 else {
            timer.cancel()
            return
        }
        timer.arm(at: time(ofBusTick: timerBaseTick &+ UInt64(timerCount) &* divider))
    }

    private func writeTimerInitialCount(_ value: UInt32) {
        // Writing the initial count (re)starts the timer; 0 stops it (SDM §10.5.4).
        timerInitialCount = value
        timerCount = value
        timerBaseTick = currentBusTick
        armTimer()
    }

    private func writeDivideConfiguration(_ value: UInt32) {
        // The count continues from where it stands, at the new rate.
        rebaseTimer(keepingPhase: false)
        dcr = value & 0x0B
        armTimer()
    }

    /// The count reached 0: interrupt through the timer LVT entry (unless masked); periodic mode
    /// reloads the initial count.
    private func timerExpired() {
        let expiry = timerBaseTick &+ UInt64(timerCount) &* divider
        deliverLocal(.timer)
        if lvt[LVT.timer.rawValue] & LVTBits.periodic != 0 && timerInitialCount != 0 {
            timerBaseTick = expiry
            timerCount = timerInitialCount
        } else {
            timerCount = 0
        }
        armTimer()
        updateINTR()
    }
}

/// LINT0 or LINT1, handed to the device that drives it.
final class LocalAPICInputLine: InterruptLine {
    private unowned let apic: LocalAPIC
    let pin: Int

    init(apic: LocalAPIC, pin: Int) {
        self.apic = apic
        self.pin = pin
    }

    func setLevel(_ high: Bool) { apic.setLINT(pin, high: high) }
}
