// Decodes guest bytes into `DecodedOp`s for the decoded-block cache.

/// Decodes the common integer instructions into `DecodedOp`s. Anything else (and anything that
/// would read past the bytes available in the page / segment) becomes `.fallback`, which the CPU
/// runs through the byte interpreter. Pure: it only reads the byte buffer it is given.
struct InstructionDecoder {
    let bytes: UnsafePointer<UInt8>
    /// Bytes readable from `bytes` (to the end of the page or the CS limit).
    let available: Int
    /// CS.D: 32-bit default operand and address size.
    let big: Bool
    var pos = 0
    var overrun = false

    init(bytes: UnsafePointer<UInt8>, available: Int, big: Bool) {
        self.bytes = bytes
        self.available = available
        self.big = big
    }

    mutating func u8() -> UInt8 {
        if pos >= available { overrun = true; return 0 }
        let b = bytes[pos]
        pos += 1
        return b
    }
    mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }
    mutating func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }
    mutating func s8() -> UInt32 { UInt32(bitPattern: Int32(Int8(bitPattern: u8()))) }

    /// Decodes the instruction at `pos`.
    mutating func decode() -> DecodedOp {
        let start = pos
        var op = DecodedOp()
        var o32 = big
        var a32 = big
        var segOverride = -1
        var b = u8()
        var prefixes = 0
        loop: while true {
            switch b {
            case 0x26, 0x2E, 0x36, 0x3E: segOverride = Int((b >> 3) & 3)
            case 0x64: segOverride = 4
            case 0x65: segOverride = 5
            case 0x66: o32 = !big
            case 0x67: a32 = !big
            default: break loop
            }
            prefixes += 1
            if prefixes > 4 { return DecodedOp() }
            b = u8()
        }
        op.a32 = a32
        let sizeV: UInt8 = o32 ? 2 : 1
        var modrm = 0
        var isReg = false

        func imm(_ size: UInt8, _ d: inout InstructionDecoder) -> UInt32 {
            switch size {
            case 0: return UInt32(d.u8())
            case 1: return UInt32(d.u16())
            default: return d.u32()
            }
        }

        // Reads ModR/M (+ SIB/displacement) into `op`.
        func modRM(_ d: inout InstructionDecoder, _ op: inout DecodedOp) {
            modrm = Int(d.u8())
            op.reg = UInt8((modrm >> 3) & 7)
            op.rm = UInt8(modrm & 7)
            isReg = modrm >= 0xC0
            if isReg { return }
            let mod = modrm >> 6, rm = modrm & 7
            var seg = 3
            if a32 {
                if rm == 4 {
                    let sib = Int(d.u8())
                    let base = sib & 7, index = (sib >> 3) & 7
                    op.scale = UInt8(sib >> 6)
                    op.index = index == 4 ? 8 : UInt8(index)
                    if base == 5 && mod == 0 {
                        op.base = 8
                        op.disp = d.u32()
                    } else {
                        op.base = UInt8(base)
                        if base == 4 || base == 5 { seg = 2 }
                    }
                } else if rm == 5 && mod == 0 {
                    op.base = 8
                    op.disp = d.u32()
                } else {
                    op.base = UInt8(rm)
                    if rm == 5 { seg = 2 }
                }
                if mod == 1 { op.disp &+= d.s8() } else if mod == 2 { op.disp &+= d.u32() }
            } else {
                // 16-bit forms: BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP/disp16, BX.
                if rm == 6 && mod == 0 {
                    op.base = 8
                    op.disp = UInt32(d.u16())
                } else {
                    switch rm {
                    case 0: op.base = 3; op.index = 6
                    case 1: op.base = 3; op.index = 7
                    case 2: op.base = 5; op.index = 6; seg = 2
                    case 3: op.base = 5; op.index = 7; seg = 2
                    case 4: op.base = 6
                    case 5: op.base = 7
                    case 6: op.base = 5; seg = 2
                    default: op.base = 3
                    }
                }
                if mod == 1 { op.disp &+= d.s8() } else if mod == 2 { op.disp &+= UInt32(d.u16()) }
            }
            op.seg = UInt8(segOverride >= 0 ? segOverride : seg)
        }

        switch b {
        case 0x00...0x3F where b & 7 < 6:
            let alu = (b >> 3) & 7
            op.sub = alu
            switch b & 7 {
            case 0, 1:
                op.size = b & 1 == 0 ? 0 : sizeV
                modRM(&self, &op)
                op.kind = isReg ? .aluRR : .aluMR
                // aluRR: rm = rm op reg
            case 2, 3:
                op.size = b & 1 == 0 ? 0 : sizeV
                modRM(&self, &op)
                if isReg {
                    // reg = reg op rm: swap to the rm-destination form.
                    let r = op.reg
                    op.reg = op.rm
                    op.rm = r
                    op.kind = .aluRR
                } else {
                    op.kind = .aluRM
                }
            case 4:
                op.size = 0; op.rm = 0; op.imm = UInt32(u8()); op.kind = .aluRI
            default:
                op.size = sizeV; op.rm = 0; op.imm = imm(sizeV, &self); op.kind = .aluRI
            }
        case 0x40...0x47:
            op.kind = .incR; op.size = sizeV; op.rm = b & 7
        case 0x48...0x4F:
            op.kind = .decR; op.size = sizeV; op.rm = b & 7
        case 0x50...0x57:
            op.kind = .pushR; op.size = sizeV; op.rm = b & 7
        case 0x58...0x5F:
            op.kind = .popR; op.size = sizeV; op.rm = b & 7
        case 0x68:
            op.kind = .pushI; op.size = sizeV; op.imm = imm(sizeV, &self)
        case 0x6A:
            op.kind = .pushI; op.size = sizeV; op.imm = s8() & (o32 ? 0xFFFF_FFFF : 0xFFFF)
        case 0x70...0x7F:
            op.kind = .jcc; op.sub = b & 0xF; op.size = sizeV; op.imm = s8()
        case 0x80, 0x81, 0x83:
            op.size = b == 0x80 ? 0 : sizeV
            modRM(&self, &op)
            op.sub = op.reg
            if b == 0x83 { op.imm = s8() & (o32 ? 0xFFFF_FFFF : 0xFFFF) } else { op.imm = imm(op.size, &self) }
            op.kind = isReg ? .aluRI : .aluMI
        case 0x84, 0x85:
            op.size = b == 0x84 ? 0 : sizeV
            modRM(&self, &op)
            op.kind = isReg ? .testRR : .testMR
        case 0x86, 0x87:
            op.size = b == 0x86 ? 0 : sizeV
            modRM(&self, &op)
            op.kind = isReg ? .xchgRR : .interp
        case 0x88, 0x89:
            op.size = b == 0x88 ? 0 : sizeV
            modRM(&self, &op)
            op.kind = isReg ? .movRR : .movMR  // movRR: rm <- reg
        case 0x8A, 0x8B:
            op.size = b == 0x8A ? 0 : sizeV
            modRM(&self, &op)
            if isReg {
                let r = op.reg
                op.reg = op.rm
                op.rm = r
                op.kind = .movRR
            } else {
                op.kind = .movRM
            }
        case 0x8D:
            op.size = sizeV
            modRM(&self, &op)
            if isReg { return DecodedOp() }
            op.kind = .lea
        case 0x90:
            op.kind = .nop
        case 0x91...0x97:
            op.kind = .xchgRR; op.size = sizeV; op.rm = b & 7; op.reg = 0
        case 0xA8:
            op.kind = .testRI; op.size = 0; op.rm = 0; op.imm = UInt32(u8())
        case 0xA9:
            op.kind = .testRI; op.size = sizeV; op.rm = 0; op.imm = imm(sizeV, &self)
        case 0xB0...0xB7:
            op.kind = .movRI; op.size = 0; op.rm = b & 7; op.imm = UInt32(u8())
        case 0xB8...0xBF:
            op.kind = .movRI; op.size = sizeV; op.rm = b & 7; op.imm = imm(sizeV, &self)
        case 0xC0, 0xC1:
            op.size = b == 0xC0 ? 0 : sizeV
            modRM(&self, &op)
            op.sub = op.reg
            op.imm = UInt32(u8()) & 31
            op.kind = isReg ? .shiftRI : .interp
        case 0xD0, 0xD1:
            op.size = b == 0xD0 ? 0 : sizeV
            modRM(&self, &op)
            op.sub = op.reg
            op.imm = 1
            op.kind = isReg ? .shiftRI : .interp
        case 0xC2:
            op.kind = .retImm; op.size = sizeV; op.imm = UInt32(u16())
        case 0xC3:
            op.kind = .ret; op.size = sizeV
        case 0xC6, 0xC7:
            op.size = b == 0xC6 ? 0 : sizeV
            modRM(&self, &op)
            if op.reg != 0 { return DecodedOp() }
            op.imm = imm(op.size, &self)
            op.kind = isReg ? .movRI : .movMI
        case 0xF6, 0xF7:
            // Group 3: TEST, NOT/NEG on registers and MUL r/m32 have handlers; the rest runs
            // through the interpreter.
            op.size = b == 0xF6 ? 0 : sizeV
            modRM(&self, &op)
            switch op.reg {
            case 0, 1:
                op.imm = imm(op.size, &self)
                op.kind = isReg ? .testRI : .testMI
            case 2 where isReg: op.kind = .notR
            case 3 where isReg: op.kind = .negR
            case 4 where op.size == 2: op.kind = isReg ? .mulR32 : .mulM32
            default: op.kind = .interp
            }
        // Data instructions the interpreter runs inside a block (see `DecodedKind.interp`).
        case 0x98, 0x99, 0x9C, 0x9E, 0x9F, 0xF5, 0xF8, 0xF9, 0xFC, 0xFD:
            op.kind = .interp
        case 0xC9:
            op.kind = .leave; op.size = sizeV
        case 0x69, 0x6B:
            // IMUL reg, r/m, imm: reg = destination, rm / memory = source.
            op.size = sizeV
            modRM(&self, &op)
            op.imm = b == 0x69 ? imm(sizeV, &self) : s8()
            op.kind = isReg ? .imulRRI : .imulRMI
        case 0xD2, 0xD3:
            op.size = b == 0xD2 ? 0 : sizeV
            modRM(&self, &op)
            op.sub = op.reg
            op.kind = isReg ? .shiftRCL : .interp
        case 0x8C:
            modRM(&self, &op)
            op.kind = .interp
        case 0x8F:
            modRM(&self, &op)
            if op.reg != 0 { return DecodedOp() }
            op.kind = .interp
        case 0xA0...0xA3:
            // MOV AL/eAX <-> moffs: a memory operand with neither base nor index.
            op.size = b & 1 == 0 ? 0 : sizeV
            op.disp = a32 ? u32() : UInt32(u16())
            op.reg = 0
            op.seg = UInt8(segOverride >= 0 ? segOverride : 3)
            op.kind = b < 0xA2 ? .movRM : .movMR
        case 0xFE, 0xFF:
            // INC/DEC r/m, PUSH r/m and near indirect CALL/JMP; far CALL/JMP end the block as
            // fallbacks.
            op.size = b == 0xFE ? 0 : sizeV
            modRM(&self, &op)
            switch op.reg {
            case 0: op.kind = isReg ? .incR : .incM
            case 1: op.kind = isReg ? .decR : .decM
            case 2 where b == 0xFF: op.kind = isReg ? .callIndR : .callIndM
            case 4 where b == 0xFF: op.kind = isReg ? .jmpIndR : .jmpIndM
            case 6 where b == 0xFF: op.kind = isReg ? .pushR : .pushM
            default: return DecodedOp()
            }
        case 0xE8:
            op.kind = .callRel; op.size = sizeV; op.imm = o32 ? u32() : UInt32(u16())
        case 0xE9:
            op.kind = .jmpRel; op.size = sizeV; op.imm = o32 ? u32() : UInt32(u16())
        case 0xEB:
            op.kind = .jmpRel; op.size = sizeV; op.imm = s8()
        case 0x0F:
            let b2 = u8()
            switch b2 {
            case 0x80...0x8F:
                op.kind = .jcc; op.sub = b2 & 0xF; op.size = sizeV; op.imm = o32 ? u32() : UInt32(u16())
            case 0xAF:
                // IMUL r32, r/m32: reg = destination, rm = register source.
                op.size = sizeV
                modRM(&self, &op)
                op.kind = !o32 ? .interp : isReg ? .imulRR32 : .imulRM32
            // CMOVcc, SETcc, BT/BTS/BTR/BTC, SHLD/SHRD, CMPXCHG, BSF/BSR, XADD, BSWAP: interpreted in
            // the block (see `DecodedKind.interp`).
            case 0x40...0x4F:
                // CMOVcc: reg = destination; the source is read whatever the condition.
                op.size = sizeV
                op.sub = b2 & 0xF
                modRM(&self, &op)
                op.kind = isReg ? .cmovRR : .cmovRM
            case 0x90...0x9F:
                op.size = 0
                op.sub = b2 & 0xF
                modRM(&self, &op)
                op.kind = isReg ? .setccR : .setccM
            case 0xA3, 0xA5, 0xAB, 0xAD, 0xB0, 0xB1, 0xB3, 0xBB, 0xBC, 0xBD, 0xC0, 0xC1:
                modRM(&self, &op)
                op.kind = .interp
            case 0xA4, 0xAC, 0xBA:
                modRM(&self, &op)
                _ = u8()
                op.kind = .interp
            case 0xC8...0xCF:
                op.kind = .interp
            case 0xB6, 0xB7, 0xBE, 0xBF:
                op.size = sizeV
                modRM(&self, &op)
                op.sub = b2 & 1 == 0 ? 0 : 1
                let sx = b2 >= 0xBE
                if isReg {
                    let r = op.reg
                    op.reg = op.rm
                    op.rm = r  // rm = destination, reg = source
                    op.kind = sx ? .movsxRR : .movzxRR
                } else {
                    op.kind = sx ? .movsxRM : .movzxRM
                }
            default:
                return DecodedOp()
            }
        default:
            return DecodedOp()
        }
        if overrun || pos - start > 15 { return DecodedOp() }
        op.length = UInt8(pos - start)
        switch op.kind {
        // The fixed 32-bit kinds with a memory operand assume 32-bit addressing
        // (`effectiveOffset32`); 16-bit addressing keeps the generic kinds.
        case .aluRR, .aluRI:
            if op.size == 2 { op.kind = DecodedKind.specializedALU(op.kind, op: op.sub) }
        case .aluRM, .aluMR, .aluMI:
            if op.size == 2 && op.a32 { op.kind = DecodedKind.specializedALU(op.kind, op: op.sub) }
        case .mulM32, .imulRM32:
            if !op.a32 { op.kind = .interp }
        case .shiftRI:
            if op.size == 2, let k = DecodedKind.shift32(op: op.sub) { op.kind = k }
        case .jcc:
            op.kind = DecodedKind.specializedJcc(op.sub)
        case .incR, .decR, .pushR, .popR, .movRR, .testRR:
            if op.size == 2 { op.kind = DecodedKind.fixed32(op.kind) }
        case .movRM, .movMR:
            if op.size == 2 && op.a32 {
                op.kind = op.index != 8 ? DecodedKind.fixed32(op.kind) : op.kind == .movRM ? .movRM32B : .movMR32B
            }
        default:
            break
        }
        return op
    }
}
