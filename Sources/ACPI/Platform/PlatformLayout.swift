// The platform's addresses and wiring, in one value that machine, BIOS, E820 map and ACPI tables share.

import EmulatorCore

/// Where things are in this PC: RAM size, where the ACPI tables and the RSDP go, the PM register
/// block and SCI, the APICs, the PCI hole and how PCI interrupts are routed.
///
/// Build one, hand the same value to the machine (device wiring), the BIOS/E820 builder
/// (`acpiNVSRegion`, `acpiReclaimRegion`, `rsdpAddress`) and `ACPITables.build`, so they agree.
///
/// Defaults and why:
/// - ACPI tables in the top `acpiRegion` (64 KiB) of RAM: the first 4 KiB page holds the FACS and
///   must be E820 type 4 (ACPI NVS, the OS writes the Global Lock and waking vector there); the
///   rest holds DSDT, FADT, MADT and RSDT and is E820 type 3 (ACPI reclaimable).
/// - RSDP at 0xE0000: OSes find it by scanning the BIOS area 0xE0000–0xFFFFF on 16-byte
///   boundaries (ACPI 6.5 §5.2.5.1). 0xE0000 is outside a 64 KiB BIOS image at 0xF0000; a machine
///   with a larger image writes the RSDP into the image before mapping it. The E820 map reserves
///   0xE0000–0xFFFFF as the BIOS area anyway.
/// - PM block at I/O 0x600 (64 bytes, the PIIX4 PM function's PMBA size and alignment) with
///   GPE0 at +0x0C (4 bytes), SCI on ISA IRQ 9 (level, active high), SMI_CMD 0xB2 (the APM
///   control port; 0xB3 is its status port) with ACPI enable 0xF1 / disable 0xF0. These match
///   `ACPIPMLayout.standard` of the PIIX4 PM device.
/// - `\_S5` SLP_TYP 0: the PIIX4 PMCNTRL SUS_TYP encoding of soft-off (000b). The PM device
///   powers off when SLP_EN is written with SLP_TYP == `s5SleepType`.
/// - Reset register: I/O 0xCF9 (the PIIX4 Reset Control Register) value 0x06 (SRST | RCPU: hard
///   reset).
/// - Local APIC at 0xFEE0_0000, I/O APIC at 0xFEC0_0000 with GSI base 0 and 24 inputs; APIC IDs
///   0..<processorCount for the CPUs, `processorCount` for the I/O APIC (the machine builds the
///   I/O APIC with this ID).
/// - PCI hole from the top of RAM to 0xFEBF_FFFF (just below the I/O APIC).
/// - PCI INTx routed through the PIIX PIRQ link devices (`PCIInterruptRouting.pirqLinks`).
public struct PlatformLayout: Sendable, Equatable {
    /// A range of guest physical memory.
    public struct Region: Sendable, Equatable {
        public var base: GuestPhysicalAddress
        public var size: UInt32

        public init(base: GuestPhysicalAddress, size: UInt32) {
            self.base = base
            self.size = size
        }

        /// First address past the region.
        public var end: UInt64 { UInt64(base.value) + UInt64(size) }

        public func contains(_ other: Region) -> Bool {
            other.base.value >= base.value && other.end <= end
        }
    }

    /// How the DSDT's `_PRT` maps PCI INTA#–INTD# to interrupts.
    public enum PCIInterruptRouting: Sendable, Equatable {
        /// Through the PIIX's four PIRQ route registers (ISA bridge config 0x60–0x63): `_PRT` names
        /// link devices `\_SB.LNKA`–`LNKD` (PNP0C0F) whose `_CRS/_PRS/_SRS/_DIS/_STA` read and write
        /// those registers. The OS picks an ISA IRQ for each link; the chipset must deliver PIRQx
        /// to that IRQ on the 8259 and on the same-numbered I/O APIC input (level, active high).
        /// Works in PIC and APIC mode, so with ACPI 1.0 OSes too.
        case pirqLinks
        /// Static: `_PRT` gives GSIs directly, PIRQx on I/O APIC input 16 + x (`gsi(forPIRQ:)`).
        /// The ACPI `_PRT` rules make such GSIs level-triggered, active-low and shareable, so the OS
        /// programs those inputs active low: the I/O APIC model must treat an asserted line as
        /// active whatever the polarity bit (as if the board inverted the signal). APIC mode
        /// only: an OS running in PIC mode finds no IRQ for PCI devices.
        case ioapicDirect
    }

    /// A register that resets the machine when `value` is written (FADT RESET_REG, I/O space).
    public struct ResetRegister: Sendable, Equatable {
        public var port: IOPort
        public var value: UInt8
        public init(port: IOPort, value: UInt8) {
            self.port = port
            self.value = value
        }
    }

    // MARK: Memory

    /// Guest RAM in bytes, from address 0 (a multiple of 4 KiB).
    public var ramSize: UInt32
    /// Where the tables go (4 KiB aligned, inside RAM above 1 MiB); its first page is ACPI NVS.
    public var acpiRegion: Region
    /// Where the RSDP goes: 16-byte aligned, in 0xE0000–0xFFFFF (or in the EBDA's first KiB).
    public var rsdpAddress: GuestPhysicalAddress
    /// First address of the PCI MMIO window; it runs to `pciHoleEnd`.
    public var pciHoleStart: GuestPhysicalAddress

    // MARK: Interrupt controllers

    /// Number of processors (APIC IDs and ACPI processor IDs 0..<processorCount).
    public var processorCount: Int
    public var localAPICAddress = GuestPhysicalAddress(0xFEE0_0000)
    public var ioapicAddress = GuestPhysicalAddress(0xFEC0_0000)
    public var ioapicID: UInt8
    /// Number of I/O APIC inputs (redirection entries).
    public var ioapicInputCount = 24

    // MARK: ACPI fixed hardware (PIIX4-style PM function)

    /// Base of the PM I/O block: PM1a_EVT at +0, PM1a_CNT at +4, PM_TMR at +8, GPE0 at +0x0C.
    public var pmBase = IOPort(0x0600)
    /// The SCI's ISA IRQ (and GSI: identity-mapped, level, active high).
    public var sciIRQ: UInt8 = 9
    /// SMI_CMD port, or nil when the PM device starts with SCI_EN set (always in ACPI mode).
    public var smiCommandPort: IOPort? = IOPort(0x00B2)
    public var acpiEnableValue: UInt8 = 0xF1
    public var acpiDisableValue: UInt8 = 0xF0
    /// Length of the GPE0 block at `pmBase + 0x0C` (PIIX4 GPSTS + GPEN: 4), or nil to declare
    /// none. Declare one only if the PM device implements it: unclaimed reads float high, which
    /// would read as every GPE pending and enabled.
    public var gpe0Length: UInt8? = 4
    /// SLP_TYP written for S5 (soft off), see the type's doc comment.
    public var s5SleepType: UInt8 = 0
    /// The PM timer counts 32 bits (TMR_VAL_EXT) rather than the PIIX4's 24.
    public var pmTimerIs32Bit = false
    /// The PM device implements the fixed-feature power button (PWRBTN_STS/EN in PM1).
    public var fixedPowerButton = true
    public var resetRegister: ResetRegister? = ResetRegister(port: IOPort(0x0CF9), value: 0x06)
    /// CMOS index of the century byte (FADT CENTURY).
    public var rtcCenturyIndex: UInt8 = 0x32

    // MARK: PCI

    public var pciInterruptRouting = PCIInterruptRouting.pirqLinks
    /// PCI device number (bus 0, function 0) of the PIIX ISA bridge holding the PIRQ registers.
    public var isaBridgeDevice: UInt8 = 1
    /// ISA IRQs the OS may give a PIRQ link (`_PRS`): a subset of `pirqRoutableIRQs`.
    public var pirqIRQChoices: [UInt8] = [5, 10, 11]
    /// The IRQs a PIIX3 PIRQ route register can select.
    public static let pirqRoutableIRQs: Set<UInt8> = [3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15]

    /// Last address of the PCI hole: just below the I/O APIC.
    public static let pciHoleEnd = GuestPhysicalAddress(0xFEBF_FFFF)
    /// Default size of `acpiRegion`.
    public static let defaultACPIRegionSize: UInt32 = 64 << 10
    /// Size of the PM I/O block (PIIX4 PMBA decodes 64 bytes).
    public static let pmBlockLength: UInt8 = 0x40

    /// The defaults above for `ramSize` bytes of RAM and `processorCount` CPUs. Check the result
    /// (and any later edit) with `validate()`; `ACPITables.build` does.
    public init(ramSize: UInt32, processorCount: Int = 1) {
        self.ramSize = ramSize
        let regionSize = Self.defaultACPIRegionSize
        acpiRegion = Region(base: GuestPhysicalAddress(ramSize >= regionSize ? ramSize - regionSize : 0),
                            size: regionSize)
        rsdpAddress = GuestPhysicalAddress(0x000E_0000)
        pciHoleStart = GuestPhysicalAddress(ramSize)
        self.processorCount = processorCount
        ioapicID = UInt8(truncatingIfNeeded: processorCount)
    }

    // MARK: Derived values

    public var pm1aEventBlock: IOPort { pmBase }
    public var pm1aControlBlock: IOPort { IOPort(pmBase.value + 4) }
    public var pmTimerBlock: IOPort { IOPort(pmBase.value + 8) }
    /// GPE0_BLK, when `gpe0Length` is set.
    public var gpe0Block: FADT.GPEBlock? {
        gpe0Length.map { FADT.GPEBlock(port: IOPort(pmBase.value + 0x0C), length: $0) }
    }

    /// The page holding the FACS: E820 type 4 (ACPI NVS).
    public var acpiNVSRegion: Region { Region(base: acpiRegion.base, size: 4096) }
    /// The rest of `acpiRegion`, holding the other tables: E820 type 3 (ACPI reclaimable).
    public var acpiReclaimRegion: Region {
        Region(base: GuestPhysicalAddress(acpiRegion.base.value + 4096), size: acpiRegion.size - 4096)
    }

    /// The PIRQ (0 = PIRQA … 3 = PIRQD) that INTx pin `pin` (0 = INTA#) of PCI device `slot` on
    /// bus 0 is wired to: `(slot + pin) mod 4`, so device 1 INTA# is PIRQB and INTA# of
    /// consecutive slots rotates over all four PIRQs.
    ///
    /// This must be the board wiring the chipset implements (`PIIX3ISABridge.pirq(device:pin:)`,
    /// which numbers pins from INTA# = 1: `(device + pin − 1) mod 4`, the same rotation).
    public static func pirq(slot: Int, pin: Int) -> Int {
        precondition((0..<32).contains(slot) && (0..<4).contains(pin), "no PCI slot \(slot) pin \(pin)")
        return (slot + pin) % 4
    }

    /// The I/O APIC input PIRQx reaches under `.ioapicDirect` routing.
    public static func gsi(forPIRQ pirq: Int) -> UInt32 {
        UInt32(16 + pirq)
    }

    // MARK: Validation

    /// Throws the first inconsistency, with a message saying what to change.
    public func validate() throws(PlatformLayoutError) {
        let mib: UInt32 = 1 << 20
        guard ramSize % 4096 == 0, ramSize >= 2 * mib, ramSize <= 0xC000_0000 else {
            throw .badRAMSize(ramSize)
        }
        guard acpiRegion.base.value % 4096 == 0, acpiRegion.size % 4096 == 0, acpiRegion.size >= 8192,
              acpiRegion.base.value >= mib, acpiRegion.end <= UInt64(ramSize) else {
            throw .badACPIRegion(acpiRegion)
        }
        let inBIOSArea = rsdpAddress.value >= 0xE_0000 && rsdpAddress.value + UInt32(RSDP.size) <= 0x10_0000
        let inEBDA = rsdpAddress.value >= 0x8_0000 && rsdpAddress.value + UInt32(RSDP.size) <= 0xA_0000
        guard rsdpAddress.value % 16 == 0, inBIOSArea || inEBDA else { throw .badRSDPAddress(rsdpAddress) }
        guard pciHoleStart.value >= ramSize, pciHoleStart < Self.pciHoleEnd else {
            throw .badPCIHole(pciHoleStart)
        }
        guard (1...15).contains(processorCount) else { throw .badProcessorCount(processorCount) }
        // The I/O APIC ID register holds 4 bits; it must not repeat a processor's APIC ID.
        guard Int(ioapicID) >= processorCount, ioapicID < 16 else { throw .ioapicIDInUse(ioapicID) }
        guard sciIRQ < 16, ![0, 2].contains(sciIRQ) else { throw .badSCIIRQ(sciIRQ) }
        guard pmBase.value % UInt16(Self.pmBlockLength) == 0, pmBase.value != 0,
              UInt32(pmBase.value) + UInt32(Self.pmBlockLength) <= 0x1_0000 else {
            throw .badPMBase(pmBase)
        }
        if let length = gpe0Length, length == 0 || length % 2 != 0 || length > Self.pmBlockLength - 0x0C {
            throw .badGPE0Length(length)
        }
        guard s5SleepType < 8 else { throw .badSleepType(s5SleepType) }
        guard !pirqIRQChoices.isEmpty, pirqIRQChoices.allSatisfy(Self.pirqRoutableIRQs.contains) else {
            throw .badPIRQChoices(pirqIRQChoices)
        }
        guard isaBridgeDevice > 0, isaBridgeDevice < 32 else { throw .badISABridgeDevice(isaBridgeDevice) }
        if pciInterruptRouting == .ioapicDirect, ioapicInputCount < 20 {
            throw .tooFewIOAPICInputs(ioapicInputCount)
        }
        guard (16...240).contains(ioapicInputCount) else { throw .tooFewIOAPICInputs(ioapicInputCount) }
    }
}

/// A `PlatformLayout` the tables cannot be built from; the message says what to change.
public enum PlatformLayoutError: Error, Equatable, CustomStringConvertible {
    case badRAMSize(UInt32)
    case badACPIRegion(PlatformLayout.Region)
    case badRSDPAddress(GuestPhysicalAddress)
    case badPCIHole(GuestPhysicalAddress)
    case badProcessorCount(Int)
    case ioapicIDInUse(UInt8)
    case badSCIIRQ(UInt8)
    case badPMBase(IOPort)
    case badGPE0Length(UInt8)
    case badSleepType(UInt8)
    case badPIRQChoices([UInt8])
    case badISABridgeDevice(UInt8)
    case tooFewIOAPICInputs(Int)
    /// The tables need `needed` bytes of `acpiRegion`, which has `available`.
    case tablesDoNotFit(needed: Int, available: Int)

    public var description: String {
        switch self {
        case .badRAMSize(let size):
            return "RAM size \(size) bytes cannot hold ACPI tables: give 2 MiB to 3 GiB in whole 4 KiB pages"
        case .badACPIRegion(let region):
            return "ACPI table region \(region.base)+\(region.size) must be 4 KiB aligned, at least 8 KiB, "
                + "above 1 MiB and inside RAM"
        case .badRSDPAddress(let address):
            return "RSDP address \(address) must be 16-byte aligned in 0xE0000-0xFFFFF (or in the EBDA)"
        case .badPCIHole(let start):
            return "PCI hole start \(start) must be at or above the top of RAM and below 0xFEC00000"
        case .badProcessorCount(let count):
            return "\(count) processors: give 1 to 15 (the I/O APIC's 4-bit ID must differ from every APIC ID)"
        case .ioapicIDInUse(let id):
            return "I/O APIC ID \(id) is not usable: give a 4-bit ID (below 16) at or above processorCount"
        case .badSCIIRQ(let irq):
            return "SCI IRQ \(irq) is not a usable ISA IRQ: give an ISA IRQ 1-15 other than 2, usually 9"
        case .badPMBase(let port):
            return "PM base \(port) must be a non-zero multiple of 0x40 with its 64-byte block below 0x10000"
        case .badGPE0Length(let length):
            return "GPE0 block length \(length) must be even, non-zero and fit the PM block after +0x0C"
        case .badSleepType(let type):
            return "S5 SLP_TYP \(type) does not fit the 3-bit SLP_TYP field: give 0-7"
        case .badPIRQChoices(let irqs):
            return "PIRQ IRQ choices \(irqs) must be non-empty and among 3-7, 9-12, 14, 15 (what PIIX3 can route)"
        case .badISABridgeDevice(let device):
            return "ISA bridge PCI device \(device) must be 1-31 (device 0 is the host bridge)"
        case .tooFewIOAPICInputs(let count):
            return "I/O APIC with \(count) inputs: give 16-240, and at least 20 for direct PCI routing (GSI 16-19)"
        case .tablesDoNotFit(let needed, let available):
            return "ACPI tables need \(needed) bytes but the ACPI region holds \(available): enlarge acpiRegion"
        }
    }
}
