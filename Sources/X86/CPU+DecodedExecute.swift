// Executes pre-decoded instructions (the fast path of the decoded-block cache).

extension CPU {
    /// Effective address (offset) of a decoded memory operand.
    @inline(__always) func effectiveOffset(_ p: UnsafePointer<DecodedOp>) -> UInt32 {
        // A missing base or index is register 8, which always reads 0 (see `CPU.init`).
        // PERF: no branches (scripts/callgrind-cpu.sh, memory).
        let off = p.pointee.disp &+ regs[Int(p.pointee.base)] &+ (regs[Int(p.pointee.index)] &<< UInt32(p.pointee.scale))
        return p.pointee.a32 ? off : off & 0xFFFF
    }

    /// `effectiveOffset` for an operand known to use 32-bit addressing.
    @inline(__always) func effectiveOffset32(_ p: UnsafePointer<DecodedOp>) -> UInt32 {
        p.pointee.disp &+ regs[Int(p.pointee.base)] &+ (regs[Int(p.pointee.index)] &<< UInt32(p.pointee.scale))
    }

    @inline(__always) func readReg(_ r: UInt8, _ size: UInt8) -> UInt32 {
        switch size {
        case 0: return UInt32(reg8(Int(r)))
        case 1: return regs[Int(r)] & 0xFFFF
        default: return regs[Int(r)]
        }
    }

    @inline(__always) func writeReg(_ r: UInt8, _ size: UInt8, _ v: UInt32) {
        switch size {
        case 0: setReg8(Int(r), UInt8(truncatingIfNeeded: v))
        case 1: regs[Int(r)] = (regs[Int(r)] & 0xFFFF_0000) | (v & 0xFFFF)
        default: regs[Int(r)] = v
        }
    }

    /// A `size` read of op `p`'s memory operand at `off` (flat segments: see `opRead32`).
    @inline(__always) func readMem(_ p: UnsafePointer<DecodedOp>, _ off: UInt32, _ size: UInt8) throws(CPUFault) -> UInt32 {
        if flatReads & p.pointee.segBit != 0 {
            switch size {
            case 0: return UInt32(try readLin8(off))
            case 1: return UInt32(try readLin16(off))
            default: return try readLin32(off)
            }
        }
        let seg = Int(p.pointee.seg)
        switch size {
        case 0: return UInt32(try read8(seg, off))
        case 1: return UInt32(try read16(seg, off))
        default: return try read32(seg, off)
        }
    }

    /// A `size` write of op `p`'s memory operand at `off`.
    @inline(__always) func writeMem(_ p: UnsafePointer<DecodedOp>, _ off: UInt32, _ size: UInt8, _ v: UInt32) throws(CPUFault) {
        if flatWrites & p.pointee.segBit != 0 {
            switch size {
            case 0: try writeLin8(off, UInt8(truncatingIfNeeded: v))
            case 1: try writeLin16(off, UInt16(truncatingIfNeeded: v))
            default: try writeLin32(off, v)
            }
            return
        }
        let seg = Int(p.pointee.seg)
        switch size {
        case 0: try write8(seg, off, UInt8(truncatingIfNeeded: v))
        case 1: try write16(seg, off, UInt16(truncatingIfNeeded: v))
        default: try write32(seg, off, v)
        }
    }

    /// MUL r/m32 with the operand already read (see `mul`).
    @inline(__always) func decodedMul32(_ b: UInt32) {
        let r = UInt64(regs[0]) * UInt64(b)
        regs[0] = UInt32(truncatingIfNeeded: r)
        regs[2] = UInt32(truncatingIfNeeded: r >> 32)
        let hi = r >> 32 != 0
        flagsResult(UInt32(truncatingIfNeeded: r), 2, cf: hi, of: hi)
    }

    /// IMUL r32, r/m32 with the source already read; the destination is `p.reg`.
    @inline(__always) func decodedImul32(_ b: UInt32, _ p: UnsafePointer<DecodedOp>) {
        let d = Int(p.pointee.reg)
        regs[d] = imulTrunc(regs[d], b, size: 2)
    }

    /// The target of the relative JMP/Jcc/CALL `p` (16-bit operand size wraps it to IP).
    @inline(__always) func relativeTarget(_ p: UnsafePointer<DecodedOp>) -> UInt32 {
        let t = nextEIP(p) &+ p.pointee.imm
        return p.pointee.size == 2 ? t : t & 0xFFFF
    }

    /// The target of fused op `p` (a flag-setting op and a Jcc, `BlockOptimizer`): the Jcc's
    /// displacement is in `disp`, its operand size in `size`.
    @inline(__always) func fusedTarget(_ p: UnsafePointer<DecodedOp>) -> UInt32 {
        let t = nextEIP(p) &+ p.pointee.disp
        return p.pointee.size == 2 ? t : t & 0xFFFF
    }

    /// Takes the relative jump `p`.
    @inline(__always) func decodedJump(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try decodedJumpNear(relativeTarget(p))
    }
}

// One out-of-line handler per decoded kind. PERF: keeps each small enough that its helpers
// (ALU, flags, memory fast paths) are inlined (`partita bench cpu`).
extension CPU {
    @inline(never) func decodedFallback(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        // The block loop does not keep EIP up to date (see `DecodedOp.end`).
        startEIP = nextEIP(p) &- UInt32(p.pointee.length)
        eip = startEIP
        try executeInstruction()
    }

    @inline(never) func decodedAluRR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let r = alu(Int(p.pointee.sub), readReg(p.pointee.rm, p.pointee.size), readReg(p.pointee.reg, p.pointee.size), size)
        if p.pointee.sub != 7 { writeReg(p.pointee.rm, p.pointee.size, r) }
    }

    @inline(never) func decodedAluRM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let m = try readMem(p, effectiveOffset(p), p.pointee.size)
        let r = alu(Int(p.pointee.sub), readReg(p.pointee.reg, p.pointee.size), m, size)
        if p.pointee.sub != 7 { writeReg(p.pointee.reg, p.pointee.size, r) }
    }

    @inline(never) func decodedAluMR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let off = effectiveOffset(p)
        let m = try readMem(p, off, p.pointee.size)
        let r = alu(Int(p.pointee.sub), m, readReg(p.pointee.reg, p.pointee.size), size)
        if p.pointee.sub != 7 { try writeMem(p, off, p.pointee.size, r) }
    }

    @inline(never) func decodedAluRI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let r = alu(Int(p.pointee.sub), readReg(p.pointee.rm, p.pointee.size), p.pointee.imm, size)
        if p.pointee.sub != 7 { writeReg(p.pointee.rm, p.pointee.size, r) }
    }

    @inline(never) func decodedAluMI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let off = effectiveOffset(p)
        let m = try readMem(p, off, p.pointee.size)
        let r = alu(Int(p.pointee.sub), m, p.pointee.imm, size)
        if p.pointee.sub != 7 { try writeMem(p, off, p.pointee.size, r) }
    }

    @inline(never) func decodedTestRR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        flagsLogic(readReg(p.pointee.rm, p.pointee.size) & readReg(p.pointee.reg, p.pointee.size), size)
    }

    @inline(never) func decodedTestRI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        flagsLogic(readReg(p.pointee.rm, p.pointee.size) & p.pointee.imm, size)
    }

    @inline(never) func decodedTestMR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let m = try readMem(p, effectiveOffset(p), p.pointee.size)
        flagsLogic(m & readReg(p.pointee.reg, p.pointee.size), size)
    }

    @inline(never) func decodedMovRR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        writeReg(p.pointee.rm, p.pointee.size, readReg(p.pointee.reg, p.pointee.size))
    }

    @inline(never) func decodedMovRM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        writeReg(p.pointee.reg, p.pointee.size, try readMem(p, effectiveOffset(p), p.pointee.size))
    }

    @inline(never) func decodedMovMR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try writeMem(p, effectiveOffset(p), p.pointee.size, readReg(p.pointee.reg, p.pointee.size))
    }

    @inline(__always) func decodedMovRI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        writeReg(p.pointee.rm, p.pointee.size, p.pointee.imm)
    }

    @inline(never) func decodedMovMI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try writeMem(p, effectiveOffset(p), p.pointee.size, p.pointee.imm)
    }

    @inline(__always) func decodedLea(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        writeReg(p.pointee.reg, p.pointee.size, effectiveOffset(p))
    }

    @inline(never) func decodedIncR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        writeReg(p.pointee.rm, p.pointee.size, inc(readReg(p.pointee.rm, p.pointee.size), size))
    }

    @inline(never) func decodedDecR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        writeReg(p.pointee.rm, p.pointee.size, dec(readReg(p.pointee.rm, p.pointee.size), size))
    }

    @inline(never) func decodedPushR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        // PUSH ESP pushes the value before the decrement.
        let v = readReg(p.pointee.rm, p.pointee.size)
        if size == 2 { try opPush32(v) } else { try push16(UInt16(truncatingIfNeeded: v)) }
    }

    @inline(never) func decodedPopR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let v = size == 2 ? try opPop32() : UInt32(try pop16())
        writeReg(p.pointee.rm, p.pointee.size, v)
    }

    @inline(never) func decodedPushI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        if size == 2 { try opPush32(p.pointee.imm) } else { try push16(UInt16(truncatingIfNeeded: p.pointee.imm)) }
    }

    /// Jcc: returns whether the jump was taken (EIP is then its target, unless the op loops to
    /// the block's start: see `DecodedOp.Mark.loops`).
    @inline(never) func decodedJcc(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) -> Bool {
        if !condition(Int(p.pointee.sub)) { return false }
        if p.pointee.marks & DecodedOp.Mark.loops == 0 { try decodedJump(p) }
        return true
    }

    @_transparent func decodedCallRel(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try decodedCallNear(relativeTarget(p), p.pointee.size, returnTo: nextEIP(p))
    }

    /// A CALL the block builder followed in line: only the return address is pushed (the target
    /// lies inside the block, which the entry check keeps inside the CS limit).
    @_transparent func decodedCallFollowed(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        if p.pointee.size == 2 { try opPush32(nextEIP(p)) } else { try push16(UInt16(truncatingIfNeeded: nextEIP(p))) }
    }

    @_transparent func decodedRet(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        if size == 2 && flatWrites & CPU.flatStackBit != 0 {
            let t = try readLin32(regs[4])
            if t > segs[1].limit { throw CPUFault.gp(0) }
            eip = t
            regs[4] = regs[4] &+ 4 &+ p.pointee.imm
            return
        }
        let w: UInt32 = size == 2 ? 4 : 2
        let a = sp
        let t = size == 2 ? try read32(2, a) : UInt32(try read16(2, a))
        if t > segs[1].limit { throw CPUFault.gp(0) }
        eip = t
        setSP(spAdding(w &+ p.pointee.imm))
    }

    @inline(__always) func decodedMovzxRR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let v = p.pointee.sub == 0 ? UInt32(reg8(Int(p.pointee.reg))) : regs[Int(p.pointee.reg)] & 0xFFFF
        writeReg(p.pointee.rm, p.pointee.size, v)
    }

    @inline(never) func decodedMovzxRM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let v = try readMem(p, effectiveOffset(p), p.pointee.sub)
        writeReg(p.pointee.reg, p.pointee.size, v)
    }

    @inline(never) func decodedMovsxRR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let v = p.pointee.sub == 0 ? UInt32(bitPattern: Int32(Int8(bitPattern: reg8(Int(p.pointee.reg)))))
            : UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: regs[Int(p.pointee.reg)])))
        writeReg(p.pointee.rm, p.pointee.size, v)
    }

    @inline(never) func decodedMovsxRM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let m = try readMem(p, effectiveOffset(p), p.pointee.sub)
        let v = p.pointee.sub == 0 ? UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: m)))
            : UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: m)))
        writeReg(p.pointee.reg, p.pointee.size, v)
    }

    @inline(never) func decodedShiftRI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let r = shiftRotate(Int(p.pointee.sub), readReg(p.pointee.rm, p.pointee.size), p.pointee.imm, size)
        writeReg(p.pointee.rm, p.pointee.size, r)
    }

    @inline(never) func decodedXchgRR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let a = readReg(p.pointee.rm, p.pointee.size)
        writeReg(p.pointee.rm, p.pointee.size, readReg(p.pointee.reg, p.pointee.size))
        writeReg(p.pointee.reg, p.pointee.size, a)
    }
}
