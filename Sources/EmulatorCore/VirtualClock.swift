// Deterministic virtual time and the device timers that run on it.

/// Guest time in nanoseconds since machine power-on. Advanced only by the machine's run loop
/// (from retired instructions, or skipped ahead while the CPU halts), so the same inputs give
/// the same run.
public struct VirtualTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64
    @inlinable public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }
    public static let zero = VirtualTime(nanoseconds: 0)
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: Self, d: UInt64) -> Self { VirtualTime(nanoseconds: a.nanoseconds &+ d) }
    public var description: String { "\(nanoseconds) ns" }
}

/// Owns virtual time and the pending device deadlines.
///
/// Devices compute counters from `now` when read and arm a `DeviceTimer` only for their next
/// interrupt edge; the run loop asks `nextDeadline` how far the CPU may run, then calls
/// `advance(to:)`, which fires due timers in deadline order (ties in arming order).
///
/// Time is live inside a CPU slice: with an instruction clock attached, `now` is the time at the
/// last `advance` plus the instructions retired since, so a device read in the middle of a
/// slice (a guest polling the PM timer or the PIT) sees time move. A timer armed inside a slice
/// for a deadline before the slice's planned end (`horizon`) calls `deadlineMovedEarlier`, so
/// the run loop can end the slice in time.
public final class Scheduler {
    private var base: VirtualTime = .zero
    private var counterBase: UInt64 = 0
    private var counter: (() -> UInt64)?
    private var nanosecondsPerTick: UInt64 = 1
    private var timers: [DeviceTimer] = []
    private var sequence: UInt64 = 0
    /// Where the running slice is planned to end (set by the run loop; nil between slices).
    public var horizon: VirtualTime?
    /// Called when a timer is armed for a deadline before `horizon`.
    public var deadlineMovedEarlier: (() -> Void)?

    public init() {}

    /// Virtual time now (live inside a slice when an instruction clock is attached).
    public var now: VirtualTime {
        guard let counter else { return base }
        return base + (counter() &- counterBase) &* nanosecondsPerTick
    }

    /// Makes `now` follow `counter` (the CPU's retired-instruction count) between `advance`
    /// calls, at `nanosecondsPerTick` per count.
    public func attachInstructionClock(nanosecondsPerTick: UInt64, counter: @escaping () -> UInt64) {
        rebase()
        self.nanosecondsPerTick = max(1, nanosecondsPerTick)
        self.counter = counter
        counterBase = counter()
    }

    /// Folds the instructions retired so far into the stored time.
    private func rebase() {
        base = now
        counterBase = counter?() ?? 0
    }

    /// The earliest armed deadline, or nil when nothing is armed.
    public var nextDeadline: VirtualTime? {
        var best: VirtualTime?
        for t in timers where t.deadline != nil {
            if best == nil || t.deadline! < best! { best = t.deadline }
        }
        return best
    }

    func register(_ t: DeviceTimer) { timers.append(t) }

    func timerArmed(at deadline: VirtualTime) {
        if let h = horizon, deadline < h { deadlineMovedEarlier?() }
    }

    func nextSequence() -> UInt64 {
        sequence &+= 1
        return sequence
    }

    /// Moves time forward to `target` (never backwards), firing every timer due on the way.
    public func advance(to target: VirtualTime) {
        rebase()
        while true {
            var due: DeviceTimer?
            for t in timers {
                guard let d = t.deadline, d <= target else { continue }
                if let u = due, let ud = u.deadline, ud < d || (ud == d && u.armSequence < t.armSequence) { continue }
                due = t
            }
            guard let timer = due, let d = timer.deadline else { break }
            if d > base { base = d }
            timer.deadline = nil
            timer.callback(base)
        }
        if target > base { base = target }
    }

    /// Restores the clock (snapshot restore); armed timers are re-armed by their devices.
    public func restore(now: VirtualTime) {
        base = now
        counterBase = counter?() ?? 0
    }
}

/// A one-shot timer owned by a device. Re-arming replaces the previous deadline.
public final class DeviceTimer {
    public let name: String
    fileprivate(set) public var deadline: VirtualTime?
    fileprivate var armSequence: UInt64 = 0
    fileprivate let callback: (VirtualTime) -> Void
    private unowned let scheduler: Scheduler

    /// `callback` runs on the emulation thread at the deadline, with the current time.
    public init(name: String, scheduler: Scheduler, callback: @escaping (VirtualTime) -> Void) {
        self.name = name
        self.scheduler = scheduler
        self.callback = callback
        scheduler.register(self)
    }

    public func arm(at t: VirtualTime) {
        deadline = t
        armSequence = scheduler.nextSequence()
        scheduler.timerArmed(at: t)
    }

    public func cancel() { deadline = nil }

    public var isArmed: Bool { deadline != nil }
}
