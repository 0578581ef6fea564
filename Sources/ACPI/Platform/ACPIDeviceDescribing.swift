// The hook through which a device describes itself in the DSDT.

/// A device that appears in the ACPI namespace under `\_SB` (e.g. the VMBus root device).
///
/// `ACPITables.build` calls `appendAML(into:)` inside `Scope (\_SB)` after the built-in PC
/// devices, in the order the devices are given, so the DSDT is the same for the same machine.
public protocol ACPIDeviceDescribing {
    /// Appends this device's objects — typically one `Device ()` with `_HID`, `_UID`, `_CRS` —
    /// to the `\_SB` scope.
    func appendAML(into scope: inout AMLBuilder)
}
