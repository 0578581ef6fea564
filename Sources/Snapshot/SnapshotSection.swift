// One device's saved state as the container stores it: a name, a layout version and bytes.

import EmulatorCore
import Foundation

/// A device section. The container treats `payload` as opaque bytes; the helpers below encode
/// a `Snapshottable` device's `SavedState` as JSON (sorted keys, so equal states give equal
/// bytes and equal snapshot files).
public struct SnapshotSection: Equatable, Sendable {
    /// Unique within a snapshot (`Snapshottable.snapshotSection`).
    public var name: String
    /// The device's `savedStateVersion` when the payload was made.
    public var version: Int
    public var payload: [UInt8]

    public init(name: String, version: Int, payload: [UInt8]) {
        self.name = name
        self.version = version
        self.payload = payload
    }

    /// The section for `device`'s current state.
    public init<D: Snapshottable>(saving device: D) throws(SnapshotStateError) {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        do {
            payload = Array(try e.encode(device.saveState()))
        } catch {
            throw SnapshotStateError(section: device.snapshotSection, reason: "cannot encode: \(error)")
        }
        name = device.snapshotSection
        version = D.savedStateVersion
    }

    /// Decodes the payload and restores `device` from it. A section written by a newer layout
    /// than the device knows is refused; older layouts decode because new fields are optional
    /// (ARCHITECTURE.md, "Save / restore").
    public func restore<D: Snapshottable>(into device: D) throws(SnapshotStateError) {
        guard name == device.snapshotSection else {
            throw SnapshotStateError(section: device.snapshotSection, reason: "given section \"\(name)\"")
        }
        guard version <= D.savedStateVersion else {
            throw SnapshotStateError(
                section: name, reason: "saved-state version \(version) is newer than this Partita supports (\(D.savedStateVersion))")
        }
        let state: D.SavedState
        do {
            state = try JSONDecoder().decode(D.SavedState.self, from: Data(payload))
        } catch {
            throw SnapshotStateError(section: name, reason: "cannot decode: \(error)")
        }
        do {
            try device.restoreState(state)
        } catch let e as SnapshotStateError {
            throw e
        } catch {
            throw SnapshotStateError(section: name, reason: "\(error)")
        }
    }
}
