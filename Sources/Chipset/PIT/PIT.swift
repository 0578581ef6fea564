// The 8254 programmable interval timer of a PC: three counters on a 1.193182 MHz clock.

import EmulatorCore

/// The PC's Intel 8254 programmable interval timer.
///
/// Ports 0x40–0x42 (counters 0–2) and 0x43 (control word). Counter 0's OUT drives IRQ0;
/// counter 1 (once DRAM refresh) has no output wire here; counter 2's GATE and OUT belong to
/// port 0x61 (`SystemControlPortB`) and the speaker. GATE0 and GATE1 are tied high.
///
/// Follows the Intel 8254 datasheet: control word format, "Write Operations", "Read Operations"
/// (counter latch command, read-back command, status byte with null count), the six counter modes
/// and their GATE behaviour, binary and BCD counting. Counter values are computed from virtual
/// time when read (`clockTicks(at:)`); a `DeviceTimer` is armed only for OUT0's next edge.
///
/// The datasheet leaves the power-on state undefined; we start every counter as after a mode 0
/// control word without a count (OUT low).
///
/// Not modelled: other input clocks, counter 1's OUT (refresh timing comes from virtual time in
/// port 0x61), GATE wiring other than the PC's (the `setGate` API is there for counter 2).
///
/// DEVIATION: OUT0's one-clock low strobes (modes 2, 4 and 5) reach IRQ0 as one low→high pulse
/// when the strobe ends (the line's fall is late by one 838 ns clock), so a rate generator costs
/// one timer per period. The rising edge, which is what the PIC latches, is on time; reads of
/// OUT0 through the read-back status are exact.
///
/// DEVIATION: the read-back status reports control-word modes 6 and 7 as 2 and 3.
public final class PIT: BytePortDevice {
    /// Fixed I/O ranges the machine claims for this device.
    public static let portRanges: [ClosedRange<UInt16>] = [0x40...0x43]
    /// The PC's timer input clock (14.31818 MHz / 12).
    public static let inputClockHz: UInt64 = 1_193_182
    static let nanosecondsPerSecond: UInt64 = 1_000_000_000

    enum Port {
        static let counter0: UInt16 = 0x40
        static let control: UInt16 = 0x43
    }

    var counters = [PITCounter](repeating: PITCounter(), count: 3)
    let scheduler: Scheduler
    let irq0: InterruptLine
    /// The level last driven on IRQ0.
    var irq0Level = false
    /// The armed timer ends a one-clock OUT0 strobe: pulse IRQ0 when it fires.
    var strobeEndPending = false
    private var out0Timer: DeviceTimer!
    /// Called after counter 2 is reprogrammed or its gate changes (port 0x61 feeds the speaker).
    var counter2Changed: (() -> Void)?

    public init(scheduler: Scheduler, irq0: InterruptLine) {
        self.scheduler = scheduler
        self.irq0 = irq0
        setPowerOnState()
        out0Timer = DeviceTimer(name: "pit.out0", scheduler: scheduler) { [unowned self] _ in
            self.out0Edge()
        }
    }

    /// Returns guest-visible state to power-on values (IRQ0 is lowered).
    public func reset() {
        setPowerOnState()
        updateOut0()
        counter2Changed?()
    }

    private func setPowerOnState() {
        let tick = Self.clockTicks(at: scheduler.now)
        counters = (0..<3).map { i in
            var c = PITCounter()
            c.referenceTick = tick
            // GATE2 comes from port 0x61 bit 0, which is clear at power-on.
            c.gate = i != 2
            return c
        }
    }

    // MARK: Time

    /// CLK pulses of the 1.193182 MHz input from power-on up to and including `time`.
    public static func clockTicks(at time: VirtualTime) -> UInt64 {
        let product = time.nanoseconds.multipliedFullWidth(by: inputClockHz)
        return nanosecondsPerSecond.dividingFullWidth(product).quotient
    }

    /// The virtual time of CLK pulse number `tick` (the first time at which `clockTicks` reaches it).
    public static func time(ofClockTick tick: UInt64) -> VirtualTime {
        let product = tick.multipliedFullWidth(by: nanosecondsPerSecond)
        let (low, carry) = product.low.addingReportingOverflow(inputClockHz - 1)
        let high = product.high + (carry ? 1 : 0)
        guard high < inputClockHz else { return VirtualTime(nanoseconds: .max) }
        return VirtualTime(nanoseconds: inputClockHz.dividingFullWidth((high, low)).quotient)
    }

    private var currentTick: UInt64 { Self.clockTicks(at: scheduler.now) }

    // MARK: Pins

    /// Sets GATE of counter `channel` (0–2).
    public func setGate(channel: Int, high: Bool) {
        counters[channel].setGate(high, at: currentTick)
        counterChanged(channel)
    }

    public func gate(channel: Int) -> Bool { counters[channel].gate }

    /// OUT of counter `channel` (0–2) now.
    public func output(channel: Int) -> Bool {
        counters[channel].advance(to: currentTick)
        return counters[channel].out
    }

    /// Counter 2's square-wave frequency in Hz while it runs in mode 2 or 3 with a count, else nil.
    var counter2ToneFrequency: Double? {
        let c = counters[2]
        guard (c.mode == 2 || c.mode == 3) && c.countWritten else { return nil }
        return Double(Self.inputClockHz) / Double(c.initialCount)
    }

    // MARK: PortIODevice

    public func readPortByte(_ port: UInt16) -> UInt8 {
        guard port >= Port.counter0 && port < Port.control else {
            return 0xFF  // the control word register cannot be read
        }
        return counters[Int(port - Port.counter0)].readByte(at: currentTick)
    }

    public func writePortByte(_ port: UInt16, _ value: UInt8) {
        switch port {
        case Port.control:
            writeControlWord(value)
        case Port.counter0..<Port.control:
            let channel = Int(port - Port.counter0)
            counters[channel].writeCountByte(value, at: currentTick)
            counterChanged(channel)
        default:
            return
        }
    }

    /// Control word: SC1 SC0 RW1 RW0 M2 M1 M0 BCD. SC = 11 is the read-back command.
    private func writeControlWord(_ value: UInt8) {
        let tick = currentTick
        let select = Int(value >> 6)
        guard select != 3 else {
            // Read-back: bit 5 clear latches counts, bit 4 clear latches status; bits 1–3 pick
            // the counters.
            for channel in 0..<3 where value & (2 << UInt8(channel)) != 0 {
                if value & 0x20 == 0 { counters[channel].latchCount(at: tick) }
                if value & 0x10 == 0 { counters[channel].latchStatus(at: tick) }
            }
            return
        }
        guard let access = PITCounter.Access(rawValue: Int(value >> 4) & 3) else {
            counters[select].latchCount(at: tick)  // RW = 00: counter latch command
            return
        }
        var mode = Int(value >> 1) & 7
        if mode > 5 { mode -= 4 }  // x10 and x11 are modes 2 and 3
        counters[select].program(mode: mode, access: access, bcd: value & 1 != 0, at: tick)
        counterChanged(select)
    }

    private func counterChanged(_ channel: Int) {
        if channel == 0 { updateOut0() }
        if channel == 2 { counter2Changed?() }
    }

    // MARK: OUT0 → IRQ0

    /// Brings IRQ0 to OUT0's level now and arms the timer for its next edge.
    func updateOut0() {
        let tick = currentTick
        counters[0].advance(to: tick)
        driveIRQ0(counters[0].out)
        armOut0(from: tick)
    }

    private func driveIRQ0(_ level: Bool) {
        guard level != irq0Level else { return }
        irq0Level = level
        irq0.setLevel(level)
    }

    /// Arms the timer for OUT0's next change after `tick` (the counter is advanced to `tick`).
    func armOut0(from tick: UInt64) {
        guard let next = counters[0].nextOutputChange() else {
            out0Timer.cancel()
            strobeEndPending = false
            return
        }
        var fireTick = tick + max(next.clocks, 1)
        let mode = counters[0].mode
        if !next.level && (mode == 2 || mode == 4 || mode == 5) {
            // A one-clock strobe: deliver it as a pulse when it ends.
            fireTick += 1
            strobeEndPending = true
        } else {
            // Also a strobe end when OUT is already low inside a strobe while IRQ0 stayed high
            // (a snapshot taken mid-strobe).
            strobeEndPending = next.level && irq0Level
        }
        out0Timer.arm(at: Self.time(ofClockTick: fireTick))
    }

    private func out0Edge() {
        let tick = currentTick
        counters[0].advance(to: tick)
        let out = counters[0].out
        if strobeEndPending && out && irq0Level {
            irq0.lower()
            irq0.raise()
        } else {
            driveIRQ0(out)
        }
        armOut0(from: tick)
    }
}
