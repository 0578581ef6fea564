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
}
