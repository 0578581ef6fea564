// Saved state of the PIIX4 power-management function: configuration space, PM block registers,
// the PM timer count and the APM ports.

import EmulatorCore

extension PIIX4PowerManagement: Snapshottable {
    /// Version 1 layout. The PM timer is saved as the count it shows at the save time; restore
    /// continues it from the restoring scheduler's `now`, so nothing absolute about time is stored.
    public struct SavedState: Codable, Equatable, Sendable {
        public var config: PCIConfigSpace.SavedState
        /// The 64-byte PM block as software reads it, except PMTMR (bytes 8–11 are 0);
        /// TMROF_STS is up to date at the save time.
        public var registers: [UInt8]
        /// PMTMR at the save time (24 bits).
        public var timerCount: UInt32
        /// APMC (SMI_CMD) and APMS.
        public var apmControl: UInt8
        public var apmStatus: UInt8
    }

    public var snapshotSection: String { "pci.00.1.3.piix4-pm" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        syncTimerStatus()
        return SavedState(config: config.saveState(), registers: registers, timerCount: timerValue,
                          apmControl: apmControl, apmStatus: apmStatus)
    }

    /// Restores everything, moves the PM block (observers hear about it), drives the SCI and
    /// re-arms the timer.
    public func restoreState(_ state: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: reason)
        }
        if let reason = config.validate(state.config) { throw fail(reason) }
        guard state.registers.count == ACPIPMLayout.pmBlockSize else {
            throw fail("PM block has \(state.registers.count) bytes instead of \(ACPIPMLayout.pmBlockSize)")
        }
        for o in 0..<ACPIPMLayout.pmBlockSize where state.registers[o] & ~(Self.writeMask[o] | Self.clearMask[o]) != 0 {
            throw fail("PM register byte 0x\(String(o, radix: 16)) = 0x\(String(state.registers[o], radix: 16)) "
                       + "sets bits the hardware does not have")
        }
        guard state.timerCount <= 0xFF_FFFF else {
            throw fail("PM timer 0x\(String(state.timerCount, radix: 16)) has more than 24 bits")
        }
        config.restore(state.config)
        registers = state.registers
        apmControl = state.apmControl
        apmStatus = state.apmStatus
        timerOffset = UInt64(state.timerCount) &- Self.clockTicks(at: scheduler.now)
        timerCountSynced = timerCount()
        updatePMBlock()
        update(forceSCI: true)
    }
}
