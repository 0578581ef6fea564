// Why a machine snapshot could not be saved or restored.

import EmulatorCore
import Snapshot

/// Every failure of `PCMachine.saveSnapshot` and `PCMachine.restore`, each a single line that
/// says what is wrong.
public enum MachineSnapshotError: Error, CustomStringConvertible {
    /// The container could not be written or read (damaged, truncated, newer format, I/O).
    case file(SnapshotFileError)
    /// A device refused its saved state.
    case state(SnapshotStateError)
    /// A section this machine has no device for (a newer Partita, or a damaged file).
    case unknownSection(String)
    /// A section for a device the snapshot's own configuration leaves out.
    case absentDevice(section: String, reason: String)
    /// The manifest's configuration cannot describe a machine.
    case badConfiguration(String)
    /// The configuration was written by a newer Partita.
    case newerConfiguration(found: Int, supported: Int)
    /// The machine cannot be built (e.g. a host backend cannot be opened).
    case machine(String)
    /// `saveSnapshot` was called while `run` is executing a slice.
    case notAtSliceBoundary

    public var description: String {
        switch self {
        case .file(let e): return e.description
        case .state(let e): return e.description
        case .unknownSection(let name):
            return "snapshot section \"\(name)\" belongs to no device of this machine (written by a newer Partita?)"
        case .absentDevice(let section, let reason):
            return "snapshot section \"\(section)\" is for a device this snapshot's configuration does not have (\(reason))"
        case .badConfiguration(let why):
            return "snapshot configuration is not usable: \(why)"
        case .newerConfiguration(let found, let supported):
            return "snapshot configuration version \(found) is newer than this Partita supports (\(supported))"
        case .machine(let why):
            return "cannot build the machine to restore into: \(why)"
        case .notAtSliceBoundary:
            return "a snapshot can only be taken between run slices (stop the machine or use betweenSlices)"
        }
    }
}
