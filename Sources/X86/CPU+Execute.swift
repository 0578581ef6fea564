// One instruction: prefixes, then the one-byte opcode map.

extension CPU {
    /// Opcodes (one-byte map) that accept a LOCK prefix with a memory destination.
    static let lockable1: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for base in stride(from: 0, to: 0x38, by: 8) { t[base] = true; t[base + 1] = true }  // ALU Eb,Gb / Ev,Gv except CMP
        for op in [0x80, 0x81, 0x82, 0x83, 0x86, 0x87, 0xF6, 0xF7, 0xFE, 0xFF] { t[op] = true }
        return t
    }()

    /// Decodes and executes one instruction at CS:EIP.
    @inline(__always) func executeInstruction() throws(CPUFault) {
        let big = segs[1].flags & 4 != 0
        o32 = big
        a32 = big
        segOverride = -1
        repPrefix = 0
        lockPrefix = false
        var op = try fetch8()
        var prefixes = 0
        while true {
            switch op {
            case 0x26: segOverride = 0
            case 0x2E: segOverride = 1
            case 0x36: segOverride = 2
            case 0x3E: segOverride = 3
            case 0x64: segOverride = 4
            case 0x65: segOverride = 5
            case 0x66: o32 = !big
            case 0x67: a32 = !big
            case 0xF0: lockPrefix = true
            case 0xF2, 0xF3: repPrefix = op
            default:
                try execute(op)
                return
            }
            prefixes += 1
            // An instruction longer than 15 bytes raises #GP(0).
            if prefixes >= 15 { throw CPUFault.gp(0) }
            op = try fetch8()
        }
    }

    /// LOCK on an instruction or operand that does not allow it: #UD. Out of line (PERF).
    @inline(never) func raiseLockViolation() throws(CPUFault) { throw CPUFault.ud }

    @inline(__always) func execute(_ op: UInt8) throws(CPUFault) {
        switch op {
        // ALU: 00-3F, one case per operation so `alu` folds to a single operation (PERF: bench cpu alu).
        case 0x00: try aluEbGb(0)  // ADD
        case 0x01: try aluEvGv(0)
        case 0x02: try aluGbEb(0)
        case 0x03: try aluGvEv(0)
        case 0x04: try aluALIb(0)
        case 0x05: try aluAXIv(0)
        case 0x08: try aluEbGb(1)  // OR
        case 0x09: try aluEvGv(1)
        case 0x0A: try aluGbEb(1)
        case 0x0B: try aluGvEv(1)
        case 0x0C: try aluALIb(1)
        case 0x0D: try aluAXIv(1)
        case 0x10: try aluEbGb(2)  // ADC
        case 0x11: try aluEvGv(2)
        case 0x12: try aluGbEb(2)
        case 0x13: try aluGvEv(2)
        case 0x14: try aluALIb(2)
        case 0x15: try aluAXIv(2)
        case 0x18: try aluEbGb(3)  // SBB
        case 0x19: try aluEvGv(3)
        case 0x1A: try aluGbEb(3)
        case 0x1B: try aluGvEv(3)
        case 0x1C: try aluALIb(3)
        case 0x1D: try aluAXIv(3)
        case 0x20: try aluEbGb(4)  // AND
        case 0x21: try aluEvGv(4)
        case 0x22: try aluGbEb(4)
        case 0x23: try aluGvEv(4)
        case 0x24: try aluALIb(4)
        case 0x25: try aluAXIv(4)
        case 0x28: try aluEbGb(5)  // SUB
        case 0x29: try aluEvGv(5)
        case 0x2A: try aluGbEb(5)
        case 0x2B: try aluGvEv(5)
        case 0x2C: try aluALIb(5)
        case 0x2D: try aluAXIv(5)
        case 0x30: try aluEbGb(6)  // XOR
        case 0x31: try aluEvGv(6)
        case 0x32: try aluGbEb(6)
        case 0x33: try aluGvEv(6)
        case 0x34: try aluALIb(6)
        case 0x35: try aluAXIv(6)
        case 0x38: try aluEbGb(7)  // CMP
        case 0x39: try aluEvGv(7)
        case 0x3A: try aluGbEb(7)
        case 0x3B: try aluGvEv(7)
        case 0x3C: try aluALIb(7)
        case 0x3D: try aluAXIv(7)

        case 0x06, 0x0E, 0x16, 0x1E:
            if lockPrefix { try raiseLockViolation() }
            try pushSegment(Int(op >> 3))
        case 0x07, 0x17, 0x1F:
            if lockPrefix { try raiseLockViolation() }
            try popSegment(Int(op >> 3))
        case 0x0F:
            try execute0F()

        case 0x27: if lockPrefix { try raiseLockViolation() }; daa()
        case 0x2F: if lockPrefix { try raiseLockViolation() }; das()
        case 0x37: if lockPrefix { try raiseLockViolation() }; aaa()
        case 0x3F: if lockPrefix { try raiseLockViolation() }; aas()

        case 0x40...0x47:
            if lockPrefix { try raiseLockViolation() }
            let r = Int(op & 7)
            setRegV(r, inc(regV(r), sizeV))
        case 0x48...0x4F:
            if lockPrefix { try raiseLockViolation() }
            let r = Int(op & 7)
            setRegV(r, dec(regV(r), sizeV))
        case 0x50...0x57:
            if lockPrefix { try raiseLockViolation() }
            // PUSH ESP pushes the value before the push (286+).
            try pushV(regV(Int(op & 7)))
        case 0x58...0x5F:
            if lockPrefix { try raiseLockViolation() }
            let v = try popV()
            setRegV(Int(op & 7), v)
        case 0x60:
            if lockPrefix { try raiseLockViolation() }
            try pusha()
        case 0x61:
            if lockPrefix { try raiseLockViolation() }
            try popa()
        case 0x62:
            if lockPrefix { try raiseLockViolation() }
            try bound()
        case 0x63:
            if lockPrefix { try raiseLockViolation() }
            try arpl()
        case 0x68:
            if lockPrefix { try raiseLockViolation() }
            try pushV(try fetchV())
        case 0x69:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            let a = try readRMV()
            let b = try fetchV()
            setRegV(modrmReg, imulTrunc(a, b))
        case 0x6A:
            if lockPrefix { try raiseLockViolation() }
            let v = UInt32(bitPattern: Int32(Int8(bitPattern: try fetch8())))
            try pushV(v & maskV)
        case 0x6B:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            let a = try readRMV()
            let b = UInt32(bitPattern: Int32(Int8(bitPattern: try fetch8())))
            setRegV(modrmReg, imulTrunc(a, b))
        case 0x6C, 0x6D, 0x6E, 0x6F:
            if lockPrefix { try raiseLockViolation() }
            try stringIO(op)

        case 0x70: try jccShort(0)
        case 0x71: try jccShort(1)
        case 0x72: try jccShort(2)
        case 0x73: try jccShort(3)
        case 0x74: try jccShort(4)
        case 0x75: try jccShort(5)
        case 0x76: try jccShort(6)
        case 0x77: try jccShort(7)
        case 0x78: try jccShort(8)
        case 0x79: try jccShort(9)
        case 0x7A: try jccShort(10)
        case 0x7B: try jccShort(11)
        case 0x7C: try jccShort(12)
        case 0x7D: try jccShort(13)
        case 0x7E: try jccShort(14)
        case 0x7F: try jccShort(15)

        case 0x80, 0x82:
            try decodeModRM()
            if lockPrefix && (isRegForm || modrmReg == 7) { try raiseLockViolation() }
            let a = UInt32(try readRM8())
            let b = UInt32(try fetch8())
            let r = alu(modrmReg, a, b, 0)
            if modrmReg != 7 { try writeRM8(UInt8(truncatingIfNeeded: r)) }
        case 0x81:
            try decodeModRM()
            if lockPrefix && (isRegForm || modrmReg == 7) { try raiseLockViolation() }
            let a = try readRMV()
            let b = try fetchV()
            let r = alu(modrmReg, a, b, sizeV)
            if modrmReg != 7 { try writeRMV(r) }
        case 0x83:
            try decodeModRM()
            if lockPrefix && (isRegForm || modrmReg == 7) { try raiseLockViolation() }
            let a = try readRMV()
            let b = UInt32(bitPattern: Int32(Int8(bitPattern: try fetch8()))) & maskV
            let r = alu(modrmReg, a, b, sizeV)
            if modrmReg != 7 { try writeRMV(r) }
        case 0x84:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            flagsLogic(UInt32(try readRM8() & reg8(modrmReg)), 0)
        case 0x85:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            flagsLogic(try readRMV() & regV(modrmReg), sizeV)
        case 0x86:
            try decodeModRM()
            if lockPrefix && isRegForm { try raiseLockViolation() }
            let a = try readRM8()
            try writeRM8(reg8(modrmReg))
            setReg8(modrmReg, a)
        case 0x87:
            try decodeModRM()
            if lockPrefix && isRegForm { try raiseLockViolation() }
            let a = try readRMV()
            try writeRMV(regV(modrmReg))
            setRegV(modrmReg, a)
        case 0x88:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            try writeRM8(reg8(modrmReg))
        case 0x89:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            try writeRMV(regV(modrmReg))
        case 0x8A:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            setReg8(modrmReg, try readRM8())
        case 0x8B:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            setRegV(modrmReg, try readRMV())
        case 0x8C:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            let s = modrmReg
            if s > 5 { throw CPUFault.ud }
            let sel = segs[s].selector
            // Register destination with 32-bit operand size zero-extends (P6); memory stores 16 bits.
            if isRegForm { setRegV(modrmRM, UInt32(sel)) } else { try write16(eaSeg, eaOff, sel) }
        case 0x8D:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            if isRegForm { throw CPUFault.ud }
            setRegV(modrmReg, eaOff)
        case 0x8E:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            let s = modrmReg
            if s == 1 || s > 5 { throw CPUFault.ud }
            let sel = try readRM16()
            try loadSegment(s, sel)
            if s == 2 {
                // MOV SS: interrupts and single-step wait until after the next instruction.
                interruptShadow = true
                suppressSingleStep = true
            }
        case 0x8F:
            if lockPrefix { try raiseLockViolation() }
            try popRM()

        case 0x90:
            if lockPrefix { try raiseLockViolation() }
            // NOP (also PAUSE with F3)
        case 0x91...0x97:
            if lockPrefix { try raiseLockViolation() }
            let r = Int(op & 7)
            let t = regV(r)
            setRegV(r, regV(0))
            setRegV(0, t)
        case 0x98:
            if lockPrefix { try raiseLockViolation() }
            if o32 { regs[0] = UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: regs[0]))) }
            else { setReg16(0, UInt16(bitPattern: Int16(Int8(bitPattern: reg8(0))))) }
        case 0x99:
            if lockPrefix { try raiseLockViolation() }
            if o32 { regs[2] = regs[0] & 0x8000_0000 != 0 ? 0xFFFF_FFFF : 0 }
            else { setReg16(2, regs[0] & 0x8000 != 0 ? 0xFFFF : 0) }
        case 0x9A:
            if lockPrefix { try raiseLockViolation() }
            let off = try fetchV()
            let sel = try fetch16()
            try farCall(selector: sel, offset: off)
        case 0x9B:
            if lockPrefix { try raiseLockViolation() }
            try fwait()
        case 0x9C:
            if lockPrefix { try raiseLockViolation() }
            try pushf()
        case 0x9D:
            if lockPrefix { try raiseLockViolation() }
            try popf()
        case 0x9E:
            if lockPrefix { try raiseLockViolation() }
            let ah = UInt32(reg8(4))
            writeFlags(ah, mask: Flags.cf | Flags.pf | Flags.af | Flags.zf | Flags.sf)
        case 0x9F:
            if lockPrefix { try raiseLockViolation() }
            setReg8(4, UInt8(truncatingIfNeeded: eflags))

        case 0xA0:
            if lockPrefix { try raiseLockViolation() }
            let off = a32 ? try fetch32() : UInt32(try fetch16())
            setReg8(0, try read8(dataSeg, off))
        case 0xA1:
            if lockPrefix { try raiseLockViolation() }
            let off = a32 ? try fetch32() : UInt32(try fetch16())
            setRegV(0, try readV(dataSeg, off))
        case 0xA2:
            if lockPrefix { try raiseLockViolation() }
            let off = a32 ? try fetch32() : UInt32(try fetch16())
            try write8(dataSeg, off, reg8(0))
        case 0xA3:
            if lockPrefix { try raiseLockViolation() }
            let off = a32 ? try fetch32() : UInt32(try fetch16())
            try writeV(dataSeg, off, regV(0))
        case 0xA4...0xA7, 0xAA...0xAF:
            if lockPrefix { try raiseLockViolation() }
            try stringOp(op)
        case 0xA8:
            if lockPrefix { try raiseLockViolation() }
            flagsLogic(UInt32(reg8(0) & (try fetch8())), 0)
        case 0xA9:
            if lockPrefix { try raiseLockViolation() }
            flagsLogic(regV(0) & (try fetchV()), sizeV)
        case 0xB0...0xB7:
            if lockPrefix { try raiseLockViolation() }
            setReg8(Int(op & 7), try fetch8())
        case 0xB8...0xBF:
            if lockPrefix { try raiseLockViolation() }
            setRegV(Int(op & 7), try fetchV())

        case 0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            let size = op & 1 == 0 ? 0 : sizeV
            let a = try readRMsized(size)
            let count: UInt32
            switch op {
            case 0xC0, 0xC1: count = UInt32(try fetch8()) & 31
            case 0xD0, 0xD1: count = 1
            default: count = UInt32(reg8(1)) & 31
            }
            let r = shiftRotate(modrmReg, a, count, size)
            if count != 0 { try writeRMsized(size, r) }
        case 0xC2:
            if lockPrefix { try raiseLockViolation() }
            let n = UInt32(try fetch16())
            let target = try peekV(0)
            try setNearTarget(target)
            setSP(spAdding((o32 ? 4 : 2) &+ n))
        case 0xC3:
            if lockPrefix { try raiseLockViolation() }
            let target = try peekV(0)
            try setNearTarget(target)
            setSP(spAdding(o32 ? 4 : 2))
        case 0xC4, 0xC5:
            if lockPrefix { try raiseLockViolation() }
            try loadFarPointer(op == 0xC4 ? 0 : 3)
        case 0xC6:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            // Group 11: only /0 (MOV) exists on this CPU.
            if modrmReg != 0 { throw CPUFault.ud }
            try writeRM8(try fetch8())
        case 0xC7:
            if lockPrefix { try raiseLockViolation() }
            try decodeModRM()
            if modrmReg != 0 { throw CPUFault.ud }
            try writeRMV(try fetchV())
        case 0xC8:
            if lockPrefix { try raiseLockViolation() }
            try enter()
        case 0xC9:
            if lockPrefix { try raiseLockViolation() }
            // LEAVE: (E)SP <- (E)BP, then pop (E)BP.
            let bp = stackIs32 ? regs[5] : regs[5] & 0xFFFF
            let v = o32 ? try read32(2, bp) : UInt32(try read16(2, bp))
            setSP(bp &+ (o32 ? 4 : 2))
            setRegV(5, v)
        case 0xCA:
            if lockPrefix { try raiseLockViolation() }
            let n = UInt32(try fetch16())
            try farReturn(popBytes: n)
        case 0xCB:
            if lockPrefix { try raiseLockViolation() }
            try farReturn(popBytes: 0)
        case 0xCC:
            if lockPrefix { try raiseLockViolation() }
            try softwareInterrupt(3, isINT3: true)
        case 0xCD:
            if lockPrefix { try raiseLockViolation() }
            let v = try fetch8()
            try softwareInterrupt(v, isINT3: false)
        case 0xCE:
            if lockPrefix { try raiseLockViolation() }
            if of { try softwareInterrupt(4, isINT3: true) }
        case 0xCF:
            if lockPrefix { try raiseLockViolation() }
            try iret()

        case 0xD4:
            if lockPrefix { try raiseLockViolation() }
            try aam(try fetch8())
        case 0xD5:
            if lockPrefix { try raiseLockViolation() }
            aad(try fetch8())
        case 0xD6:
            if lockPrefix { try raiseLockViolation() }
            // SALC (undocumented): AL = CF ? FF : 00.
            setReg8(0, cf ? 0xFF : 0)
        case 0xD7:
            if lockPrefix { try raiseLockViolation() }
            let base = a32 ? regs[3] : regs[3] & 0xFFFF
            let off = a32 ? base &+ UInt32(reg8(0)) : (base &+ UInt32(reg8(0))) & 0xFFFF
            setReg8(0, try read8(dataSeg, off))
        case 0xD8...0xDF:
            if lockPrefix { try raiseLockViolation() }
            try executeFPU(op)

        case 0xE0, 0xE1, 0xE2:
            if lockPrefix { try raiseLockViolation() }
            let d = UInt32(bitPattern: Int32(Int8(bitPattern: try fetch8())))
            let count: UInt32
            if a32 { count = regs[1] &- 1; regs[1] = count } else { count = (regs[1] &- 1) & 0xFFFF; setReg16(1, UInt16(count)) }
            var take = count != 0
            if op == 0xE0 { take = take && !zf } else if op == 0xE1 { take = take && zf }
            if take { try jumpRelative(d) }
        case 0xE3:
            if lockPrefix { try raiseLockViolation() }
            let d = UInt32(bitPattern: Int32(Int8(bitPattern: try fetch8())))
            let count = a32 ? regs[1] : regs[1] & 0xFFFF
            if count == 0 { try jumpRelative(d) }
        case 0xE4:
            if lockPrefix { try raiseLockViolation() }
            let port = UInt16(try fetch8())
            setReg8(0, UInt8(truncatingIfNeeded: try portIn(port, 1)))
        case 0xE5:
            if lockPrefix { try raiseLockViolation() }
            let port = UInt16(try fetch8())
            setRegV(0, try portIn(port, o32 ? 4 : 2))
        case 0xE6:
            if lockPrefix { try raiseLockViolation() }
            let port = UInt16(try fetch8())
            try portOut(port, 1, UInt32(reg8(0)))
        case 0xE7:
            if lockPrefix { try raiseLockViolation() }
            let port = UInt16(try fetch8())
            try portOut(port, o32 ? 4 : 2, regV(0))
        case 0xE8:
            if lockPrefix { try raiseLockViolation() }
            let d = try fetchV()
            let ret = eip
            let target = o32 ? eip &+ d : (eip &+ d) & 0xFFFF
            if target > segs[1].limit { throw CPUFault.gp(0) }
            try pushV(ret)
            eip = target
        case 0xE9:
            if lockPrefix { try raiseLockViolation() }
            let d = try fetchV()
            try jumpRelative(d)
        case 0xEA:
            if lockPrefix { try raiseLockViolation() }
            let off = try fetchV()
            let sel = try fetch16()
            try farJump(selector: sel, offset: off)
        case 0xEB:
            if lockPrefix { try raiseLockViolation() }
            let d = UInt32(bitPattern: Int32(Int8(bitPattern: try fetch8())))
            try jumpRelative(d)
        case 0xEC:
            if lockPrefix { try raiseLockViolation() }
            setReg8(0, UInt8(truncatingIfNeeded: try portIn(reg16(2), 1)))
        case 0xED:
            if lockPrefix { try raiseLockViolation() }
            setRegV(0, try portIn(reg16(2), o32 ? 4 : 2))
        case 0xEE:
            if lockPrefix { try raiseLockViolation() }
            try portOut(reg16(2), 1, UInt32(reg8(0)))
        case 0xEF:
            if lockPrefix { try raiseLockViolation() }
            try portOut(reg16(2), o32 ? 4 : 2, regV(0))
        case 0xF1:
            if lockPrefix { try raiseLockViolation() }
            // INT1 / ICEBP: a #DB trap delivered like an external event (no DPL check).
            pendingDR6 = 0
            try interrupt(1, source: .icebp, errorCode: nil)
        case 0xF4:
            if lockPrefix { try raiseLockViolation() }
            if cpl != 0 { throw CPUFault.gp(0) }
            halted = true
        case 0xF5:
            if lockPrefix { try raiseLockViolation() }
            setCF(!cf)
        case 0xF6:
            try decodeModRM()
            if lockPrefix && (isRegForm || modrmReg < 2 || modrmReg > 3) { try raiseLockViolation() }
            try group3(0)
        case 0xF7:
            try decodeModRM()
            if lockPrefix && (isRegForm || modrmReg < 2 || modrmReg > 3) { try raiseLockViolation() }
            try group3(sizeV)
        case 0xF8:
            if lockPrefix { try raiseLockViolation() }
            setCF(false)
        case 0xF9:
            if lockPrefix { try raiseLockViolation() }
            setCF(true)
        case 0xFA:
            if lockPrefix { try raiseLockViolation() }
            try cli()
        case 0xFB:
            if lockPrefix { try raiseLockViolation() }
            try sti()
        case 0xFC:
            if lockPrefix { try raiseLockViolation() }
            flagsReg &= ~Flags.df
        case 0xFD:
            if lockPrefix { try raiseLockViolation() }
            flagsReg |= Flags.df
        case 0xFE:
            try decodeModRM()
            if lockPrefix && (isRegForm || modrmReg > 1) { try raiseLockViolation() }
            let a = UInt32(try readRM8())
            switch modrmReg {
            case 0: try writeRM8(UInt8(truncatingIfNeeded: inc(a, 0)))
            case 1: try writeRM8(UInt8(truncatingIfNeeded: dec(a, 0)))
            default: throw CPUFault.ud
            }
        case 0xFF:
            try decodeModRM()
            if lockPrefix && (isRegForm || modrmReg > 1) { try raiseLockViolation() }
            try group5()
        default:
            throw CPUFault.ud
        }
    }

    // MARK: ALU forms (op is a constant at every call site)

    @inline(__always) func aluEbGb(_ op: Int) throws(CPUFault) {
        try decodeModRM()
        if lockPrefix && (isRegForm || op == 7) { try raiseLockViolation() }
        let r = alu(op, UInt32(try readRM8()), UInt32(reg8(modrmReg)), 0)
        if op != 7 { try writeRM8(UInt8(truncatingIfNeeded: r)) }
    }
    @inline(__always) func aluEvGv(_ op: Int) throws(CPUFault) {
        try decodeModRM()
        if lockPrefix && (isRegForm || op == 7) { try raiseLockViolation() }
        if isRegForm {
            let rm = modrmRM
            let r = alu(op, regV(rm), regV(modrmReg), sizeV)
            if op != 7 { setRegV(rm, r) }
            return
        }
        let r = alu(op, try readV(eaSeg, eaOff), regV(modrmReg), sizeV)
        if op != 7 { try writeV(eaSeg, eaOff, r) }
    }
    @inline(__always) func aluGbEb(_ op: Int) throws(CPUFault) {
        if lockPrefix { try raiseLockViolation() }
        try decodeModRM()
        let r = alu(op, UInt32(reg8(modrmReg)), UInt32(try readRM8()), 0)
        if op != 7 { setReg8(modrmReg, UInt8(truncatingIfNeeded: r)) }
    }
    @inline(__always) func aluGvEv(_ op: Int) throws(CPUFault) {
        if lockPrefix { try raiseLockViolation() }
        try decodeModRM()
        let r = alu(op, regV(modrmReg), try readRMV(), sizeV)
        if op != 7 { setRegV(modrmReg, r) }
    }
    @inline(__always) func aluALIb(_ op: Int) throws(CPUFault) {
        if lockPrefix { try raiseLockViolation() }
        let b = UInt32(try fetch8())
        let r = alu(op, UInt32(reg8(0)), b, 0)
        if op != 7 { setReg8(0, UInt8(truncatingIfNeeded: r)) }
    }
    @inline(__always) func aluAXIv(_ op: Int) throws(CPUFault) {
        if lockPrefix { try raiseLockViolation() }
        let b = try fetchV()
        let r = alu(op, regV(0), b, sizeV)
        if op != 7 { setRegV(0, r) }
    }
    @inline(__always) func jccShort(_ cc: Int) throws(CPUFault) {
        if lockPrefix { try raiseLockViolation() }
        let d = UInt32(bitPattern: Int32(Int8(bitPattern: try fetch8())))
        if condition(cc) { try jumpRelative(d) }
    }

    func group5() throws(CPUFault) {
        switch modrmReg {
        case 0:
            let a = try readRMV()
            try writeRMV(inc(a, sizeV))
        case 1:
            let a = try readRMV()
            try writeRMV(dec(a, sizeV))
        case 2:
            let target = try readRMV()
            if target > segs[1].limit { throw CPUFault.gp(0) }
            try pushV(eip)
            eip = target
        case 3:
            if isRegForm { throw CPUFault.ud }
            let off = try readV(eaSeg, eaOff)
            let sel = try read16(eaSeg, eaOff &+ (o32 ? 4 : 2))
            try farCall(selector: sel, offset: off)
        case 4:
            let target = try readRMV()
            try setNearTarget(target)
        case 5:
            if isRegForm { throw CPUFault.ud }
            let off = try readV(eaSeg, eaOff)
            let sel = try read16(eaSeg, eaOff &+ (o32 ? 4 : 2))
            try farJump(selector: sel, offset: off)
        case 6:
            try pushV(try readRMV())
        default:
            throw CPUFault.ud
        }
    }

    /// Near jump by a displacement, wrapping to 16 bits for 16-bit operand size.
    @inline(__always) func jumpRelative(_ d: UInt32) throws(CPUFault) {
        let t = o32 ? eip &+ d : (eip &+ d) & 0xFFFF
        if t > segs[1].limit { throw CPUFault.gp(0) }
        eip = t
    }

    @inline(__always) func setNearTarget(_ t: UInt32) throws(CPUFault) {
        let target = o32 ? t : t & 0xFFFF
        if target > segs[1].limit { throw CPUFault.gp(0) }
        eip = target
    }

    func pushSegment(_ s: Int) throws(CPUFault) {
        let sel = segs[s].selector
        if o32 {
            // P6 writes only the low 16 bits of the 32-bit slot.
            let n = spAdding(0xFFFF_FFFC)
            _ = try linearForWrite(2, n, 3)
            try write16(2, n, sel)
            setSP(n)
        } else {
            try push16(sel)
        }
    }

    func popSegment(_ s: Int) throws(CPUFault) {
        let sel = o32 ? UInt16(truncatingIfNeeded: try read32(2, sp)) : try read16(2, sp)
        try loadSegment(s, sel)
        setSP(spAdding(o32 ? 4 : 2))
        if s == 2 {
            interruptShadow = true
            suppressSingleStep = true
        }
    }

    func pusha() throws(CPUFault) {
        let n: UInt32 = o32 ? 32 : 16
        let start = sp
        let final = spAdding(0 &- n)
        // Check the whole frame first so a fault leaves nothing half-written.
        if o32 {
            var a = start
            for i in 0..<8 {
                a = stackIs32 ? a &- 4 : (a &- 4) & 0xFFFF
                try write32(2, a, i == 4 ? start : regs[i])
            }
        } else {
            var a = start
            for i in 0..<8 {
                a = stackIs32 ? a &- 2 : (a &- 2) & 0xFFFF
                try write16(2, a, UInt16(truncatingIfNeeded: i == 4 ? regs[4] : regs[i]))
            }
        }
        setSP(final)
    }

    func popa() throws(CPUFault) {
        var a = sp
        var vals = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        for i in (0..<8).reversed() {
            let v = o32 ? try read32(2, a) : UInt32(try read16(2, a))
            switch i {
            case 0: vals.0 = v
            case 1: vals.1 = v
            case 2: vals.2 = v
            case 3: vals.3 = v
            case 4: vals.4 = v
            case 5: vals.5 = v
            case 6: vals.6 = v
            default: vals.7 = v
            }
            a = stackIs32 ? a &+ (o32 ? 4 : 2) : (a &+ (o32 ? 4 : 2)) & 0xFFFF
        }
        setRegV(7, vals.7); setRegV(6, vals.6); setRegV(5, vals.5)
        setRegV(3, vals.3); setRegV(2, vals.2); setRegV(1, vals.1); setRegV(0, vals.0)
        setSP(a)
    }

    func bound() throws(CPUFault) {
        try decodeModRM()
        if isRegForm { throw CPUFault.ud }
        if o32 {
            let idx = Int32(bitPattern: regs[modrmReg])
            let lo = Int32(bitPattern: try read32(eaSeg, eaOff))
            let hi = Int32(bitPattern: try read32(eaSeg, eaOff &+ 4))
            if idx < lo || idx > hi { throw CPUFault(vector: 5) }
        } else {
            let idx = Int16(bitPattern: reg16(modrmReg))
            let lo = Int16(bitPattern: try read16(eaSeg, eaOff))
            let hi = Int16(bitPattern: try read16(eaSeg, (eaOff &+ 2) & (a32 ? 0xFFFF_FFFF : 0xFFFF)))
            if idx < lo || idx > hi { throw CPUFault(vector: 5) }
        }
    }

    func arpl() throws(CPUFault) {
        if !protectedMode || v86Mode { throw CPUFault.ud }
        try decodeModRM()
        let dst = try readRM16()
        let src = reg16(modrmReg)
        materializeAll()
        if dst & 3 < src & 3 {
            try writeRM16((dst & ~3) | (src & 3))
            flagsReg |= Flags.zf
        } else {
            flagsReg &= ~Flags.zf
        }
    }

    func popRM() throws(CPUFault) {
        // The effective address is computed after (E)SP is incremented (SDM POP).
        let v = o32 ? try read32(2, sp) : UInt32(try read16(2, sp))
        let oldESP = regs[4]
        setSP(spAdding(o32 ? 4 : 2))
        do throws(CPUFault) {
            try decodeModRM()
            // Group 1A: only /0 (POP) exists.
            if modrmReg != 0 { throw CPUFault.ud }
            try writeRMV(v)
        } catch {
            regs[4] = oldESP
            throw error
        }
    }

    func enter() throws(CPUFault) {
        let size = UInt32(try fetch16())
        let level = UInt32(try fetch8()) & 31
        let w: UInt32 = o32 ? 4 : 2
        var frameSP = spAdding(0 &- w)
        let bpVal = regV(5)
        // Write everything before committing registers (restartable on #SS/#PF).
        if o32 { try write32(2, frameSP, bpVal) } else { try write16(2, frameSP, UInt16(truncatingIfNeeded: bpVal)) }
        let frameTemp = frameSP
        if level > 0 {
            var bp = stackIs32 ? regs[5] : regs[5] & 0xFFFF
            for _ in 1..<level {
                bp = stackIs32 ? bp &- w : (bp &- w) & 0xFFFF
                let v = o32 ? try read32(2, bp) : UInt32(try read16(2, bp))
                frameSP = stackIs32 ? frameSP &- w : (frameSP &- w) & 0xFFFF
                if o32 { try write32(2, frameSP, v) } else { try write16(2, frameSP, UInt16(truncatingIfNeeded: v)) }
            }
            frameSP = stackIs32 ? frameSP &- w : (frameSP &- w) & 0xFFFF
            if o32 { try write32(2, frameSP, frameTemp) } else { try write16(2, frameSP, UInt16(truncatingIfNeeded: frameTemp)) }
        }
        let newSP = stackIs32 ? frameSP &- size : (frameSP &- size) & 0xFFFF
        // The final stack pointer must be writable (P6 checks the last byte).
        if newSP != frameSP { _ = try linearForWrite(2, newSP, 0) }
        setRegV(5, frameTemp)
        setSP(newSP)
    }

    func pushf() throws(CPUFault) {
        if v86Mode && iopl < 3 {
            if cr4 & CR4.vme != 0 && !o32 {
                var f = eflags & 0xFFFF
                f = (f & ~Flags.if) | ((flagsReg & Flags.vif) != 0 ? Flags.if : 0) | Flags.iopl
                try push16(UInt16(truncatingIfNeeded: f))
                return
            }
            throw CPUFault.gp(0)
        }
        // VM and RF are cleared in the pushed image.
        try pushV(eflags & ~(Flags.vm | Flags.rf))
    }

    func popf() throws(CPUFault) {
        if v86Mode && iopl < 3 {
            if cr4 & CR4.vme != 0 && !o32 {
                let v = UInt32(try read16(2, sp))
                if v & Flags.tf != 0 || (v & Flags.if != 0 && flagsReg & Flags.vip != 0) { throw CPUFault.gp(0) }
                setSP(spAdding(2))
                let mask: UInt32 = 0xFFFF & ~(Flags.iopl | Flags.if)
                writeFlags(v, mask: mask)
                if v & Flags.if != 0 { flagsReg |= Flags.vif } else { flagsReg &= ~Flags.vif }
                return
            }
            throw CPUFault.gp(0)
        }
        let v = try popV()
        var mask: UInt32 = Flags.arith | Flags.tf | Flags.df | Flags.nt
        if o32 { mask |= Flags.ac | Flags.id }  // RF cleared, VM/VIP/VIF unchanged
        if !protectedMode || cpl == 0 { mask |= Flags.iopl | Flags.if } else if cpl <= iopl { mask |= Flags.if }
        if v86Mode { mask |= Flags.if }  // IOPL = 3 here
        writeFlags(v, mask: mask)
        if o32 { flagsReg &= ~Flags.rf }
    }

    func cli() throws(CPUFault) {
        if protectedMode && (v86Mode ? iopl < 3 : cpl > iopl) {
            if v86Mode && cr4 & CR4.vme != 0 { flagsReg &= ~Flags.vif; return }
            if !v86Mode && cpl == 3 && cr4 & CR4.pvi != 0 { flagsReg &= ~Flags.vif; return }
            throw CPUFault.gp(0)
        }
        flagsReg &= ~Flags.if
    }

    func sti() throws(CPUFault) {
        if protectedMode && (v86Mode ? iopl < 3 : cpl > iopl) {
            let virt = (v86Mode && cr4 & CR4.vme != 0) || (!v86Mode && cpl == 3 && cr4 & CR4.pvi != 0)
            if virt && flagsReg & Flags.vip == 0 { flagsReg |= Flags.vif; return }
            throw CPUFault.gp(0)
        }
        if flagsReg & Flags.if == 0 { interruptShadow = true }
        flagsReg |= Flags.if
    }
}
