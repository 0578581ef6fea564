// Firmware ACPI Control Structure (ACPI 6.5 §5.2.10).

/// The FACS: 64 bytes in ACPI NVS memory, 64-byte aligned, no checksum. It holds the hardware
/// signature (compared across S4 resume), the waking vectors and the Global Lock.
///
/// Version 1 (the ACPI 2.0 layout, matching the revision-3 FADT): the fields after the waking
/// vector are the 64-bit X waking vector and the version byte; ACPI 1.0 OSes see them as reserved.
/// The S4BIOS flag is clear (no BIOS-assisted hibernation).
public struct FACS: Sendable, Equatable {
    public static let size = 64
    /// Required alignment of the FACS in memory.
    public static let alignment: UInt32 = 64
    public static let version: UInt8 = 1

    /// A value that changes when the hardware configuration changes, so an OS does not resume
    /// a hibernated image on different hardware.
    public var hardwareSignature: UInt32

    public init(hardwareSignature: UInt32) {
        self.hardwareSignature = hardwareSignature
    }

    public var encoded: [UInt8] {
        var out = Array("FACS".utf8)
        out.appendLE(UInt32(Self.size))
        out.appendLE(hardwareSignature)
        out.appendLE(UInt32(0))  // Firmware Waking Vector: set by the OS
        out.appendLE(UInt32(0))  // Global Lock: free
        out.appendLE(UInt32(0))  // Flags: no S4BIOS_F, no 64-bit wake support
        out.appendLE(UInt64(0))  // X Firmware Waking Vector
        out.append(Self.version)
        out += [0, 0, 0]  // reserved
        out.appendLE(UInt32(0))  // OSPM Flags (version 2+; reserved here)
        out += Array(repeating: 0, count: 24)  // reserved
        return out
    }
}
