// Saved state of an ATA channel: Device Control, the selection, the task files of absent
// positions and each device's own state.

import EmulatorCore

extension ATAChannel: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        /// One device position: exactly one of the fields is set when a device sits there.
        public struct Position: Codable, Equatable, Sendable {
            public var disk: ATADisk.SavedState?
            public var packetDevice: ATAPIDevice.SavedState?
            /// The latched registers when the position is empty.
            public var absentTaskFile: ATATaskFile?
        }

        public var deviceControl: UInt8
        public var selected: Int
        public var positions: [Position]
    }

    public var snapshotSection: String { name }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        let positions = (0..<2).map { i -> SavedState.Position in
            switch devices[i] {
            case let disk as ATADisk: return .init(disk: disk.saveState())
            case let atapi as ATAPIDevice: return .init(packetDevice: atapi.saveState())
            default: return .init(absentTaskFile: absentTaskFiles[i])
            }
        }
        return SavedState(deviceControl: deviceControl, selected: selected, positions: positions)
    }

    /// Why `s` cannot be restored onto this channel (built with the same devices), or nil.
    public func validate(_ s: SavedState) -> String? {
        guard (0...1).contains(s.selected) else { return "selected device \(s.selected)" }
        guard s.positions.count == 2 else { return "\(s.positions.count) device positions instead of 2" }
        for i in 0..<2 {
            let p = s.positions[i]
            let label = i == 0 ? "device 0" : "device 1"
            switch devices[i] {
            case let disk as ATADisk:
                guard let d = p.disk else { return "\(label): saved without the ATA disk this channel has" }
                if let reason = disk.validate(d) { return "\(label): \(reason)" }
            case let atapi as ATAPIDevice:
                guard let d = p.packetDevice else { return "\(label): saved without the ATAPI device this channel has" }
                if let reason = atapi.validate(d) { return "\(label): \(reason)" }
            default:
                guard p.disk == nil, p.packetDevice == nil, p.absentTaskFile != nil else {
                    return "\(label): saved with a device this channel does not have"
                }
            }
        }
        return nil
    }

    /// Restores every position and drives INTRQ to the restored level.
    public func restoreState(_ s: SavedState) throws {
        if let reason = validate(s) { throw SnapshotStateError(section: snapshotSection, reason: reason) }
        deviceControl = s.deviceControl
        selected = s.selected
        for i in 0..<2 {
            let p = s.positions[i]
            switch devices[i] {
            case let disk as ATADisk: disk.restore(p.disk!)
            case let atapi as ATAPIDevice: atapi.restore(p.packetDevice!)
            default: absentTaskFiles[i] = p.absentTaskFile!
            }
        }
        updateInterrupt(force: true)
    }
}
