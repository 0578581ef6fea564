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
    /// Where the op sits in its block (`Mark` bits, set by `CPU.buildBlock`).
    var marks: UInt8 = 0
    /// The op's fall-through address as an offset from the block's entry EIP (set by
    /// `CPU.buildBlock`). PERF: the block loop does not keep EIP up to date op by op; the ops
    /// that need it (branches, calls, the interpreter's ops, a fault) form it from `blockEIP`.
    var end: UInt16 = 0
    /// The op's position in its block (the closing `.blockEnd` holds the block's op count).
    /// PERF: retiring "position + 1" ops is cheaper than dividing a pointer difference by the
    /// stride.
    var position: UInt8 = 0
    /// `1 << seg`, for the test against `CPU.flatReads` / `CPU.flatWrites` (set by
    /// `CPU.buildBlock`).
    var segBit: UInt8 = 0
    var disp: UInt32 = 0
    var imm: UInt32 = 0

    enum Mark {
        /// A direct JMP/CALL whose target the block builder decoded in line: after it,
        /// execution continues with the next op of the block.
        static let follows: UInt8 = 1 << 0
        /// A 32-bit relative JMP/Jcc back to the block's first op: taken, it loops without
        /// forming the target (the entry check put the block inside the CS limit).
        static let loops: UInt8 = 1 << 1
    }
}

/// What a decoded instruction does; everything not listed runs through the byte interpreter.
enum DecodedKind: UInt8 {
    case fallback
    /// A data instruction without its own handler (no control transfer, no change of IF, CS,
    /// mode or paging): the byte interpreter runs it, and unlike `.fallback` the block goes on.
    case interp
    /// Closes every block after its last instruction (not an instruction itself): leaves the
    /// block at the last op's fall-through address.
    case blockEnd
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
    case testMI, notR, negR, incM, decM, pushM, callIndR, callIndM, jmpIndR, jmpIndM
    case cmovRR, cmovRM, setccR, setccM, leave, imulRRI, imulRMI, shiftRCL
    // Specialized 32-bit ALU forms and per-condition jumps, in the order
    // scripts/gen-decoded-specialized.py generates their handlers.
    case addRR32, orRR32, adcRR32, sbbRR32, andRR32, subRR32, xorRR32, cmpRR32
    case addRI32, orRI32, adcRI32, sbbRI32, andRI32, subRI32, xorRI32, cmpRI32
    case addRM32, orRM32, adcRM32, sbbRM32, andRM32, subRM32, xorRM32, cmpRM32
    case addMR32, orMR32, adcMR32, sbbMR32, andMR32, subMR32, xorMR32, cmpMR32
    case addMI32, orMI32, adcMI32, sbbMI32, andMI32, subMI32, xorMI32, cmpMI32
    case jo, jno, jb, jae, je, jne, jbe, ja
    case js, jns, jp, jnp, jl, jge, jle, jg
    // 32-bit forms with the size fixed (FIXED_32 in the generator).
    case incR32, decR32, pushR32, popR32, movRR32, movRM32, movMR32, movRM32B, movMR32B, testRR32
    case mulR32, mulM32, imulRR32, imulRM32
    case shlRI32, shrRI32, sarRI32
    // 32-bit register ALU forms without flags, for ops whose flags nothing can see
    // (`BlockOptimizer`).
    case addRR32N, orRR32N, andRR32N, subRR32N, xorRR32N, addRI32N, orRI32N, andRI32N, xorRI32N
    // A flag-setting 32-bit register op and the Jcc after it, as one op (`BlockOptimizer`,
    // `DecodedKind.fusedJcc`): CMP r,r / CMP r,imm with every condition but O and P, TEST r,r,
    // DEC r and INC r with E, NE, S, NS, L, GE, LE, G.
    case cmpRRJb32, cmpRRJae32, cmpRRJe32, cmpRRJne32, cmpRRJbe32, cmpRRJa32
    case cmpRRJs32, cmpRRJns32, cmpRRJl32, cmpRRJge32, cmpRRJle32, cmpRRJg32
    case cmpRIJb32, cmpRIJae32, cmpRIJe32, cmpRIJne32, cmpRIJbe32, cmpRIJa32
    case cmpRIJs32, cmpRIJns32, cmpRIJl32, cmpRIJge32, cmpRIJle32, cmpRIJg32
    case testRRJe32, testRRJne32, testRRJs32, testRRJns32, testRRJl32, testRRJge32, testRRJle32, testRRJg32
    case decJe32, decJne32, decJs32, decJns32, decJl32, decJge32, decJle32, decJg32
    case incJe32, incJne32, incJs32, incJns32, incJl32, incJge32, incJle32, incJg32

    /// The specialized kind for a 32-bit ALU form (`form` is .aluRR/.aluRI/.aluRM/.aluMR/.aluMI).
    static func specializedALU(_ form: DecodedKind, op: UInt8) -> DecodedKind {
        let base: DecodedKind
        switch form {
        case .aluRR: base = .addRR32
        case .aluRI: base = .addRI32
        case .aluRM: base = .addRM32
        case .aluMR: base = .addMR32
        default: base = .addMI32
        }
        return DecodedKind(rawValue: base.rawValue + op)!
    }

    /// The fixed-size kind for a 32-bit generic kind that has one.
    static func fixed32(_ kind: DecodedKind) -> DecodedKind {
        switch kind {
        case .incR: return .incR32
        case .decR: return .decR32
        case .pushR: return .pushR32
        case .popR: return .popR32
        case .movRR: return .movRR32
        case .movRM: return .movRM32
        case .movMR: return .movMR32
        case .testRR: return .testRR32
        default: return kind
        }
    }

    /// JMP rel or Jcc rel (generic or per condition).
    var isRelativeJump: Bool {
        self == .jmpRel || self == .jcc || (rawValue >= DecodedKind.jo.rawValue && rawValue <= DecodedKind.jg.rawValue)
    }

    /// The fixed kind for a 32-bit shift by an immediate with group-2 operation `op`, if any.
    static func shift32(op: UInt8) -> DecodedKind? {
        switch op {
        case 4, 6: return .shlRI32
        case 5: return .shrRI32
        case 7: return .sarRI32
        default: return nil
        }
    }

    /// The per-condition kind for a Jcc with condition `cc`.
    static func specializedJcc(_ cc: UInt8) -> DecodedKind {
        DecodedKind(rawValue: DecodedKind.jo.rawValue + cc)!
    }
}
