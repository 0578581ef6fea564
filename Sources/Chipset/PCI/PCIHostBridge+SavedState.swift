// Saved state of the i440FX host bridge: its configuration space.

import EmulatorCore

extension PCIHostBridge: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        public var config: PCIConfigSpace.SavedState
    }

    public var snapshotSection: String { "pci.00.0.i440fx" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(config: config.saveState())
    }

    /// Restores the registers; `pamChanged` and `smramChanged` hear about every register that
    /// differs from before, so the machine re-routes the shadow segments.
    public func restoreState(_ state: SavedState) throws {
        if let reason = config.validate(state.config) {
            throw SnapshotStateError(section: snapshotSection, reason: reason)
        }
        let smram = SMRAMControl(rawValue: state.config.bytes[Register.smram])
        guard !(smram.contains(.locked) && smram.contains(.open)) else {
            throw SnapshotStateError(section: snapshotSection, reason: "SMRAM is both locked (D_LCK) and open (D_OPEN)")
        }
        let before = snapshotRegisters()
        config.restore(state.config)
        notifyChanges(from: before)
    }
}
