// Decoded handlers for the group and condition forms kernel code runs often: TEST/NOT/NEG,
// INC/DEC/PUSH on memory, near indirect CALL/JMP, CMOVcc, SETcc, LEAVE, three-operand IMUL and
// shifts by CL. Each matches the interpreter's semantics (the differential test checks it).

extension CPU {
    @inline(never) func decodedTestMI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let m = try readMem(p, effectiveOffset(p), p.pointee.size)
        flagsLogic(m & p.pointee.imm, Int(p.pointee.size))
    }

    @inline(never) func decodedNotR(_ p: UnsafePointer<DecodedOp>) {
        writeReg(p.pointee.rm, p.pointee.size, ~readReg(p.pointee.rm, p.pointee.size) & CPU.sizeMask(Int(p.pointee.size)))
    }

    @inline(never) func decodedNegR(_ p: UnsafePointer<DecodedOp>) {
        writeReg(p.pointee.rm, p.pointee.size, neg(readReg(p.pointee.rm, p.pointee.size), Int(p.pointee.size)))
    }

    @inline(never) func decodedIncM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let off = effectiveOffset(p)
        let m = try readMem(p, off, p.pointee.size)
        try writeMem(p, off, p.pointee.size, inc(m, Int(p.pointee.size)))
    }

    @inline(never) func decodedDecM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let off = effectiveOffset(p)
        let m = try readMem(p, off, p.pointee.size)
        try writeMem(p, off, p.pointee.size, dec(m, Int(p.pointee.size)))
    }

    @inline(never) func decodedPushM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        // The address uses (E)SP before the push.
        let v = try readMem(p, effectiveOffset(p), p.pointee.size)
        if p.pointee.size == 2 { try opPush32(v) } else { try push16(UInt16(truncatingIfNeeded: v)) }
    }

    /// Near CALL to `target` (already sized): #GP(0) past the CS limit, else push the return
    /// address and jump.
    @inline(__always) func decodedCallNear(_ target: UInt32, _ size: UInt8, returnTo: UInt32) throws(CPUFault) {
        if target > segs[1].limit { throw CPUFault.gp(0) }
        if size == 2 { try opPush32(returnTo) } else { try push16(UInt16(truncatingIfNeeded: returnTo)) }
        eip = target
    }

    @inline(never) func decodedCallIndR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try decodedCallNear(readReg(p.pointee.rm, p.pointee.size), p.pointee.size, returnTo: nextEIP(p))
    }

    @inline(never) func decodedCallIndM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try decodedCallNear(try readMem(p, effectiveOffset(p), p.pointee.size), p.pointee.size,
                            returnTo: nextEIP(p))
    }

    /// Near JMP to `target` (already sized): #GP(0) past the CS limit.
    @inline(__always) func decodedJumpNear(_ target: UInt32) throws(CPUFault) {
        if target > segs[1].limit { throw CPUFault.gp(0) }
        eip = target
    }

    @inline(never) func decodedJmpIndR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try decodedJumpNear(readReg(p.pointee.rm, p.pointee.size))
    }

    @inline(never) func decodedJmpIndM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try decodedJumpNear(try readMem(p, effectiveOffset(p), p.pointee.size))
    }

    @inline(never) func decodedCmovRR(_ p: UnsafePointer<DecodedOp>) {
        if condition(Int(p.pointee.sub)) { writeReg(p.pointee.reg, p.pointee.size, readReg(p.pointee.rm, p.pointee.size)) }
    }

    @inline(never) func decodedCmovRM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let v = try readMem(p, effectiveOffset(p), p.pointee.size)
        if condition(Int(p.pointee.sub)) { writeReg(p.pointee.reg, p.pointee.size, v) }
    }

    @inline(never) func decodedSetccR(_ p: UnsafePointer<DecodedOp>) {
        setReg8(Int(p.pointee.rm), condition(Int(p.pointee.sub)) ? 1 : 0)
    }

    @inline(never) func decodedSetccM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try writeMem(p, effectiveOffset(p), 0, condition(Int(p.pointee.sub)) ? 1 : 0)
    }

    @inline(never) func decodedLeave(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        // (E)SP <- (E)BP, then pop (E)BP; nothing changes if the read faults.
        let bp = stackIs32 ? regs[5] : regs[5] & 0xFFFF
        let v = p.pointee.size == 2 ? try read32(2, bp) : UInt32(try read16(2, bp))
        setSP(bp &+ (p.pointee.size == 2 ? 4 : 2))
        writeReg(5, p.pointee.size, v)
    }

    @inline(never) func decodedImulRRI(_ p: UnsafePointer<DecodedOp>) {
        let r = imulTrunc(readReg(p.pointee.rm, p.pointee.size), p.pointee.imm, size: Int(p.pointee.size))
        writeReg(p.pointee.reg, p.pointee.size, r)
    }

    @inline(never) func decodedImulRMI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let m = try readMem(p, effectiveOffset(p), p.pointee.size)
        writeReg(p.pointee.reg, p.pointee.size, imulTrunc(m, p.pointee.imm, size: Int(p.pointee.size)))
    }

    @inline(never) func decodedShiftRCL(_ p: UnsafePointer<DecodedOp>) {
        let count = UInt32(reg8(1)) & 31
        if count == 0 { return }
        let r = shiftRotate(Int(p.pointee.sub), readReg(p.pointee.rm, p.pointee.size), count, Int(p.pointee.size))
        writeReg(p.pointee.rm, p.pointee.size, r)
    }
}
