// Saved state of the real-time clock and CMOS RAM.

import EmulatorCore

extension RTC: Snapshottable {
    /// The CMOS RAM with the clock as of `syncedAt`, the lazily computed flags, and the divider
    /// phase. Saving first brings the clock up to the current virtual time.
    public struct SavedState: Codable, Equatable, Sendable {
        /// All 128 bytes; 0x0A without UIP, 0x0C-0x0D unused.
        public var ram: [UInt8]
        /// Port 0x70 bits 6-0 and bit 7.
        public var index: UInt8
        public var nmiMasked: Bool
        /// Register C's PF, AF, UF (bits 6-4).
        public var flags: UInt8
        /// Virtual time (ns) the clock bytes and flags are current to.
        public var syncedAt: Int64
        /// Virtual time (ns) the divider chain left reset (may be negative: before power-on).
        public var dividerStart: Int64
    }

    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        settle()
        return SavedState(ram: ram, index: index, nmiMasked: nmiMasked, flags: flags.rawValue,
                          syncedAt: syncedAt, dividerStart: dividerStart)
    }

    public func restoreState(_ s: SavedState) throws {
        func check(_ condition: Bool, _ reason: String) throws {
            if !condition { throw SnapshotStateError(section: snapshotSection, reason: reason) }
        }
        try check(s.ram.count == Constants.ramSize, "CMOS RAM has \(s.ram.count) bytes, not \(Constants.ramSize)")
        try check(s.index & 0x80 == 0, "index 0x\(String(s.index, radix: 16)) beyond the 128-byte RAM")
        try check(s.flags & ~RegisterC.flags.rawValue == 0,
                  "impossible register C flags 0x\(String(s.flags, radix: 16))")
        try check(s.ram[Int(CMOSLayout.registerA)] & RegisterA.updateInProgress == 0, "UIP stored in register A")
        try check(s.syncedAt >= 0, "clock synchronised before power-on")
        try check(s.dividerStart > Int64.min / 2 && s.dividerStart <= Int64.max / 2, "impossible divider phase")

        ram = s.ram
        index = s.index
        if s.nmiMasked != nmiMasked { restoreNMIMask(s.nmiMasked) }
        flags = RegisterC(rawValue: s.flags)
        syncedAt = s.syncedAt
        dividerStart = s.dividerStart
        resynchronize()
    }
}
