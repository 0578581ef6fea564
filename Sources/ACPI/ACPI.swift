// ACPI: the AML encoder and the table builders (RSDP, RSDT, FADT, FACS, DSDT, MADT).
//
// Layout of this target:
// - `AML/`: a typed encoder for the AML subset a PC DSDT needs (ACPI 6.5 §20.2), and the
//   resource-descriptor encoder behind `ResourceTemplate` (§6.4).
// - `Tables/`: one type per table (§5.2), each producing its bytes with length and checksum.
// - `Platform/`: `PlatformLayout` (the addresses machine, BIOS, E820 and tables agree on), the PC
//   namespace (`PCNamespace`), the `ACPIDeviceDescribing` hook, and `ACPITables.build`.
