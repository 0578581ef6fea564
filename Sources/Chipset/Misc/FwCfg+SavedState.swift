// Saved state of the fw_cfg device.

import EmulatorCore

extension FwCfg: Snapshottable {
    /// The guest-visible registers. The items are not saved: they come from the machine's
    /// configuration, which a restore must match.
    public struct SavedState: Codable, Equatable, Sendable {
        /// The selector as written (0x510).
        public var selector: UInt16
        /// Data offset into the selected item.
        public var offset: UInt32
        /// DMA address latch (bits 63-32 written, low half not yet).
        public var dmaAddress: UInt64
    }

    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(selector: selector, offset: offset, dmaAddress: dmaAddress)
    }

    public func restoreState(_ s: SavedState) throws {
        let length = item(for: s.selector).count
        guard Int(s.offset) <= length else {
            throw SnapshotStateError(section: snapshotSection,
                                     reason: "data offset \(s.offset) is beyond the \(length)-byte item 0x\(String(s.selector, radix: 16))")
        }
        select(s.selector)
        offset = s.offset
        dmaAddress = s.dmaAddress
    }
}
