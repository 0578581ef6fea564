// Saved state of the PIIX reset control register at 0xCF9.

import EmulatorCore

extension ResetControl: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        /// Bits 1–3 as last written (reads return them).
        public var value: UInt8
    }

    public var snapshotSection: String { "portcf9" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState { SavedState(value: value) }

    public func restoreState(_ state: SavedState) throws {
        guard state.value & ~0x0E == 0 else {
            throw SnapshotStateError(section: snapshotSection,
                                     reason: "value 0x\(String(state.value, radix: 16)) sets bits outside 1–3")
        }
        value = state.value
    }
}
