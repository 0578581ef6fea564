// Executes pre-decoded instructions (the fast path of the decoded-block cache).

extension CPU {
    /// Effective address (offset) of a decoded memory operand.
    @inline(__always) func effectiveOffset(_ p: UnsafePointer<DecodedOp>) -> UInt32 {
        var off = p.pointee.disp
        let base = p.pointee.base, index = p.pointee.index
        if base < 8 { off &+= regs[Int(base)] }
        if index < 8 { off &+= regs[Int(index)] &<< UInt32(p.pointee.scale) }
        return p.pointee.a32 ? off : off & 0xFFFF
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

    @inline(__always) func readMem(_ seg: UInt8, _ off: UInt32, _ size: UInt8) throws(CPUFault) -> UInt32 {
        switch size {
        case 0: return UInt32(try read8(Int(seg), off))
        case 1: return UInt32(try read16(Int(seg), off))
        default: return try read32(Int(seg), off)
        }
    }

    @inline(__always) func writeMem(_ seg: UInt8, _ off: UInt32, _ size: UInt8, _ v: UInt32) throws(CPUFault) {
        switch size {
        case 0: try write8(Int(seg), off, UInt8(truncatingIfNeeded: v))
        case 1: try write16(Int(seg), off, UInt16(truncatingIfNeeded: v))
        default: try write32(Int(seg), off, v)
        }
    }

    /// Executes one decoded instruction. `eip` and `fallthroughEIP` already point past it
    /// (`startEIP` is not set: `decodedFallback` sets it for the interpreter).
    /// PERF: takes a pointer so only the fields a handler needs are loaded.
    @inline(__always) func executeDecoded(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        switch p.pointee.kind {
        case .fallback, .interp: try decodedFallback(p)
        case .nop: break
        case .aluRR: try decodedAluRR(p)
        case .aluRM: try decodedAluRM(p)
        case .aluMR: try decodedAluMR(p)
        case .aluRI: try decodedAluRI(p)
        case .aluMI: try decodedAluMI(p)
        case .testRR: try decodedTestRR(p)
        case .testRI: try decodedTestRI(p)
        case .testMR: try decodedTestMR(p)
        case .movRR: try decodedMovRR(p)
        case .movRM: try decodedMovRM(p)
        case .movMR: try decodedMovMR(p)
        case .movRI: try decodedMovRI(p)
        case .movMI: try decodedMovMI(p)
        case .lea: try decodedLea(p)
        case .incR: try decodedIncR(p)
        case .decR: try decodedDecR(p)
        case .pushR: try decodedPushR(p)
        case .popR: try decodedPopR(p)
        case .pushI: try decodedPushI(p)
        case .jcc: try decodedJcc(p)
        case .jmpRel: try decodedJmpRel(p)
        case .callRel: try decodedCallRel(p)
        case .ret, .retImm: try decodedRet(p)
        case .movzxRR: try decodedMovzxRR(p)
        case .movzxRM: try decodedMovzxRM(p)
        case .movsxRR: try decodedMovsxRR(p)
        case .movsxRM: try decodedMovsxRM(p)
        case .shiftRI: try decodedShiftRI(p)
        case .xchgRR: try decodedXchgRR(p)
        case .testMI: try decodedTestMI(p)
        case .notR: decodedNotR(p)
        case .negR: decodedNegR(p)
        case .incM: try decodedIncM(p)
        case .decM: try decodedDecM(p)
        case .pushM: try decodedPushM(p)
        case .callIndR: try decodedCallIndR(p)
        case .callIndM: try decodedCallIndM(p)
        case .jmpIndR: try decodedJmpIndR(p)
        case .jmpIndM: try decodedJmpIndM(p)
        case .cmovRR: decodedCmovRR(p)
        case .cmovRM: try decodedCmovRM(p)
        case .setccR: decodedSetccR(p)
        case .setccM: try decodedSetccM(p)
        case .leave: try decodedLeave(p)
        case .imulRRI: decodedImulRRI(p)
        case .imulRMI: try decodedImulRMI(p)
        case .shiftRCL: decodedShiftRCL(p)
        // Specialized kinds (handlers generated into CPU+DecodedSpecialized.swift). PERF: listed
        // here, not in a nested switch, so the dispatch is one jump table (`partita bench cpu`).
        case .addRR32: try decodedSAddRR32(p)
        case .orRR32: try decodedSOrRR32(p)
        case .adcRR32: try decodedSAdcRR32(p)
        case .sbbRR32: try decodedSSbbRR32(p)
        case .andRR32: try decodedSAndRR32(p)
        case .subRR32: try decodedSSubRR32(p)
        case .xorRR32: try decodedSXorRR32(p)
        case .cmpRR32: try decodedSCmpRR32(p)
        case .addRI32: try decodedSAddRI32(p)
        case .orRI32: try decodedSOrRI32(p)
        case .adcRI32: try decodedSAdcRI32(p)
        case .sbbRI32: try decodedSSbbRI32(p)
        case .andRI32: try decodedSAndRI32(p)
        case .subRI32: try decodedSSubRI32(p)
        case .xorRI32: try decodedSXorRI32(p)
        case .cmpRI32: try decodedSCmpRI32(p)
        case .addRM32: try decodedSAddRM32(p)
        case .orRM32: try decodedSOrRM32(p)
        case .adcRM32: try decodedSAdcRM32(p)
        case .sbbRM32: try decodedSSbbRM32(p)
        case .andRM32: try decodedSAndRM32(p)
        case .subRM32: try decodedSSubRM32(p)
        case .xorRM32: try decodedSXorRM32(p)
        case .cmpRM32: try decodedSCmpRM32(p)
        case .addMR32: try decodedSAddMR32(p)
        case .orMR32: try decodedSOrMR32(p)
        case .adcMR32: try decodedSAdcMR32(p)
        case .sbbMR32: try decodedSSbbMR32(p)
        case .andMR32: try decodedSAndMR32(p)
        case .subMR32: try decodedSSubMR32(p)
        case .xorMR32: try decodedSXorMR32(p)
        case .cmpMR32: try decodedSCmpMR32(p)
        case .jo: try decodedJO(p)
        case .jno: try decodedJNO(p)
        case .jb: try decodedJB(p)
        case .jae: try decodedJAE(p)
        case .je: try decodedJE(p)
        case .jne: try decodedJNE(p)
        case .jbe: try decodedJBE(p)
        case .ja: try decodedJA(p)
        case .js: try decodedJS(p)
        case .jns: try decodedJNS(p)
        case .jp: try decodedJP(p)
        case .jnp: try decodedJNP(p)
        case .jl: try decodedJL(p)
        case .jge: try decodedJGE(p)
        case .jle: try decodedJLE(p)
        case .jg: try decodedJG(p)
        case .incR32: try decodedSIncR32(p)
        case .decR32: try decodedSDecR32(p)
        case .pushR32: try decodedSPushR32(p)
        case .popR32: try decodedSPopR32(p)
        case .movRR32: try decodedSMovRR32(p)
        case .movRM32: try decodedSMovRM32(p)
        case .movMR32: try decodedSMovMR32(p)
        case .testRR32: try decodedSTestRR32(p)
        case .mulR32: try decodedSMulR32(p)
        case .mulM32: try decodedSMulM32(p)
        case .imulRR32: try decodedSImulRR32(p)
        case .imulRM32: try decodedSImulRM32(p)
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

    @inline(__always) func decodedJump(_ rel: UInt32, _ size: Int) throws(CPUFault) {
        try decodedJumpNear(size == 2 ? eip &+ rel : (eip &+ rel) & 0xFFFF)
    }
}

// One out-of-line handler per decoded kind. PERF: keeps each small enough that its helpers
// (ALU, flags, memory fast paths) are inlined (`partita bench cpu`).
extension CPU {
    @inline(never) func decodedFallback(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        // The block loop set EIP past the op and left `startEIP` alone.
        startEIP = eip &- UInt32(p.pointee.length)
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
        let m = try readMem(p.pointee.seg, effectiveOffset(p), p.pointee.size)
        let r = alu(Int(p.pointee.sub), readReg(p.pointee.reg, p.pointee.size), m, size)
        if p.pointee.sub != 7 { writeReg(p.pointee.reg, p.pointee.size, r) }
    }

    @inline(never) func decodedAluMR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let off = effectiveOffset(p)
        let m = try readMem(p.pointee.seg, off, p.pointee.size)
        let r = alu(Int(p.pointee.sub), m, readReg(p.pointee.reg, p.pointee.size), size)
        if p.pointee.sub != 7 { try writeMem(p.pointee.seg, off, p.pointee.size, r) }
    }

    @inline(never) func decodedAluRI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let r = alu(Int(p.pointee.sub), readReg(p.pointee.rm, p.pointee.size), p.pointee.imm, size)
        if p.pointee.sub != 7 { writeReg(p.pointee.rm, p.pointee.size, r) }
    }

    @inline(never) func decodedAluMI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let off = effectiveOffset(p)
        let m = try readMem(p.pointee.seg, off, p.pointee.size)
        let r = alu(Int(p.pointee.sub), m, p.pointee.imm, size)
        if p.pointee.sub != 7 { try writeMem(p.pointee.seg, off, p.pointee.size, r) }
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
        let m = try readMem(p.pointee.seg, effectiveOffset(p), p.pointee.size)
        flagsLogic(m & readReg(p.pointee.reg, p.pointee.size), size)
    }

    @inline(never) func decodedMovRR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        writeReg(p.pointee.rm, p.pointee.size, readReg(p.pointee.reg, p.pointee.size))
    }

    @inline(never) func decodedMovRM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        writeReg(p.pointee.reg, p.pointee.size, try readMem(p.pointee.seg, effectiveOffset(p), p.pointee.size))
    }

    @inline(never) func decodedMovMR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try writeMem(p.pointee.seg, effectiveOffset(p), p.pointee.size, readReg(p.pointee.reg, p.pointee.size))
    }

    @inline(__always) func decodedMovRI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        writeReg(p.pointee.rm, p.pointee.size, p.pointee.imm)
    }

    @inline(never) func decodedMovMI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        try writeMem(p.pointee.seg, effectiveOffset(p), p.pointee.size, p.pointee.imm)
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
        if size == 2 { try push32(v) } else { try push16(UInt16(truncatingIfNeeded: v)) }
    }

    @inline(never) func decodedPopR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        let v = size == 2 ? try pop32() : UInt32(try pop16())
        writeReg(p.pointee.rm, p.pointee.size, v)
    }

    @inline(never) func decodedPushI(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        if size == 2 { try push32(p.pointee.imm) } else { try push16(UInt16(truncatingIfNeeded: p.pointee.imm)) }
    }

    @inline(never) func decodedJcc(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        if condition(Int(p.pointee.sub)) { try decodedJump(p.pointee.imm, size) }
    }

    @inline(__always) func decodedJmpRel(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
        try decodedJump(p.pointee.imm, size)
    }

    @inline(__always) func decodedCallRel(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = p.pointee.size
        try decodedCallNear(size == 2 ? eip &+ p.pointee.imm : (eip &+ p.pointee.imm) & 0xFFFF, size)
    }

    @inline(__always) func decodedRet(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let size = Int(p.pointee.size)
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
        let v = p.pointee.sub == 0 ? UInt32(try read8(Int(p.pointee.seg), effectiveOffset(p)))
            : UInt32(try read16(Int(p.pointee.seg), effectiveOffset(p)))
        writeReg(p.pointee.reg, p.pointee.size, v)
    }

    @inline(never) func decodedMovsxRR(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let v = p.pointee.sub == 0 ? UInt32(bitPattern: Int32(Int8(bitPattern: reg8(Int(p.pointee.reg)))))
            : UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: regs[Int(p.pointee.reg)])))
        writeReg(p.pointee.rm, p.pointee.size, v)
    }

    @inline(never) func decodedMovsxRM(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {
        let v = p.pointee.sub == 0 ? UInt32(bitPattern: Int32(Int8(bitPattern: try read8(Int(p.pointee.seg), effectiveOffset(p)))))
            : UInt32(bitPattern: Int32(Int16(bitPattern: try read16(Int(p.pointee.seg), effectiveOffset(p)))))
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
