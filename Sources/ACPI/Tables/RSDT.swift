// Root System Description Table (ACPI 6.5 §5.2.7).

import EmulatorCore

/// The RSDT: header (signature `RSDT`, revision 1) followed by 32-bit physical addresses of the
/// other tables (FADT first by convention; the DSDT and FACS are reached through the FADT).
public struct RSDT: Sendable, Equatable {
    public static let revision: UInt8 = 1

    public var identity: ACPITableIdentity
    public var entries: [GuestPhysicalAddress]

    public init(identity: ACPITableIdentity = .partita, entries: [GuestPhysicalAddress]) {
        self.identity = identity
        self.entries = entries
    }

    public var encoded: [UInt8] {
        var body: [UInt8] = []
        for entry in entries { body.appendLE(entry.value) }
        return ACPITableHeader.table(signature: "RSDT", revision: Self.revision, identity: identity, body: body)
    }
}
