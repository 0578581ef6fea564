// Root System Description Pointer, ACPI 1.0 form (ACPI 6.5 §5.2.5.3).

import EmulatorCore

/// The RSDP in its 20-byte ACPI 1.0 form: signature `"RSD PTR "`, checksum over the 20 bytes,
/// OEM ID, Revision 0, and the 32-bit RSDT address.
///
/// Why revision 0 with an RSDT rather than revision 2 with an XSDT: every table sits below 4 GiB
/// in this 32-bit machine, so the XSDT's 64-bit pointers buy nothing, while ACPI 1.0 OSes
/// (Windows 98/ME/2000, early Linux) understand only this form. Linux 6.1 follows the RSDT when
/// the RSDP revision is below 2 (`acpi_tb_parse_root_table`), and Windows XP+ does too.
///
/// An OS finds it by scanning 16-byte boundaries of the BIOS area 0xE0000–0xFFFFF or the first KiB
/// of the EBDA, so it must be 16-byte aligned there.
public struct RSDP: Sendable, Equatable {
    /// Size of the ACPI 1.0 RSDP.
    public static let size = 20

    public var oemID: String
    public var rsdtAddress: GuestPhysicalAddress

    public init(oemID: String = ACPITableIdentity.partita.oemID, rsdtAddress: GuestPhysicalAddress) {
        self.oemID = oemID
        self.rsdtAddress = rsdtAddress
    }

    public var encoded: [UInt8] {
        var out = Array("RSD PTR ".utf8)
        out.append(0)  // checksum, filled below
        out += ACPITableHeader.ascii(oemID, count: 6)
        out.append(0)  // Revision 0: ACPI 1.0
        out.appendLE(rsdtAddress.value)
        out[8] = ACPITableHeader.checksumByte(for: out)
        return out
    }
}
