// One 8254 counter: its programming, its counting element computed lazily from clock ticks,
// and its byte-wide bus interface.

/// One counter of an Intel 8254 (datasheet "Operational Description", "Mode Definitions").
///
/// The counting element (CE) is not stepped clock by clock: the state below describes it at
/// `referenceTick`, and `advance(to:)` moves it to any later tick in closed form. Clock ticks are
/// numbered as in `PIT.clockTicks(at:)`; a write made while the tick count is `w` takes effect on
/// the counter's next CLK, tick `w + 1` (the datasheet's "loaded on the next CLK pulse").
struct PITCounter: Equatable {
    /// Counter access mode (control word RW1/RW0).
    enum Access: Int {
        case lsb = 1, msb = 2, word = 3
    }

    /// Where the counting element stands.
    enum Phase: Int {
        /// Nothing to count: after a control word, while waiting for a trigger (modes 1 and 5),
        /// or after the first byte of a two-byte count in mode 0. The CE holds `heldValue`.
        case idle = 0
        /// The CE is loaded from CR on the next CLK (`heldValue` is what it shows until then).
        case loadPending
        /// The CE was loaded with `loadedCount` and has counted `counted` clocks since.
        case running
    }

    // MARK: Programming (control word)
    /// Counter mode 0–5 (control word M2–M0; 6 and 7 are taken as 2 and 3).
    var mode = 0
    /// Control word BCD: count in four decades instead of 16 bits.
    var bcd = false
    var access = Access.word
    /// Count Register (CR): the count as the guest wrote it (BCD digits in BCD mode).
    var countRegister: UInt16 = 0
    /// A complete count has been written since the control word (triggers need one).
    var countWritten = false
    /// Status "null count": CR was written and not yet transferred to the CE.
    var nullCount = true
    /// GATE input level.
    var gate = true
    /// OUT level.
    var out = false

    // MARK: Counting element
    var phase = Phase.idle
    /// CE contents (0..<modulus) while idle or waiting for a load.
    var heldValue: UInt32 = 0
    /// The count loaded at the start of this run (modes 0, 1, 4, 5), period (mode 2) or half-cycle
    /// (mode 3): 1...modulus, where modulus stands for a written 0.
    var loadedCount: UInt32 = 1
    /// CLK pulses counted since that load.
    var counted: UInt64 = 0
    /// The CLK tick the state above describes.
    var referenceTick: UInt64 = 0

    // MARK: Bus interface
    /// Two-byte writes: the next byte written is the MSB.
    var writeMSBNext = false
    /// The LSB of a two-byte count whose MSB has not arrived yet.
    var pendingLSB: UInt8 = 0
    /// Two-byte reads: the next byte read is the MSB.
    var readMSBNext = false
    /// Output latch holding a latched count (counter latch or read-back command).
    var latchedCount: UInt16?
    /// Latched status byte (read-back command); read before a latched count.
    var latchedStatus: UInt8?

    // MARK: Derived values

    /// Number of distinct CE values: 10000 in BCD, 65536 in binary.
    var modulus: UInt32 { bcd ? 10_000 : 65_536 }

    /// The count CR stands for, 1...modulus (a written 0 is the maximum count).
    var initialCount: UInt32 {
        var n: UInt32
        if bcd {
            // DEVIATION: non-decimal digits have no defined meaning; we weigh them like digits.
            let r = UInt32(countRegister)
            n = ((r >> 12) & 0xF) * 1000 + ((r >> 8) & 0xF) * 100 + ((r >> 4) & 0xF) * 10 + (r & 0xF)
            n %= 10_000
        } else {
            n = UInt32(countRegister)
        }
        return n == 0 ? modulus : n
    }

    /// Whether the CE decrements on CLK: GATE enables counting except in the gate-triggered
    /// modes 1 and 5, where it only triggers.
    var clockEnabled: Bool { mode == 1 || mode == 5 || gate }

    /// Mode 3 half-cycle lengths: (N+1)/2 clocks high, (N-1)/2 low for odd N, N/2 each for even.
    static func halfCycle(_ n: UInt64, high: Bool) -> UInt64 { high ? (n + 1) / 2 : n / 2 }

    /// CE contents now (0..<modulus).
    var currentValue: UInt32 {
        guard phase == .running else { return heldValue }
        let m = UInt64(modulus)
        switch mode {
        case 2:
            return UInt32((UInt64(loadedCount) - counted) % m)
        case 3:
            // Even counts load N; odd counts load N-1. Either way the CE steps by two.
            let start = UInt64(loadedCount & ~1)
            return UInt32((start - 2 * counted) % m)
        default:
            // Modes 0, 1, 4, 5 keep counting through zero, wrapping to the top.
            return UInt32((UInt64(loadedCount) % m + m - counted % m) % m)
        }
    }

    /// `value` as the guest reads it (BCD digits in BCD mode).
    func encoded(_ value: UInt32) -> UInt16 {
        guard bcd else { return UInt16(truncatingIfNeeded: value) }
        let v = value % 10_000
        return UInt16((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10)
    }

    /// Read-back status byte: OUT, null count, then the programmed RW, mode and BCD bits.
    var statusByte: UInt8 {
        (out ? 0x80 : 0) | (nullCount ? 0x40 : 0) | UInt8(access.rawValue) << 4 | UInt8(mode) << 1
            | (bcd ? 1 : 0)
    }

    // MARK: Time

    /// Moves the state to `tick` (no-op for ticks at or before the reference).
    mutating func advance(to tick: UInt64) {
        guard tick > referenceTick else { return }
        var k = tick - referenceTick
        referenceTick = tick
        if phase == .loadPending {
            load()
            k -= 1
        }
        guard phase == .running, k > 0, clockEnabled else { return }
        run(clocks: k)
    }

    /// CR → CE transfer on a CLK pulse.
    private mutating func load() {
        loadedCount = initialCount
        counted = 0
        nullCount = false
        phase = .running
        switch mode {
        case 1: out = false  // the one-shot pulse starts on the CLK after the trigger
        case 2: out = loadedCount != 1  // OUT is low while the CE holds 1 (the illegal count 1: always)
        case 3, 4, 5: out = true
        default: break  // mode 0: OUT went low when the count was written
        }
    }

    /// `k` CLK pulses with counting enabled.
    private mutating func run(clocks k: UInt64) {
        let n = UInt64(loadedCount)
        switch mode {
        case 0, 1:
            // OUT rises at terminal count and stays high; the CE wraps and keeps counting.
            counted &+= k
            out = counted >= n
        case 4, 5:
            // OUT strobes low for the one clock at terminal count, once per load.
            counted &+= k
            out = counted != n
        case 2:
            // Rate generator: OUT is low while the CE holds 1; the next CLK reloads from CR.
            let toReload = n - counted
            if k < toReload {
                counted += k
            } else {
                loadedCount = initialCount
                nullCount = false
                counted = (k - toReload) % UInt64(loadedCount)
            }
            out = UInt64(loadedCount) - counted != 1
        default:
            // Square wave: each half-cycle ends with OUT toggling and CR reloading.
            var k = k
            let remaining = Self.halfCycle(n, high: out) - counted
            if k < remaining {
                counted += k
                return
            }
            k -= remaining
            out.toggle()
            loadedCount = initialCount
            nullCount = false
            let period = UInt64(loadedCount)
            k %= period  // a whole period is one high and one low half and ends where it began
            while true {
                let half = Self.halfCycle(period, high: out)
                if k < half {
                    counted = k
                    break
                }
                k -= half  // also skips the empty low half of a count of 1
                out.toggle()
            }
        }
    }

    /// Clocks from `referenceTick` until OUT next changes, and its new level; nil when it never
    /// will without a guest write or a gate change.
    func nextOutputChange() -> (clocks: UInt64, level: Bool)? {
        switch phase {
        case .idle:
            return nil
        case .loadPending:
            var loaded = self
            loaded.load()
            if loaded.out != out { return (1, loaded.out) }
            guard let next = loaded.nextChangeWhileRunning() else { return nil }
            return (next.clocks + 1, next.level)
        case .running:
            return nextChangeWhileRunning()
        }
    }

    private func nextChangeWhileRunning() -> (clocks: UInt64, level: Bool)? {
        guard clockEnabled else { return nil }
        let n = UInt64(loadedCount)
        switch mode {
        case 0, 1:
            return counted < n ? (n - counted, true) : nil
        case 4, 5:
            if counted < n { return (n - counted, false) }
            return counted == n ? (1, true) : nil
        case 2:
            let value = n - counted
            if value > 1 { return (value - 1, false) }
            // OUT is low now; the reload raises it unless the new count is the illegal 1 too.
            return initialCount > 1 ? (1, true) : nil
        default:
            let remaining = Self.halfCycle(n, high: out) - counted
            // With a count of 1 the low half is empty: OUT stays high for good.
            if out && Self.halfCycle(UInt64(initialCount), high: false) == 0 { return nil }
            return (remaining, !out)
        }
    }

    // MARK: Guest actions (each first advances to `tick`)

    /// A control word selecting this counter with RW ≠ 00: all control logic is reset.
    mutating func program(mode: Int, access: Access, bcd: Bool, at tick: UInt64) {
        advance(to: tick)
        let value = currentValue
        self.mode = mode
        self.access = access
        self.bcd = bcd
        heldValue = value % modulus
        phase = .idle
        countWritten = false
        nullCount = true
        // Datasheet: OUT is low after a mode 0 control word and high after any other.
        out = mode != 0
        writeMSBNext = false
        readMSBNext = false
        latchedCount = nil
        latchedStatus = nil
    }

    mutating func writeCountByte(_ byte: UInt8, at tick: UInt64) {
        advance(to: tick)
        switch access {
        case .lsb:
            countRegister = UInt16(byte)
        case .msb:
            countRegister = UInt16(byte) << 8
        case .word:
            guard writeMSBNext else {
                pendingLSB = byte
                writeMSBNext = true
                if mode == 0 {
                    // Mode 0: writing the first byte disables counting and sets OUT low.
                    heldValue = currentValue
                    phase = .idle
                    out = false
                }
                return
            }
            countRegister = UInt16(byte) << 8 | UInt16(pendingLSB)
            writeMSBNext = false
        }
        countWritten = true
        nullCount = true
        switch mode {
        case 0:
            out = false
            startLoad()
        case 4:
            startLoad()  // software retrigger
        case 2, 3:
            // The first count starts the counter; later ones wait for the end of the period.
            if phase == .idle { startLoad() }
        default:
            break  // modes 1 and 5 wait for a gate trigger
        }
    }

    private mutating func startLoad() {
        heldValue = currentValue
        phase = .loadPending
    }

    mutating func setGate(_ high: Bool, at tick: UInt64) {
        advance(to: tick)
        let rising = high && !gate
        gate = high
        switch mode {
        case 1, 5:
            if rising && countWritten { startLoad() }
        case 2, 3:
            // Gate low stops counting and forces OUT high at once; a rising gate reloads.
            if !high {
                out = true
            } else if rising && countWritten {
                startLoad()
            }
        default:
            break  // modes 0 and 4: GATE only enables counting
        }
    }

    /// Counter latch command, or the count part of a read-back; ignored while a latch is unread.
    mutating func latchCount(at tick: UInt64) {
        advance(to: tick)
        if latchedCount == nil { latchedCount = encoded(currentValue) }
    }

    /// The status part of a read-back; ignored while a status is unread.
    mutating func latchStatus(at tick: UInt64) {
        advance(to: tick)
        if latchedStatus == nil { latchedStatus = statusByte }
    }

    mutating func readByte(at tick: UInt64) -> UInt8 {
        if let status = latchedStatus {
            latchedStatus = nil
            return status
        }
        let value: UInt16
        if let latched = latchedCount {
            value = latched
        } else {
            advance(to: tick)
            value = encoded(currentValue)
        }
        let byte: UInt8
        var complete = true
        switch access {
        case .lsb:
            byte = UInt8(truncatingIfNeeded: value)
        case .msb:
            byte = UInt8(truncatingIfNeeded: value >> 8)
        case .word:
            byte = UInt8(truncatingIfNeeded: readMSBNext ? value >> 8 : value)
            complete = readMSBNext
            readMSBNext.toggle()
        }
        if complete { latchedCount = nil }
        return byte
    }
}
