// Saved state of port 0x92: the fast-A20 bit.

import EmulatorCore

extension SystemControlPortA: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        /// The register as software reads it (only bit 1, A20, is kept).
        public var value: UInt8
    }

    public var snapshotSection: String { "port92" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState { SavedState(value: value) }

    /// Restores the bit without calling `setA20`: the machine restores its A20 gate itself, so
    /// restore order between the gate's two sources does not matter.
    public func restoreState(_ state: SavedState) throws {
        guard state.value & ~0x02 == 0 else {
            throw SnapshotStateError(section: snapshotSection,
                                     reason: "value 0x\(String(state.value, radix: 16)) has bits other than A20 (bit 1)")
        }
        value = state.value
    }
}
