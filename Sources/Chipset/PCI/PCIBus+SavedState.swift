// Saved state of the configuration mechanism: CONFIG_ADDRESS (each function saves its own space).

import EmulatorCore

extension PCIBus: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        /// CONFIG_ADDRESS as software reads it.
        public var configAddress: UInt32
    }

    public var snapshotSection: String { "pci" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(configAddress: configAddress)
    }

    public func restoreState(_ state: SavedState) throws {
        guard state.configAddress & ~Self.configAddressMask == 0 else {
            throw SnapshotStateError(
                section: snapshotSection,
                reason: "CONFIG_ADDRESS 0x\(String(state.configAddress, radix: 16)) sets reserved bits")
        }
        configAddress = state.configAddress
    }
}
