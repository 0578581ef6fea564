// One floppy drive on the 82077AA's cable: head position, medium, write protect and DSKCHG.

import Storage

/// A drive as the controller sees it through the cable: TRK0, WP, INDEX (implied by the
/// sector under the head) and DSKCHG. Its medium is a `BlockDevice` whose size picked a
/// `FloppyGeometry`.
struct FloppyDrive {
    /// The last cylinder the head mechanism reaches; step pulses beyond it do nothing (a 3.5"
    /// drive's stop sits a few tracks past 79).
    static let lastPhysicalCylinder = 83

    /// Whether a drive is attached at this position of the cable (drives 0 and 1).
    var exists: Bool
    /// Cylinder under the head (physical, what the drive's stepper did).
    var cylinder = 0
    /// Head selected by the last command (HDS).
    var head = 0
    /// The sector whose ID passes the head next (1-based); advances as sectors go by, so READ ID
    /// walks around the track.
    var nextSector = 1
    /// DSKCHG: set while no medium is in the drive and latched after one is inserted, until a
    /// step pulse with a medium present (the drive's "disk change" line as PC drives implement it).
    var changeLine = true
    var media: BlockDevice?
    var geometry: FloppyGeometry?
    /// Write protect as the management layer set it (a read-only backend is protected too).
    var writeProtectFlag = false

    init(exists: Bool) { self.exists = exists }

    var hasMedia: Bool { media != nil && geometry != nil }
    /// The WP signal: a medium that cannot be written.
    var writeProtected: Bool { hasMedia && (writeProtectFlag || media!.isReadOnly) }
    var atTrack0: Bool { cylinder == 0 }

    /// Moves the head `steps` step pulses outward (negative) or inward (positive), stopping at
    /// the mechanism's ends. A pulse with a medium present resets DSKCHG.
    mutating func step(by steps: Int) {
        guard exists, steps != 0 else { return }
        cylinder = min(max(cylinder + steps, 0), Self.lastPhysicalCylinder)
        if hasMedia { changeLine = false }
    }
}
