// Integer arithmetic and logic: the ALU group, INC/DEC, NEG, MUL/IMUL/DIV/IDIV, BCD adjust.

extension CPU {
    @inline(__always) static func sizeMask(_ size: Int) -> UInt32 {
        size == 0 ? 0xFF : (size == 1 ? 0xFFFF : 0xFFFF_FFFF)
    }

    /// ADD OR ADC SBB AND SUB XOR CMP (op = bits 5:3 of the opcode). CMP returns `a`.
    @inline(__always) func alu(_ op: Int, _ a: UInt32, _ b: UInt32, _ size: Int) -> UInt32 {
        let m = CPU.sizeMask(size)
        switch op {
        case 0:
            let r = (a &+ b) & m
            flagsAdd(a, b, r, size)
            return r
        case 1:
            let r = a | b
            flagsLogic(r, size)
            return r
        case 2:
            let c: UInt32 = cf ? 1 : 0
            let r = (a &+ b &+ c) & m
            flagsAdd(a, b, r, size)
            return r
        case 3:
            let c: UInt32 = cf ? 1 : 0
            let r = (a &- b &- c) & m
            flagsSub(a, b, r, size)
            return r
        case 4:
            let r = a & b
            flagsLogic(r, size)
            return r
        case 5:
            let r = (a &- b) & m
            flagsSub(a, b, r, size)
            return r
        case 6:
            let r = a ^ b
            flagsLogic(r, size)
            return r
        default:
            let r = (a &- b) & m
            flagsSub(a, b, r, size)
            return a
        }
    }

    @inline(__always) func inc(_ a: UInt32, _ size: Int) -> UInt32 {
        let r = (a &+ 1) & CPU.sizeMask(size)
        flagsIncDec(a, r, size, sub: false)
        return r
    }
    @inline(__always) func dec(_ a: UInt32, _ size: Int) -> UInt32 {
        let r = (a &- 1) & CPU.sizeMask(size)
        flagsIncDec(a, r, size, sub: true)
        return r
    }
    func neg(_ a: UInt32, _ size: Int) -> UInt32 {
        let r = (0 &- a) & CPU.sizeMask(size)
        flagsSub(0, a, r, size)
        return r
    }

    /// Group 3 (F6/F7): TEST, NOT, NEG, MUL, IMUL, DIV, IDIV on r/m of `size`.
    func group3(_ size: Int) throws(CPUFault) {
        let op = modrmReg
        switch op {
        case 0, 1:
            let a = try readRMsized(size)
            let b: UInt32
            switch size {
            case 0: b = UInt32(try fetch8())
            case 1: b = UInt32(try fetch16())
            default: b = try fetch32()
            }
            flagsLogic(a & b, size)
        case 2:
            let a = try readRMsized(size)
            try writeRMsized(size, ~a & CPU.sizeMask(size))
        case 3:
            let a = try readRMsized(size)
            try writeRMsized(size, neg(a, size))
        case 4: try mul(size)
        case 5: try imul1(size)
        case 6: try div(size)
        default: try idiv(size)
        }
    }

    @inline(__always) func readRMsized(_ size: Int) throws(CPUFault) -> UInt32 {
        switch size {
        case 0: return UInt32(try readRM8())
        case 1: return UInt32(try readRM16())
        default: return try readRM32()
        }
    }
    @inline(__always) func writeRMsized(_ size: Int, _ v: UInt32) throws(CPUFault) {
        switch size {
        case 0: try writeRM8(UInt8(truncatingIfNeeded: v))
        case 1: try writeRM16(UInt16(truncatingIfNeeded: v))
        default: try writeRM32(v)
        }
    }

    func mul(_ size: Int) throws(CPUFault) {
        let b = try readRMsized(size)
        switch size {
        case 0:
            let r = UInt32(reg8(0)) * b
            setReg16(0, UInt16(r))
            let hi = r >> 8 != 0
            flagsResult(r & 0xFF, 0, cf: hi, of: hi)
        case 1:
            let r = (regs[0] & 0xFFFF) * b
            setReg16(0, UInt16(truncatingIfNeeded: r))
            setReg16(2, UInt16(truncatingIfNeeded: r >> 16))
            let hi = r >> 16 != 0
            flagsResult(r & 0xFFFF, 1, cf: hi, of: hi)
        default:
            let r = UInt64(regs[0]) * UInt64(b)
            regs[0] = UInt32(truncatingIfNeeded: r)
            regs[2] = UInt32(truncatingIfNeeded: r >> 32)
            let hi = r >> 32 != 0
            flagsResult(UInt32(truncatingIfNeeded: r), 2, cf: hi, of: hi)
        }
    }

    /// One-operand IMUL (F6/F7 /5).
    func imul1(_ size: Int) throws(CPUFault) {
        let b = try readRMsized(size)
        switch size {
        case 0:
            let r = Int32(Int8(bitPattern: reg8(0))) * Int32(Int8(truncatingIfNeeded: b))
            setReg16(0, UInt16(truncatingIfNeeded: r))
            let ovf = r != Int32(Int8(truncatingIfNeeded: r))
            flagsResult(UInt32(bitPattern: r) & 0xFF, 0, cf: ovf, of: ovf)
        case 1:
            let r = Int32(Int16(truncatingIfNeeded: regs[0])) * Int32(Int16(truncatingIfNeeded: b))
            setReg16(0, UInt16(truncatingIfNeeded: r))
            setReg16(2, UInt16(truncatingIfNeeded: r >> 16))
            let ovf = r != Int32(Int16(truncatingIfNeeded: r))
            flagsResult(UInt32(bitPattern: r) & 0xFFFF, 1, cf: ovf, of: ovf)
        default:
            let r = Int64(Int32(bitPattern: regs[0])) * Int64(Int32(bitPattern: b))
            regs[0] = UInt32(truncatingIfNeeded: r)
            regs[2] = UInt32(truncatingIfNeeded: r >> 32)
            let ovf = r != Int64(Int32(truncatingIfNeeded: r))
            flagsResult(UInt32(truncatingIfNeeded: r), 2, cf: ovf, of: ovf)
        }
    }

    /// Two/three-operand IMUL at the current operand size (see `imulTrunc(_:_:size:)`).
    func imulTrunc(_ a: UInt32, _ b: UInt32) -> UInt32 {
        imulTrunc(a, b, size: o32 ? 2 : 1)
    }

    /// Two/three-operand IMUL of operand size `size` (1 or 2): returns the truncated product and
    /// sets CF/OF on overflow.
    @inline(__always) func imulTrunc(_ a: UInt32, _ b: UInt32, size: Int) -> UInt32 {
        if size == 2 {
            let r = Int64(Int32(bitPattern: a)) * Int64(Int32(bitPattern: b))
            let ovf = r != Int64(Int32(truncatingIfNeeded: r))
            let t = UInt32(truncatingIfNeeded: r)
            flagsResult(t, 2, cf: ovf, of: ovf)
            return t
        } else {
            let r = Int32(Int16(truncatingIfNeeded: a)) * Int32(Int16(truncatingIfNeeded: b))
            let ovf = r != Int32(Int16(truncatingIfNeeded: r))
            let t = UInt32(bitPattern: r) & 0xFFFF
            flagsResult(t, 1, cf: ovf, of: ovf)
            return t
        }
    }

    func div(_ size: Int) throws(CPUFault) {
        let b = try readRMsized(size)
        if b == 0 { throw CPUFault.de }
        switch size {
        case 0:
            let a = regs[0] & 0xFFFF
            let q = a / b
            if q > 0xFF { throw CPUFault.de }
            setReg8(0, UInt8(q))
            setReg8(4, UInt8(a % b))
        case 1:
            let a = (regs[2] & 0xFFFF) << 16 | (regs[0] & 0xFFFF)
            let q = a / b
            if q > 0xFFFF { throw CPUFault.de }
            setReg16(0, UInt16(q))
            setReg16(2, UInt16(a % b))
        default:
            let a = UInt64(regs[2]) << 32 | UInt64(regs[0])
            let q = a / UInt64(b)
            if q > 0xFFFF_FFFF { throw CPUFault.de }
            regs[0] = UInt32(q)
            regs[2] = UInt32(a % UInt64(b))
        }
    }

    func idiv(_ size: Int) throws(CPUFault) {
        let braw = try readRMsized(size)
        switch size {
        case 0:
            let b = Int32(Int8(truncatingIfNeeded: braw))
            if b == 0 { throw CPUFault.de }
            let a = Int32(Int16(truncatingIfNeeded: regs[0]))
            let q = a / b
            if q > 127 || q < -128 { throw CPUFault.de }
            setReg8(0, UInt8(truncatingIfNeeded: q))
            setReg8(4, UInt8(truncatingIfNeeded: a % b))
        case 1:
            let b = Int32(Int16(truncatingIfNeeded: braw))
            if b == 0 { throw CPUFault.de }
            let a = Int32(bitPattern: (regs[2] & 0xFFFF) << 16 | (regs[0] & 0xFFFF))
            if a == Int32.min && b == -1 { throw CPUFault.de }
            let q = a / b
            if q > 32767 || q < -32768 { throw CPUFault.de }
            setReg16(0, UInt16(truncatingIfNeeded: q))
            setReg16(2, UInt16(truncatingIfNeeded: a % b))
        default:
            let b = Int64(Int32(bitPattern: braw))
            if b == 0 { throw CPUFault.de }
            let a = Int64(bitPattern: UInt64(regs[2]) << 32 | UInt64(regs[0]))
            if a == Int64.min && b == -1 { throw CPUFault.de }
            let q = a / b
            if q > Int64(Int32.max) || q < Int64(Int32.min) { throw CPUFault.de }
            regs[0] = UInt32(truncatingIfNeeded: q)
            regs[2] = UInt32(truncatingIfNeeded: a % b)
        }
    }

    // MARK: BCD adjust (SDM Vol. 2 pseudo-code)

    func daa() {
        let oldAL = reg8(0)
        let oldCF = cf
        var al = oldAL
        var newCF = false
        var newAF = false
        if al & 0x0F > 9 || af {
            al = al &+ 6
            newCF = oldCF || oldAL > 0xF9
            newAF = true
        }
        if oldAL > 0x99 || oldCF {
            al = al &+ 0x60
            newCF = true
        }
        setReg8(0, al)
        flagsResult(UInt32(al), 0, cf: newCF, of: false, af: newAF)
    }

    func das() {
        let oldAL = reg8(0)
        let oldCF = cf
        var al = oldAL
        var newCF = false
        var newAF = false
        if al & 0x0F > 9 || af {
            al = al &- 6
            newCF = oldCF || oldAL < 6
            newAF = true
        }
        if oldAL > 0x99 || oldCF {
            al = al &- 0x60
            newCF = true
        }
        setReg8(0, al)
        flagsResult(UInt32(al), 0, cf: newCF, of: false, af: newAF)
    }

    func aaa() {
        var ax = reg16(0)
        let adjust = reg8(0) & 0x0F > 9 || af
        if adjust {
            ax = ax &+ 0x106
        }
        ax &= 0xFF0F
        setReg16(0, ax)
        flagsResult(UInt32(ax & 0xFF), 0, cf: adjust, of: false, af: adjust)
    }

    func aas() {
        var ax = reg16(0)
        let adjust = reg8(0) & 0x0F > 9 || af
        if adjust {
            ax = ax &- 6
            ax = (ax & 0x00FF) | ((ax &- 0x100) & 0xFF00)
        }
        ax &= 0xFF0F
        setReg16(0, ax)
        flagsResult(UInt32(ax & 0xFF), 0, cf: adjust, of: false, af: adjust)
    }

    func aam(_ base: UInt8) throws(CPUFault) {
        if base == 0 { throw CPUFault.de }
        let al = reg8(0)
        setReg8(4, al / base)
        let r = al % base
        setReg8(0, r)
        flagsResult(UInt32(r), 0, cf: false, of: false)
    }

    func aad(_ base: UInt8) {
        let al = reg8(0), product = reg8(4) &* base
        let r = al &+ product
        setReg16(0, UInt16(r))
        // SDM leaves CF/OF/AF undefined; hardware computes them as for the 8-bit ADD AL, AH*base.
        flagsAdd(UInt32(al), UInt32(product), UInt32(r), 0)
    }
}
