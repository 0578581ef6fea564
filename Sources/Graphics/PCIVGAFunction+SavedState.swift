// Saved state of the stdvga PCI function: its configuration space (BAR addresses, Command).

import Chipset
import EmulatorCore

extension PCIVGAFunction: Snapshottable {
    /// Version 1 layout: the configuration space only; the adapter's registers and video RAM
    /// are the `VGADevice`'s own section ("vga").
    public struct SavedState: Codable, Equatable, Sendable {
        public var config: PCIConfigSpace.SavedState
    }

    public var snapshotSection: String { "pci.00.2.0.vga" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState { SavedState(config: config.saveState()) }

    /// Restores the configuration space; BAR observers move the framebuffer and registers.
    public func restoreState(_ state: SavedState) throws {
        if let reason = config.validate(state.config) {
            throw SnapshotStateError(section: snapshotSection, reason: reason)
        }
        config.restore(state.config)
    }
}
