// Saved state of the PIIX3 IDE function: configuration space, both bus-master engines and both
// channels with their devices.

import EmulatorCore
import Storage

extension PIIX3IDEFunction: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        /// One bus-master engine: registers and its position in the PRD table.
        public struct BusMaster: Codable, Equatable, Sendable {
            public var command: UInt8
            public var status: UInt8
            public var descriptorTable: UInt32
            public var nextDescriptor: UInt32
            public var regionAddress: UInt32
            public var regionRemaining: Int
            public var endOfTable: Bool
            public var descriptorsFetched: Int
            /// The channel's INTRQ level as the engine last saw it.
            public var interruptInput: Bool
        }

        public var config: PCIConfigSpace.SavedState
        public var busMasters: [BusMaster]
        public var channels: [ATAChannel.SavedState]
    }

    public var snapshotSection: String { "pci.00.1.1.piix3-ide" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(config: config.saveState(),
                   busMasters: busMasters.map {
                       .init(command: $0.command, status: $0.status, descriptorTable: $0.descriptorTable,
                             nextDescriptor: $0.nextDescriptor, regionAddress: $0.regionAddress,
                             regionRemaining: $0.regionRemaining, endOfTable: $0.endOfTable,
                             descriptorsFetched: $0.descriptorsFetched, interruptInput: $0.interruptInput)
                   },
                   channels: channels.map { $0.saveState() })
    }

    /// Validates everything first, then restores: configuration (BAR4 observers hear where the
    /// bus-master block decodes), engines, channels (INTRQ driven to the saved level).
    public func restoreState(_ s: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError { SnapshotStateError(section: snapshotSection, reason: reason) }
        if let reason = config.validate(s.config) { throw fail(reason) }
        guard s.busMasters.count == 2, s.channels.count == 2 else {
            throw fail("\(s.busMasters.count) bus masters and \(s.channels.count) channels instead of 2 each")
        }
        for (i, m) in s.busMasters.enumerated() {
            guard m.command & ~(PIIX3IDEBusMaster.Command.start | PIIX3IDEBusMaster.Command.writeToMemory) == 0,
                  m.status & 0x98 == 0, m.descriptorTable & 3 == 0,
                  (0...65_536).contains(m.regionRemaining),
                  (0...PIIX3IDEBusMaster.maxDescriptors).contains(m.descriptorsFetched) else {
                throw fail("bus master \(i) holds values the hardware cannot (command \(m.command), status \(m.status))")
            }
        }
        for (i, c) in s.channels.enumerated() {
            if let reason = channels[i].validate(c) { throw fail("\(channels[i].name): \(reason)") }
        }
        config.restore(s.config)
        for (m, saved) in zip(busMasters, s.busMasters) {
            m.command = saved.command
            m.status = saved.status
            m.descriptorTable = saved.descriptorTable
            m.nextDescriptor = saved.nextDescriptor
            m.regionAddress = saved.regionAddress
            m.regionRemaining = saved.regionRemaining
            m.endOfTable = saved.endOfTable
            m.descriptorsFetched = saved.descriptorsFetched
            m.interruptInput = saved.interruptInput
        }
        for (c, saved) in zip(channels, s.channels) { try c.restoreState(saved) }
    }
}
