// The "clock" section of a snapshot: the scheduler's virtual time.

/// Virtual time at the save. Restored before any device so that devices which keep absolute
/// deadlines (UART, 8042, RTC) and those that continue counters from `now` (PIT, APIC timer,
/// PM timer) re-arm their timers against the same clock they were saved on.
struct VirtualClockSavedState: Codable, Equatable, Sendable {
    static let section = "clock"
    static let version = 1
    /// Nanoseconds since power-on.
    var nanoseconds: UInt64
}
