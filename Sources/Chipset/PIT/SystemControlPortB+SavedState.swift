// Saved state of port 0x61: the writable control bits.

import EmulatorCore

extension SystemControlPortB: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        /// Bits 0–3 as last written (bits 4–7 are status, derived when read).
        public var control: UInt8
    }

    public var snapshotSection: String { "port61" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState { SavedState(control: control) }

    /// Counter 2's GATE is part of the PIT's own saved state, so this does not drive it.
    public func restoreState(_ state: SavedState) throws {
        guard state.control & ~Bit.writable == 0 else {
            throw SnapshotStateError(
                section: snapshotSection,
                reason: "control 0x\(String(state.control, radix: 16)) sets read-only bits")
        }
        control = state.control
        reportSpeaker()
    }
}
