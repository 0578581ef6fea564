// Saved state of the 8254: each counter as it stands at the save time.

import EmulatorCore

extension PIT: Snapshottable {
    /// Version 1 layout. Counters are saved as they stand at the save time; restore continues
    /// them from the restoring scheduler's `now`, so nothing absolute about time is stored.
    public struct SavedState: Codable, Equatable, Sendable {
        /// Counters 0, 1, 2.
        public var counters: [CounterState]
        /// The level last driven on IRQ0 (it can differ from OUT0 inside a one-clock strobe).
        public var irq0Level: Bool

        /// One counter; field meanings follow `PITCounter`.
        public struct CounterState: Codable, Equatable, Sendable {
            /// 0–5.
            public var mode: Int
            public var bcd: Bool
            /// 1 = LSB, 2 = MSB, 3 = LSB then MSB.
            public var access: Int
            public var countRegister: UInt16
            public var countWritten: Bool
            public var nullCount: Bool
            public var gate: Bool
            public var out: Bool
            /// 0 = idle, 1 = load pending, 2 = running.
            public var phase: Int
            public var heldValue: UInt32
            public var loadedCount: UInt32
            public var counted: UInt64
            public var writeMSBNext: Bool
            public var pendingLSB: UInt8
            public var readMSBNext: Bool
            public var latchedCount: UInt16?
            public var latchedStatus: UInt8?
        }
    }

    public var snapshotSection: String { "pit" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        let tick = Self.clockTicks(at: scheduler.now)
        let saved = (0..<3).map { i -> SavedState.CounterState in
            counters[i].advance(to: tick)
            let c = counters[i]
            return SavedState.CounterState(
                mode: c.mode, bcd: c.bcd, access: c.access.rawValue, countRegister: c.countRegister,
                countWritten: c.countWritten, nullCount: c.nullCount, gate: c.gate, out: c.out,
                phase: c.phase.rawValue, heldValue: c.heldValue, loadedCount: c.loadedCount,
                counted: c.counted, writeMSBNext: c.writeMSBNext, pendingLSB: c.pendingLSB,
                readMSBNext: c.readMSBNext, latchedCount: c.latchedCount, latchedStatus: c.latchedStatus)
        }
        return SavedState(counters: saved, irq0Level: irq0Level)
    }

    public func restoreState(_ state: SavedState) throws {
        guard state.counters.count == 3 else {
            throw SnapshotStateError(section: snapshotSection, reason: "\(state.counters.count) counters instead of 3")
        }
        let tick = Self.clockTicks(at: scheduler.now)
        var restored: [PITCounter] = []
        for (i, s) in state.counters.enumerated() {
            restored.append(try restoreCounter(s, index: i, tick: tick))
        }
        counters = restored
        irq0Level = state.irq0Level
        irq0.setLevel(irq0Level)
        armOut0(from: tick)
        counter2Changed?()
    }

    private func restoreCounter(_ s: SavedState.CounterState, index: Int, tick: UInt64) throws -> PITCounter {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: "counter \(index): \(reason)")
        }
        guard (0...5).contains(s.mode) else { throw fail("mode \(s.mode) does not exist") }
        guard let access = PITCounter.Access(rawValue: s.access) else {
            throw fail("access mode \(s.access) does not exist")
        }
        guard let phase = PITCounter.Phase(rawValue: s.phase) else { throw fail("phase \(s.phase) does not exist") }
        var c = PITCounter()
        c.mode = s.mode
        c.bcd = s.bcd
        c.access = access
        let modulus = c.modulus
        guard s.heldValue < modulus else { throw fail("held value \(s.heldValue) exceeds the counter") }
        guard (1...modulus).contains(s.loadedCount) else {
            throw fail("loaded count \(s.loadedCount) outside 1...\(modulus)")
        }
        if phase != .idle && !s.countWritten { throw fail("counting without a written count") }
        if phase == .running {
            let n = UInt64(s.loadedCount)
            switch s.mode {
            case 2 where s.counted >= n:
                throw fail("rate generator counted \(s.counted) of \(n)")
            case 3 where s.counted >= PITCounter.halfCycle(n, high: s.out):
                throw fail("square wave counted \(s.counted) of its half-cycle")
            default:
                break
            }
        }
        if (s.mode == 2 || s.mode == 3) && !s.gate && !s.out {
            throw fail("OUT low while GATE holds it high")
        }
        c.countRegister = s.countRegister
        c.countWritten = s.countWritten
        c.nullCount = s.nullCount
        c.gate = s.gate
        c.out = s.out
        c.phase = phase
        c.heldValue = s.heldValue
        c.loadedCount = s.loadedCount
        c.counted = s.counted
        c.referenceTick = tick
        c.writeMSBNext = s.writeMSBNext
        c.pendingLSB = s.pendingLSB
        c.readMSBNext = s.readMSBNext
        c.latchedCount = s.latchedCount
        c.latchedStatus = s.latchedStatus
        return c
    }
}
