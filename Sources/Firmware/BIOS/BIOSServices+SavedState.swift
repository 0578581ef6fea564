// Saved state of the BIOS services: which disks, and the El Torito emulation in force.

import EmulatorCore
import Storage

extension BIOSServices: Snapshottable {
    public struct SavedState: Codable, Equatable {
        /// A:, B:, the hard disks, the CD-ROM (nil: absent) — checked against the images on restore.
        public var disks: [DiskIdentity?]
        public var emulation: CDEmulation?
        public var cdLocks: UInt8
        /// $PIR slot entries POST built (for PCI BIOS B10Eh).
        public var routingEntries: [UInt8]
    }

    public static let savedStateVersion = 1

    public func saveState() -> SavedState {
        SavedState(disks: disks.all.map { $0?.identity }, emulation: emulation, cdLocks: cdLocks,
                   routingEntries: routingEntries)
    }

    public func restoreState(_ s: SavedState) throws {
        let now = disks.all.map { $0?.identity }
        guard s.disks.count == now.count else {
            throw SnapshotStateError(section: snapshotSection, reason: "the snapshot has \(s.disks.count) disk slots, this machine \(now.count)")
        }
        var warnings: [String] = []
        for (saved, current) in zip(s.disks, now) where saved != current {
            let difference = "the snapshot was taken with disk \(saved.map { "\($0)" } ?? "none"), now it is \(current.map { "\($0)" } ?? "none")"
            // A missing or added disk is never forced: the machine would not be the same.
            guard acceptChangedDisks, saved != nil, current != nil else {
                throw SnapshotStateError(section: snapshotSection,
                                         reason: difference + "; restore with the same, unmodified image")
            }
            warnings.append("\(snapshotSection): " + difference)
        }
        guard s.routingEntries.count % 16 == 0, s.routingEntries.count <= 32 * 16 else {
            throw SnapshotStateError(section: snapshotSection, reason: "bad routing table of \(s.routingEntries.count) bytes")
        }
        if let e = s.emulation, e.mediaType > 4 {
            throw SnapshotStateError(section: snapshotSection, reason: "bad El Torito media type \(e.mediaType)")
        }
        restoreWarnings = warnings
        emulation = s.emulation
        cdLocks = s.cdLocks
        routingEntries = s.routingEntries
    }
}
