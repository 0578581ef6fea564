// Saved state of one VP's SynIC registers (the message and event pages are guest RAM).

import EmulatorCore

extension SynIC: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        public var scontrol: UInt64
        public var simp: UInt64
        public var siefp: UInt64
        /// SINT0–15.
        public var sints: [UInt64]
        /// SINTs owed an `onEndOfMessage` retry (bit n = SINT n). The host's queued messages are
        /// the VMBus server's state, saved by it.
        public var retryMask: UInt16
    }

    public var snapshotSection: String { "hyperv.synic.\(vpIndex)" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(scontrol: scontrol, simp: simp, siefp: siefp, sints: sints.map(\.rawValue), retryMask: retryMask)
    }

    public func restoreState(_ s: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: reason)
        }
        guard s.scontrol & Bits.scontrolReserved == 0 else { throw fail("reserved SCONTROL bits set") }
        guard s.sints.count == Self.sintCount else { throw fail("\(s.sints.count) SINTs instead of 16") }
        let sources = s.sints.map(SyntheticInterruptSource.init(rawValue:))
        for (n, source) in sources.enumerated() where source.hasReservedBits || source.hasInvalidVector {
            throw fail("SINT\(n) = 0x\(String(source.rawValue, radix: 16)) is not a valid register value")
        }
        scontrol = s.scontrol
        simp = s.simp
        siefp = s.siefp
        sints = sources
        retryMask = s.retryMask
    }
}
