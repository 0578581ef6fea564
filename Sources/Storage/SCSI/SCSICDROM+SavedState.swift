// Saved state of a CD-ROM logical unit: tray, lock, pending unit attention and media event,
// last sense, and which disc is loaded.

extension SCSICDROM {
    /// Version 1 layout. The disc is named by its identity (nil: empty drive); a restore onto
    /// a different disc, or into a drive whose disc presence differs, is refused.
    public struct SavedState: Codable, Equatable, Sendable {
        public var medium: DiskIdentity?
        public var trayOpen: Bool
        public var removalPrevented: Bool
        public var unitAttention: SCSISense?
        /// GET EVENT STATUS NOTIFICATION media event code (0, 2 or 3).
        public var pendingMediaEvent: UInt8
        public var lastSense: SCSISense?
    }

    public func saveState() -> SavedState {
        SavedState(medium: medium?.identity, trayOpen: trayOpen, removalPrevented: removalPrevented,
                   unitAttention: unitAttention, pendingMediaEvent: pendingMediaEvent.rawValue, lastSense: lastSense)
    }

    /// Why `s` cannot be restored into this drive, or nil.
    public func validate(_ s: SavedState) -> String? {
        guard MediaEvent(rawValue: s.pendingMediaEvent) != nil else { return "media event \(s.pendingMediaEvent)" }
        let now = medium?.identity
        guard s.medium == now else {
            return "the snapshot was taken with disc \(s.medium.map { "\($0)" } ?? "(none)"), now it is "
                + "\(now.map { "\($0)" } ?? "(none)"); load the same disc before restoring"
        }
        return nil
    }

    /// Takes a state `validate` accepted.
    public func restore(_ s: SavedState) {
        precondition(validate(s) == nil, "restore of an unvalidated CD-ROM state")
        trayOpen = s.trayOpen
        removalPrevented = s.removalPrevented
        unitAttention = s.unitAttention
        pendingMediaEvent = MediaEvent(rawValue: s.pendingMediaEvent) ?? .none
        lastSense = s.lastSense
    }
}
