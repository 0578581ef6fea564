// Unit tests of the x87: the host shim, the register file, stack faults, unmasked exceptions,
// environment/state images and the control instructions.

import CX87
import EmulatorCore
import Testing
@testable import X86

private typealias A = X87Asm
private typealias SW = FPUState.SW

/// 2^e as a double-extended value (normal range).
private func pow2(_ e: Int) -> X87Float {
    X87Float(significand: 0x8000_0000_0000_0000, signExponent: UInt16(16383 + e))
}

private let cwAt: UInt32 = 0x2000
private let aAt: UInt32 = 0x2010
private let bAt: UInt32 = 0x2020
private let rAt: UInt32 = 0x2030
private let imageAt: UInt32 = 0x2100

@Suite("x87 host shim")
struct CX87ShimTests {
    private func exec(_ op: cx87_op, _ a: X87Float, _ b: X87Float, cw: UInt16 = 0x037F) -> (UInt16, X87Float, X87Float) {
        var ca = cx87_f80(significand: a.significand, sign_exponent: a.signExponent)
        var cb = cx87_f80(significand: b.significand, sign_exponent: b.signExponent)
        var out = [cx87_f80(), cx87_f80()]
        let sw = cx87_exec(op, &ca, &cb, cw, &out)
        return (sw, X87Float(significand: out[0].significand, signExponent: out[0].sign_exponent),
                X87Float(significand: out[1].significand, signExponent: out[1].sign_exponent))
    }

    @Test("1 + 1 = 2 exactly, with no exception flags")
    func addition() {
        let (sw, r, _) = exec(CX87_FADD_ST0, .one, .one)
        #expect(r == pow2(1))
        #expect(sw & SW.exceptions == 0)
    }

    @Test("the ST(i)-destination forms keep the guest's operand order")
    func reversedForms() {
        // DC E9 (FSUB ST(1), ST(0)): ST(1) = ST(1) - ST(0) = 4 - 1 = 3.
        let (_, _, r1) = exec(CX87_FSUB_STI, .one, X87Float(4))
        #expect(r1 == X87Float(3))
        // DC E1 (FSUBR ST(1), ST(0)): ST(1) = ST(0) - ST(1) = 1 - 4 = -3.
        let (_, _, r2) = exec(CX87_FSUBR_STI, .one, X87Float(4))
        #expect(r2 == X87Float(-3))
        // DC F9 (FDIV ST(1), ST(0)): 4 / 1.
        let (_, _, r3) = exec(CX87_FDIV_STI, .one, X87Float(4))
        #expect(r3 == X87Float(4))
    }

    @Test("precision control rounds to 24 bits and raises PE")
    func precisionControl() {
        let tiny = pow2(-30)
        let (sw, r, _) = exec(CX87_FADD_ST0, .one, tiny, cw: 0x007F)  // PC = single
        #expect(r == .one)
        #expect(sw & SW.pe != 0)
        let (sw80, r80, _) = exec(CX87_FADD_ST0, .one, tiny)
        #expect(r80 != .one)
        #expect(sw80 & SW.pe == 0)
    }

    @Test("masked divide by zero gives infinity and ZE; 0/0 gives the indefinite and IE")
    func maskedResponses() {
        let (sw, r, _) = exec(CX87_FDIV_ST0, .one, .positiveZero)
        #expect(r.isInfinity && !r.sign)
        #expect(sw & SW.ze != 0)
        let (sw2, r2, _) = exec(CX87_FDIV_ST0, .positiveZero, .positiveZero)
        #expect(r2 == .indefinite)
        #expect(sw2 & SW.ie != 0)
    }

    @Test("exception flags left by other host x87 code do not leak into a result")
    func foreignHostFlags() {
        // Swift's Float80 arithmetic runs on the host x87 and leaves PE set in its status word.
        let third = Float80(Int.random(in: 1...1)) / 3
        #expect(third > 0)
        let (sw, r, _) = exec(CX87_FADD_ST0, .one, .one)
        #expect(r == pow2(1))
        #expect(sw & SW.exceptions == 0)
    }

    @Test("conversions load and store through the host")
    func conversions() {
        var m: UInt32 = 0x3FC0_0000  // 1.5f
        var out = cx87_f80()
        let sw = cx87_load(CX87_M32FP, &m, 0x037F, &out)
        #expect(X87Float(significand: out.significand, signExponent: out.sign_exponent)
            == X87Float(significand: 0xC000_0000_0000_0000, signExponent: 0x3FFF))
        #expect(sw & SW.exceptions == 0)
        var src = cx87_f80(significand: 0xC000_0000_0000_0000, sign_exponent: 0x3FFF)
        var i: Int32 = 0
        let sw2 = cx87_store(CX87_M32INT, &src, 0x037F, &i)  // 1.5 rounds to even: 2
        #expect(i == 2)
        #expect(sw2 & SW.pe != 0)
    }
}

@Suite("x87 register file and tags")
struct FPUStateTests {
    @Test("init gives the FNINIT state")
    func initialState() {
        let s = FPUState()
        #expect(s.fcw == 0x037F)
        #expect(s.fsw == 0)
        #expect(s.ftw == 0xFFFF)
        #expect(s.top == 0)
        #expect(!s.exceptionPending)
    }

    @Test("tags classify valid, zero and special values")
    func tags() {
        var s = FPUState()
        s.push(.one)
        s.push(.positiveZero)
        s.push(X87Float(significand: 1, signExponent: 0))  // denormal
        s.push(.indefinite)
        s.push(X87Float(significand: 0x4000_0000_0000_0000, signExponent: 0x3FFF))  // unnormal
        #expect(s.ftw == 0b00_01_10_10_10_11_11_11)
        #expect(s.abridgedTagWord == 0b1111_1000)
        var t = s
        t.setAbridgedTagWord(0b1111_1000)
        #expect(t.ftw == s.ftw)
        // A loaded tag image only says empty / not empty.
        t.loadTagWord(0x0000)
        #expect(t.tag(physical: 0) == FPUState.Tag.zero)  // R0 holds +0 (its initial contents)
        #expect(t.tag(physical: 7) == FPUState.Tag.valid)
    }

    @Test("X87Float classifies encodings")
    func classification() {
        #expect(X87Float.indefinite.isNaN && !X87Float.indefinite.isSignalingNaN)
        #expect(X87Float(significand: 0x8000_0000_0000_0001, signExponent: 0x7FFF).isSignalingNaN)
        #expect(X87Float(significand: 0x8000_0000_0000_0000, signExponent: 0xFFFF).isInfinity)
        #expect(X87Float(significand: 0x4000_0000_0000_0000, signExponent: 0x7FFF).isUnsupported)
        #expect(X87Float(-3) == X87Float(significand: 0xC000_0000_0000_0000, signExponent: 0xC000))
        #expect(X87Float(bytes: X87Float.indefinite.bytes) == .indefinite)
        #expect(X87Float(significand: 1, signExponent: 0).normalizedExponent == -16382 - 63)
    }
}

@Suite("x87 instructions")
struct FPUInstructionTests {
    @Test("arithmetic through guest code: 1.5 * 3 - 0.5 = 4")
    func arithmetic() {
        let m = FPUTestMachine()
        m.write80(X87Float(significand: 0xC000_0000_0000_0000, signExponent: 0x3FFF), at: aAt)
        m.write32(3, at: bAt)
        m.write64(0x3FE0_0000_0000_0000, at: cwAt)  // 0.5 as m64
        let code = A.fninit() + A.fld80(aAt) + A.mem(0xDA, 1, bAt) /* FIMUL m32 */ + A.mem(0xDC, 4, cwAt) /* FSUB m64 */
            + A.fstp80(rAt) + A.fnstswAX()
        #expect(m.run(code) == nil)
        #expect(m.read80(at: rAt) == X87Float(4))
        #expect(m.cpu.fpu.ftw == 0xFFFF)
        #expect(m.cpu[.eax] & 0xFFFF == 0)
    }

    @Test("stack overflow: IE, SF and C1 = 1; the masked response pushes the indefinite")
    func stackOverflow() {
        let m = FPUTestMachine()
        let code = A.fninit() + Array([[UInt8]](repeating: A.fld1, count: 9).joined()) + A.fnstswAX()
        #expect(m.run(code) == nil)
        let sw = UInt16(truncatingIfNeeded: m.cpu[.eax])
        #expect(sw & (SW.ie | SW.sf | SW.c1) == SW.ie | SW.sf | SW.c1)
        #expect(m.cpu.fpu.top == 7)
        #expect(m.cpu.fpu.st(0) == .indefinite)
        #expect(m.cpu.fpu.st(1) == .one)
    }

    @Test("stack underflow: IE and SF with C1 = 0; FADDP writes the indefinite and pops")
    func stackUnderflow() {
        let m = FPUTestMachine()
        #expect(m.run(A.fninit() + A.faddp + A.fnstswAX()) == nil)
        let sw = UInt16(truncatingIfNeeded: m.cpu[.eax])
        #expect(sw & (SW.ie | SW.sf | SW.c1) == SW.ie | SW.sf)
        #expect(m.cpu.fpu.top == 1)
        #expect(m.cpu.fpu.registers[1] == .indefinite)
        #expect(m.cpu.fpu.isEmpty(physical: 0))
    }

    @Test("unmasked stack underflow changes nothing and raises #MF at the next waiting instruction")
    func unmaskedUnderflowRaisesMF() {
        let m = FPUTestMachine()
        m.cpu.cr0 |= CR0.ne
        m.write16(0x037E, at: cwAt)  // IM clear
        let code = A.fninit() + A.fldcw(cwAt) + A.faddp + A.fnstswAX() + A.fwait
        #expect(m.run(code) == 16)
        let sw = m.cpu.fpu.fsw
        #expect(sw & (SW.ie | SW.sf | SW.es | SW.b) == SW.ie | SW.sf | SW.es | SW.b)
        #expect(m.cpu.fpu.top == 0)
        #expect(m.cpu.fpu.ftw == 0xFFFF)
        // FIP/FOP name the faulting FADDP (DE C1), not the FWAIT.
        #expect(m.cpu.fpu.fip == FPUTestMachine.codeAddress + 6)
        #expect(m.cpu.fpu.fop == 0x6C1)
    }

    @Test("with CR0.NE = 0 a pending exception asserts FERR# and FNCLEX drops it")
    func ferrPath() {
        final class Levels { var values: [Bool] = [] }
        let levels = Levels()
        let m = FPUTestMachine()
        m.cpu.ferrChanged = { levels.values.append($0) }
        m.write16(0x037B, at: cwAt)  // ZM clear
        let code = A.fninit() + A.fldcw(cwAt) + A.fld1 + A.fldz + A.fdivp + A.fwait + A.fnclex()
        #expect(m.run(code) == nil)
        #expect(levels.values == [true, false])
        #expect(!m.cpu.fpu.exceptionPending)
    }

    @Test("unmasked divide by zero leaves the operands and the stack alone")
    func unmaskedZeroDivide() {
        let m = FPUTestMachine()
        m.write16(0x037B, at: cwAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld1 + A.fldz + A.fdivp) == nil)
        #expect(m.cpu.fpu.top == 6)
        #expect(m.cpu.fpu.st(0) == .positiveZero)
        #expect(m.cpu.fpu.st(1) == .one)
        #expect(m.cpu.fpu.fsw & (SW.ze | SW.es) == SW.ze | SW.es)
    }

    private func runProduct(_ a: X87Float, _ b: X87Float, cw: UInt16) -> FPUState {
        let m = FPUTestMachine()
        m.write80(a, at: aAt)
        m.write80(b, at: bAt)
        m.write16(cw, at: cwAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld80(aAt) + A.fld80(bAt) + A.fmulp) == nil)
        return m.cpu.fpu
    }

    @Test("unmasked overflow stores the result with the exponent divided by 2^24576")
    func unmaskedOverflow() {
        var s = runProduct(pow2(16000), pow2(16000), cw: 0x0377)
        #expect(s.st(0) == pow2(32000 - 24576))
        #expect(s.fsw & (SW.oe | SW.pe | SW.es) == SW.oe | SW.es)
        // (1 + 2^-63)^2 = 1 + 2^-62 + 2^-126 rounds down to nearest, up with RC = up (C1 = 1).
        let a = X87Float(significand: 0x8000_0000_0000_0001, signExponent: UInt16(16383 + 16000))
        s = runProduct(a, a, cw: 0x0377)
        #expect(s.st(0) == X87Float(significand: 0x8000_0000_0000_0002, signExponent: UInt16(16383 + 32000 - 24576)))
        #expect(s.fsw & (SW.oe | SW.pe | SW.c1) == SW.oe | SW.pe)
        s = runProduct(a, a, cw: 0x0B77)
        #expect(s.st(0) == X87Float(significand: 0x8000_0000_0000_0003, signExponent: UInt16(16383 + 32000 - 24576)))
        #expect(s.fsw & (SW.oe | SW.pe | SW.c1) == SW.oe | SW.pe | SW.c1)
        // Masked: infinity with OE and PE.
        s = runProduct(pow2(16000), pow2(16000), cw: 0x037F)
        #expect(s.st(0).isInfinity)
        #expect(s.fsw & (SW.oe | SW.pe | SW.es) == SW.oe | SW.pe)
    }

    @Test("unmasked underflow stores the result with the exponent multiplied by 2^24576")
    func unmaskedUnderflow() {
        let s = runProduct(pow2(-16000), pow2(-16000), cw: 0x036F)
        #expect(s.st(0) == pow2(-32000 + 24576))
        #expect(s.fsw & (SW.ue | SW.pe | SW.es) == SW.ue | SW.es)
    }

    @Test("an exact tiny result underflows only when UM is clear")
    func exactTinyResult() {
        func difference(cw: UInt16) -> FPUState {
            let m = FPUTestMachine()
            m.write80(X87Float(significand: 0xC000_0000_0000_0000, signExponent: 1), at: aAt)
            m.write80(X87Float(significand: 0x8000_0000_0000_0000, signExponent: 1), at: bAt)
            m.write16(cw, at: cwAt)
            #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld80(aAt) + A.fld80(bAt) + A.fsubp) == nil)
            return m.cpu.fpu
        }
        let masked = difference(cw: 0x037F)
        #expect(masked.st(0) == X87Float(significand: 0x4000_0000_0000_0000, signExponent: 0))
        #expect(masked.fsw & SW.exceptions == 0)
        let unmasked = difference(cw: 0x036F)
        #expect(unmasked.st(0) == pow2(-16383 + 24576))
        #expect(unmasked.fsw & (SW.ue | SW.pe | SW.es) == SW.ue | SW.es)
    }

    @Test("unmasked overflow on FST m32 stores nothing and keeps the stack")
    func unmaskedStoreOverflow() {
        let m = FPUTestMachine()
        m.write80(pow2(200), at: aAt)
        m.write32(0xDEAD_BEEF, at: rAt)
        m.write16(0x0377, at: cwAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld80(aAt) + A.fstp32(rAt)) == nil)
        #expect(m.read32(at: rAt) == 0xDEAD_BEEF)
        #expect(m.cpu.fpu.top == 7)
        #expect(m.cpu.fpu.fsw & (SW.oe | SW.es) == SW.oe | SW.es)
        // Masked: +infinity as a float.
        m.write16(0x037F, at: cwAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld80(aAt) + A.fstp32(rAt)) == nil)
        #expect(m.read32(at: rAt) == 0x7F80_0000)
        #expect(m.cpu.fpu.top == 0)
    }

    @Test("#NM for escape opcodes with CR0.TS or CR0.EM; WAIT only with MP and TS")
    func deviceNotAvailable() {
        let m = FPUTestMachine()
        m.cpu.cr0 |= CR0.ts
        #expect(m.run(A.fld1) == 7)
        #expect(m.run(A.fninit()) == 7)
        #expect(m.run(A.fwait) == nil)
        m.cpu.cr0 |= CR0.mp
        #expect(m.run(A.fwait) == 7)
        m.cpu.cr0 &= ~(CR0.ts | CR0.mp)
        m.cpu.cr0 |= CR0.em
        #expect(m.run(A.fnclex()) == 7)
        #expect(m.run(A.fwait) == nil)
    }

    @Test("reserved and SSE3 encodings raise #UD")
    func invalidEncodings() {
        let m = FPUTestMachine()
        #expect(m.run(A.mem(0xDB, 1, rAt)) == 6)  // FISTTP m32
        #expect(m.run(A.mem(0xDD, 1, rAt)) == 6)  // FISTTP m64
        #expect(m.run(A.mem(0xDF, 1, rAt)) == 6)  // FISTTP m16
        #expect(m.run(A.mem(0xD9, 1, rAt)) == 6)
        #expect(m.run(A.mem(0xDB, 4, rAt)) == 6)
        #expect(m.run([0xD9, 0xD1]) == 6)
        #expect(m.run([0xD9, 0xE2]) == 6)
        #expect(m.run([0xDF, 0xE1]) == 6)
        #expect(m.run([0xDB, 0xE5]) == 6)
        #expect(m.run([0xDE, 0xD8]) == 6)
        #expect(m.run([0xDA, 0xE8]) == 6)
        // FNENI, FNDISI, FNSETPM are accepted as no-ops.
        #expect(m.run([0xDB, 0xE0, 0xDB, 0xE1, 0xDB, 0xE4]) == nil)
    }

    @Test("FNSTENV stores the full tag word and masks all exceptions")
    func environmentTags() {
        let m = FPUTestMachine()
        m.write80(X87Float(significand: 5, signExponent: 0), at: aAt)
        m.write80(.indefinite, at: bAt)
        m.write16(0x0360, at: cwAt)
        let code = A.fninit() + A.fldcw(cwAt) + A.fld1 + A.fldz + A.fld80(aAt) + A.fld80(bAt) + A.fnstenv(imageAt)
        #expect(m.run(code) == nil)
        #expect(m.read16(at: imageAt) == 0x0360)
        #expect(m.read16(at: imageAt + 4) == 0x1AFF)
        #expect(m.read16(at: imageAt + 2) == 4 << 11)
        #expect(m.cpu.fpu.fcw == 0x037F)
        // Real-mode 16-bit layout: IP of the last FLD (at code + 14), FOP = DB 2E, DP = bAt.
        #expect(m.read16(at: imageAt + 6) == UInt16(FPUTestMachine.codeAddress + 14))
        #expect(m.read16(at: imageAt + 8) == 0x32E)
        #expect(m.read16(at: imageAt + 10) == UInt16(bAt))
    }

    @Test("FNSAVE writes the real-mode image, reinitializes, and FRSTOR restores the state")
    func saveRestoreRoundTrip() {
        for o32 in [false, true] {
            let m = FPUTestMachine()
            m.write16(0x0B7F, at: cwAt)
            let setup = A.fninit() + A.fldcw(cwAt) + A.fld1 + A.fldpi + A.fldz + A.mem(0xD8, 0, aAt) /* FADD m32 */
            m.write32(0x3F80_0000, at: aAt)
            let prefix: [UInt8] = o32 ? [0x66] : []
            #expect(m.run(setup) == nil)
            let before = m.cpu.fpu
            #expect(m.run(prefix + A.fnsave(imageAt)) == nil)
            #expect(m.cpu.fpu.fcw == 0x037F && m.cpu.fpu.ftw == 0xFFFF && m.cpu.fpu.fsw == 0)
            let envSize: UInt32 = o32 ? 28 : 14
            #expect(m.read16(at: imageAt) == 0x0B7F)
            #expect(m.read16(at: imageAt + (o32 ? 4 : 2)) == before.fsw)
            #expect(m.read16(at: imageAt + (o32 ? 8 : 4)) == before.ftw)
            // ST(0) = 1.0 (0 + 1), ST(1) = pi rounded up, ST(2) = 1.
            #expect(m.read80(at: imageAt + envSize) == .one)
            #expect(m.read80(at: imageAt + envSize + 10) == X87Float(significand: 0xC90F_DAA2_2168_C235, signExponent: 0x4000))
            #expect(m.read80(at: imageAt + envSize + 20) == .one)
            if o32 {
                #expect(m.read32(at: imageAt + 12) == 0xFFFF_0000 | (FPUTestMachine.codeAddress + 12))
                #expect(m.read32(at: imageAt + 16) == 0x006)  // FOP D8 06, IP bits 31-16 = 0
                #expect(m.read32(at: imageAt + 20) == 0xFFFF_0000 | aAt)
            } else {
                #expect(m.read16(at: imageAt + 6) == UInt16(FPUTestMachine.codeAddress + 12))
                #expect(m.read16(at: imageAt + 8) == 0x006)
                #expect(m.read16(at: imageAt + 10) == UInt16(aAt))
            }
            #expect(m.run(prefix + A.frstor(imageAt)) == nil)
            #expect(m.cpu.fpu == before)
        }
    }

    @Test("protected-mode FNSTENV layouts hold offsets and selectors")
    func protectedModeEnvironment() {
        let m = FPUTestMachine()
        m.cpu.setControlRegisters(cr0: m.cpu.cr0 | 1, cr3: 0, cr4: 0)
        m.cpu.setSegment(.cs, SegmentCache(selector: 0x08, base: 0, limit: 0xFFFF, access: 0x9B, flags: 0))
        m.cpu.setSegment(.ds, SegmentCache(selector: 0x10, base: 0, limit: 0xFFFF, access: 0x93, flags: 0))
        m.write32(0x4000_0000, at: aAt)  // 2.0f
        #expect(m.run(A.fninit() + A.fld32(aAt) + [0x66] + A.fnstenv(imageAt)) == nil)
        #expect(m.read32(at: imageAt) == 0xFFFF_037F)
        #expect(m.read32(at: imageAt + 8) == 0xFFFF_3FFF)
        #expect(m.read32(at: imageAt + 12) == FPUTestMachine.codeAddress + 2)
        #expect(m.read32(at: imageAt + 16) == 0x0106_0008)  // FOP D9 06, FCS 0x08
        #expect(m.read32(at: imageAt + 20) == aAt)
        #expect(m.read32(at: imageAt + 24) == 0xFFFF_0010)
        #expect(m.run(A.fnstenv(imageAt + 0x40)) == nil)  // 16-bit layout
        #expect(m.read16(at: imageAt + 0x40 + 6) == UInt16(FPUTestMachine.codeAddress + 2))
        #expect(m.read16(at: imageAt + 0x40 + 8) == 0x08)
        #expect(m.read16(at: imageAt + 0x40 + 10) == UInt16(aAt))
        #expect(m.read16(at: imageAt + 0x40 + 12) == 0x10)
    }

    @Test("FCOMI/FUCOMI set ZF PF CF; FCMOVcc moves on the condition")
    func compareIntoFlags() {
        let m = FPUTestMachine()
        m.write80(X87Float(2), at: aAt)
        m.write80(X87Float(significand: 0xC000_0000_0000_0000, signExponent: 0x7FFF), at: bAt)  // QNaN
        // 1 < 2: CF = 1; FCMOVB copies ST(1) = 2 into ST(0).
        #expect(m.run(A.fninit() + A.fld80(aAt) + A.fld1 + [0xDB, 0xF1] + [0xDA, 0xC1]) == nil)
        #expect(m.cpu.eflags & (Flags.zf | Flags.pf | Flags.cf) == Flags.cf)
        #expect(m.cpu.fpu.st(0) == X87Float(2))
        // QNaN: unordered; FUCOMI is quiet, FCOMI raises IE.
        #expect(m.run(A.fninit() + A.fld80(bAt) + A.fld1 + [0xDB, 0xE9]) == nil)
        #expect(m.cpu.eflags & (Flags.zf | Flags.pf | Flags.cf) == Flags.zf | Flags.pf | Flags.cf)
        #expect(m.cpu.fpu.fsw & SW.ie == 0)
        #expect(m.run(A.fninit() + A.fld80(bAt) + A.fld1 + [0xDB, 0xF1]) == nil)
        #expect(m.cpu.fpu.fsw & SW.ie != 0)
    }

    @Test("FXAM classifies empty registers and infinities")
    func examine() {
        let m = FPUTestMachine()
        #expect(m.run(A.fninit() + A.fxam) == nil)
        #expect(m.cpu.fpu.fsw & (SW.c3 | SW.c2 | SW.c0) == SW.c3 | SW.c0)
        m.write80(X87Float(significand: 0x8000_0000_0000_0000, signExponent: 0xFFFF), at: aAt)
        #expect(m.run(A.fninit() + A.fld80(aAt) + A.fxam) == nil)
        #expect(m.cpu.fpu.fsw & SW.conditionCodes == SW.c2 | SW.c0 | SW.c1)
    }

    @Test("FLDPI honours the rounding control")
    func constantRounding() {
        let m = FPUTestMachine()
        m.write16(0x077F, at: cwAt)  // round down
        #expect(m.run(A.fninit() + A.fldpi + A.fldcw(cwAt) + A.fldpi) == nil)
        #expect(m.cpu.fpu.st(1).significand == 0xC90F_DAA2_2168_C235)
        #expect(m.cpu.fpu.st(0).significand == 0xC90F_DAA2_2168_C234)
    }

    @Test("integer and BCD stores: out-of-range gives the indefinite, BCD round-trips")
    func integerAndBCD() {
        let m = FPUTestMachine()
        m.write32(1_000_000, at: aAt)
        #expect(m.run(A.fninit() + A.fild32(aAt) + A.fistp16(rAt) + A.fnstswAX()) == nil)
        #expect(m.read16(at: rAt) == 0x8000)
        #expect(m.cpu[.eax] & UInt32(SW.ie) != 0)
        m.write64(123_456_789_012_345_678, at: aAt)
        #expect(m.run(A.fninit() + A.fild64(aAt) + A.fbstp(rAt)) == nil)
        #expect(m.memory.bytes(at: rAt, count: 10) == [0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x00])
        #expect(m.run(A.fninit() + A.fbld(rAt) + A.fistp64(bAt)) == nil)
        #expect(m.read64(at: bAt) == 123_456_789_012_345_678)
    }

    @Test("a faulting m80 store writes nothing and pops nothing")
    func atomicStore() {
        let m = FPUTestMachine()
        m.memory.load([UInt8](repeating: 0x5A, count: 8), at: 0xFFF8)
        #expect(m.run(A.fninit() + A.fld1 + A.fstp80(0xFFF8)) == 13)
        #expect(m.memory.bytes(at: 0xFFF8, count: 8) == [UInt8](repeating: 0x5A, count: 8))
        #expect(m.cpu.fpu.top == 7)
    }

    @Test("FXCH, FINCSTP, FDECSTP, FFREE and FNSTSW AX")
    func stackControl() {
        let m = FPUTestMachine()
        let code = A.fninit() + A.fld1 + A.fldz + [0xD9, 0xC9] /* FXCH ST(1) */ + [0xD9, 0xF7] /* FINCSTP */
            + [0xDD, 0xC0] /* FFREE ST(0) */ + [0xD9, 0xF6] /* FDECSTP */ + A.fnstswAX()
        #expect(m.run(code) == nil)
        #expect(m.cpu.fpu.top == 6)
        #expect(m.cpu.fpu.st(0) == .one)
        #expect(m.cpu.fpu.isEmpty(st: 1))
        #expect(m.cpu[.eax] & 0xFFFF == 6 << 11)
    }
}

@Suite("x87 transcendental and special instructions")
struct FPUSpecialInstructionTests {
    @Test("FPTAN pushes 1.0 and leaves an out-of-range operand alone with C2 = 1")
    func partialTangent() {
        let m = FPUTestMachine()
        #expect(m.run(A.fninit() + A.fldz + [0xD9, 0xF2]) == nil)
        #expect(m.cpu.fpu.top == 6)
        #expect(m.cpu.fpu.st(0) == .one)
        #expect(m.cpu.fpu.st(1) == .positiveZero)
        m.write80(pow2(64), at: aAt)
        #expect(m.run(A.fninit() + A.fld80(aAt) + [0xD9, 0xF2]) == nil)
        #expect(m.cpu.fpu.top == 7)
        #expect(m.cpu.fpu.st(0) == pow2(64))
        #expect(m.cpu.fpu.fsw & SW.c2 != 0)
    }

    @Test("FSINCOS, FXTRACT, FPATAN and FYL2X leave the documented stack")
    func stackShapes() {
        let m = FPUTestMachine()
        #expect(m.run(A.fninit() + A.fldz + [0xD9, 0xFB]) == nil)  // FSINCOS
        #expect(m.cpu.fpu.top == 6 && m.cpu.fpu.st(0) == .one && m.cpu.fpu.st(1) == .positiveZero)
        m.write32(8, at: aAt)
        m.write32(3, at: bAt)
        #expect(m.run(A.fninit() + A.fild32(aAt) + [0xD9, 0xF4]) == nil)  // FXTRACT
        #expect(m.cpu.fpu.top == 6 && m.cpu.fpu.st(0) == .one && m.cpu.fpu.st(1) == X87Float(3))
        #expect(m.run(A.fninit() + A.fild32(bAt) + A.fild32(aAt) + [0xD9, 0xF1]) == nil)  // FYL2X: 3 * log2(8)
        #expect(m.cpu.fpu.top == 7 && m.cpu.fpu.st(0) == X87Float(9))
        #expect(m.run(A.fninit() + A.fld1 + A.fld1 + [0xD9, 0xF3]) == nil)  // FPATAN: atan(1/1) = pi/4
        #expect(m.cpu.fpu.top == 7)
        #expect(m.cpu.fpu.st(0) == X87Float(significand: 0xC90F_DAA2_2168_C235, signExponent: 0x3FFE))
    }

    @Test("unmasked overflow of FSCALE, FDIV and FADD gives bias-adjusted results; massive overflow gives infinity")
    func biasAdjustedForms() {
        let m = FPUTestMachine()
        m.write16(0x0377, at: cwAt)
        m.write32(20000, at: bAt)
        m.write80(pow2(16000), at: aAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fild32(bAt) + A.fld80(aAt) + [0xD9, 0xFD]) == nil)
        #expect(m.cpu.fpu.st(0) == pow2(36000 - 24576))
        m.write32(100_000, at: bAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fild32(bAt) + A.fld80(aAt) + [0xD9, 0xFD]) == nil)
        #expect(m.cpu.fpu.st(0).isInfinity)
        #expect(m.cpu.fpu.fsw & SW.oe != 0)
        m.write80(pow2(-16000), at: bAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld80(aAt) + A.fld80(bAt) + A.fdivp) == nil)
        #expect(m.cpu.fpu.st(0) == pow2(32000 - 24576))
        let largest = X87Float(significand: ~0, signExponent: 0x7FFE)
        m.write80(largest, at: aAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld80(aAt) + A.fld80(aAt) + A.faddp) == nil)
        #expect(m.cpu.fpu.st(0) == X87Float(significand: ~0, signExponent: 0x7FFF - 0x6000))
        #expect(m.cpu.fpu.fsw & (SW.oe | SW.pe) == SW.oe)
    }

    @Test("unmasked underflow with a memory operand (FMUL m64)")
    func memoryOperandUnderflow() {
        let m = FPUTestMachine()
        m.write16(0x036F, at: cwAt)
        m.write80(pow2(-16000), at: aAt)
        m.write64(UInt64(1023 - 1000) << 52, at: bAt)  // 2^-1000
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld80(aAt) + A.mem(0xDC, 1, bAt)) == nil)
        #expect(m.cpu.fpu.st(0) == pow2(-17000 + 24576))
        #expect(m.cpu.fpu.fsw & (SW.ue | SW.es) == SW.ue | SW.es)
    }

    @Test("FLD m32 of an SNaN: IE; masked pushes the quieted NaN, unmasked pushes nothing")
    func signalingNaNLoad() {
        let m = FPUTestMachine()
        m.write32(0x7F80_0001, at: aAt)
        #expect(m.run(A.fninit() + A.fld32(aAt)) == nil)
        #expect(m.cpu.fpu.st(0) == X87Float(significand: 0xC000_0100_0000_0000, signExponent: 0x7FFF))
        #expect(m.cpu.fpu.fsw & SW.ie != 0)
        m.write16(0x037E, at: cwAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld32(aAt)) == nil)
        #expect(m.cpu.fpu.top == 0 && m.cpu.fpu.ftw == 0xFFFF)
        #expect(m.cpu.fpu.fsw & (SW.ie | SW.es) == SW.ie | SW.es)
    }

    @Test("unmasked denormal operand: no result")
    func unmaskedDenormal() {
        let m = FPUTestMachine()
        m.write16(0x037D, at: cwAt)
        m.write80(X87Float(significand: 1, signExponent: 0), at: aAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld80(aAt) + A.fld1 + A.fmulp) == nil)
        #expect(m.cpu.fpu.top == 6)
        #expect(m.cpu.fpu.fsw & (SW.de | SW.es | SW.exceptions) == SW.de | SW.es)
    }

    @Test("FLDCW that unmasks a set flag makes the exception pending")
    func unmaskingMakesPending() {
        let m = FPUTestMachine()
        m.cpu.cr0 |= CR0.ne
        m.write16(0x037B, at: cwAt)
        let code = A.fninit() + A.fld1 + A.fldz + A.fdivp + A.fldcw(cwAt) + A.fnstswAX() + A.fld1
        #expect(m.run(code) == 16)
        #expect(m.cpu[.eax] & UInt32(SW.es | SW.ze) == UInt32(SW.es | SW.ze))
    }

    @Test("FISTP with PE unmasked stores, pops and leaves the exception pending")
    func unmaskedPrecisionStores() {
        let m = FPUTestMachine()
        m.write16(0x035F, at: cwAt)
        m.write80(X87Float(significand: 0xC000_0000_0000_0000, signExponent: 0x3FFF), at: aAt)  // 1.5
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld80(aAt) + A.fistp16(rAt)) == nil)
        #expect(m.read16(at: rAt) == 2)
        #expect(m.cpu.fpu.top == 0)
        #expect(m.cpu.fpu.fsw & (SW.pe | SW.es | SW.c1) == SW.pe | SW.es | SW.c1)
    }

    @Test("FICOM and FCOM with memory operands set C3 C2 C0")
    func memoryCompares() {
        let m = FPUTestMachine()
        m.write16(2, at: aAt)
        #expect(m.run(A.fninit() + A.fld1 + A.mem(0xDE, 2, aAt)) == nil)  // FICOM m16: 1 < 2
        #expect(m.cpu.fpu.fsw & (SW.c3 | SW.c2 | SW.c0) == SW.c0)
        m.write32(0x3F80_0000, at: bAt)
        #expect(m.run(A.fninit() + A.fld1 + A.mem(0xD8, 3, bAt)) == nil)  // FCOMP m32: equal, pop
        #expect(m.cpu.fpu.fsw & (SW.c3 | SW.c2 | SW.c0) == SW.c3)
        #expect(m.cpu.fpu.top == 0)
    }

    @Test("FLDENV restores what FNSTENV stored (32-bit real-mode layout); tags follow the contents")
    func environmentRoundTrip() {
        let m = FPUTestMachine()
        m.write16(0x0F7F, at: cwAt)
        #expect(m.run(A.fninit() + A.fldcw(cwAt) + A.fld1 + A.fldpi + [0x66] + A.fnstenv(imageAt)) == nil)
        var before = m.cpu.fpu
        before.fcw = 0x0F7F
        #expect(m.run(A.fninit() + A.fldz + [0x66] + A.fldenv(imageAt)) == nil)
        #expect(m.cpu.fpu.fcw == 0x0F7F)
        #expect(m.cpu.fpu.fsw == before.fsw)
        // R6 and R7 are non-empty in the image; their tags come from today's contents: R7 now
        // holds the 0 that FLDZ wrote (zero), R6 still holds pi (valid).
        #expect(before.ftw == 0x0FFF)
        #expect(m.cpu.fpu.ftw == 0x4FFF)
        #expect(m.cpu.fpu.fip == before.fip && m.cpu.fpu.fop == before.fop)
    }
}
