// Rewrites a freshly decoded block: drops flag work nothing can see, fuses flag-setting ops with
// the conditional jump after them, and leaves out ops that do nothing.

/// Optimizes the ops of one block in place, right after `CPU.buildBlock` decoded them.
///
/// The arithmetic flags can be seen only where the op loop can be left or where an op reads
/// them: a memory access (it may fault, or raise an event that lets an interrupt in), the
/// interpreter's ops, a branch, the block's end, and the ops that read flags (ADC/SBB, SETcc,
/// CMOVcc, RCL/RCR, INC/DEC for CF). Register-only ops run back to back between those points
/// (the budget covers a whole pass before a block starts), so flags that a later register-only
/// op overwrites before any such point are dead, and the op producing them runs without
/// computing them (`DecodedKind.addRR32N` and the other N kinds; CMP and TEST become nothing).
///
/// Ops keep their `position` and `end` (instruction index and fall-through offset), so retiring
/// and EIP work as before however many ops a block keeps: a fused op takes the Jcc's, a dropped
/// op's instruction is retired with the ones after it.
/// PERF: `partita bench cpu` (alu: the ADD before XOR loses its flags; every loop's DEC / JNZ is
/// one op) and kernel code (CMP/TEST + Jcc).
enum BlockOptimizer {
    /// Rewrites the `count` ops at `ops` and returns how many remain (at the start of `ops`).
    static func optimize(_ ops: UnsafeMutablePointer<DecodedOp>, count: Int) -> Int {
        dropDeadFlags(ops, count: count)
        return fuseAndCompact(ops, count: count)
    }

    /// The arithmetic flags a register-only op (as the decoder made it) reads and writes; nil for
    /// an op after which the flags can be seen (see the type's description). Every kind given an
    /// effect here must go straight on to the next op in `CPU.runOps` (no event check, no fault).
    /// Ops that write flags but are listed as writing none (shifts, multiplies) only make the
    /// analysis keep more flags than it could.
    static func flagEffect(_ op: DecodedOp) -> (reads: UInt32, writes: UInt32)? {
        let all = Flags.arith
        switch op.kind {
        case .nop, .movRR, .movRI, .lea, .movzxRR, .movsxRR, .xchgRR, .notR, .movRR32,
             .imulRRI, .mulR32, .imulRR32, .shlRI32, .shrRI32, .sarRI32:
            return (0, 0)
        case .shiftRI, .shiftRCL:
            // RCL and RCR (group-2 operations 2 and 3) shift CF in.
            return (op.sub == 2 || op.sub == 3 ? all : 0, 0)
        case .jmpRel:
            // A target followed in line: the block goes on with the next op.
            return op.marks & DecodedOp.Mark.follows != 0 ? (0, 0) : nil
        case .aluRR, .aluRI:
            return (op.sub == 2 || op.sub == 3 ? Flags.cf : 0, all)
        case .testRR, .testRI, .negR,
             .addRR32, .orRR32, .andRR32, .subRR32, .xorRR32, .cmpRR32,
             .addRI32, .orRI32, .andRI32, .subRI32, .xorRI32, .cmpRI32, .testRR32:
            return (0, all)
        case .adcRR32, .sbbRR32, .adcRI32, .sbbRI32:
            return (Flags.cf, all)
        case .incR, .decR, .incR32, .decR32:
            // CF is kept, so it stays as live as it was.
            return (0, all & ~Flags.cf)
        case .setccR, .cmovRR:
            return (all, 0)
        default:
            return nil
        }
    }

    /// `op` without its flag work, or `op` unchanged when there is no such form.
    static func withoutFlags(_ op: DecodedOp) -> DecodedOp {
        var op = op
        switch op.kind {
        case .addRR32: op.kind = .addRR32N
        case .orRR32: op.kind = .orRR32N
        case .andRR32: op.kind = .andRR32N
        case .subRR32: op.kind = .subRR32N
        case .xorRR32: op.kind = .xorRR32N
        case .addRI32: op.kind = .addRI32N
        case .orRI32: op.kind = .orRI32N
        case .andRI32: op.kind = .andRI32N
        case .xorRI32: op.kind = .xorRI32N
        case .subRI32: op.kind = .addRI32N; op.imm = 0 &- op.imm
        case .incR32: op.kind = .addRI32N; op.imm = 1
        case .decR32: op.kind = .addRI32N; op.imm = 0xFFFF_FFFF
        case .cmpRR32, .cmpRI32, .testRR32: op.kind = .nop
        default: break
        }
        return op
    }

    /// Backward liveness of the arithmetic flags: ops whose flags are all dead lose their flag
    /// work. Everything is live at the block's end.
    static func dropDeadFlags(_ ops: UnsafeMutablePointer<DecodedOp>, count: Int) {
        var live = Flags.arith
        var i = count - 1
        while i >= 0 {
            if let effect = flagEffect(ops[i]) {
                if effect.writes != 0 && effect.writes & live == 0 { ops[i] = withoutFlags(ops[i]) }
                live = (live & ~effect.writes) | effect.reads
            } else {
                live = Flags.arith
            }
            i -= 1
        }
    }

    /// Fuses each flag-setting op that has a fused form with the Jcc after it, drops NOPs and
    /// JMPs followed in line, and packs the ops that remain to the front.
    static func fuseAndCompact(_ ops: UnsafeMutablePointer<DecodedOp>, count: Int) -> Int {
        var kept = 0
        var i = 0
        // PERF: ops are copied only when something before them was dropped or fused (this runs
        // for every block built; a kernel workload builds tens of thousands).
        while i < count {
            let index = i
            let op = ops + index
            let kind = op.pointee.kind
            i += 1
            if kind == .nop { continue }
            if kind == .jmpRel && op.pointee.marks & DecodedOp.Mark.follows != 0 { continue }
            if i < count, let fused = DecodedKind.fusedJcc(kind, ops[i].kind) {
                // The pair retires, faults (a target beyond the CS limit) and branches as the
                // Jcc: its place, length, operand size and marks; its displacement in `disp`.
                let jcc = ops + i
                i += 1
                op.pointee.kind = fused
                op.pointee.disp = jcc.pointee.imm
                op.pointee.size = jcc.pointee.size
                op.pointee.length = jcc.pointee.length
                op.pointee.end = jcc.pointee.end
                op.pointee.position = jcc.pointee.position
                op.pointee.marks = jcc.pointee.marks
            }
            if kept != index { ops[kept] = op.pointee }
            kept += 1
        }
        return kept
    }
}
