// Fixed ACPI Description Table, signature FACP (ACPI 6.5 §5.2.9).

import EmulatorCore

/// The FADT, revision 3 (the ACPI 2.0 layout, 244 bytes).
///
/// Why revision 3: it is the first revision that defines RESET_REG/RESET_VALUE, IAPC_BOOT_ARCH
/// and the 64-bit X_ fields, and its first 116 bytes are the ACPI 1.0 FADT unchanged, so ACPI 1.0
/// OSes read what they know and ignore the rest. Revisions 5+ add only hardware-reduced and ARM
/// fields this PC does not use. Both the 32-bit and the X_ fields are filled with equal values:
/// ACPICA warns only when they differ, and 1.0 OSes need the 32-bit ones.
///
/// Fixed hardware follows the PIIX4 PM function's register block at `pmBase`: PM1a_EVT_BLK at +0
/// (4 bytes: status, enable), PM1a_CNT_BLK at +4 (2 bytes), PM_TMR_BLK at +8 (4 bytes, a 24-bit
/// 3.579545 MHz counter unless `timerIs32Bit`), GPE0_BLK optionally at +0x0C.
public struct FADT: Sendable, Equatable {
    public static let revision: UInt8 = 3
    public static let size = 244

    /// FADT Flags (offset 112).
    public struct Flags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// WBINVD flushes all caches (required of ACPI 1.0+ x86 platforms).
        public static let wbinvd = Flags(rawValue: 1 << 0)
        public static let wbinvdFlush = Flags(rawValue: 1 << 1)
        /// C1 (HLT) works on all processors.
        public static let processorC1 = Flags(rawValue: 1 << 2)
        public static let processorLevel2MP = Flags(rawValue: 1 << 3)
        /// The power button is a control-method device, not the fixed-feature one.
        public static let powerButtonIsControlMethod = Flags(rawValue: 1 << 4)
        /// The sleep button is a control-method device or absent, not the fixed-feature one.
        public static let sleepButtonIsControlMethod = Flags(rawValue: 1 << 5)
        /// RTC wake status is not in the fixed register space.
        public static let rtcWakeNotFixed = Flags(rawValue: 1 << 6)
        public static let rtcWakeFromS4 = Flags(rawValue: 1 << 7)
        /// TMR_VAL_EXT: the PM timer is 32 bits (else 24).
        public static let timerValueExtended = Flags(rawValue: 1 << 8)
        public static let dockCapable = Flags(rawValue: 1 << 9)
        /// RESET_REG_SUP: RESET_REG and RESET_VALUE reset the machine.
        public static let resetRegisterSupported = Flags(rawValue: 1 << 10)
        public static let sealedCase = Flags(rawValue: 1 << 11)
        public static let headless = Flags(rawValue: 1 << 12)
    }

    /// IA-PC Boot Architecture Flags (IAPC_BOOT_ARCH, offset 109; ACPI 2.0+).
    public struct BootArchitectureFlags: OptionSet, Sendable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// LEGACY_DEVICES: ISA devices (serial, parallel…) not enumerable any other way.
        public static let legacyDevices = BootArchitectureFlags(rawValue: 1 << 0)
        /// 8042: a PS/2 keyboard controller.
        public static let has8042 = BootArchitectureFlags(rawValue: 1 << 1)
        public static let vgaNotPresent = BootArchitectureFlags(rawValue: 1 << 2)
        public static let msiNotSupported = BootArchitectureFlags(rawValue: 1 << 3)
        public static let pcieASPMControls = BootArchitectureFlags(rawValue: 1 << 4)
        public static let cmosRTCNotPresent = BootArchitectureFlags(rawValue: 1 << 5)
    }

    public var identity: ACPITableIdentity = .partita
    public var facsAddress: GuestPhysicalAddress
    public var dsdtAddress: GuestPhysicalAddress
    /// ACPI 1.0 INT_MODEL (reserved since 2.0, where 1 stays allowed for 1.0 compatibility):
    /// 1 = the platform describes its APICs in the MADT.
    public var interruptModel: UInt8 = 1
    /// Preferred_PM_Profile: 1 = desktop.
    public var preferredPMProfile: UInt8 = 1
    /// The SCI's ISA IRQ (SCI_INT): level, active high, shareable.
    public var sciInterrupt: UInt16
    /// SMI_CMD port, or nil when the platform is always in ACPI mode (SCI_EN fixed at 1).
    public var smiCommandPort: IOPort?
    /// Value written to SMI_CMD to hand the fixed hardware to the OS (sets SCI_EN).
    public var acpiEnable: UInt8
    /// Value written to SMI_CMD to take it back.
    public var acpiDisable: UInt8
    public var pm1aEventBlock: IOPort
    public var pm1aControlBlock: IOPort
    public var pmTimerBlock: IOPort
    /// GPE0_BLK, or nil for no GPE block.
    public var gpe0Block: GPEBlock?
    /// CMOS index of the RTC century byte (0: none).
    public var century: UInt8
    public var bootArchitecture: BootArchitectureFlags
    public var flags: Flags
    /// RESET_REG and RESET_VALUE, used when `flags` contains `.resetRegisterSupported`.
    public var resetRegister: GenericAddress = .unused
    public var resetValue: UInt8 = 0

    public init(facsAddress: GuestPhysicalAddress, dsdtAddress: GuestPhysicalAddress, sciInterrupt: UInt16,
                smiCommandPort: IOPort?, acpiEnable: UInt8, acpiDisable: UInt8, pmBase: IOPort,
                gpe0Block: GPEBlock? = nil, century: UInt8 = 0,
                bootArchitecture: BootArchitectureFlags = [.legacyDevices, .has8042],
                flags: Flags = [.wbinvd, .processorC1, .sleepButtonIsControlMethod, .rtcWakeNotFixed]) {
        self.facsAddress = facsAddress
        self.dsdtAddress = dsdtAddress
        self.sciInterrupt = sciInterrupt
        self.smiCommandPort = smiCommandPort
        self.acpiEnable = acpiEnable
        self.acpiDisable = acpiDisable
        self.pm1aEventBlock = pmBase
        self.pm1aControlBlock = IOPort(pmBase.value + 4)
        self.pmTimerBlock = IOPort(pmBase.value + 8)
        self.gpe0Block = gpe0Block
        self.century = century
        self.bootArchitecture = bootArchitecture
        self.flags = flags
    }

    /// A General-Purpose Event register block: `length` bytes (even), the first half status
    /// bits, the second half enable bits.
    public struct GPEBlock: Sendable, Equatable {
        public var port: IOPort
        public var length: UInt8
        public init(port: IOPort, length: UInt8) {
            precondition(length > 0 && length % 2 == 0, "GPE block length must be a non-zero multiple of 2")
            self.port = port
            self.length = length
        }
    }

    /// PM1_EVT_LEN, PM1_CNT_LEN, PM_TMR_LEN: the sizes ACPI fixes for these blocks.
    static let pm1EventLength: UInt8 = 4
    static let pm1ControlLength: UInt8 = 2
    static let pmTimerLength: UInt8 = 4

    public var encoded: [UInt8] {
        var b: [UInt8] = []
        b.appendLE(facsAddress.value)  // 36 FIRMWARE_CTRL
        b.appendLE(dsdtAddress.value)  // 40 DSDT
        b.append(interruptModel)  // 44 INT_MODEL (reserved)
        b.append(preferredPMProfile)  // 45
        b.appendLE(sciInterrupt)  // 46 SCI_INT
        b.appendLE(UInt32(smiCommandPort?.value ?? 0))  // 48 SMI_CMD
        b.append(acpiEnable)  // 52
        b.append(acpiDisable)  // 53
        b.append(0)  // 54 S4BIOS_REQ: no S4BIOS
        b.append(0)  // 55 PSTATE_CNT: no OS-controlled P-states
        b.appendLE(UInt32(pm1aEventBlock.value))  // 56 PM1a_EVT_BLK
        b.appendLE(UInt32(0))  // 60 PM1b_EVT_BLK
        b.appendLE(UInt32(pm1aControlBlock.value))  // 64 PM1a_CNT_BLK
        b.appendLE(UInt32(0))  // 68 PM1b_CNT_BLK
        b.appendLE(UInt32(0))  // 72 PM2_CNT_BLK
        b.appendLE(UInt32(pmTimerBlock.value))  // 76 PM_TMR_BLK
        b.appendLE(UInt32(gpe0Block?.port.value ?? 0))  // 80 GPE0_BLK
        b.appendLE(UInt32(0))  // 84 GPE1_BLK
        b.append(Self.pm1EventLength)  // 88
        b.append(Self.pm1ControlLength)  // 89
        b.append(0)  // 90 PM2_CNT_LEN
        b.append(Self.pmTimerLength)  // 91
        b.append(gpe0Block?.length ?? 0)  // 92 GPE0_BLK_LEN
        b.append(0)  // 93 GPE1_BLK_LEN
        b.append(0)  // 94 GPE1_BASE
        b.append(0)  // 95 CST_CNT
        b.appendLE(UInt16(101))  // 96 P_LVL2_LAT: > 100 µs means C2 unsupported
        b.appendLE(UInt16(1001))  // 98 P_LVL3_LAT: > 1000 µs means C3 unsupported
        b.appendLE(UInt16(0))  // 100 FLUSH_SIZE
        b.appendLE(UInt16(0))  // 102 FLUSH_STRIDE
        b.append(0)  // 104 DUTY_OFFSET
        b.append(0)  // 105 DUTY_WIDTH: no throttling
        b.append(0)  // 106 DAY_ALRM: no day-of-month alarm
        b.append(0)  // 107 MON_ALRM
        b.append(century)  // 108 CENTURY
        b.appendLE(bootArchitecture.rawValue)  // 109 IAPC_BOOT_ARCH
        b.append(0)  // 111 reserved
        b.appendLE(flags.rawValue)  // 112 Flags
        b += resetRegister.encoded  // 116 RESET_REG
        b.append(resetValue)  // 128 RESET_VALUE
        b += [0, 0, 0]  // 129 ARM_BOOT_ARCH, 131 FADT minor version: reserved before ACPI 5.1
        b.appendLE(UInt64(facsAddress.value))  // 132 X_FIRMWARE_CTRL
        b.appendLE(UInt64(dsdtAddress.value))  // 140 X_DSDT
        b += GenericAddress.io(pm1aEventBlock.value, bytes: Int(Self.pm1EventLength)).encoded  // 148
        b += GenericAddress.unused.encoded  // 160 X_PM1b_EVT_BLK
        b += GenericAddress.io(pm1aControlBlock.value, bytes: Int(Self.pm1ControlLength)).encoded  // 172
        b += GenericAddress.unused.encoded  // 184 X_PM1b_CNT_BLK
        b += GenericAddress.unused.encoded  // 196 X_PM2_CNT_BLK
        b += GenericAddress.io(pmTimerBlock.value, bytes: Int(Self.pmTimerLength)).encoded  // 208
        if let gpe0Block {  // 220 X_GPE0_BLK
            b += GenericAddress.io(gpe0Block.port.value, bytes: Int(gpe0Block.length)).encoded
        } else {
            b += GenericAddress.unused.encoded
        }
        b += GenericAddress.unused.encoded  // 232 X_GPE1_BLK
        let table = ACPITableHeader.table(signature: "FACP", revision: Self.revision, identity: identity, body: b)
        assert(table.count == Self.size)
        return table
    }
}
