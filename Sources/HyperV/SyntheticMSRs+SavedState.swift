// Saved state of one VP's own synthetic MSRs (its SynIC has its own section).

import EmulatorCore

extension SyntheticMSRs: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        public var vpAssistPage: UInt64
    }

    public var snapshotSection: String { "hyperv.vp.\(vpIndex)" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(vpAssistPage: vpAssistPage)
    }

    public func restoreState(_ s: SavedState) throws {
        vpAssistPage = s.vpAssistPage
    }
}
