// Saved state of the A20 gate: both of its sources.

import EmulatorCore

extension A20Gate: Snapshottable {
    /// Version 1 layout. Both sources are kept (not just their OR) so a later change of either
    /// one behaves as it would have without the snapshot.
    struct SavedState: Codable, Equatable, Sendable {
        /// The 8042 output port's A20 bit.
        var keyboardController: Bool
        /// Port 0x92's A20 bit.
        var portA: Bool
    }

    var snapshotSection: String { "a20" }
    static var savedStateVersion: Int { 1 }

    func saveState() -> SavedState { SavedState(keyboardController: keyboardController, portA: portA) }

    func restoreState(_ state: SavedState) throws {
        restore(keyboardController: state.keyboardController, portA: state.portA)
    }
}
