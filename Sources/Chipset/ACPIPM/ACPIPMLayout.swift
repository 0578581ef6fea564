// Where the ACPI fixed hardware of the PIIX4 power-management function lives: the values the
// firmware programs and the FADT and DSDT describe, from one place.

/// The platform's ACPI power-management addresses and values, shared by the firmware setup
/// (PMBA), the FADT (PM1a_EVT_BLK, PM1a_CNT_BLK, PM_TMR_BLK, GPE0_BLK, SCI_INT, SMI_CMD,
/// ACPI_ENABLE/ACPI_DISABLE, the TMR_VAL_EXT flag) and the DSDT (\_S5 sleep type).
///
/// Offsets within the 64-byte PM I/O block follow the Intel 82371AB (PIIX4) datasheet,
/// "Power Management Registers (I/O)": PMSTS/PMEN (the PM1 event block) at +0x00, PMCNTRL
/// (PM1 control) at +0x04, PMTMR at +0x08, GPSTS/GPEN (GPE0) at +0x0C.
public struct ACPIPMLayout: Equatable, Sendable {
    /// The PM I/O block's base (PMBA; 64-byte aligned, below 0x10000).
    public var pmBase: UInt16
    /// The ISA IRQ of the SCI (level-triggered, active high on this board).
    public var sciIRQ: Int
    /// SMI_CMD: the port software writes `acpiEnable` / `acpiDisable` to.
    public var smiCommandPort: UInt16
    /// ACPI_ENABLE: written to SMI_CMD, sets PM1_CNT.SCI_EN.
    public var acpiEnable: UInt8
    /// ACPI_DISABLE: written to SMI_CMD, clears PM1_CNT.SCI_EN.
    public var acpiDisable: UInt8

    public init(pmBase: UInt16, sciIRQ: Int = 9, smiCommandPort: UInt16 = 0xB2, acpiEnable: UInt8 = 0xF1,
                acpiDisable: UInt8 = 0xF0) {
        precondition(pmBase % UInt16(Self.pmBlockSize) == 0 && pmBase != 0, "PMBA is 64-byte aligned and nonzero")
        precondition(acpiEnable != acpiDisable && acpiEnable != 0, "ACPI enable and disable values must differ")
        self.pmBase = pmBase
        self.sciIRQ = sciIRQ
        self.smiCommandPort = smiCommandPort
        self.acpiEnable = acpiEnable
        self.acpiDisable = acpiDisable
    }

    /// The board's layout: PM block at 0x600, SCI on IRQ 9, SMI_CMD 0xB2 with 0xF1/0xF0.
    public static let standard = ACPIPMLayout(pmBase: 0x0600)

    /// Bytes in the PM I/O block PMBA decodes.
    public static let pmBlockSize = 64

    /// PM1a_EVT_BLK: PM1_STS (2 bytes) then PM1_EN (2 bytes).
    public var pm1aEventBlock: UInt16 { pmBase + PIIX4PowerManagement.Offset.pm1Status }
    /// PM1_EVT_LEN.
    public var pm1EventLength: Int { 4 }
    /// PM1a_CNT_BLK.
    public var pm1aControlBlock: UInt16 { pmBase + PIIX4PowerManagement.Offset.pm1Control }
    /// PM1_CNT_LEN.
    public var pm1ControlLength: Int { 2 }
    /// PM_TMR_BLK.
    public var pmTimerBlock: UInt16 { pmBase + PIIX4PowerManagement.Offset.pmTimer }
    /// PM_TMR_LEN.
    public var pmTimerLength: Int { 4 }
    /// GPE0_BLK: GPE0_STS (2 bytes) then GPE0_EN (2 bytes).
    public var gpe0Block: UInt16 { pmBase + PIIX4PowerManagement.Offset.gpe0Status }
    /// GPE0_BLK_LEN.
    public var gpe0Length: Int { 4 }
    /// FADT flag TMR_VAL_EXT: false, the PM timer has 24 bits.
    public var timerIs32Bit: Bool { false }
    /// The PM timer's frequency (fixed by the ACPI specification).
    public var timerFrequencyHz: UInt64 { PIIX4PowerManagement.timerFrequencyHz }
    /// The SLP_TYP value of \_S5 (soft off): PIIX4 SUS_TYP 000.
    public var s5SleepType: UInt8 { PIIX4PowerManagement.SleepType.softOff.rawValue }
}
