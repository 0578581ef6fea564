// The x87 instruction set (escape opcodes D8-DF and WAIT) of a P6-family processor.

import CX87

/// The x87 floating-point unit of the P6 family (Pentium Pro / Pentium II), SDM Vol. 1 ch. 8.
///
/// The guest-visible state (registers, tags, TOP, control/status words, instruction and data
/// pointers) lives in `CPU.fpu`; the arithmetic itself runs on the host's x87 through `CX87`
/// with all host exceptions masked, which gives bit-exact real-x87 results. This file adds what a
/// masked host cannot show: stack overflow/underflow (#IS), the unmasked responses of SDM Vol. 1
/// §8.5 (no result for unmasked IE/DE/ZE and for unmasked O/U with a memory destination; the
/// exponent bias-adjusted result by 2^±24576 for unmasked O/U with a register destination), and
/// deferred reporting: a pending unmasked exception raises #MF (CR0.NE = 1) or asserts FERR#
/// (CR0.NE = 0) at the next waiting x87 instruction.
///
/// Not modelled: FISTTP (SSE3, #UD here), FXSAVE/FXRSTOR (not reported by CPUID), the IGNNE#
/// input (see `fpuPendingException`).
extension CPU {
    private typealias SW = FPUState.SW

    // MARK: - Entry points

    /// Executes an x87 escape opcode (D8-DF); the ModR/M byte has not been fetched yet.
    func executeFPU(_ opcode: UInt8) throws(CPUFault) {
        try decodeModRM()
        if lockPrefix { throw CPUFault.ud }
        // SDM Vol. 3 §2.5: CR0.EM sends every escape opcode to #NM (software emulation); CR0.TS
        // does the same so the OS can switch FPU contexts lazily.
        if cr0 & (CR0.em | CR0.ts) != 0 { throw CPUFault.nm }
        let esc = Int(opcode & 7)
        if isRegForm {
            try fpuRegisterForm(esc)
        } else {
            try fpuMemoryForm(esc)
        }
    }

    /// WAIT/FWAIT (9B): #NM when CR0.MP and CR0.TS are both set, then the pending-exception check.
    func fwait() throws(CPUFault) {
        if cr0 & (CR0.mp | CR0.ts) == (CR0.mp | CR0.ts) { throw CPUFault.nm }
        try fpuWait()
    }

    // MARK: - Pending exceptions and bookkeeping

    /// The check every waiting x87 instruction makes before it executes.
    @inline(__always) private func fpuWait() throws(CPUFault) {
        if fpu.fsw & SW.es != 0 { try fpuPendingException() }
    }

    /// An unmasked exception is pending: #MF in native mode, FERR# in MS-DOS compatible mode.
    @inline(never) private func fpuPendingException() throws(CPUFault) {
        if cr0 & CR0.ne != 0 { throw CPUFault.mf }
        // SDM Vol. 1 §D.2.2: with NE = 0 the P6 asserts FERR# when it reaches the next waiting
        // instruction and freezes there until IGNNE# or the IRQ13 handler ends the condition.
        // DEVIATION: IGNNE# is not modelled; the instruction proceeds as if IGNNE# were asserted
        // and the IRQ13 raised through FERR# is taken at the next instruction boundary.
        if !fpu.ferrAsserted {
            fpu.ferrAsserted = true
            ferrChanged?(true)
        }
    }

    /// Drops FERR# once no unmasked exception is left (FNCLEX, FNINIT, FLDCW, FLDENV ...).
    private func fpuUpdateFERR() {
        if fpu.ferrAsserted && fpu.fsw & SW.es == 0 {
            fpu.ferrAsserted = false
            ferrChanged?(false)
        }
    }

    /// Records FIP/FCS/FOP (and FDP/FDS for a memory operand) of a non-control instruction
    /// (SDM Vol. 1 §8.1.8, §8.1.9).
    @inline(__always) private func fpuNote(_ esc: Int, memoryOperand: Bool) {
        fpu.fip = startEIP
        fpu.fcs = segs[1].selector
        fpu.fop = UInt16(esc) << 8 | UInt16(modrm & 0xFF)
        if memoryOperand {
            fpu.fdp = eaOff
            fpu.fds = segs[eaSeg].selector
        }
    }

    /// Records a stack overflow or underflow (#IS: IE and SF, C1 = 1 for overflow). Returns true
    /// when IE is masked, i.e. the caller must now perform the masked response.
    private func fpuStackFault(overflow: Bool) -> Bool {
        fpu.fsw = (fpu.fsw & ~SW.c1) | SW.ie | SW.sf | (overflow ? SW.c1 : 0)
        fpu.updateErrorSummary()
        return fpu.fcw & SW.ie != 0
    }

    /// Applies unmasked invalid-operation, denormal-operand and divide-by-zero exceptions from a
    /// host status word (SDM Vol. 1 §8.7 precedence: IE, then DE, then ZE). When one of them is
    /// unmasked the destination is not written and nothing is popped: the flags are recorded and
    /// true is returned. Masked exceptions of higher priority that occurred are recorded too.
    @inline(__always) private func fpuStops(_ hostSW: UInt16) -> Bool {
        let flags = hostSW & (SW.ie | SW.de | SW.ze)
        if flags & ~fpu.fcw == 0 { return false }
        return fpuStop(flags)
    }

    @inline(never) private func fpuStop(_ flags: UInt16) -> Bool {
        let unmasked = flags & ~fpu.fcw
        let recorded: UInt16
        if unmasked & SW.ie != 0 {
            recorded = SW.ie
        } else if unmasked & SW.de != 0 {
            recorded = flags & (SW.ie | SW.de)
        } else {
            recorded = flags & (SW.ie | SW.de | SW.ze)
        }
        fpu.fsw = (fpu.fsw & ~SW.c1) | recorded
        fpu.updateErrorSummary()
        return true
    }

    // MARK: - Host calls

    private struct HostResult {
        var sw: UInt16
        var r0: X87Float
        var r1: X87Float
    }

    private func fpuHost(_ op: cx87_op, _ a: X87Float, _ b: X87Float = .positiveZero, cw: UInt16? = nil) -> HostResult {
        var ca = cx87_f80(significand: a.significand, sign_exponent: a.signExponent)
        var cb = cx87_f80(significand: b.significand, sign_exponent: b.signExponent)
        var out = (cx87_f80(), cx87_f80())
        let control = cw ?? fpu.fcw
        let sw = withUnsafeMutablePointer(to: &out) { p in
            // SAFETY: a homogeneous tuple of two cx87_f80 is two contiguous elements, as
            // cx87_exec requires for `out`.
            p.withMemoryRebound(to: cx87_f80.self, capacity: 2) { cx87_exec(op, &ca, &cb, control, $0) }
        }
        return HostResult(sw: sw, r0: X87Float(out.0), r1: X87Float(out.1))
    }

    /// x * 2^n computed exactly by the host's FSCALE (when the result is representable).
    private func fpuScale(_ x: X87Float, by n: Int) -> X87Float {
        fpuHost(CX87_FSCALE, x, X87Float(n), cw: FPUState.CW.initial).r0
    }

    // MARK: - Results with the guest's exception masks applied

    /// Writes an arithmetic result to ST(dest) (then pops `pops` times), first applying unmasked
    /// exceptions. `op`, `a` and `b` describe the host computation so that an unmasked overflow or
    /// underflow can be recomputed with bias-adjusted operands. `cc` names the condition-code bits
    /// the instruction defines (taken from the host); the others keep their value.
    private func fpuCommit(_ r: HostResult, _ result: X87Float, dest: Int, pops: Int, cc: UInt16,
                           op: cx87_op, _ a: X87Float, _ b: X87Float) {
        if fpuStops(r.sw) { return }
        var value = result
        var flags = r.sw & SW.exceptions
        var codes = r.sw & cc
        let unmasked = ~fpu.fcw
        // With UM clear the x87 signals underflow for every tiny result, exact or not (SDM Vol. 1
        // §4.9.1.5); the masked host reports only tiny and inexact ones, so also catch an exact
        // denormal result.
        let overflowTrap = flags & SW.oe != 0 && unmasked & SW.oe != 0
        let underflowTrap = !overflowTrap && unmasked & SW.ue != 0 && (flags & SW.ue != 0 || result.isDenormal)
        if overflowTrap || underflowTrap {
            let adjusted = fpuBiasAdjusted(op, a, b, masked: result, overflow: overflowTrap)
            value = adjusted.value
            flags = (flags & (SW.ie | SW.de)) | (overflowTrap ? SW.oe : SW.ue) | (adjusted.sw & SW.pe)
            codes = (codes & ~SW.c1) | (adjusted.sw & SW.c1)
        }
        fpu.setST(dest, value)
        fpu.fsw = (fpu.fsw & ~cc) | codes | flags
        for _ in 0..<pops { fpu.pop() }
        fpu.updateErrorSummary()
    }

    /// The result of `op` with its exponent adjusted by 2^-24576 (overflow) or 2^24576
    /// (underflow), rounded by the guest's PC and RC (SDM Vol. 1 §8.5.4, §8.5.5), and the host
    /// status word of that computation (PE and C1 are the instruction's).
    ///
    /// The operands are prescaled exactly (powers of two, split between the operands of a product
    /// or quotient so that neither leaves the normal range), so the one rounding the host performs
    /// is the rounding of the bias-adjusted result.
    private func fpuBiasAdjusted(_ op: cx87_op, _ a: X87Float, _ b: X87Float, masked: X87Float,
                                 overflow: Bool) -> (value: X87Float, sw: UInt16) {
        let k = overflow ? -24576 : 24576
        var sa = a, sb = b
        var slot = 0
        switch op {
        case CX87_FADD_ST0, CX87_FSUB_ST0, CX87_FSUBR_ST0, CX87_FADD_STI, CX87_FSUB_STI, CX87_FSUBR_STI:
            sa = fpuScaleSummand(a, k)
            sb = fpuScaleSummand(b, k)
            slot = op == CX87_FADD_ST0 || op == CX87_FSUB_ST0 || op == CX87_FSUBR_ST0 ? 0 : 1
        case CX87_FMUL_ST0, CX87_FMUL_STI:
            let ea = a.normalizedExponent
            let ka = overflow ? max(k, -(ea + 16382)) : min(k, 16383 - ea)
            sa = fpuScale(a, by: ka)
            sb = fpuScale(b, by: k - ka)
            slot = op == CX87_FMUL_ST0 ? 0 : 1
        case CX87_FDIV_ST0, CX87_FDIVR_ST0, CX87_FDIV_STI, CX87_FDIVR_STI:
            // Quotient = dividend / divisor: FDIV ST(0) and FDIVR ST(i) divide a by b.
            let aIsDividend = op == CX87_FDIV_ST0 || op == CX87_FDIVR_STI
            let dividend = aIsDividend ? a : b
            let ed = dividend.normalizedExponent
            let kd = overflow ? max(k, -(ed + 16382)) : min(k, 16383 - ed)
            let kv = kd - k
            if aIsDividend {
                sa = fpuScale(a, by: kd); sb = fpuScale(b, by: kv)
            } else {
                sb = fpuScale(b, by: kd); sa = fpuScale(a, by: kv)
            }
            slot = op == CX87_FDIV_ST0 || op == CX87_FDIVR_ST0 ? 0 : 1
        case CX87_FSCALE:
            // Scale by trunc(b) + k. If even that is out of range the SDM (§8.5.4) gives a
            // properly signed infinity for overflow.
            let n = fpuTruncatedInteger(b)
            let r = fpuHost(CX87_FSCALE, a, X87Float(n + k))
            if overflow && r.sw & SW.oe != 0 {
                return (X87Float(significand: 0x8000_0000_0000_0000, signExponent: (a.signExponent & 0x8000) | 0x7FFF), r.sw)
            }
            return (r.r0, r.sw)
        case CX87_FYL2X, CX87_FYL2XP1:
            // b * log2(...) is linear in b (the ST(1) operand).
            sb = fpuScale(b, by: k)
        default:
            // DEVIATION: the transcendental instructions and FPREM/FPREM1 can underflow; for them
            // the masked (denormalized) result is scaled, which is exact for the remainders but
            // may lose low-order bits for the transcendentals.
            return (fpuScale(masked, by: k), 0)
        }
        let r = fpuHost(op, sa, sb)
        return (slot == 0 ? r.r0 : r.r1, r.sw)
    }

    /// Prescales one addend: when the sum overflows or underflows, the other addend dominates any
    /// addend that would leave the normal range, so that one only contributes its sign and the
    /// sticky bit; the smallest normal of the same sign keeps exactly that.
    private func fpuScaleSummand(_ x: X87Float, _ k: Int) -> X87Float {
        if x.isZero || x.biasedExponent == 0x7FFF { return x }
        let e = x.normalizedExponent + k
        if e < -16382 { return X87Float(significand: 0x8000_0000_0000_0000, signExponent: (x.signExponent & 0x8000) | 1) }
        return fpuScale(x, by: k)
    }

    /// trunc(x) as an Int clamped to +-2^20 (beyond that FSCALE saturates anyway).
    private func fpuTruncatedInteger(_ x: X87Float) -> Int {
        let e = x.biasedExponent - 16383
        if e < 0 { return 0 }
        let m = e >= 20 ? 1 << 20 : Int(x.significand >> UInt64(63 - e))
        return x.sign ? -m : m
    }

    /// Merges a comparison's host status word: C3 C2 C0 as the host computed them, C1 = 0, then
    /// pops. An unmasked IE/DE leaves the condition codes and the stack alone.
    private func fpuCommitCompare(_ sw: UInt16, pops: Int) {
        if fpuStops(sw) { return }
        fpu.fsw = (fpu.fsw & ~SW.conditionCodes) | (sw & (SW.c0 | SW.c2 | SW.c3)) | (sw & SW.exceptions)
        for _ in 0..<pops { fpu.pop() }
        fpu.updateErrorSummary()
    }

    // MARK: - Memory operands

    private func fpuRead80(_ seg: Int, _ off: UInt32) throws(CPUFault) -> X87Float {
        let lo = UInt64(try read32(seg, off))
        let hi = UInt64(try read32(seg, off &+ 4))
        let se = try read16(seg, off &+ 8)
        return X87Float(significand: lo | hi << 32, signExponent: se)
    }

    /// Checks that `count` bytes at seg:off can be written (segment limit and paging) before the
    /// first byte is written, so a multi-part store never leaves a partial image.
    private func fpuProbeWrite(_ seg: Int, _ off: UInt32, _ count: UInt32) throws(CPUFault) {
        let lin = try linearForWrite(seg, off, count &- 1)
        try probeWrite(lin, count)
    }

    private func fpuWrite80(_ seg: Int, _ off: UInt32, _ v: X87Float) throws(CPUFault) {
        try write32(seg, off, UInt32(truncatingIfNeeded: v.significand))
        try write32(seg, off &+ 4, UInt32(truncatingIfNeeded: v.significand >> 32))
        try write16(seg, off &+ 8, v.signExponent)
    }

    /// Writes the low `count` (2, 4, 8 or 10) bytes of `lo`:`hi`.
    private func fpuWriteBytes(_ seg: Int, _ off: UInt32, _ lo: UInt64, _ hi: UInt16, count: Int) throws(CPUFault) {
        switch count {
        case 2: try write16(seg, off, UInt16(truncatingIfNeeded: lo))
        case 4: try write32(seg, off, UInt32(truncatingIfNeeded: lo))
        case 8:
            try write32(seg, off, UInt32(truncatingIfNeeded: lo))
            try write32(seg, off &+ 4, UInt32(truncatingIfNeeded: lo >> 32))
        default:
            try write32(seg, off, UInt32(truncatingIfNeeded: lo))
            try write32(seg, off &+ 4, UInt32(truncatingIfNeeded: lo >> 32))
            try write16(seg, off &+ 8, hi)
        }
    }

    private static func byteCount(_ format: cx87_format) -> Int {
        switch format {
        case CX87_M16INT: return 2
        case CX87_M32FP, CX87_M32INT: return 4
        case CX87_M64FP, CX87_M64INT: return 8
        default: return 10
        }
    }

    /// Reads a 2/4/8/10-byte operand into (low 64 bits, high 16 bits).
    private func fpuReadOperand(_ format: cx87_format) throws(CPUFault) -> (UInt64, UInt16) {
        switch Self.byteCount(format) {
        case 2: return (UInt64(try read16(eaSeg, eaOff)), 0)
        case 4: return (UInt64(try read32(eaSeg, eaOff)), 0)
        case 8:
            let lo = UInt64(try read32(eaSeg, eaOff))
            return (lo | UInt64(try read32(eaSeg, eaOff &+ 4)) << 32, 0)
        default:
            let v = try fpuRead80(eaSeg, eaOff)
            return (v.significand, v.signExponent)
        }
    }

    /// Converts a memory operand to double-extended on the host (FLD m32/m64, FILD, FBLD).
    private func fpuHostLoad(_ format: cx87_format, _ lo: UInt64, _ hi: UInt16) -> (X87Float, UInt16) {
        var buffer = cx87_f80(significand: lo, sign_exponent: hi)
        var out = cx87_f80()
        // SAFETY: `buffer` is 16 bytes, at least the 2-10 bytes any format reads.
        let sw = cx87_load(format, &buffer, fpu.fcw, &out)
        return (X87Float(out), sw)
    }

    // MARK: - Memory forms

    private func fpuMemoryForm(_ esc: Int) throws(CPUFault) {
        let reg = modrmReg
        switch esc {
        case 0: try fpuArithmeticMemory(esc, reg, CX87_M32FP)
        case 2: try fpuArithmeticMemory(esc, reg, CX87_M32INT)
        case 4: try fpuArithmeticMemory(esc, reg, CX87_M64FP)
        case 6: try fpuArithmeticMemory(esc, reg, CX87_M16INT)
        case 1:
            switch reg {
            case 0: try fpuLoadMemory(esc, CX87_M32FP)
            case 2: try fpuStoreMemory(esc, CX87_M32FP, pop: false)
            case 3: try fpuStoreMemory(esc, CX87_M32FP, pop: true)
            case 4: try fpuWait(); try fpuLoadEnvironment()
            case 5: try fpuWait(); try fpuLoadControlWord()
            case 6: try fpuStoreEnvironment()
            case 7: try write16(eaSeg, eaOff, fpu.fcw)  // FNSTCW
            default: throw CPUFault.ud
            }
        case 3:
            switch reg {
            case 0: try fpuLoadMemory(esc, CX87_M32INT)
            case 2: try fpuStoreMemory(esc, CX87_M32INT, pop: false)
            case 3: try fpuStoreMemory(esc, CX87_M32INT, pop: true)
            case 5: try fpuLoadExtended(esc)
            case 7: try fpuStoreExtended(esc)
            default: throw CPUFault.ud  // /1 FISTTP is SSE3; /4 and /6 are reserved
            }
        case 5:
            switch reg {
            case 0: try fpuLoadMemory(esc, CX87_M64FP)
            case 2: try fpuStoreMemory(esc, CX87_M64FP, pop: false)
            case 3: try fpuStoreMemory(esc, CX87_M64FP, pop: true)
            case 4: try fpuWait(); try fpuRestoreState()
            case 6: try fpuSaveState()
            case 7: try write16(eaSeg, eaOff, fpu.fsw)  // FNSTSW m16
            default: throw CPUFault.ud
            }
        default:
            switch reg {
            case 0: try fpuLoadMemory(esc, CX87_M16INT)
            case 2: try fpuStoreMemory(esc, CX87_M16INT, pop: false)
            case 3: try fpuStoreMemory(esc, CX87_M16INT, pop: true)
            case 4: try fpuLoadMemory(esc, CX87_M80BCD)
            case 5: try fpuLoadMemory(esc, CX87_M64INT)
            case 6: try fpuStoreMemory(esc, CX87_M80BCD, pop: true)
            case 7: try fpuStoreMemory(esc, CX87_M64INT, pop: true)
            default: throw CPUFault.ud
            }
        }
    }

    /// FADD/FMUL/FCOM/FCOMP/FSUB/FSUBR/FDIV/FDIVR with an m32fp, m64fp, m16int or m32int operand.
    private func fpuArithmeticMemory(_ esc: Int, _ reg: Int, _ format: cx87_format) throws(CPUFault) {
        try fpuWait()
        var (m, _) = try fpuReadOperand(format)
        fpuNote(esc, memoryOperand: true)
        let isCompare = reg == 2 || reg == 3
        if fpu.isEmpty(st: 0) {
            if fpuStackFault(overflow: false) {
                if isCompare {
                    fpu.fsw |= SW.c0 | SW.c2 | SW.c3
                    if reg == 3 { fpu.pop() }
                } else {
                    fpu.setST(0, .indefinite)
                }
            }
            return
        }
        let a = fpu.st(0)
        var ca = cx87_f80(significand: a.significand, sign_exponent: a.signExponent)
        var out = cx87_f80()
        let memOp: cx87_mem_op
        let regOp: cx87_op
        switch reg {
        case 0: memOp = CX87_MEM_FADD; regOp = CX87_FADD_ST0
        case 1: memOp = CX87_MEM_FMUL; regOp = CX87_FMUL_ST0
        case 2, 3: memOp = CX87_MEM_FCOM; regOp = CX87_FCOM
        case 4: memOp = CX87_MEM_FSUB; regOp = CX87_FSUB_ST0
        case 5: memOp = CX87_MEM_FSUBR; regOp = CX87_FSUBR_ST0
        case 6: memOp = CX87_MEM_FDIV; regOp = CX87_FDIV_ST0
        default: memOp = CX87_MEM_FDIVR; regOp = CX87_FDIVR_ST0
        }
        // SAFETY: `m` is 8 bytes, at least the 2 or 4 or 8 bytes the format reads.
        let sw = cx87_exec_mem(memOp, format, &ca, &m, fpu.fcw, &out)
        if isCompare {
            fpuCommitCompare(sw, pops: reg == 3 ? 1 : 0)
            return
        }
        // The register-form twin (with the operand converted exactly) is only needed to
        // recompute an unmasked overflow/underflow.
        let needsOperand = sw & (SW.oe | SW.ue) != 0 || X87Float(out).isDenormal
        let b = needsOperand ? fpuHostLoad(format, m, 0).0 : .positiveZero
        fpuCommit(HostResult(sw: sw, r0: X87Float(out), r1: b), X87Float(out), dest: 0, pops: 0, cc: SW.c1,
                  op: regOp, a, b)
    }

    /// FLD m32fp/m64fp, FILD m16/m32/m64, FBLD m80.
    private func fpuLoadMemory(_ esc: Int, _ format: cx87_format) throws(CPUFault) {
        try fpuWait()
        let (lo, hi) = try fpuReadOperand(format)
        fpuNote(esc, memoryOperand: true)
        if !fpu.isEmpty(physical: fpu.top &- 1) {
            if fpuStackFault(overflow: true) { fpu.push(.indefinite) }
            return
        }
        let (value, sw) = fpuHostLoad(format, lo, hi)
        if fpuStops(sw) { return }
        fpu.push(value)
        fpu.fsw = (fpu.fsw & ~SW.c1) | (sw & SW.exceptions)
        fpu.updateErrorSummary()
    }

    /// FLD m80fp: loaded without conversion, so without exceptions (SNaNs stay signaling).
    private func fpuLoadExtended(_ esc: Int) throws(CPUFault) {
        try fpuWait()
        let value = try fpuRead80(eaSeg, eaOff)
        fpuNote(esc, memoryOperand: true)
        if !fpu.isEmpty(physical: fpu.top &- 1) {
            if fpuStackFault(overflow: true) { fpu.push(.indefinite) }
            return
        }
        fpu.push(value)
        fpu.fsw &= ~SW.c1
    }

    /// FSTP m80fp: stored without conversion.
    private func fpuStoreExtended(_ esc: Int) throws(CPUFault) {
        try fpuWait()
        try fpuProbeWrite(eaSeg, eaOff, 10)
        fpuNote(esc, memoryOperand: true)
        if fpu.isEmpty(st: 0) {
            if fpuStackFault(overflow: false) {
                try fpuWrite80(eaSeg, eaOff, .indefinite)
                fpu.pop()
            }
            return
        }
        try fpuWrite80(eaSeg, eaOff, fpu.st(0))
        fpu.fsw &= ~SW.c1
        fpu.pop()
    }

    /// FST/FSTP m32fp/m64fp, FIST/FISTP m16/m32/m64int, FBSTP m80bcd.
    private func fpuStoreMemory(_ esc: Int, _ format: cx87_format, pop: Bool) throws(CPUFault) {
        try fpuWait()
        let count = Self.byteCount(format)
        try fpuProbeWrite(eaSeg, eaOff, UInt32(count))
        fpuNote(esc, memoryOperand: true)
        if fpu.isEmpty(st: 0) {
            if fpuStackFault(overflow: false) {
                // The masked response stores the format's indefinite value.
                var hi: UInt16 = 0
                let lo: UInt64
                switch format {
                case CX87_M32FP: lo = 0xFFC0_0000
                case CX87_M64FP: lo = 0xFFF8_0000_0000_0000
                case CX87_M16INT: lo = 0x8000
                case CX87_M32INT: lo = 0x8000_0000
                case CX87_M64INT: lo = 0x8000_0000_0000_0000
                default: lo = 0xC000_0000_0000_0000; hi = 0xFFFF  // packed BCD indefinite
                }
                try fpuWriteBytes(eaSeg, eaOff, lo, hi, count: count)
                if pop { fpu.pop() }
            }
            return
        }
        var src = cx87_f80(significand: fpu.st(0).significand, sign_exponent: fpu.st(0).signExponent)
        var out = cx87_f80()
        // SAFETY: `out` is 16 bytes, at least the 2-10 bytes any format writes.
        let sw = cx87_store(format, &src, fpu.fcw, &out)
        var flags = sw & SW.exceptions
        // With UM clear an exact tiny result also underflows (see fpuCommit).
        if fpu.fcw & SW.ue == 0 {
            let denormal: Bool
            switch format {
            case CX87_M32FP: denormal = out.significand & 0x7F80_0000 == 0 && out.significand & 0x7F_FFFF != 0
            case CX87_M64FP:
                denormal = out.significand & 0x7FF0_0000_0000_0000 == 0 && out.significand & 0xF_FFFF_FFFF_FFFF != 0
            default: denormal = false
            }
            if denormal { flags |= SW.ue }
        }
        // Unmasked IE/DE/ZE, and unmasked O/U with a memory destination (SDM Vol. 1 §8.5.4,
        // §8.5.5): nothing is stored, TOP and the source are unchanged.
        let unmasked = flags & ~fpu.fcw & (SW.ie | SW.de | SW.ze | SW.oe | SW.ue)
        if unmasked != 0 {
            if unmasked & (SW.ie | SW.de | SW.ze) != 0 {
                _ = fpuStop(flags & (SW.ie | SW.de | SW.ze))
            } else {
                fpu.fsw = (fpu.fsw & ~SW.c1) | (flags & (SW.ie | SW.de | SW.oe | SW.ue))
                fpu.updateErrorSummary()
            }
            return
        }
        try fpuWriteBytes(eaSeg, eaOff, out.significand, out.sign_exponent, count: count)
        fpu.fsw = (fpu.fsw & ~SW.c1) | (sw & SW.c1) | flags
        if pop { fpu.pop() }
        fpu.updateErrorSummary()
    }

    /// FLDCW m16 (bits 13-15 read back as 0 and bit 6 as 1, as on the P6).
    private func fpuLoadControlWord() throws(CPUFault) {
        let cw = try read16(eaSeg, eaOff)
        fpu.fcw = (cw & 0x1F3F) | 0x0040
        // Unmasking a flag that is already set makes the exception pending (and masking it
        // removes it): the next waiting instruction sees it.
        fpu.updateErrorSummary()
        fpuUpdateFERR()
    }

    // MARK: - Environment and state images (FNSTENV, FLDENV, FNSAVE, FRSTOR)

    /// Whether the images use the protected-mode layouts (SDM Vol. 1 Figs. 8-9 to 8-12);
    /// virtual-8086 mode uses the real-mode ones.
    private var fpuProtectedLayout: Bool { protectedMode && !v86Mode }

    /// The 14- or 28-byte environment image for the current mode and operand size.
    private func fpuEnvironmentImage() -> [UInt8] {
        var image: [UInt8] = []
        image.reserveCapacity(28)
        func put16(_ v: UInt16) { image.append(UInt8(truncatingIfNeeded: v)); image.append(UInt8(truncatingIfNeeded: v >> 8)) }
        func put32(_ v: UInt32) { put16(UInt16(truncatingIfNeeded: v)); put16(UInt16(truncatingIfNeeded: v >> 16)) }
        let fop = UInt32(fpu.fop & 0x7FF)
        if fpuProtectedLayout {
            if o32 {
                // Reserved halves read back as ones on Intel processors.
                put32(0xFFFF_0000 | UInt32(fpu.fcw))
                put32(0xFFFF_0000 | UInt32(fpu.fsw))
                put32(0xFFFF_0000 | UInt32(fpu.ftw))
                put32(fpu.fip)
                put32(fop << 16 | UInt32(fpu.fcs))
                put32(fpu.fdp)
                put32(0xFFFF_0000 | UInt32(fpu.fds))
            } else {
                put16(fpu.fcw); put16(fpu.fsw); put16(fpu.ftw)
                put16(UInt16(truncatingIfNeeded: fpu.fip)); put16(fpu.fcs)
                put16(UInt16(truncatingIfNeeded: fpu.fdp)); put16(fpu.fds)
            }
        } else {
            // Real-mode layouts hold linear (20- or 32-bit) pointers.
            let ip = UInt32(fpu.fcs) << 4 &+ fpu.fip
            let dp = UInt32(fpu.fds) << 4 &+ fpu.fdp
            if o32 {
                put32(0xFFFF_0000 | UInt32(fpu.fcw))
                put32(0xFFFF_0000 | UInt32(fpu.fsw))
                put32(0xFFFF_0000 | UInt32(fpu.ftw))
                put32(0xFFFF_0000 | (ip & 0xFFFF))
                put32((ip >> 16) << 12 | fop)
                put32(0xFFFF_0000 | (dp & 0xFFFF))
                put32((dp >> 16) << 12)
            } else {
                put16(fpu.fcw); put16(fpu.fsw); put16(fpu.ftw)
                put16(UInt16(truncatingIfNeeded: ip))
                put16(UInt16(truncatingIfNeeded: (ip >> 16) << 12 | fop))
                put16(UInt16(truncatingIfNeeded: dp))
                put16(UInt16(truncatingIfNeeded: (dp >> 16) << 12))
            }
        }
        return image
    }

    /// Loads an environment image (FLDENV, FRSTOR). Registers are loaded by the caller first
    /// because the tags of non-empty registers are recomputed from their contents.
    private func fpuLoadEnvironmentImage(_ image: [UInt8]) {
        func u16(_ i: Int) -> UInt16 { UInt16(image[i]) | UInt16(image[i + 1]) << 8 }
        func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
        let step = o32 ? 4 : 2
        fpu.fcw = (u16(0) & 0x1F3F) | 0x0040
        fpu.fsw = u16(step)
        let tags = u16(2 * step)
        if fpuProtectedLayout {
            if o32 {
                fpu.fip = u32(12)
                fpu.fcs = u16(16)
                fpu.fop = u16(18) & 0x7FF
                fpu.fdp = u32(20)
                fpu.fds = u16(24)
            } else {
                fpu.fip = UInt32(u16(6))
                fpu.fcs = u16(8)
                fpu.fdp = UInt32(u16(10))
                fpu.fds = u16(12)
            }
        } else {
            if o32 {
                fpu.fip = UInt32(u16(12)) | (u32(16) >> 12 & 0xFFFF) << 16
                fpu.fop = u16(16) & 0x7FF
                fpu.fdp = UInt32(u16(20)) | (u32(24) >> 12 & 0xFFFF) << 16
            } else {
                fpu.fip = UInt32(u16(6)) | UInt32(u16(8) >> 12) << 16
                fpu.fop = u16(8) & 0x7FF
                fpu.fdp = UInt32(u16(10)) | UInt32(u16(12) >> 12) << 16
            }
            fpu.fcs = 0
            fpu.fds = 0
        }
        fpu.loadTagWord(tags)
        fpu.updateErrorSummary()
        fpuUpdateFERR()
    }

    private func fpuReadImage(_ count: Int) throws(CPUFault) -> [UInt8] {
        var image = [UInt8](repeating: 0, count: count)
        var i = 0
        while i + 4 <= count {
            let v = try read32(eaSeg, eaOff &+ UInt32(i))
            image[i] = UInt8(truncatingIfNeeded: v)
            image[i + 1] = UInt8(truncatingIfNeeded: v >> 8)
            image[i + 2] = UInt8(truncatingIfNeeded: v >> 16)
            image[i + 3] = UInt8(truncatingIfNeeded: v >> 24)
            i += 4
        }
        if i < count {
            let v = try read16(eaSeg, eaOff &+ UInt32(i))
            image[i] = UInt8(truncatingIfNeeded: v)
            image[i + 1] = UInt8(truncatingIfNeeded: v >> 8)
        }
        return image
    }

    private func fpuWriteImage(_ image: [UInt8]) throws(CPUFault) {
        try fpuProbeWrite(eaSeg, eaOff, UInt32(image.count))
        var i = 0
        while i + 4 <= image.count {
            let v = UInt32(image[i]) | UInt32(image[i + 1]) << 8 | UInt32(image[i + 2]) << 16 | UInt32(image[i + 3]) << 24
            try write32(eaSeg, eaOff &+ UInt32(i), v)
            i += 4
        }
        if i < image.count {
            try write16(eaSeg, eaOff &+ UInt32(i), UInt16(image[i]) | UInt16(image[i + 1]) << 8)
        }
    }

    /// FNSTENV: stores the environment, then masks all exceptions (SDM FSTENV).
    private func fpuStoreEnvironment() throws(CPUFault) {
        try fpuWriteImage(fpuEnvironmentImage())
        fpu.fcw |= FPUState.CW.exceptionMasks
        fpu.updateErrorSummary()
        fpuUpdateFERR()
    }

    /// FLDENV.
    private func fpuLoadEnvironment() throws(CPUFault) {
        let image = try fpuReadImage(o32 ? 28 : 14)
        fpuLoadEnvironmentImage(image)
    }

    /// FNSAVE: environment plus ST(0)-ST(7), then FNINIT.
    private func fpuSaveState() throws(CPUFault) {
        var image = fpuEnvironmentImage()
        for i in 0..<8 { image += fpu.st(i).bytes }
        try fpuWriteImage(image)
        fpu.initialize()
        fpuUpdateFERR()
    }

    /// FRSTOR: the whole image is read before anything changes.
    private func fpuRestoreState() throws(CPUFault) {
        let envSize = o32 ? 28 : 14
        let image = try fpuReadImage(envSize + 80)
        let sw = UInt16(image[o32 ? 4 : 2]) | UInt16(image[o32 ? 5 : 3]) << 8
        let top = Int(sw >> 11) & 7
        for i in 0..<8 {
            let at = envSize + 10 * i
            fpu.registers[(top + i) & 7] = X87Float(bytes: Array(image[at..<at + 10]))
        }
        fpuLoadEnvironmentImage(Array(image[0..<envSize]))
    }

    // MARK: - Register forms

    private func fpuRegisterForm(_ esc: Int) throws(CPUFault) {
        let i = modrmRM
        switch esc << 3 | modrmReg {
        // D8: ST(0) = ST(0) op ST(i)
        case 0o00: try fpuArithmeticRegister(esc, CX87_FADD_ST0, dest: 0, pop: false)
        case 0o01: try fpuArithmeticRegister(esc, CX87_FMUL_ST0, dest: 0, pop: false)
        case 0o02: try fpuCompareRegister(esc, CX87_FCOM, pops: 0)
        case 0o03: try fpuCompareRegister(esc, CX87_FCOM, pops: 1)
        case 0o04: try fpuArithmeticRegister(esc, CX87_FSUB_ST0, dest: 0, pop: false)
        case 0o05: try fpuArithmeticRegister(esc, CX87_FSUBR_ST0, dest: 0, pop: false)
        case 0o06: try fpuArithmeticRegister(esc, CX87_FDIV_ST0, dest: 0, pop: false)
        case 0o07: try fpuArithmeticRegister(esc, CX87_FDIVR_ST0, dest: 0, pop: false)
        // D9
        case 0o10: try fpuLoadRegister(esc)
        case 0o11: try fpuExchange(esc)
        case 0o12:
            guard i == 0 else { throw CPUFault.ud }
            try fpuWait()  // FNOP
            fpuNote(esc, memoryOperand: false)
        case 0o13: try fpuStoreRegister(esc, pop: true)  // D9 D8+i: undocumented FSTP alias (FSTP1)
        case 0o14:
            switch i {
            case 0: try fpuSignOperation(esc, negate: true)
            case 1: try fpuSignOperation(esc, negate: false)
            case 4: try fpuTest(esc)
            case 5: try fpuExamine(esc)
            default: throw CPUFault.ud
            }
        case 0o15:
            guard i < 7 else { throw CPUFault.ud }
            // D9 E8+i is FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ: consecutive ops.
            try fpuLoadConstant(esc, cx87_op(rawValue: CX87_FLD1.rawValue + UInt32(i)))
        case 0o16:
            switch i {
            case 0: try fpuUnary(esc, CX87_F2XM1, cc: SW.c1)
            case 1: try fpuBinaryPopping(esc, CX87_FYL2X)
            case 2: try fpuPushingUnary(esc, CX87_FPTAN)
            case 3: try fpuBinaryPopping(esc, CX87_FPATAN)
            case 4: try fpuPushingUnary(esc, CX87_FXTRACT)
            case 5: try fpuBinaryInPlace(esc, CX87_FPREM1)
            case 6: try fpuMoveTop(esc, by: -1)
            default: try fpuMoveTop(esc, by: 1)
            }
        case 0o17:
            switch i {
            case 0: try fpuBinaryInPlace(esc, CX87_FPREM)
            case 1: try fpuBinaryPopping(esc, CX87_FYL2XP1)
            case 2: try fpuUnary(esc, CX87_FSQRT, cc: SW.c1)
            case 3: try fpuPushingUnary(esc, CX87_FSINCOS)
            case 4: try fpuUnary(esc, CX87_FRNDINT, cc: SW.c1)
            case 5: try fpuBinaryInPlace(esc, CX87_FSCALE)
            case 6: try fpuUnary(esc, CX87_FSIN, cc: SW.c1 | SW.c2)
            default: try fpuUnary(esc, CX87_FCOS, cc: SW.c1 | SW.c2)
            }
        // DA: FCMOVB, FCMOVE, FCMOVBE, FCMOVU; FUCOMPP
        case 0o20: try fpuConditionalMove(esc, condition(2))
        case 0o21: try fpuConditionalMove(esc, condition(4))
        case 0o22: try fpuConditionalMove(esc, condition(6))
        case 0o23: try fpuConditionalMove(esc, condition(10))
        case 0o25:
            guard i == 1 else { throw CPUFault.ud }
            try fpuCompareRegister(esc, CX87_FUCOM, pops: 2)
        // DB: FCMOVNB, FCMOVNE, FCMOVNBE, FCMOVNU; control; FUCOMI; FCOMI
        case 0o30: try fpuConditionalMove(esc, !condition(2))
        case 0o31: try fpuConditionalMove(esc, !condition(4))
        case 0o32: try fpuConditionalMove(esc, !condition(6))
        case 0o33: try fpuConditionalMove(esc, !condition(10))
        case 0o34:
            switch i {
            case 0, 1, 4: break  // FNENI, FNDISI, FNSETPM: no-ops on the 387 and later (SDM §8.3.13)
            case 2:  // FNCLEX
                fpu.fsw &= ~(SW.exceptions | SW.sf | SW.es | SW.b)
                fpuUpdateFERR()
            case 3:  // FNINIT
                fpu.initialize()
                fpuUpdateFERR()
            default: throw CPUFault.ud
            }
        case 0o35: try fpuCompareToFlags(esc, CX87_FUCOM, pop: false)
        case 0o36: try fpuCompareToFlags(esc, CX87_FCOM, pop: false)
        // DC: ST(i) = ST(i) op ST(0)
        case 0o40: try fpuArithmeticRegister(esc, CX87_FADD_STI, dest: i, pop: false)
        case 0o41: try fpuArithmeticRegister(esc, CX87_FMUL_STI, dest: i, pop: false)
        case 0o42: try fpuCompareRegister(esc, CX87_FCOM, pops: 0)  // undocumented alias (FCOM2)
        case 0o43: try fpuCompareRegister(esc, CX87_FCOM, pops: 1)  // undocumented alias (FCOMP3)
        case 0o44: try fpuArithmeticRegister(esc, CX87_FSUBR_STI, dest: i, pop: false)
        case 0o45: try fpuArithmeticRegister(esc, CX87_FSUB_STI, dest: i, pop: false)
        case 0o46: try fpuArithmeticRegister(esc, CX87_FDIVR_STI, dest: i, pop: false)
        case 0o47: try fpuArithmeticRegister(esc, CX87_FDIV_STI, dest: i, pop: false)
        // DD
        case 0o50: try fpuFree(esc, pop: false)
        case 0o51: try fpuExchange(esc)  // undocumented alias (FXCH4)
        case 0o52: try fpuStoreRegister(esc, pop: false)
        case 0o53: try fpuStoreRegister(esc, pop: true)
        case 0o54: try fpuCompareRegister(esc, CX87_FUCOM, pops: 0)
        case 0o55: try fpuCompareRegister(esc, CX87_FUCOM, pops: 1)
        // DE: ST(i) = ST(i) op ST(0), then pop
        case 0o60: try fpuArithmeticRegister(esc, CX87_FADD_STI, dest: i, pop: true)
        case 0o61: try fpuArithmeticRegister(esc, CX87_FMUL_STI, dest: i, pop: true)
        case 0o62: try fpuCompareRegister(esc, CX87_FCOM, pops: 1)  // undocumented alias (FCOMP5)
        case 0o63:
            guard i == 1 else { throw CPUFault.ud }
            try fpuCompareRegister(esc, CX87_FCOM, pops: 2)  // FCOMPP
        case 0o64: try fpuArithmeticRegister(esc, CX87_FSUBR_STI, dest: i, pop: true)
        case 0o65: try fpuArithmeticRegister(esc, CX87_FSUB_STI, dest: i, pop: true)
        case 0o66: try fpuArithmeticRegister(esc, CX87_FDIVR_STI, dest: i, pop: true)
        case 0o67: try fpuArithmeticRegister(esc, CX87_FDIV_STI, dest: i, pop: true)
        // DF
        case 0o70: try fpuFree(esc, pop: true)  // FFREEP
        case 0o71: try fpuExchange(esc)  // undocumented alias (FXCH7)
        case 0o72, 0o73: try fpuStoreRegister(esc, pop: true)  // undocumented aliases (FSTP8/9)
        case 0o74:
            guard i == 0 else { throw CPUFault.ud }
            regs[0] = (regs[0] & 0xFFFF_0000) | UInt32(fpu.fsw)  // FNSTSW AX
        case 0o75: try fpuCompareToFlags(esc, CX87_FUCOM, pop: true)
        case 0o76: try fpuCompareToFlags(esc, CX87_FCOM, pop: true)
        default: throw CPUFault.ud
        }
    }

    /// The arithmetic register forms: host ST(0) = guest ST(0), host ST(1) = guest ST(i), and the
    /// host runs the guest's own encoding with i = 1 (so operand roles, NaN selection included,
    /// are exactly the guest instruction's).
    private func fpuArithmeticRegister(_ esc: Int, _ op: cx87_op, dest: Int, pop: Bool) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        let i = modrmRM
        if fpu.isEmpty(st: 0) || fpu.isEmpty(st: i) {
            if fpuStackFault(overflow: false) {
                fpu.setST(dest, .indefinite)
                if pop { fpu.pop() }
            }
            return
        }
        let a = fpu.st(0), b = fpu.st(i)
        let r = fpuHost(op, a, b)
        fpuCommit(r, esc == 0 ? r.r0 : r.r1, dest: dest, pops: pop ? 1 : 0, cc: SW.c1, op: op, a, b)
    }

    /// FCOM/FCOMP/FCOMPP/FUCOM/FUCOMP/FUCOMPP with ST(i) (ST(1) for the double pops).
    private func fpuCompareRegister(_ esc: Int, _ op: cx87_op, pops: Int) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        let i = modrmRM
        if fpu.isEmpty(st: 0) || fpu.isEmpty(st: i) {
            if fpuStackFault(overflow: false) {
                fpu.fsw |= SW.c0 | SW.c2 | SW.c3
                for _ in 0..<pops { fpu.pop() }
            }
            return
        }
        fpuCommitCompare(fpuHost(op, fpu.st(0), fpu.st(i)).sw, pops: pops)
    }

    /// FCOMI/FCOMIP/FUCOMI/FUCOMIP: the comparison lands in ZF, PF and CF; OF, SF, AF are cleared
    /// (SDM FCOMI), C1 is cleared and C0, C2, C3 keep their values.
    private func fpuCompareToFlags(_ esc: Int, _ op: cx87_op, pop: Bool) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        let mask = Flags.zf | Flags.pf | Flags.cf | Flags.of | Flags.sf | Flags.af
        let i = modrmRM
        if fpu.isEmpty(st: 0) || fpu.isEmpty(st: i) {
            if fpuStackFault(overflow: false) {
                writeFlags(Flags.zf | Flags.pf | Flags.cf, mask: mask)
                if pop { fpu.pop() }
            }
            return
        }
        let sw = fpuHost(op, fpu.st(0), fpu.st(i)).sw
        if fpuStops(sw) { return }
        var f: UInt32 = 0
        if sw & SW.c3 != 0 { f |= Flags.zf }
        if sw & SW.c2 != 0 { f |= Flags.pf }
        if sw & SW.c0 != 0 { f |= Flags.cf }
        writeFlags(f, mask: mask)
        fpu.fsw = (fpu.fsw & ~SW.c1) | (sw & SW.exceptions)
        if pop { fpu.pop() }
        fpu.updateErrorSummary()
    }

    /// FLD ST(i).
    private func fpuLoadRegister(_ esc: Int) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        if !fpu.isEmpty(physical: fpu.top &- 1) {
            if fpuStackFault(overflow: true) { fpu.push(.indefinite) }
            return
        }
        if fpu.isEmpty(st: modrmRM) {
            if fpuStackFault(overflow: false) { fpu.push(.indefinite) }
            return
        }
        fpu.push(fpu.st(modrmRM))
        fpu.fsw &= ~SW.c1
    }

    /// FST/FSTP ST(i): an 80-bit copy, no exceptions besides stack underflow.
    private func fpuStoreRegister(_ esc: Int, pop: Bool) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        let i = modrmRM
        if fpu.isEmpty(st: 0) {
            if fpuStackFault(overflow: false) {
                fpu.setST(i, .indefinite)
                if pop { fpu.pop() }
            }
            return
        }
        fpu.setST(i, fpu.st(0))
        fpu.fsw &= ~SW.c1
        if pop { fpu.pop() }
    }

    /// FXCH ST(i). With an empty operand the masked response exchanges indefinites in.
    private func fpuExchange(_ esc: Int) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        let i = modrmRM
        var a = fpu.st(0), b = fpu.st(i)
        if fpu.isEmpty(st: 0) || fpu.isEmpty(st: i) {
            guard fpuStackFault(overflow: false) else { return }
            if fpu.isEmpty(st: 0) { a = .indefinite }
            if fpu.isEmpty(st: i) { b = .indefinite }
        } else {
            fpu.fsw &= ~SW.c1
        }
        fpu.setST(0, b)
        fpu.setST(i, a)
    }

    /// FFREE ST(i) / FFREEP ST(i).
    private func fpuFree(_ esc: Int, pop: Bool) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        fpu.setTag(physical: fpu.physical(modrmRM), FPUState.Tag.empty)
        if pop { fpu.pop() }
    }

    /// FDECSTP / FINCSTP: TOP moves, tags and contents stay.
    private func fpuMoveTop(_ esc: Int, by delta: Int) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        fpu.top = fpu.top &+ delta
        fpu.fsw &= ~SW.c1
    }

    /// FCMOVcc ST(0), ST(i).
    private func fpuConditionalMove(_ esc: Int, _ taken: Bool) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        let i = modrmRM
        if fpu.isEmpty(st: 0) || fpu.isEmpty(st: i) {
            if fpuStackFault(overflow: false) { fpu.setST(0, .indefinite) }
            return
        }
        fpu.fsw &= ~SW.c1
        if taken { fpu.setST(0, fpu.st(i)) }
    }

    /// FCHS / FABS: sign-bit operations, no exceptions besides stack underflow (not even for
    /// SNaNs).
    private func fpuSignOperation(_ esc: Int, negate: Bool) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        if fpu.isEmpty(st: 0) {
            if fpuStackFault(overflow: false) { fpu.setST(0, .indefinite) }
            return
        }
        let v = fpu.st(0)
        fpu.setST(0, negate ? v.negated : v.magnitude)
        fpu.fsw &= ~SW.c1
    }

    /// FTST: compare ST(0) with 0.0.
    private func fpuTest(_ esc: Int) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        if fpu.isEmpty(st: 0) {
            if fpuStackFault(overflow: false) { fpu.fsw |= SW.c0 | SW.c2 | SW.c3 }
            return
        }
        fpuCommitCompare(fpuHost(CX87_FTST, fpu.st(0)).sw, pops: 0)
    }

    /// FXAM: classifies ST(0); an empty register gives C3 = C0 = 1, C2 = 0, C1 = its sign bit.
    private func fpuExamine(_ esc: Int) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        let v = fpu.st(0)
        var codes: UInt16
        if fpu.isEmpty(st: 0) {
            codes = SW.c3 | SW.c0 | (v.sign ? SW.c1 : 0)
        } else {
            codes = fpuHost(CX87_FXAM, v).sw & SW.conditionCodes
        }
        fpu.fsw = (fpu.fsw & ~SW.conditionCodes) | codes
    }

    /// FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ: rounded per RC like the real x87.
    private func fpuLoadConstant(_ esc: Int, _ op: cx87_op) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        if !fpu.isEmpty(physical: fpu.top &- 1) {
            if fpuStackFault(overflow: true) { fpu.push(.indefinite) }
            return
        }
        fpu.push(fpuHost(op, .positiveZero).r0)
        fpu.fsw &= ~SW.c1
    }

    /// One-operand instructions replacing ST(0): FSQRT, FRNDINT, F2XM1, FSIN, FCOS.
    private func fpuUnary(_ esc: Int, _ op: cx87_op, cc: UInt16) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        if fpu.isEmpty(st: 0) {
            if fpuStackFault(overflow: false) { fpu.setST(0, .indefinite) }
            return
        }
        let a = fpu.st(0)
        let r = fpuHost(op, a)
        fpuCommit(r, r.r0, dest: 0, pops: 0, cc: cc, op: op, a, .positiveZero)
    }

    /// FPREM, FPREM1, FSCALE: ST(0) = f(ST(0), ST(1)). FPREM/FPREM1 set all four condition
    /// codes (quotient bits and C2 = incomplete).
    private func fpuBinaryInPlace(_ esc: Int, _ op: cx87_op) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        if fpu.isEmpty(st: 0) || fpu.isEmpty(st: 1) {
            if fpuStackFault(overflow: false) { fpu.setST(0, .indefinite) }
            return
        }
        let a = fpu.st(0), b = fpu.st(1)
        let r = fpuHost(op, a, b)
        let cc = op == CX87_FSCALE ? SW.c1 : SW.conditionCodes
        fpuCommit(r, r.r0, dest: 0, pops: 0, cc: cc, op: op, a, b)
    }

    /// FPATAN, FYL2X, FYL2XP1: ST(1) = f(ST(0), ST(1)), then pop.
    private func fpuBinaryPopping(_ esc: Int, _ op: cx87_op) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        if fpu.isEmpty(st: 0) || fpu.isEmpty(st: 1) {
            if fpuStackFault(overflow: false) {
                fpu.setST(1, .indefinite)
                fpu.pop()
            }
            return
        }
        let a = fpu.st(0), b = fpu.st(1)
        let r = fpuHost(op, a, b)
        fpuCommit(r, r.r0, dest: 1, pops: 1, cc: SW.c1, op: op, a, b)
    }

    /// FXTRACT, FPTAN, FSINCOS: ST(0) is replaced and a second value pushed (FPTAN and FSINCOS
    /// push nothing and set C2 when the operand is out of range).
    private func fpuPushingUnary(_ esc: Int, _ op: cx87_op) throws(CPUFault) {
        try fpuWait()
        fpuNote(esc, memoryOperand: false)
        let underflow = fpu.isEmpty(st: 0)
        if underflow || !fpu.isEmpty(physical: fpu.top &- 1) {
            if fpuStackFault(overflow: !underflow) {
                fpu.setST(0, .indefinite)
                fpu.push(.indefinite)
            }
            return
        }
        let a = fpu.st(0)
        let r = fpuHost(op, a)
        if op != CX87_FXTRACT && r.sw & SW.c2 != 0 {
            fpu.fsw = (fpu.fsw & ~(SW.c1 | SW.c2)) | SW.c2
            return
        }
        if fpuStops(r.sw) { return }
        var first = r.r1  // the value replacing ST(0)
        var flags = r.sw & SW.exceptions
        var c1 = r.sw & SW.c1
        let unmaskedUE = fpu.fcw & SW.ue == 0 && (flags & SW.ue != 0 || first.isDenormal)
        if unmaskedUE {
            // Only tan(x) / sin(x) of a tiny x can underflow here.
            let adjusted = fpuBiasAdjusted(op, a, .positiveZero, masked: first, overflow: false)
            first = adjusted.value
            flags = (flags & (SW.ie | SW.de)) | SW.ue | (flags & SW.pe)
            c1 = 0
        }
        fpu.setST(0, first)
        fpu.push(r.r0)
        fpu.fsw = (fpu.fsw & ~(SW.c1 | SW.c2)) | c1 | flags
        fpu.updateErrorSummary()
    }
}

extension X87Float {
    init(_ c: cx87_f80) {
        self.init(significand: c.significand, signExponent: c.sign_exponent)
    }
}
