// Model-specific behaviour: CPUID, the time-stamp counter and MSRs of a P6-family processor.

extension CPU {
    /// The family/model/stepping CPUID reports: family 6, model 3 (Pentium II class), stepping 3.
    public static let signature: UInt32 = 0x0000_0633

    /// Time-stamp counter: one tick per retired instruction plus the software offset.
    var currentTSC: UInt64 { instructionsRetired &+ tscOffset }

    /// CPUID feature flags (EDX of leaf 1) for what this interpreter implements.
    public var featureEDX: UInt32 {
        var f: UInt32 = 0
        f |= 1 << 0   // FPU
        f |= 1 << 1   // VME
        f |= 1 << 2   // DE
        f |= 1 << 3   // PSE
        f |= 1 << 4   // TSC
        f |= 1 << 5   // MSR
        f |= 1 << 8   // CX8
        if hasLocalAPIC { f |= 1 << 9 }
        f |= 1 << 11  // SEP
        f |= 1 << 12  // MTRR
        f |= 1 << 13  // PGE
        f |= 1 << 15  // CMOV
        f |= 1 << 16  // PAT
        return f
    }

    func cpuid() {
        let leaf = regs[0], sub = regs[1]
        if let p = cpuidProvider, let r = p.cpuid(leaf: leaf, subleaf: sub) {
            regs[0] = r.0; regs[3] = r.1; regs[1] = r.2; regs[2] = r.3
            return
        }
        switch leaf {
        case 0:
            regs[0] = 2
            // "GenuineIntel"
            regs[3] = 0x756E_6547; regs[2] = 0x4965_6E69; regs[1] = 0x6C65_746E
        case 1:
            regs[0] = CPU.signature
            regs[3] = 0          // brand index 0, CLFLUSH size 0, 1 logical CPU, APIC ID 0
            regs[1] = hypervisorPresent ? 1 << 31 : 0
            regs[2] = featureEDX
        case 2:
            // Cache/TLB descriptors of a Pentium II: 32-byte lines, 16 KiB L1 I/D, 512 KiB L2.
            regs[0] = 0x0302_0101; regs[3] = 0; regs[1] = 0; regs[2] = 0x0C04_0843
        case 0x8000_0000:
            regs[0] = 0x8000_0000; regs[3] = 0; regs[1] = 0; regs[2] = 0
        default:
            // Leaves above the maximum return the highest basic leaf's data (Intel behaviour).
            regs[0] = 0x0302_0101; regs[3] = 0; regs[1] = 0; regs[2] = 0x0C04_0843
        }
    }

    enum MSR {
        static let tsc: UInt32 = 0x10
        static let apicBase: UInt32 = 0x1B
        static let mtrrcap: UInt32 = 0xFE
        static let sysenterCS: UInt32 = 0x174
        static let sysenterESP: UInt32 = 0x175
        static let sysenterEIP: UInt32 = 0x176
        static let mcgCap: UInt32 = 0x179
        static let mcgStatus: UInt32 = 0x17A
        static let miscEnable: UInt32 = 0x1A0
        static let pat: UInt32 = 0x277
        static let mtrrDefType: UInt32 = 0x2FF
        static let platformID: UInt32 = 0x17
        static let biosSignID: UInt32 = 0x8B
        static let ebcHardPowerOn: UInt32 = 0x2A
        static let perfCounter0: UInt32 = 0xC1
        static let perfCounter1: UInt32 = 0xC2
        static let eventSelect0: UInt32 = 0x186
        static let eventSelect1: UInt32 = 0x187
    }

    /// Index into the fixed-range MTRR array, or nil.
    private func fixedMTRRIndex(_ msr: UInt32) -> Int? {
        switch msr {
        case 0x250: return 0
        case 0x258: return 1
        case 0x259: return 2
        case 0x268...0x26F: return Int(msr - 0x268) + 3
        default: return nil
        }
    }

    func readMSRValue(_ msr: UInt32) -> UInt64? {
        if let h = msrHandler, let v = h.readMSR(msr) { return v }
        switch msr {
        case MSR.tsc: return currentTSC
        case MSR.apicBase: return hasLocalAPIC ? apicBaseFallback : nil
        case MSR.mtrrcap: return 0x508  // 8 variable ranges, fixed ranges, write-combining
        case MSR.sysenterCS: return UInt64(sysenterCS)
        case MSR.sysenterESP: return UInt64(sysenterESP)
        case MSR.sysenterEIP: return UInt64(sysenterEIP)
        case MSR.mcgCap: return 0
        case MSR.mcgStatus: return 0
        case MSR.miscEnable: return miscEnable
        case MSR.pat: return pat
        case MSR.mtrrDefType: return mtrrDefType
        case MSR.platformID: return 0
        case MSR.biosSignID: return 0
        case MSR.ebcHardPowerOn: return 0
        case 0x200...0x20F: return mtrrVariable[Int(msr - 0x200)]
        case MSR.perfCounter0: return perfCounter.0
        case MSR.perfCounter1: return perfCounter.1
        case MSR.eventSelect0: return eventSelect.0
        case MSR.eventSelect1: return eventSelect.1
        default:
            if let i = fixedMTRRIndex(msr) { return mtrrFixed[i] }
            return nil
        }
    }

    func writeMSRValue(_ msr: UInt32, _ v: UInt64) -> Bool {
        if let h = msrHandler, h.writeMSR(msr, value: v) { return true }
        switch msr {
        case MSR.tsc: tscOffset = v &- instructionsRetired
        case MSR.apicBase:
            if !hasLocalAPIC { return false }
            apicBaseFallback = v
        case MSR.sysenterCS: sysenterCS = UInt32(truncatingIfNeeded: v)
        case MSR.sysenterESP: sysenterESP = UInt32(truncatingIfNeeded: v)
        case MSR.sysenterEIP: sysenterEIP = UInt32(truncatingIfNeeded: v)
        case MSR.mcgStatus: if v != 0 { return false }
        case MSR.miscEnable: miscEnable = v
        case MSR.pat: pat = v
        case MSR.mtrrDefType: mtrrDefType = v & 0xCFF
        case MSR.biosSignID: break
        case 0x200...0x20F: mtrrVariable[Int(msr - 0x200)] = v
        // DEVIATION: the P6 performance counters exist (Linux's P6 PMU probes them) and hold
        // what is written (40 bits), but never count.
        case MSR.perfCounter0: perfCounter.0 = v & 0xFF_FFFF_FFFF
        case MSR.perfCounter1: perfCounter.1 = v & 0xFF_FFFF_FFFF
        case MSR.eventSelect0: eventSelect.0 = v & 0xFFFF_FFFF
        case MSR.eventSelect1: eventSelect.1 = v & 0xFFFF_FFFF
        default:
            if let i = fixedMTRRIndex(msr) { mtrrFixed[i] = v; return true }
            return false
        }
        return true
    }

    func rdmsr() throws(CPUFault) {
        if protectedMode && cpl != 0 || v86Mode { throw CPUFault.gp(0) }
        guard let v = readMSRValue(regs[1]) else { throw CPUFault.gp(0) }
        regs[0] = UInt32(truncatingIfNeeded: v)
        regs[2] = UInt32(truncatingIfNeeded: v >> 32)
    }

    func wrmsr() throws(CPUFault) {
        if protectedMode && cpl != 0 || v86Mode { throw CPUFault.gp(0) }
        let v = UInt64(regs[2]) << 32 | UInt64(regs[0])
        if !writeMSRValue(regs[1], v) { throw CPUFault.gp(0) }
    }
}
