// Differentiated System Description Table (ACPI 6.5 §5.2.11.1): a header and AML.

/// The DSDT: the table header around a TermList, the `DefinitionBlock` of ASL.
///
/// Revision 1 by default: AML integers are then 32 bits wide (the DefinitionBlock rule), as ACPI 1.0 OSes
/// assume, and nothing in a 32-bit PC's namespace needs more. `OnesOp` is 0xFFFF_FFFF there.
public struct DSDT: Sendable, Equatable {
    public var revision: UInt8
    public var identity: ACPITableIdentity
    /// The TermList.
    public var aml: [UInt8]

    public init(revision: UInt8 = 1, identity: ACPITableIdentity = .partita, aml: [UInt8]) {
        self.revision = revision
        self.identity = identity
        self.aml = aml
    }

    public var encoded: [UInt8] {
        ACPITableHeader.table(signature: "DSDT", revision: revision, identity: identity, body: aml)
    }
}
