// Saved state of the partition-wide Hyper-V registers and the reference counter.

import EmulatorCore

extension HyperVPartition: Snapshottable {
    /// Version 1 layout. The reference counter is saved as the time elapsed on it, so restore
    /// continues it from the restoring scheduler's `now` (the clock is restored first). The
    /// hypercall page itself is guest RAM and travels with it.
    public struct SavedState: Codable, Equatable, Sendable {
        public var guestOSID: UInt64
        public var hypercallMSR: UInt64
        /// Nanoseconds of virtual time since the reference counter's zero.
        public var referenceElapsedNanoseconds: UInt64
    }

    public var snapshotSection: String { "hyperv.partition" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(guestOSID: guestOSID, hypercallMSR: hypercallMSR,
                   referenceElapsedNanoseconds: scheduler.now.nanoseconds &- referenceTimeOrigin.nanoseconds)
    }

    public func restoreState(_ s: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: reason)
        }
        guard s.hypercallMSR & HypercallMSRBits.reserved == 0 else { throw fail("reserved hypercall MSR bits set") }
        guard s.guestOSID != 0 || s.hypercallMSR & HypercallMSRBits.enable == 0 else {
            throw fail("hypercall page enabled without a guest OS ID")
        }
        let now = scheduler.now.nanoseconds
        guard s.referenceElapsedNanoseconds <= now else {
            throw fail("reference counter ahead of the virtual clock (restore the clock first)")
        }
        guestOSID = s.guestOSID
        hypercallMSR = s.hypercallMSR
        referenceTimeOrigin = VirtualTime(nanoseconds: now - s.referenceElapsedNanoseconds)
    }
}
