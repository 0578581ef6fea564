// Saved state of the I/O APIC: register select, ID, arbitration ID, redirection table, pin levels.

import EmulatorCore

extension IOAPIC: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        /// IOREGSEL.
        public var registerSelect: UInt8
        /// IOAPICID and IOAPICARB register values (bits 27:24).
        public var id: UInt32
        public var arbitrationID: UInt32
        /// IOREDTBL0–23 as 64-bit entries (Remote IRR included).
        public var redirection: [UInt64]
        /// Pin levels, bit n = pin n.
        public var pinLevels: UInt32
    }

    public var snapshotSection: String { "ioapic" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(registerSelect: ioregsel, id: id, arbitrationID: arbitrationID,
                   redirection: redirection, pinLevels: pinLevels)
    }

    /// Restores without sending anything: a level pin's message, if any, is already in the
    /// restored local APIC's IRR or ISR, as Remote IRR records.
    public func restoreState(_ s: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: reason)
        }
        func hex<T: BinaryInteger>(_ v: T) -> String { "0x" + String(v, radix: 16) }

        guard s.id & ~0x0F00_0000 == 0 else { throw fail("IOAPICID \(hex(s.id)) has reserved bits set") }
        guard s.arbitrationID & ~0x0F00_0000 == 0 else {
            throw fail("IOAPICARB \(hex(s.arbitrationID)) has reserved bits set")
        }
        guard s.redirection.count == Self.pinCount else {
            throw fail("\(s.redirection.count) redirection entries instead of \(Self.pinCount)")
        }
        for (n, e) in s.redirection.enumerated() {
            guard e & ~(Entry.writableLow | Entry.writableHigh | Entry.remoteIRR) == 0 else {
                throw fail("IOREDTBL\(n) \(hex(e)) has reserved or delivery-status bits set")
            }
            guard e & Entry.remoteIRR == 0 || e & Entry.levelTriggered != 0 else {
                throw fail("IOREDTBL\(n) has Remote IRR set on an edge-triggered entry")
            }
        }
        guard s.pinLevels >> UInt32(Self.pinCount) == 0 else {
            throw fail("pin levels \(hex(s.pinLevels)) name pins beyond \(Self.pinCount - 1)")
        }
        ioregsel = s.registerSelect
        id = s.id
        arbitrationID = s.arbitrationID
        redirection = s.redirection
        pinLevels = s.pinLevels
    }
}
