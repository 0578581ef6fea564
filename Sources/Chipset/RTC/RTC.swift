// The MC146818 real-time clock with its 128 bytes of CMOS RAM, behind ports 0x70/0x71.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import EmulatorCore

/// The PC real-time clock: a Motorola MC146818 (as integrated in PC chipsets) and its CMOS RAM.
///
/// Port 0x70 selects a byte (bits 6-0) and masks NMIs (bit 7, reported through
/// `nmiMaskChanged`); port 0x71 reads and writes it. Interrupts go out on one line (ISA IRQ 8),
/// held high while register C's IRQF is set. Follows the MC146818 datasheet: time, calendar and
/// alarm bytes in BCD or binary (register B DM) and 12/24-hour format, register A's divider and
/// rate select, register B's SET/PIE/AIE/UIE, register C's flags (set whether or not enabled,
/// cleared by reading), register D's VRT.
///
/// Time is virtual: the time registers hold the date as of the last time the device caught up,
/// and advance by the number of update cycles (one a second, phased from the divider chain)
/// between then and `scheduler.now`. The start date is the host clock at power-on or a fixed
/// date for reproducible runs. Interrupts arm one timer for the next enabled edge only.
///
/// Deliberately not modelled:
/// - DEVIATION: an update cycle takes no time: UIP is high for the 244 µs before the update and
///   the registers change at its end, rather than being unreadable for a further 1984 µs.
/// - Time bases other than 32.768 kHz (DV = 000/001 stop the clock like a divider reset), the
///   SQW pin, daylight-saving adjustment (DSE is stored and ignored), the extended 128-byte bank
///   at ports 0x72/0x73.
/// - Invalid time values (e.g. BCD 0x6A seconds) read back as written, but are clamped into range
///   when the clock next advances, instead of following the chip's undocumented carries.
/// - DEVIATION: when the year wraps from 99 the century byte (0x32) is carried too, as later PC
///   chipsets do; the MC146818 leaves it to software.
public final class RTC: BytePortDevice {
    /// Where the clock starts at power-on.
    public enum StartTime: Sendable, Equatable {
        /// The host's current time in UTC (what Linux guests usually expect).
        case hostUTC
        /// The host's current local time (what DOS and Windows guests expect).
        case hostLocalTime
        /// A fixed date, so runs are reproducible.
        case fixed(RTCDateTime)
    }

    public static let indexPort = IOPort(0x70)
    public static let dataPort = IOPort(0x71)
    /// The ports the RTC answers, for the machine to claim.
    public static let ports: ClosedRange<UInt16> = 0x70...0x71

    enum Constants {
        static let second: Int64 = 1_000_000_000
        /// After the divider chain leaves reset, the first update comes half a second later.
        static let firstUpdateDelay: Int64 = 500_000_000
        /// UIP rises 244 µs (8 cycles of the 32.768 kHz time base) before each update.
        static let updateInProgressLead: Int64 = 244_141
        /// One 32.768 kHz cycle is 1e9 / 32768 = 1953125 / 64 ns.
        static let tickNumerator: Int64 = 1_953_125
        static let tickDenominator: Int64 = 64
        static let ramSize = 128
        static let secondsPerDay = 86_400
        /// Register A at power-on as a BIOS leaves it: 32.768 kHz time base, 1024 Hz rate.
        static let powerOnRegisterA: UInt8 = 0x26
        /// Register B at power-on: 24-hour BCD.
        static let powerOnRegisterB: UInt8 = 0x02
    }

    /// Register A.
    enum RegisterA {
        /// UIP: update in progress (read-only, computed).
        static let updateInProgress: UInt8 = 0x80
        /// DV2-0: time base / divider control.
        static let dividerMask: UInt8 = 0x70
        /// DV = 010: 32.768 kHz time base, divider running.
        static let dividerNormal: UInt8 = 0x20
        /// RS3-0: periodic interrupt rate.
        static let rateMask: UInt8 = 0x0F
    }

    /// Register B.
    struct RegisterB: OptionSet {
        var rawValue: UInt8
        /// SET: updates inhibited while the time is being set.
        static let set = Self(rawValue: 0x80)
        /// PIE: periodic interrupt enable.
        static let periodicEnable = Self(rawValue: 0x40)
        /// AIE: alarm interrupt enable.
        static let alarmEnable = Self(rawValue: 0x20)
        /// UIE: update-ended interrupt enable.
        static let updateEndedEnable = Self(rawValue: 0x10)
        /// SQWE: square-wave output enable.
        static let squareWaveEnable = Self(rawValue: 0x08)
        /// DM: binary (1) or BCD (0) time and calendar.
        static let binary = Self(rawValue: 0x04)
        /// 24/12: 24-hour (1) or 12-hour (0) format.
        static let twentyFourHour = Self(rawValue: 0x02)
        /// DSE: daylight saving enable.
        static let daylightSaving = Self(rawValue: 0x01)
    }

    /// Register C.
    struct RegisterC: OptionSet {
        var rawValue: UInt8
        /// IRQF: an enabled flag is set (the IRQ line is asserted).
        static let interruptRequest = Self(rawValue: 0x80)
        /// PF: a periodic edge passed.
        static let periodic = Self(rawValue: 0x40)
        /// AF: an update matched the alarm.
        static let alarm = Self(rawValue: 0x20)
        /// UF: an update cycle ended.
        static let updateEnded = Self(rawValue: 0x10)
        static let flags: Self = [.periodic, .alarm, .updateEnded]
    }

    /// Register D: VRT, valid RAM and time (the battery is never flat).
    static let registerD: UInt8 = 0x80
    /// Alarm bytes with both top bits set match any value.
    static let alarmDontCare: UInt8 = 0xC0

    public let snapshotSection = "rtc"
    private let interrupt: InterruptLine
    private let scheduler: Scheduler
    private let nmiMaskChanged: (Bool) -> Void
    private var timer: DeviceTimer!

    /// CMOS RAM. 0x00-0x09 hold the time and alarm as of `syncedAt`; 0x0A holds register A
    /// without UIP; 0x0B register B; 0x0C and 0x0D are not used (computed on read).
    var ram: [UInt8]
    /// Selected byte (port 0x70 bits 6-0).
    var index: UInt8 = 0
    /// Port 0x70 bit 7: NMIs masked.
    public private(set) var nmiMasked = false
    /// PF, AF, UF latched up to `syncedAt`.
    var flags = RegisterC()
    /// Virtual time (ns) up to which `ram` and `flags` account for every update and edge.
    var syncedAt: Int64
    /// Virtual time (ns) the divider chain last left reset: periodic edges fall on multiples of
    /// the period from here, updates at +0.5 s and every second after. May be negative.
    var dividerStart: Int64
    private var irqLevel = false
    /// Virtual time of the next alarm match, valid until a register write (`nil` inside: never).
    private var alarmDeadlineCache: Int64?? = nil

    /// An RTC starting at `start`, with register A = 0x26 and B = 0x02 and all other CMOS bytes 0
    /// (fill in the PC layout with `applyStandardLayout(_:)`). `nmiMaskChanged` hears every
    /// change of port 0x70 bit 7 (true = NMIs masked).
    public init(interrupt: InterruptLine, scheduler: Scheduler, start: StartTime = .hostUTC,
                nmiMaskChanged: @escaping (Bool) -> Void = { _ in }) {
        self.interrupt = interrupt
        self.scheduler = scheduler
        self.nmiMaskChanged = nmiMaskChanged
        ram = [UInt8](repeating: 0, count: Constants.ramSize)
        ram[Int(CMOSLayout.registerA)] = Constants.powerOnRegisterA
        ram[Int(CMOSLayout.registerB)] = Constants.powerOnRegisterB
        let (date, fraction) = Self.startingPoint(start)
        let now = Int64(clamping: scheduler.now.nanoseconds)
        syncedAt = now
        // Phase the divider so the first update comes when the starting second is over.
        dividerStart = now - fraction - Constants.firstUpdateDelay
        encodeClock(date, dayOfWeek: date.dayOfWeek, writeCentury: true)
        timer = DeviceTimer(name: "rtc", scheduler: scheduler) { [weak self] _ in self?.timerFired() }
    }

    deinit { timer.cancel() }

    private static func startingPoint(_ start: StartTime) -> (RTCDateTime, Int64) {
        switch start {
        case let .fixed(date):
            return (date, 0)
        case .hostUTC, .hostLocalTime:
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            var seconds = now.tv_sec
            var parts = tm()
            if start == .hostUTC { gmtime_r(&seconds, &parts) } else { localtime_r(&seconds, &parts) }
            let date = RTCDateTime(year: min(max(Int(parts.tm_year) + 1900, 0), 9999),
                                   month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                                   hour: Int(parts.tm_hour), minute: Int(parts.tm_min),
                                   second: min(Int(parts.tm_sec), 59))
            return (date, Int64(now.tv_nsec))
        }
    }

    /// RESET pin: clears PIE, AIE, UIE and SQWE and the flags, and drops IRQ 8. Time, register A
    /// and the CMOS RAM are battery-backed and stay.
    public func reset() {
        catchUp()
        var b = registerB
        b.subtract([.periodicEnable, .alarmEnable, .updateEndedEnable, .squareWaveEnable])
        ram[Int(CMOSLayout.registerB)] = b.rawValue
        flags = []
        alarmDeadlineCache = nil
        updateInterrupt()
        rearm()
    }

    // MARK: - Port I/O

    public func readPortByte(_ port: UInt16) -> UInt8 {
        switch port {
        // DEVIATION: port 0x70 reads back the last value written (many chipsets float it).
        case Self.indexPort.value: return index | (nmiMasked ? 0x80 : 0)
        case Self.dataPort.value: return readData()
        default: return 0xFF
        }
    }

    public func writePortByte(_ port: UInt16, _ value: UInt8) {
        switch port {
        case Self.indexPort.value: writeIndex(value)
        case Self.dataPort.value: writeData(value)
        default: break
        }
    }

    private func writeIndex(_ value: UInt8) {
        index = value & 0x7F
        let masked = value & 0x80 != 0
        if masked != nmiMasked {
            nmiMasked = masked
            nmiMaskChanged(masked)
        }
    }

    private func readData() -> UInt8 {
        if index == CMOSLayout.registerC {
            catchUp()
            let value = currentRegisterC
            flags = []
            updateInterrupt()
            rearm()
            return value
        }
        return peek(index)
    }

    private func writeData(_ value: UInt8) { poke(index, value) }

    /// A CMOS byte as port 0x71 would return it, except that reading register C here does not
    /// clear it (for firmware services and debuggers).
    public func readCMOS(_ offset: UInt8) -> UInt8 { peek(offset & 0x7F) }

    /// Writes a CMOS byte exactly as the guest would through port 0x71.
    public func writeCMOS(_ offset: UInt8, _ value: UInt8) { poke(offset & 0x7F, value) }

    private func peek(_ offset: UInt8) -> UInt8 {
        switch offset {
        case 0x00...0x09, CMOSLayout.century, CMOSLayout.registerC:
            catchUp()
            updateInterrupt()
            return offset == CMOSLayout.registerC ? currentRegisterC : ram[Int(offset)]
        case CMOSLayout.registerA:
            return ram[Int(offset)] | (updateInProgress ? RegisterA.updateInProgress : 0)
        case CMOSLayout.registerD:
            return Self.registerD
        default:
            return ram[Int(offset)]
        }
    }

    private func poke(_ offset: UInt8, _ value: UInt8) {
        catchUp()
        switch offset {
        case CMOSLayout.registerA:
            let wasRunning = dividerRunning
            ram[Int(offset)] = value & ~RegisterA.updateInProgress
            if dividerRunning && !wasRunning {
                // Leaving divider reset: periodic edges restart from now, the first update
                // follows half a second later.
                dividerStart = now
            }
        case CMOSLayout.registerB:
            var b = RegisterB(rawValue: value)
            // SET going high aborts any update and clears UIE (datasheet, register B).
            if b.contains(.set) && !registerB.contains(.set) { b.remove(.updateEndedEnable) }
            ram[Int(offset)] = b.rawValue
        case CMOSLayout.registerC, CMOSLayout.registerD:
            return  // read-only
        default:
            // Time bytes written here (with or without SET) are the new base the clock counts on from.
            ram[Int(offset)] = value
        }
        alarmDeadlineCache = nil
        updateInterrupt()
        rearm()
    }

    // MARK: - Time base

    private var now: Int64 { Int64(clamping: scheduler.now.nanoseconds) }
    private var registerB: RegisterB { RegisterB(rawValue: ram[Int(CMOSLayout.registerB)]) }
    private var dividerRunning: Bool {
        ram[Int(CMOSLayout.registerA)] & RegisterA.dividerMask == RegisterA.dividerNormal
    }
    private var updatesRunning: Bool { dividerRunning && !registerB.contains(.set) }

    /// Periodic interrupt period in 32.768 kHz cycles for register A's RS3-0, nil for none.
    /// RS = 1 and 2 give 256 and 128 Hz on this time base (datasheet rate table).
    var periodTicks: Int64? {
        let rs = Int64(ram[Int(CMOSLayout.registerA)] & RegisterA.rateMask)
        switch rs {
        case 0: return nil
        case 1, 2: return 1 << (rs + 6)
        default: return 1 << (rs - 1)
        }
    }

    /// Whole 32.768 kHz cycles in `ns` (ns >= 0).
    private static func ticks(_ ns: Int64) -> Int64 {
        (ns / Constants.tickNumerator) * Constants.tickDenominator
            + (ns % Constants.tickNumerator) * Constants.tickDenominator / Constants.tickNumerator
    }

    /// The first whole nanosecond at or after `ticks` cycles.
    private static func nanoseconds(ticks: Int64) -> Int64 {
        (ticks / Constants.tickDenominator) * Constants.tickNumerator
            + ((ticks % Constants.tickDenominator) * Constants.tickNumerator + Constants.tickDenominator - 1)
            / Constants.tickDenominator
    }

    /// Updates that have happened at or before `t` since the divider left reset.
    private func updateCount(through t: Int64) -> Int64 {
        let first = dividerStart + Constants.firstUpdateDelay
        return t < first ? 0 : (t - first) / Constants.second + 1
    }

    private func nextUpdate(after t: Int64) -> Int64 {
        dividerStart + Constants.firstUpdateDelay + updateCount(through: t) * Constants.second
    }

    private func periodicCount(through t: Int64, period: Int64) -> Int64 {
        t <= dividerStart ? 0 : Self.ticks(t - dividerStart) / period
    }

    private func nextPeriodicEdge(after t: Int64, period: Int64) -> Int64 {
        dividerStart + Self.nanoseconds(ticks: (periodicCount(through: t, period: period) + 1) * period)
    }

    /// UIP: high during the 244 µs before each update; cleared by SET.
    private var updateInProgress: Bool {
        guard updatesRunning else { return false }
        let t = now
        return nextUpdate(after: t) - t <= Constants.updateInProgressLead
    }

    /// Brings the time registers and flags up to `scheduler.now`.
    private func catchUp() {
        let t = now
        guard t > syncedAt else { return }
        if updatesRunning {
            let updates = updateCount(through: t) - updateCount(through: syncedAt)
            if updates > 0 {
                if !flags.contains(.alarm) && alarmMatch(withinUpdates: updates) != nil {
                    flags.insert(.alarm)
                }
                flags.insert(.updateEnded)
                advanceClock(bySeconds: updates)
            }
        }
        if dividerRunning, let period = periodTicks,
           periodicCount(through: t, period: period) > periodicCount(through: syncedAt, period: period) {
            flags.insert(.periodic)
        }
        syncedAt = t
    }

    private var interruptRequested: Bool {
        let b = registerB
        return (flags.contains(.periodic) && b.contains(.periodicEnable))
            || (flags.contains(.alarm) && b.contains(.alarmEnable))
            || (flags.contains(.updateEnded) && b.contains(.updateEndedEnable))
    }

    private var currentRegisterC: UInt8 {
        flags.rawValue | (interruptRequested ? RegisterC.interruptRequest.rawValue : 0)
    }

    private func updateInterrupt() {
        let level = interruptRequested
        if level != irqLevel {
            irqLevel = level
            interrupt.setLevel(level)
        }
    }

    /// Arms the timer for the next edge that would raise IRQF; the flags themselves are computed
    /// lazily, so nothing runs while the enables are off. Call after `catchUp()`.
    private func rearm() {
        let t = now
        let b = registerB
        var next: Int64?
        func consider(_ deadline: Int64) {
            if next.map({ deadline < $0 }) ?? true { next = deadline }
        }
        if b.contains(.periodicEnable) && !flags.contains(.periodic) && dividerRunning,
           let period = periodTicks {
            consider(nextPeriodicEdge(after: t, period: period))
        }
        if updatesRunning {
            if b.contains(.updateEndedEnable) && !flags.contains(.updateEnded) {
                consider(nextUpdate(after: t))
            }
            if b.contains(.alarmEnable) && !flags.contains(.alarm), let alarm = nextAlarm(after: t) {
                consider(alarm)
            }
        }
        if let next {
            timer.arm(at: VirtualTime(nanoseconds: UInt64(max(next, 0))))
        } else {
            timer.cancel()
        }
    }

    private func timerFired() {
        catchUp()
        updateInterrupt()
        rearm()
    }

    // MARK: - Calendar

    private var binaryMode: Bool { registerB.contains(.binary) }

    private func decode(_ byte: UInt8) -> Int {
        binaryMode ? Int(byte) : Int(byte >> 4) * 10 + Int(byte & 0x0F)
    }

    /// `value` (0-99) in the time registers' current format.
    func encode(_ value: Int) -> UInt8 {
        binaryMode ? UInt8(truncatingIfNeeded: value) : UInt8(truncatingIfNeeded: (value / 10) << 4 | value % 10)
    }

    private func decodeHour(_ byte: UInt8) -> Int {
        if registerB.contains(.twentyFourHour) { return min(decode(byte), 23) }
        // 12-hour mode: 1-12 with the PM flag in bit 7; 12 AM is midnight.
        let h = min(max(decode(byte & 0x7F), 1), 12)
        return h % 12 + (byte & 0x80 != 0 ? 12 : 0)
    }

    private func encodeHour(_ hour: Int) -> UInt8 {
        if registerB.contains(.twentyFourHour) { return encode(hour) }
        let h = hour % 12 == 0 ? 12 : hour % 12
        return encode(h) | (hour >= 12 ? 0x80 : 0)
    }

    private func field(_ offset: UInt8, _ range: ClosedRange<Int>) -> Int {
        min(max(decode(ram[Int(offset)]), range.lowerBound), range.upperBound)
    }

    /// The date in the time registers, with out-of-range values clamped.
    private func decodeClock() -> RTCDateTime {
        let yy = field(CMOSLayout.year, 0...99)
        let storedCentury = decode(ram[Int(CMOSLayout.century)])
        let century = storedCentury <= 99 ? storedCentury : (yy >= 70 ? 19 : 20)
        let year = century * 100 + yy
        let month = field(CMOSLayout.month, 1...12)
        return RTCDateTime(year: year, month: month,
                           day: field(CMOSLayout.dayOfMonth, 1...RTCDateTime.daysInMonth(year: year, month: month)),
                           hour: decodeHour(ram[Int(CMOSLayout.hours)]),
                           minute: field(CMOSLayout.minutes, 0...59),
                           second: field(CMOSLayout.seconds, 0...59))
    }

    private func encodeClock(_ date: RTCDateTime, dayOfWeek: Int, writeCentury: Bool) {
        ram[Int(CMOSLayout.seconds)] = encode(date.second)
        ram[Int(CMOSLayout.minutes)] = encode(date.minute)
        ram[Int(CMOSLayout.hours)] = encodeHour(date.hour)
        ram[Int(CMOSLayout.dayOfWeek)] = encode(dayOfWeek)
        ram[Int(CMOSLayout.dayOfMonth)] = encode(date.day)
        ram[Int(CMOSLayout.month)] = encode(date.month)
        ram[Int(CMOSLayout.year)] = encode(date.year % 100)
        if writeCentury { ram[Int(CMOSLayout.century)] = encode(date.year / 100 % 100) }
    }

    /// Runs `seconds` update cycles: the time, date and day of week move on together.
    private func advanceClock(bySeconds seconds: Int64) {
        let old = decodeClock()
        let oldDayOfWeek = Int64(field(CMOSLayout.dayOfWeek, 1...7))
        let start = old.secondsSinceEpoch
        var end = start + seconds
        func day(_ s: Int64) -> Int64 { s >= 0 ? s / 86_400 : (s - 86_399) / 86_400 }
        let days = day(end) - day(start)
        let dayOfWeek = Int((oldDayOfWeek - 1 + days % 7) % 7) + 1
        // Past 9999 the century byte wraps to 00; 10000 Gregorian years are exactly 3652425 days.
        let tenThousandYears = Int64(3_652_425) * 86_400
        let yearTenThousand = RTCDateTime.daysSinceEpoch(year: 10_000, month: 1, day: 1) * 86_400
        while end >= yearTenThousand { end -= tenThousandYears }
        let next = RTCDateTime(secondsSinceEpoch: end)
        encodeClock(next, dayOfWeek: dayOfWeek, writeCentury: next.year / 100 != old.year / 100)
    }

    /// The first of the next `limit` updates (1-based) after which the time bytes match the alarm.
    private func alarmMatch(withinUpdates limit: Int64) -> Int64? {
        let seconds = ram[Int(CMOSLayout.secondsAlarm)]
        let minutes = ram[Int(CMOSLayout.minutesAlarm)]
        let hours = ram[Int(CMOSLayout.hoursAlarm)]
        func matches(_ alarm: UInt8, _ value: UInt8) -> Bool {
            alarm & Self.alarmDontCare == Self.alarmDontCare || alarm == value
        }
        let start = decodeClock().secondsOfDay
        // The alarm only looks at the time of day, so one day of updates covers every case.
        for step in 1...min(limit, Int64(Constants.secondsPerDay)) {
            let s = (start + Int(step)) % Constants.secondsPerDay
            if matches(seconds, encode(s % 60)) && matches(minutes, encode(s / 60 % 60))
                && matches(hours, encodeHour(s / 3600)) {
                return step
            }
        }
        return nil
    }

    /// Virtual time of the next update that will match the alarm (registers synced to `t`).
    private func nextAlarm(after t: Int64) -> Int64? {
        if let cached = alarmDeadlineCache, cached.map({ $0 > t }) ?? true { return cached }
        let deadline = alarmMatch(withinUpdates: Int64(Constants.secondsPerDay)).map {
            nextUpdate(after: t) + ($0 - 1) * Constants.second
        }
        alarmDeadlineCache = .some(deadline)
        return deadline
    }

    /// The date the clock shows now.
    public var dateTime: RTCDateTime {
        catchUp()
        updateInterrupt()
        return decodeClock()
    }

    /// Restores port 0x70 bit 7 and tells the machine.
    func restoreNMIMask(_ masked: Bool) {
        nmiMasked = masked
        nmiMaskChanged(masked)
    }

    /// Re-derives the IRQ level and the timer after a restore.
    func resynchronize() {
        alarmDeadlineCache = nil
        catchUp()
        updateInterrupt()
        rearm()
    }

    /// Brings lazily computed state up to now (before saving).
    func settle() {
        catchUp()
        updateInterrupt()
    }
}
