// Multiple APIC Description Table, signature APIC (ACPI 6.5 §5.2.12).

import EmulatorCore

/// The MADT, revision 1 (ACPI 1.0b/2.0): every structure used here exists since ACPI 1.0, so
/// the oldest APIC-aware OSes read it, and Linux 6.1 accepts any revision.
///
/// Header, Local Interrupt Controller Address (32 bits), Flags (bit 0 PCAT_COMPAT: dual 8259s are
/// present too, and the OS must mask them before using the APICs), then the structures.
public struct MADT: Sendable, Equatable {
    public static let revision: UInt8 = 1

    /// An Interrupt Controller Structure.
    public enum Entry: Sendable, Equatable {
        /// Type 0: a Processor Local APIC (8 bytes). `processorUID` matches the ProcessorID of the
        /// `Processor ()` object in the DSDT.
        case localAPIC(processorUID: UInt8, apicID: UInt8, enabled: Bool = true)
        /// Type 1: an I/O APIC (12 bytes) whose first input is `gsiBase`.
        case ioAPIC(id: UInt8, address: GuestPhysicalAddress, gsiBase: UInt32)
        /// Type 2: ISA IRQ `source` arrives at `gsi` with these flags (10 bytes).
        case interruptSourceOverride(source: UInt8, gsi: UInt32, flags: MPSINTIFlags)
        /// Type 4: which LINT input of a local APIC is wired to NMI (6 bytes); processor UID 0xFF
        /// means all processors.
        case localAPICNMI(processorUID: UInt8, flags: MPSINTIFlags, lint: UInt8)

        public var encoded: [UInt8] {
            switch self {
            case .localAPIC(let uid, let apicID, let enabled):
                var out: [UInt8] = [0, 8, uid, apicID]
                out.appendLE(UInt32(enabled ? 1 : 0))
                return out
            case .ioAPIC(let id, let address, let gsiBase):
                var out: [UInt8] = [1, 12, id, 0]
                out.appendLE(address.value)
                out.appendLE(gsiBase)
                return out
            case .interruptSourceOverride(let source, let gsi, let flags):
                var out: [UInt8] = [2, 10, 0, source]  // bus 0: ISA
                out.appendLE(gsi)
                out.appendLE(flags.rawValue)
                return out
            case .localAPICNMI(let uid, let flags, let lint):
                var out: [UInt8] = [4, 6, uid]
                out.appendLE(flags.rawValue)
                out.append(lint)
                return out
            }
        }
    }

    /// MPS INTI Flags (ACPI 6.5 §5.2.12, in Interrupt Source Override and NMI structures): polarity in bits 1:0, trigger mode in bits 3:2.
    public struct MPSINTIFlags: Sendable, Equatable {
        public enum Polarity: UInt16, Sendable { case busDefault = 0, activeHigh = 1, activeLow = 3 }
        public enum Trigger: UInt16, Sendable { case busDefault = 0, edge = 1, level = 3 }

        public var polarity: Polarity
        public var trigger: Trigger

        public init(polarity: Polarity, trigger: Trigger) {
            self.polarity = polarity
            self.trigger = trigger
        }

        /// Conforms to the bus (ISA: edge, active high).
        public static let busDefault = MPSINTIFlags(polarity: .busDefault, trigger: .busDefault)

        public var rawValue: UInt16 { polarity.rawValue | trigger.rawValue << 2 }
    }

    public var identity: ACPITableIdentity = .partita
    public var localAPICAddress: GuestPhysicalAddress
    /// PCAT_COMPAT: the 8259 pair is present as well.
    public var pcatCompatible: Bool
    public var entries: [Entry]

    public init(localAPICAddress: GuestPhysicalAddress, pcatCompatible: Bool = true, entries: [Entry]) {
        self.localAPICAddress = localAPICAddress
        self.pcatCompatible = pcatCompatible
        self.entries = entries
    }

    public var encoded: [UInt8] {
        var body: [UInt8] = []
        body.appendLE(localAPICAddress.value)
        body.appendLE(UInt32(pcatCompatible ? 1 : 0))
        for entry in entries { body += entry.encoded }
        return ACPITableHeader.table(signature: "APIC", revision: Self.revision, identity: identity, body: body)
    }
}
