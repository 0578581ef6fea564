// The PIIX4 power-management function (00:01.3): ACPI PM1 event/control registers, the PM
// timer, GPE0, the SCI, S5 power-off and the APM/SMI command port.

import EmulatorCore

/// ACPI power management: function 3 of the Intel 82371AB PIIX4, PCI 00:01.3 (8086:7113,
/// class 06/80, revision 03 = PIIX4E/M, whose PM timer needs no read-twice workaround in Linux's
/// acpi_pm clocksource).
///
/// Configuration: PMBA (0x40, I/O base of the 64-byte PM block, bits 15:6; bit 0 reads 1) and
/// PMREGMISC (0x80, bit 0 PMIOSE) decide where the PM block decodes; observers in
/// `pmBlockObservers` hear about every move (`PCIBARMapper.attach(_:)` maps it on a
/// `PortIOBus`). The device-activity and resource registers (0x44–0x7F) are stored only.
/// The SMBus registers (SMBBA 0x90, SMBHSTCFG 0xD2 and the rest) read as zeros and ignore
/// writes: no SMBus controller (Linux's i2c-piix4 then finds the base "uninitialized").
///
/// PM block, after the 82371AB datasheet's "Power Management Registers (I/O)" and the ACPI
/// specification's fixed hardware (4.8):
/// - +0x00 PMSTS (PM1_STS, write 1 to clear): TMROF_STS (0), BM_STS (4), GBL_STS (5),
///   PWRBTN_STS (8), RTC_STS (10), PWRBTNOR_STS (11), WAK_STS (15).
/// - +0x02 PMEN (PM1_EN): TMROF_EN (0), GBL_EN (5), PWRBTN_EN (8), RTC_EN (10).
/// - +0x04 PMCNTRL (PM1_CNT): SCI_EN (0), BRLD_EN_BM (1), GBL_RLS (2, write-only: sets BIOS_STS
///   in GLBSTS), SUS_TYP (12:10), SUS_EN (13, write-only: enter the sleep state SUS_TYP says).
/// - +0x08 PMTMR: the 24-bit ACPI PM timer at 3.579545 MHz, computed from virtual time when
///   read. TMROF_STS is set whenever bit 23 changes.
/// - +0x0C GPSTS / +0x0E GPEN: GPE0 status (write 1 to clear) and enables; sources set status
///   bits through `raiseGeneralPurposeEvent`.
/// - +0x14/+0x15 P_LVL2/P_LVL3 read 0 (no C2/C3); GLBSTS, DEVSTS (write 1 to clear), GLBEN,
///   GLBCTL (BIOS_RLS, bit 1, write-only: sets GBL_STS), DEVCTL, GPOREG are stored; GPIREG
///   reads 0.
///
/// The SCI is driven high while SCI_EN is set and a status bit is set whose enable is set
/// (PM1 or GPE0); it is level-triggered (the board's choice, as Linux and QEMU expect on IRQ 9).
/// A `DeviceTimer` is armed for the next bit-23 change only while TMROF_EN and SCI_EN are set
/// and TMROF_STS is clear; otherwise the status is brought up to date when software looks.
///
/// Sleep: SUS_EN with SUS_TYP = 000 (soft off, the DSDT's \_S5) calls `powerOff`.
/// DEVIATION: every other sleep type is accepted and the machine "wakes" at once: WAK_STS is
/// set and execution continues (an OS that waits for WAK_STS after S1 carries on).
///
/// SMI_CMD / APM: the APM control port (APMC, 0xB2) and status port (APMS, 0xB3) answer through
/// `smiCommandPort`. DEVIATION: there is no SMM; writing ACPI_ENABLE or ACPI_DISABLE to APMC
/// sets or clears SCI_EN directly, as the firmware's SMI handler would. Other values are stored.
///
/// Not modelled: SMI# generation, the device monitors and idle timers, suspend well and resume
/// logic, thermal and lid inputs, clock throttling (PCNTRL is stored only), the power-button
/// override (a 4-second press), the SMBus controller.
public final class PIIX4PowerManagement: PCIFunction, PortIODevice {
    public static let identity = PCIDeviceIdentity(vendorID: 0x8086, deviceID: 0x7113, revision: 0x03,
                                                   classCode: .otherBridge)
    /// Where the function sits: bus 0, device 1, function 3.
    public static let device = 1
    public static let function = 3
    /// The ACPI PM timer's clock (14.31818 MHz / 4).
    public static let timerFrequencyHz: UInt64 = 3_579_545
    /// DEVACTB bit 25: writes to the APM control port raise an SMI.
    public static let apmcEnable: UInt32 = 1 << 25
    static let nanosecondsPerSecond: UInt64 = 1_000_000_000

    /// Configuration register offsets.
    public enum Register {
        /// PMBA: power-management I/O base.
        public static let pmba = 0x40
        /// PMREGMISC: bit 0 PMIOSE enables the PM block.
        public static let pmRegMisc = 0x80
        /// SMBBA: SMBus I/O base (stubbed: reads 0).
        public static let smbba = 0x90
        /// DEVACTB: device activity B, with the APMC enable bit.
        public static let devactb = 0x58
    }

    /// Offsets within the PM I/O block.
    public enum Offset {
        public static let pm1Status: UInt16 = 0x00
        public static let pm1Enable: UInt16 = 0x02
        public static let pm1Control: UInt16 = 0x04
        public static let pmTimer: UInt16 = 0x08
        public static let gpe0Status: UInt16 = 0x0C
        public static let gpe0Enable: UInt16 = 0x0E
        static let processorControl: UInt16 = 0x10
        static let globalStatus: UInt16 = 0x18
        static let deviceStatus: UInt16 = 0x1C
        static let globalEnable: UInt16 = 0x20
        static let globalControl: UInt16 = 0x28
        static let deviceControl: UInt16 = 0x2C
        static let gpiRegister: UInt16 = 0x30
        static let gpoRegister: UInt16 = 0x34
    }

    /// PM1_STS bits.
    public struct PM1Status: OptionSet, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// TMROF_STS: PM timer bit 23 changed.
        public static let timer = PM1Status(rawValue: 1 << 0)
        public static let busMaster = PM1Status(rawValue: 1 << 4)
        /// GBL_STS: the BIOS released the global lock (BIOS_RLS).
        public static let global = PM1Status(rawValue: 1 << 5)
        public static let powerButton = PM1Status(rawValue: 1 << 8)
        public static let rtc = PM1Status(rawValue: 1 << 10)
        public static let powerButtonOverride = PM1Status(rawValue: 1 << 11)
        /// WAK_STS: the system woke from a sleep state.
        public static let wake = PM1Status(rawValue: 1 << 15)
        static let all: PM1Status = [.timer, .busMaster, .global, .powerButton, .rtc, .powerButtonOverride, .wake]
        /// The events that have an enable bit and can raise the SCI.
        static let enableable: PM1Status = [.timer, .global, .powerButton, .rtc]
    }

    /// PM1_CNT bits.
    public struct PM1Control: OptionSet, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// SCI_EN: power-management events raise the SCI (ACPI mode).
        public static let sciEnable = PM1Control(rawValue: 1 << 0)
        public static let busMasterReload = PM1Control(rawValue: 1 << 1)
        /// GBL_RLS (write-only).
        public static let globalRelease = PM1Control(rawValue: 1 << 2)
        /// SUS_EN / SLP_EN (write-only).
        public static let sleepEnable = PM1Control(rawValue: 1 << 13)
        static let sleepTypeShift: UInt16 = 10
        static let sleepTypeMask: UInt16 = 0x7 << 10
    }

    /// PIIX4 SUS_TYP encodings.
    public enum SleepType: UInt8, Sendable {
        /// Soft off (S5) or suspend to disk.
        case softOff = 0
        /// Suspend to RAM.
        case suspendToRAM = 1
        /// Power-on suspend, context lost.
        case powerOnSuspendContextLost = 2
        /// Power-on suspend, CPU context lost.
        case powerOnSuspendCPUContextLost = 3
        /// Power-on suspend, context maintained (S1).
        case powerOnSuspend = 4
        /// Working (clock control).
        case working = 5
    }

    public let config: PCIConfigSpace
    public let layout: ACPIPMLayout
    /// APMC (SMI_CMD, 0xB2) and APMS (0xB3): claim `smiCommandPort.ports` for it.
    public private(set) lazy var smiCommandPort = APMControlPorts(pm: self)

    let scheduler: Scheduler
    let sci: InterruptLine
    let powerOff: () -> Void
    private var timer: DeviceTimer!

    /// The PM block's registers (the timer bytes are unused: PMTMR is computed).
    var registers = Array(repeating: UInt8(0), count: ACPIPMLayout.pmBlockSize)
    /// Bits software may write, per byte.
    static let writeMask: [UInt8] = makeMasks([
        (Offset.pm1Enable, .word, UInt32(PM1Status.enableable.rawValue)),
        (Offset.pm1Control, .word, UInt32(PM1Control.sciEnable.rawValue | PM1Control.busMasterReload.rawValue
                                          | PM1Control.sleepTypeMask)),
        (Offset.gpe0Enable, .word, 0xFFFF),
        (Offset.processorControl, .dword, 0xFFFF_FFFF),
        (Offset.globalEnable, .word, 0xFFFF),
        (Offset.globalControl, .dword, 0xFFFF_FFFD),
        (Offset.deviceControl, .dword, 0xFFFF_FFFF),
        (Offset.gpoRegister, .dword, 0xFFFF_FFFF),
    ])
    /// Bits software clears by writing 1, per byte.
    static let clearMask: [UInt8] = makeMasks([
        (Offset.pm1Status, .word, UInt32(PM1Status.all.rawValue)),
        (Offset.gpe0Status, .word, 0xFFFF),
        (Offset.globalStatus, .word, 0xFFFF),
        (Offset.deviceStatus, .dword, 0xFFFF_FFFF),
    ])

    private static func makeMasks(_ list: [(UInt16, AccessWidth, UInt32)]) -> [UInt8] {
        var m = Array(repeating: UInt8(0), count: ACPIPMLayout.pmBlockSize)
        for (offset, width, value) in list {
            for i in 0..<width.rawValue { m[Int(offset) + i] = UInt8(truncatingIfNeeded: value >> UInt32(8 * i)) }
        }
        return m
    }

    /// PM timer count = clock ticks since power-on + this (wrapping); only its low 24 bits show.
    var timerOffset: UInt64 = 0
    /// The full count when TMROF_STS was last brought up to date.
    var timerCountSynced: UInt64 = 0
    /// APMC and APMS.
    var apmControl: UInt8 = 0
    var apmStatus: UInt8 = 0
    /// The level last driven on the SCI.
    public private(set) var sciLevel = false

    /// Where the PM block decodes now (nil while PMIOSE is clear or PMBA is 0).
    public private(set) var pmBlock: PCIBARRegion?
    /// Called with `(old, new)` when the PM block moves, appears or disappears.
    public var pmBlockObservers: [(PCIBARRegion?, PCIBARRegion?) -> Void] = []

    /// - Parameters:
    ///   - scheduler: virtual time (the PM timer and its TMROF_STS edges).
    ///   - sci: the SCI output (ISA IRQ `layout.sciIRQ`, level-triggered, active high).
    ///   - layout: the ACPI enable/disable values for SMI_CMD and the firmware's PMBA.
    ///   - powerOff: called when software enters S5.
    public init(scheduler: Scheduler, sci: InterruptLine, layout: ACPIPMLayout = .standard,
                powerOff: @escaping () -> Void) {
        self.scheduler = scheduler
        self.sci = sci
        self.layout = layout
        self.powerOff = powerOff
        config = PCIConfigSpace(identity: Self.identity, interruptPin: .intA, command: [],
                                commandWriteMask: [.ioSpace], status: [.fastBackToBackCapable, .devselMedium])
        config.defineRegister(at: PCIConfigSpace.Offset.cacheLineSize, width: .byte, value: 0)
        config.defineRegister(at: PCIConfigSpace.Offset.latencyTimer, width: .byte, value: 0)
        config.defineRegister(at: Register.pmba, width: .dword, value: 0x1, writeMask: 0xFFC0)
        // CNTA, CNTB, GPICTL, DEVRESD, DEVACTA/B, DEVRESA–C, DEVRESE–J: stored only.
        for offset in stride(from: 0x44, to: 0x80, by: 4) {
            config.defineRegister(at: offset, width: .dword, value: 0, writeMask: 0xFFFF_FFFF)
        }
        // DEVIATION: there is no SMM, so DEVACTB.APMC_EN (bit 25) comes out of reset set and
        // cannot be cleared — firmware that installs an SMM handler before enabling APMC SMIs
        // (SeaBIOS) takes it as already done and never waits for an SMI, as on QEMU with
        // smm=off. Writes to APMC still work: the ACPI enable/disable commands are handled here.
        config.defineRegister(at: Register.devactb, width: .dword, value: Self.apmcEnable,
                              writeMask: 0xFFFF_FFFF & ~Self.apmcEnable)
        config.defineRegister(at: Register.pmRegMisc, width: .byte, value: 0, writeMask: 0x01)
        timer = DeviceTimer(name: "acpi.pmtimer", scheduler: scheduler) { [unowned self] _ in
            timerEdge()
        }
    }

    /// Programs PMBA and PMIOSE as the firmware does at POST, for firmware that does not.
    public func configureAsFirmware() {
        configWrite(offset: Register.pmba, width: .dword, value: UInt32(layout.pmBase) | 1)
        configWrite(offset: Register.pmRegMisc, width: .byte, value: 1)
    }

    /// Returns registers to power-on values: PMBA cleared (the block unmapped), events and
    /// enables cleared, SCI lowered. The PM timer keeps counting.
    public func reset() {
        registers = Array(repeating: 0, count: ACPIPMLayout.pmBlockSize)
        apmControl = 0
        apmStatus = 0
        timerCountSynced = timerCount()
        config.reset()
        updatePMBlock()
        update()
    }

    // MARK: Guest-visible state

    /// PM1_STS (TMROF_STS brought up to date).
    public var pm1Status: PM1Status {
        syncTimerStatus()
        return PM1Status(rawValue: UInt16(word(Offset.pm1Status)))
    }

    var pm1Enable: PM1Status { PM1Status(rawValue: UInt16(word(Offset.pm1Enable))) }
    var pm1Control: PM1Control { PM1Control(rawValue: UInt16(word(Offset.pm1Control))) }

    /// PM1_CNT.SCI_EN: the OS has switched to ACPI mode.
    public var isACPIEnabled: Bool { pm1Control.contains(.sciEnable) }

    /// The PM timer as software reads it (24 bits).
    public var timerValue: UInt32 { UInt32(truncatingIfNeeded: timerCount() & 0xFF_FFFF) }

    // MARK: Events

    /// A press of the power button: PWRBTN_STS, and the SCI when PWRBTN_EN and SCI_EN are set.
    /// Without an ACPI OS (SCI_EN clear) nothing else happens; the machine may power off itself.
    public func powerButton() {
        setStatus(PM1Status.powerButton.rawValue, at: Offset.pm1Status)
        update()
    }

    /// Sets GPE0 status bit `bit` (0–15), raising the SCI when its enable bit and SCI_EN are set.
    public func raiseGeneralPurposeEvent(_ bit: Int) {
        precondition((0..<16).contains(bit), "GPE0 has 16 status bits")
        setStatus(1 << UInt16(bit), at: Offset.gpe0Status)
        update()
    }

    // MARK: PCIFunction

    public func configWrite(offset: Int, width: AccessWidth, value: UInt32) {
        config.write(offset: offset, width: width, value: value)
        if PCIConfigSpace.access(offset: offset, width: width, touches: Register.pmba...Register.pmba + 3)
            || PCIConfigSpace.access(offset: offset, width: width, touches: Register.pmRegMisc...Register.pmRegMisc) {
            updatePMBlock()
        }
    }

    /// Recomputes where the PM block decodes and tells the observers about a change.
    func updatePMBlock() {
        let base = config.raw(offset: Register.pmba, width: .dword) & 0xFFC0
        let enabled = config.raw(offset: Register.pmRegMisc, width: .byte) & 1 != 0
        let new = enabled && base != 0
            ? PCIBARRegion(space: .io, base: base, size: UInt32(ACPIPMLayout.pmBlockSize)) : nil
        guard new != pmBlock else { return }
        let old = pmBlock
        pmBlock = new
        for o in pmBlockObservers { o(old, new) }
    }

    // MARK: PortIODevice (the PM block; ports are absolute)

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        guard let block = pmBlock, UInt32(port.value) >= block.base else { return width.mask }
        let offset = Int(UInt32(port.value) - block.base)
        syncTimerStatus()
        let tmr = timerValue
        var v: UInt32 = 0
        for i in 0..<width.rawValue {
            let o = offset + i
            let b: UInt8
            switch o {
            case Int(Offset.pmTimer)..<Int(Offset.pmTimer) + 4:
                b = UInt8(truncatingIfNeeded: tmr >> UInt32(8 * (o - Int(Offset.pmTimer))))
            case ..<ACPIPMLayout.pmBlockSize:
                b = registers[o]
            default:
                b = 0xFF
            }
            v |= UInt32(b) << UInt32(8 * i)
        }
        return v
    }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        guard let block = pmBlock, UInt32(port.value) >= block.base else { return }
        let offset = Int(UInt32(port.value) - block.base)
        // Latch any bit-23 change up to now first, so a write-1-to-clear clears it.
        syncTimerStatus()
        var sleepRequest: UInt8?
        for i in 0..<width.rawValue where offset + i < ACPIPMLayout.pmBlockSize {
            let o = offset + i
            let v = UInt8(truncatingIfNeeded: value >> UInt32(8 * i))
            registers[o] = (registers[o] & ~Self.writeMask[o]) | (v & Self.writeMask[o])
            registers[o] &= ~(v & Self.clearMask[o])
            switch o {
            case Int(Offset.pm1Control) where v & UInt8(PM1Control.globalRelease.rawValue) != 0:
                // GBL_RLS: BIOS_STS in GLBSTS (the SMI it would raise is not modelled).
                setStatus(0x0001, at: Offset.globalStatus)
            case Int(Offset.pm1Control) + 1 where v & UInt8(PM1Control.sleepEnable.rawValue >> 8) != 0:
                sleepRequest = UInt8((word(Offset.pm1Control) & UInt32(PM1Control.sleepTypeMask))
                                     >> UInt32(PM1Control.sleepTypeShift))
            case Int(Offset.globalControl) where v & 0x02 != 0:
                // BIOS_RLS: the BIOS releases the global lock: GBL_STS.
                setStatus(PM1Status.global.rawValue, at: Offset.pm1Status)
            default:
                break
            }
        }
        update()
        if let type = sleepRequest { enterSleep(type) }
    }

    private func enterSleep(_ type: UInt8) {
        if type == SleepType.softOff.rawValue {
            powerOff()
        } else {
            // DEVIATION: no sleeping; wake at once.
            setStatus(PM1Status.wake.rawValue, at: Offset.pm1Status)
            update()
        }
    }

    // MARK: SMI command port

    func writeAPMControl(_ value: UInt8) {
        apmControl = value
        var control = word(Offset.pm1Control)
        if value == layout.acpiEnable {
            control |= UInt32(PM1Control.sciEnable.rawValue)
        } else if value == layout.acpiDisable {
            control &= ~UInt32(PM1Control.sciEnable.rawValue)
        } else {
            return
        }
        syncTimerStatus()
        setWord(control, at: Offset.pm1Control)
        update()
    }

    // MARK: Registers

    func word(_ offset: UInt16) -> UInt32 {
        UInt32(registers[Int(offset)]) | UInt32(registers[Int(offset) + 1]) << 8
    }

    private func setWord(_ value: UInt32, at offset: UInt16) {
        registers[Int(offset)] = UInt8(truncatingIfNeeded: value)
        registers[Int(offset) + 1] = UInt8(truncatingIfNeeded: value >> 8)
    }

    private func setStatus(_ bits: UInt16, at offset: UInt16) {
        setWord(word(offset) | UInt32(bits), at: offset)
    }

    // MARK: SCI and the PM timer

    /// Drives the SCI (when it changes, or always with `forceSCI`) and arms the timer for the next
    /// TMROF_STS edge if one could raise the SCI.
    func update(forceSCI: Bool = false) {
        let pm1 = word(Offset.pm1Status) & word(Offset.pm1Enable) & UInt32(PM1Status.enableable.rawValue)
        let gpe = word(Offset.gpe0Status) & word(Offset.gpe0Enable)
        let level = isACPIEnabled && (pm1 != 0 || gpe != 0)
        if level != sciLevel || forceSCI {
            sciLevel = level
            sci.setLevel(level)
        }
        armTimer()
    }

    private func armTimer() {
        let needed = isACPIEnabled && pm1Enable.contains(.timer)
            && PM1Status(rawValue: UInt16(word(Offset.pm1Status))).isDisjoint(with: .timer)
        guard needed else {
            timer.cancel()
            return
        }
        let count = timerCount()
        let edge = ((count >> 23) + 1) << 23
        timer.arm(at: Self.time(ofTick: Self.clockTicks(at: scheduler.now) + (edge - count)))
    }

    private func timerEdge() {
        syncTimerStatus()
        update()
    }

    /// The full (unwrapped) PM timer count now.
    func timerCount() -> UInt64 { Self.clockTicks(at: scheduler.now) &+ timerOffset }

    /// Sets TMROF_STS if bit 23 changed since the last look.
    func syncTimerStatus() {
        let count = timerCount()
        if count >> 23 != timerCountSynced >> 23 { setStatus(PM1Status.timer.rawValue, at: Offset.pm1Status) }
        timerCountSynced = count
    }

    /// PM timer clock pulses from power-on up to and including `time`.
    public static func clockTicks(at time: VirtualTime) -> UInt64 {
        let product = time.nanoseconds.multipliedFullWidth(by: timerFrequencyHz)
        return nanosecondsPerSecond.dividingFullWidth(product).quotient
    }

    /// The first virtual time at which `clockTicks` reaches `tick`.
    public static func time(ofTick tick: UInt64) -> VirtualTime {
        let product = tick.multipliedFullWidth(by: nanosecondsPerSecond)
        let (low, carry) = product.low.addingReportingOverflow(timerFrequencyHz - 1)
        let high = product.high + (carry ? 1 : 0)
        guard high < timerFrequencyHz else { return VirtualTime(nanoseconds: .max) }
        return VirtualTime(nanoseconds: timerFrequencyHz.dividingFullWidth((high, low)).quotient)
    }
}

/// The APM control and status ports of the PIIX4 (APMC 0xB2, APMS 0xB3). APMC is the FADT's
/// SMI_CMD: ACPI_ENABLE / ACPI_DISABLE switch SCI_EN. Both read back what was written.
public final class APMControlPorts: PortIODevice {
    private unowned let pm: PIIX4PowerManagement

    init(pm: PIIX4PowerManagement) { self.pm = pm }

    /// The ports this device answers when registered at the layout's SMI_CMD.
    public var ports: ClosedRange<UInt16> { pm.layout.smiCommandPort...pm.layout.smiCommandPort + 1 }

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<width.rawValue {
            let p = port.value &+ UInt16(i)
            let b: UInt8 = p == pm.layout.smiCommandPort ? pm.apmControl
                : p == pm.layout.smiCommandPort + 1 ? pm.apmStatus : 0xFF
            v |= UInt32(b) << UInt32(8 * i)
        }
        return v
    }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        for i in 0..<width.rawValue {
            let p = port.value &+ UInt16(i)
            let b = UInt8(truncatingIfNeeded: value >> UInt32(8 * i))
            if p == pm.layout.smiCommandPort {
                pm.writeAPMControl(b)
            } else if p == pm.layout.smiCommandPort + 1 {
                pm.apmStatus = b
            }
        }
    }
}
