// One pre-decoded instruction of the decoded-block cache.

/// An instruction decoded once and kept in a block (see CPU+BlockCache.swift). Operands are
/// pre-extracted; memory operands keep their effective-address recipe (base, index, scale,
/// displacement, segment) because register values change between executions.
struct DecodedOp {
    var kind: DecodedKind = .fallback
    /// Instruction length in bytes.
    var length: UInt8 = 0
    /// Operand size: 0 = 8, 1 = 16, 2 = 32 bits.
    var size: UInt8 = 0
    /// 32-bit address size for the effective address.
    var a32: Bool = false
    /// ModR/M reg field, or the destination register.
    var reg: UInt8 = 0
    /// ModR/M r/m register (register forms) or source register.
    var rm: UInt8 = 0
    /// Sub-operation: ALU op, condition code, shift op, extension source size.
    var sub: UInt8 = 0
    /// Segment register of the memory operand.
    var seg: UInt8 = 3
    /// Base register, or 8 for none.
    var base: UInt8 = 8
    /// Index register, or 8 for none.
    var index: UInt8 = 8
    var scale: UInt8 = 0
    var disp: UInt32 = 0
    var imm: UInt32 = 0
}

/// What a decoded instruction does; everything not listed runs through the byte interpreter.
enum DecodedKind: UInt8 {
    case fallback
    case nop
    case aluRR, aluRM, aluMR, aluRI, aluMI
    case testRR, testRI, testMR
    case movRR, movRM, movMR, movRI, movMI
    case lea
    case incR, decR
    case pushR, popR, pushI
    case jcc, jmpRel, callRel, ret, retImm
    case movzxRR, movzxRM, movsxRR, movsxRM
    case shiftRI
    case xchgRR
    // Specialized 32-bit ALU forms and per-condition jumps, in the order
    // scripts/gen-decoded-specialized.py generates their handlers.
    case addRR32, orRR32, adcRR32, sbbRR32, andRR32, subRR32, xorRR32, cmpRR32
    case addRI32, orRI32, adcRI32, sbbRI32, andRI32, subRI32, xorRI32, cmpRI32
    case addRM32, orRM32, adcRM32, sbbRM32, andRM32, subRM32, xorRM32, cmpRM32
    case addMR32, orMR32, adcMR32, sbbMR32, andMR32, subMR32, xorMR32, cmpMR32
    case jo, jno, jb, jae, je, jne, jbe, ja
    case js, jns, jp, jnp, jl, jge, jle, jg

    /// The specialized kind for a 32-bit ALU form (`form` is .aluRR/.aluRI/.aluRM/.aluMR).
    static func specializedALU(_ form: DecodedKind, op: UInt8) -> DecodedKind {
        let base: DecodedKind
        switch form {
        case .aluRR: base = .addRR32
        case .aluRI: base = .addRI32
        case .aluRM: base = .addRM32
        default: base = .addMR32
        }
        return DecodedKind(rawValue: base.rawValue + op)!
    }

    /// The per-condition kind for a Jcc with condition `cc`.
    static func specializedJcc(_ cc: UInt8) -> DecodedKind {
        DecodedKind(rawValue: DecodedKind.jo.rawValue + cc)!
    }
}
