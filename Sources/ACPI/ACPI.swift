// ACPI: the AML encoder and the table builders (RSDP, RSDT, FADT, FACS, DSDT, MADT).
