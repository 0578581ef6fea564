// Offsets of the PC/AT CMOS RAM: the MC146818 registers and the bytes BIOSes agree on.

/// Where things live in the 128 bytes behind ports 0x70/0x71.
///
/// 0x00-0x0D are the MC146818's own registers (datasheet, "Address Map"); 0x0E-0x3F follow the
/// IBM PC/AT Technical Reference; 0x34-0x35 and 0x5B-0x5D are the memory-size extensions that
/// SeaBIOS-style firmware reads. Multi-byte values are little-endian except the checksum.
public enum CMOSLayout {
    // MARK: MC146818 registers
    public static let seconds: UInt8 = 0x00
    public static let secondsAlarm: UInt8 = 0x01
    public static let minutes: UInt8 = 0x02
    public static let minutesAlarm: UInt8 = 0x03
    public static let hours: UInt8 = 0x04
    public static let hoursAlarm: UInt8 = 0x05
    /// 1 = Sunday ... 7 = Saturday.
    public static let dayOfWeek: UInt8 = 0x06
    public static let dayOfMonth: UInt8 = 0x07
    public static let month: UInt8 = 0x08
    /// Two digits; the century is at `century`.
    public static let year: UInt8 = 0x09
    /// UIP, divider (DV2-0), rate select (RS3-0).
    public static let registerA: UInt8 = 0x0A
    /// SET, PIE, AIE, UIE, SQWE, DM, 24/12, DSE.
    public static let registerB: UInt8 = 0x0B
    /// IRQF, PF, AF, UF (read-only; reading clears).
    public static let registerC: UInt8 = 0x0C
    /// VRT (read-only).
    public static let registerD: UInt8 = 0x0D

    // MARK: IBM PC/AT layout
    /// POST diagnostic status.
    public static let diagnosticStatus: UInt8 = 0x0E
    /// Shutdown status: why the CPU was reset (0 = power-on / soft reset).
    public static let shutdownStatus: UInt8 = 0x0F
    /// Floppy drive types: drive A in bits 7-4, drive B in bits 3-0 (`CMOSConfiguration.FloppyType`).
    public static let floppyTypes: UInt8 = 0x10
    /// Hard disk types: disk 0 in bits 7-4, disk 1 in bits 3-0; 0xF = see the extended type byte.
    public static let hardDiskTypes: UInt8 = 0x12
    /// Equipment byte: bits 7-6 floppy drives - 1, 5-4 primary display, 1 FPU, 0 floppies present.
    public static let equipment: UInt8 = 0x14
    /// Base memory in KiB (640), low then high byte.
    public static let baseMemoryLow: UInt8 = 0x15
    public static let baseMemoryHigh: UInt8 = 0x16
    /// Extended memory above 1 MiB in KiB, capped at 0xFFFF (64 MiB), low then high byte.
    public static let extendedMemoryLow: UInt8 = 0x17
    public static let extendedMemoryHigh: UInt8 = 0x18
    /// Extended hard disk types (47 = user-defined) when the nibble in `hardDiskTypes` is 0xF.
    public static let hardDisk0ExtendedType: UInt8 = 0x19
    public static let hardDisk1ExtendedType: UInt8 = 0x1A
    /// Bytes covered by the checksum.
    public static let checksummedRange: ClosedRange<UInt8> = 0x10...0x2D
    /// 16-bit sum of `checksummedRange`, high byte first.
    public static let checksumHigh: UInt8 = 0x2E
    public static let checksumLow: UInt8 = 0x2F
    /// Extended memory found by POST, same encoding as 0x17-0x18.
    public static let postExtendedMemoryLow: UInt8 = 0x30
    public static let postExtendedMemoryHigh: UInt8 = 0x31
    /// Century of the date, in the same BCD/binary format as the year (IBM convention).
    public static let century: UInt8 = 0x32

    // MARK: Later extensions
    /// RAM between 16 MiB and 4 GiB in 64 KiB units, capped at 0xFFFF, low then high byte.
    public static let memoryAbove16MLow: UInt8 = 0x34
    public static let memoryAbove16MHigh: UInt8 = 0x35
    /// RAM above 4 GiB in 64 KiB units, three bytes from low to high (0x5B-0x5D).
    public static let memoryAbove4GLow: UInt8 = 0x5B
    public static let memoryAbove4GMiddle: UInt8 = 0x5C
    public static let memoryAbove4GHigh: UInt8 = 0x5D
}
