// The i440FX host bridge (82441FX PMC) at 00:00.0: identification, PAM and SMRAM registers.

import EmulatorCore

/// The host-to-PCI bridge: the Intel 82441FX PCI and Memory Controller (PMC) of the 440FX
/// chipset, PCI 00:00.0 (8086:1237, class 06/00, revision 02).
///
/// Follows the 82441FX datasheet's configuration registers: PCICMD (memory access and bus
/// master hardwired on; SERR# and parity-error response writable), PCISTS, MLT (bits 7:3),
/// the seven Programmable Attribute Map registers PAM0–PAM6 (0x59–0x5F) and the System
/// Management RAM control register SMRAM (0x72).
///
/// PAM: each register holds two 4-bit fields, one per segment of the C0000–FFFFF area (PAM0's
/// low field is reserved; its high field is the F0000 BIOS segment); bit 0 of a field is RE
/// (reads go to DRAM), bit 1 WE (writes go to DRAM). The bridge stores them and calls
/// `pamChanged`; routing those segments between ROM and shadow RAM is the machine's job.
///
/// SMRAM: D_OPEN (bit 6), D_CLS (bit 5), D_LCK (bit 4), G_SMRAME (bit 3) and C_BASE_SEG (2:0,
/// hardwired to 010: the A0000 segment). Once D_LCK is set, D_OPEN is cleared and D_LCK,
/// D_OPEN and G_SMRAME are read-only until reset. Stored, with `smramChanged`; there is no
/// SMM here, so nothing acts on it.
///
/// Stored only: PMCCFG, DETURBO, DBC, AXC, DRAMR, DRAMC, DRAMT, DRB0–7, FDHC, MTT, CLT, ERRCMD,
/// ERRSTS, TRC. Not modelled: DRAM sizing from DRB (the machine's memory map decides), turbo
/// reset through TRC (port 0xCF9 does resets), error reporting.
public final class PCIHostBridge: PCIFunction {
    public static let identity = PCIDeviceIdentity(vendorID: 0x8086, deviceID: 0x1237, revision: 0x02,
                                                   classCode: .hostBridge)
    /// Where the bridge sits: bus 0, device 0, function 0.
    public static let device = 0

    /// Configuration register offsets of the 82441FX.
    public enum Register {
        /// Programmable Attribute Map 0 (PAM1–PAM6 follow).
        public static let pam0 = 0x59
        public static let pamCount = 7
        /// System Management RAM control.
        public static let smram = 0x72
    }

    /// SMRAM register bits.
    public struct SMRAMControl: OptionSet, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// G_SMRAME: SMRAM enabled at all.
        public static let globalEnable = SMRAMControl(rawValue: 1 << 3)
        /// D_LCK: the register is locked until reset.
        public static let locked = SMRAMControl(rawValue: 1 << 4)
        /// D_CLS: data accesses to SMRAM go to the PCI bus (code still fetched from SMRAM).
        public static let closed = SMRAMControl(rawValue: 1 << 5)
        /// D_OPEN: SMRAM visible outside SMM.
        public static let open = SMRAMControl(rawValue: 1 << 6)
        /// C_BASE_SEG = 010: SMRAM is the A0000–BFFFF segment.
        public static let baseSegmentA0000 = SMRAMControl(rawValue: 0x02)
    }

    /// The access a PAM field grants to DRAM.
    public struct PAMAccess: OptionSet, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// RE: reads go to DRAM (otherwise to PCI, i.e. the ROM).
        public static let read = PAMAccess(rawValue: 1 << 0)
        /// WE: writes go to DRAM.
        public static let write = PAMAccess(rawValue: 1 << 1)
    }

    /// One of the 13 legacy segments a PAM field controls.
    public struct PAMSegment: Equatable, Sendable {
        public var base: UInt32
        public var size: UInt32
        /// 0–6: PAM0–PAM6.
        public var register: Int
        /// The field is bits 5:4 (true) or 1:0 (false) of the register.
        public var highField: Bool
    }

    /// The segments in address order: C0000–EFFFF in 16 KiB pieces (PAM1–PAM6, low field
    /// first), then the 64 KiB F0000 BIOS segment (PAM0's high field).
    public static let pamSegments: [PAMSegment] = {
        var s: [PAMSegment] = []
        for i in 0..<12 {
            s.append(PAMSegment(base: 0xC_0000 + UInt32(i) * 0x4000, size: 0x4000, register: 1 + i / 2,
                                highField: i % 2 == 1))
        }
        s.append(PAMSegment(base: 0xF_0000, size: 0x1_0000, register: 0, highField: true))
        return s
    }()

    public let config: PCIConfigSpace
    /// Called with `(register 0–6, old, new)` when a PAM register changes (also on reset and
    /// restore), so the machine can re-route the segments.
    public var pamChanged: ((Int, UInt8, UInt8) -> Void)?
    /// Called with `(old, new)` when the SMRAM register changes.
    public var smramChanged: ((SMRAMControl, SMRAMControl) -> Void)?

    public init() {
        config = PCIConfigSpace(identity: Self.identity, command: [.memorySpace, .busMaster],
                                commandWriteMask: [.parityErrorResponse, .serrEnable],
                                status: [.fastBackToBackCapable, .devselMedium])
        // No cache line size register; MLT implements bits 7:3.
        config.defineRegister(at: PCIConfigSpace.Offset.cacheLineSize, width: .byte, value: 0)
        config.defineRegister(at: PCIConfigSpace.Offset.latencyTimer, width: .byte, value: 0, writeMask: 0xF8)
        // Stored-only registers (PMCCFG 50–51, DETURBO 52, DBC 53, AXC 54, DRAMR 55–56,
        // DRAMC 57, DRAMT 58, DRB0–7 60–67, FDHC 68, MTT 70, CLT 71, ERRCMD 90, TRC 93).
        for o in 0x50...0x58 { config.defineRegister(at: o, width: .byte, value: 0, writeMask: 0xFF) }
        config.defineRegister(at: 0x53, width: .byte, value: 0x80, writeMask: 0xFF)
        config.defineRegister(at: 0x57, width: .byte, value: 0x01, writeMask: 0xFF)
        for o in 0x60...0x67 { config.defineRegister(at: o, width: .byte, value: 0x01, writeMask: 0xFF) }
        config.defineRegister(at: 0x68, width: .byte, value: 0, writeMask: 0xFF)
        config.defineRegister(at: 0x70, width: .byte, value: 0, writeMask: 0xFF)
        config.defineRegister(at: 0x71, width: .byte, value: 0x10, writeMask: 0xFF)
        config.defineRegister(at: 0x90, width: .byte, value: 0, writeMask: 0xFF)
        // ERRSTS: error flags, cleared by writing 1.
        config.defineRegister(at: 0x91, width: .byte, value: 0, writeOneToClear: 0xFF)
        config.defineRegister(at: 0x93, width: .byte, value: 0, writeMask: 0xFF)
        config.defineRegister(at: Register.pam0, width: .byte, value: 0, writeMask: 0x30)
        for i in 1..<Register.pamCount {
            config.defineRegister(at: Register.pam0 + i, width: .byte, value: 0, writeMask: 0x33)
        }
        config.defineRegister(at: Register.smram, width: .byte, value: UInt32(SMRAMControl.baseSegmentA0000.rawValue),
                              writeMask: 0x78)
    }

    /// PAM register `index` (0–6).
    public func pam(_ index: Int) -> UInt8 {
        UInt8(config.raw(offset: Register.pam0 + index, width: .byte))
    }

    /// The DRAM access `segment`'s PAM field grants.
    public func access(for segment: PAMSegment) -> PAMAccess {
        let value = pam(segment.register)
        return PAMAccess(rawValue: (segment.highField ? value >> 4 : value) & 0x3)
    }

    /// The SMRAM register.
    public var smram: SMRAMControl {
        SMRAMControl(rawValue: UInt8(config.raw(offset: Register.smram, width: .byte)))
    }

    /// Returns the registers to power-on values (the callbacks hear about what changes).
    public func reset() {
        let before = snapshotRegisters()
        config.reset()
        notifyChanges(from: before)
    }

    // MARK: PCIFunction

    public func configWrite(offset: Int, width: AccessWidth, value: UInt32) {
        let before = snapshotRegisters()
        config.write(offset: offset, width: width, value: value)
        if PCIConfigSpace.access(offset: offset, width: width, touches: Register.smram...Register.smram) {
            config.setRaw(offset: Register.smram, width: .byte,
                          value: UInt32(Self.lockRules(old: before.smram, written: smram).rawValue))
        }
        notifyChanges(from: before)
    }

    /// D_LCK: once set, D_OPEN, D_LCK and G_SMRAME keep their values (D_OPEN cleared) until reset.
    static func lockRules(old: SMRAMControl, written: SMRAMControl) -> SMRAMControl {
        let lockedBits: SMRAMControl = [.open, .locked, .globalEnable]
        var new = written
        if old.contains(.locked) {
            new.subtract(lockedBits)
            new.formUnion(old.intersection(lockedBits))
        }
        if new.contains(.locked) { new.remove(.open) }
        return new
    }

    // MARK: Change notification

    struct Registers {
        var pam: [UInt8]
        var smram: SMRAMControl
    }

    func snapshotRegisters() -> Registers {
        Registers(pam: (0..<Register.pamCount).map { pam($0) }, smram: smram)
    }

    func notifyChanges(from before: Registers) {
        for i in 0..<Register.pamCount where pam(i) != before.pam[i] {
            pamChanged?(i, before.pam[i], pam(i))
        }
        if smram != before.smram { smramChanged?(before.smram, smram) }
    }
}
