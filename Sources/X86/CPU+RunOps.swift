// The decoded-op loop: runs one block's ops (see CPU+BlockCache.swift) with one jump table.

extension CPU {
    /// Runs the ops of the block `enterBlock` made current from `start` (following in-line
    /// JMP/CALL targets, looping back to the start while the budget covers another pass, and
    /// going on to the next block while `enterBlock` finds one) until the budget, an event, a
    /// fallback or a fault ends the run.
    ///
    /// EIP is not kept up to date op by op: an op's fall-through address is `blockEIP` plus its
    /// `end`, formed only by the ops that need it (branches, calls, the interpreter's ops) and
    /// when the block is left (its end, a taken branch, an event, a fault). Likewise ops are
    /// retired when the block is left or loops, from the op pointer, not counted one by one.
    /// PERF: a register-only op costs its handler, the op pointer increment and the jump-table
    /// dispatch (scripts/callgrind-cpu.sh).
    @inline(never) func runOps(_ start: UnsafeMutablePointer<DecodedOp>) -> OpsExit {
        var first = start
        var op = first
        while true {
            do {
                // Straight-line execution; `break linear` means a taken branch (EIP is its
                // target). Ops that reach memory (or run the interpreter) end their case and fall
                // through to the event check below the switch.
                linear: while true {
                    switch op.pointee.kind {
                    case .blockEnd:
                        eip = nextEIP(op)
                        retireOps(Int(op.pointee.position))
                        guard let next = followLink(op) else { return .next }
                        first = next
                        op = next
                        continue linear
                    case .fallback:
                        try decodedFallback(op)
                        retireOps(Int(op.pointee.position) &+ 1)
                        return .fallback
                    case .interp:
                        try decodedFallback(op)
                        // No interpreted data instruction loads a segment register (those are
                        // fallbacks); refreshed anyway, so a later decoder change cannot leave
                        // the flat-segment bits stale.
                        refreshFlatSegments()
                        // A REP string op that is not finished goes round again from its start.
                        if eip != nextEIP(op) { break linear }
                    // Register-only kinds: no memory access, no event. `BlockOptimizer.flagEffect`
                    // relies on it: a kind it lets flags pass must not leave the loop here.
                    case .nop: op += 1; continue linear
                    case .aluRR: try decodedAluRR(op); op += 1; continue linear
                    case .aluRI: try decodedAluRI(op); op += 1; continue linear
                    case .testRR: try decodedTestRR(op); op += 1; continue linear
                    case .testRI: try decodedTestRI(op); op += 1; continue linear
                    case .movRR: try decodedMovRR(op); op += 1; continue linear
                    case .movRI: try decodedMovRI(op); op += 1; continue linear
                    case .lea: try decodedLea(op); op += 1; continue linear
                    case .incR: try decodedIncR(op); op += 1; continue linear
                    case .decR: try decodedDecR(op); op += 1; continue linear
                    case .movzxRR: try decodedMovzxRR(op); op += 1; continue linear
                    case .movsxRR: try decodedMovsxRR(op); op += 1; continue linear
                    case .shiftRI: try decodedShiftRI(op); op += 1; continue linear
                    case .xchgRR: try decodedXchgRR(op); op += 1; continue linear
                    case .notR: decodedNotR(op); op += 1; continue linear
                    case .negR: decodedNegR(op); op += 1; continue linear
                    case .cmovRR: decodedCmovRR(op); op += 1; continue linear
                    case .setccR: decodedSetccR(op); op += 1; continue linear
                    case .imulRRI: decodedImulRRI(op); op += 1; continue linear
                    case .shiftRCL: decodedShiftRCL(op); op += 1; continue linear
                    // Kinds that read memory but do not write it. An event a read raises (a
                    // slow-path access: TLB fill, page crossing, a device register) does not
                    // need the run loop before the next op — a write might have changed this
                    // block's code, a read cannot — and it stops the loop at the block's end.
                    case .aluRM: try decodedAluRM(op); op += 1; continue linear
                    case .testMR: try decodedTestMR(op); op += 1; continue linear
                    case .movRM: try decodedMovRM(op); op += 1; continue linear
                    case .popR: try decodedPopR(op); op += 1; continue linear
                    case .movzxRM: try decodedMovzxRM(op); op += 1; continue linear
                    case .movsxRM: try decodedMovsxRM(op); op += 1; continue linear
                    case .testMI: try decodedTestMI(op); op += 1; continue linear
                    case .cmovRM: try decodedCmovRM(op); op += 1; continue linear
                    case .leave: try decodedLeave(op); op += 1; continue linear
                    case .imulRMI: try decodedImulRMI(op); op += 1; continue linear
                    // Kinds that write memory: the event check below.
                    case .aluMR: try decodedAluMR(op)
                    case .aluMI: try decodedAluMI(op)
                    case .movMR: try decodedMovMR(op)
                    case .movMI: try decodedMovMI(op)
                    case .pushR: try decodedPushR(op)
                    case .pushI: try decodedPushI(op)
                    case .incM: try decodedIncM(op)
                    case .decM: try decodedDecM(op)
                    case .pushM: try decodedPushM(op)
                    case .setccM: try decodedSetccM(op)
                    // Control transfers.
                    case .jcc: if try decodedJcc(op) { break linear }; op += 1; continue linear
                    case .jmpRel:
                        // A target decoded in line continues with the next op. (`BlockOptimizer`
                        // leaves these JMPs out; its flag analysis counts on them going on.)
                        if op.pointee.marks & DecodedOp.Mark.follows != 0 { op += 1; continue linear }
                        if op.pointee.marks & DecodedOp.Mark.loops == 0 { try decodedJump(op) }
                        break linear
                    case .callRel:
                        if op.pointee.marks & DecodedOp.Mark.follows == 0 {
                            try decodedCallRel(op)
                            break linear
                        }
                        try decodedCallFollowed(op)
                        // The event check below would resume at the return address.
                        if opsLeft < 0 {
                            eip = relativeTarget(op)
                            retireOps(Int(op.pointee.position) &+ 1)
                            return .stop
                        }
                        op += 1
                        continue linear
                    case .ret, .retImm: try decodedRet(op); break linear
                    case .callIndR: try decodedCallIndR(op); break linear
                    case .callIndM: try decodedCallIndM(op); break linear
                    case .jmpIndR: try decodedJmpIndR(op); break linear
                    case .jmpIndM: try decodedJmpIndM(op); break linear
                    // Specialized kinds (handlers and these lines generated by
                    // scripts/gen-decoded-specialized.py into CPU+DecodedSpecialized.swift).
                    case .addRR32: try decodedSAddRR32(op); op += 1; continue linear
                    case .orRR32: try decodedSOrRR32(op); op += 1; continue linear
                    case .adcRR32: try decodedSAdcRR32(op); op += 1; continue linear
                    case .sbbRR32: try decodedSSbbRR32(op); op += 1; continue linear
                    case .andRR32: try decodedSAndRR32(op); op += 1; continue linear
                    case .subRR32: try decodedSSubRR32(op); op += 1; continue linear
                    case .xorRR32: try decodedSXorRR32(op); op += 1; continue linear
                    case .cmpRR32: try decodedSCmpRR32(op); op += 1; continue linear
                    case .addRI32: try decodedSAddRI32(op); op += 1; continue linear
                    case .orRI32: try decodedSOrRI32(op); op += 1; continue linear
                    case .adcRI32: try decodedSAdcRI32(op); op += 1; continue linear
                    case .sbbRI32: try decodedSSbbRI32(op); op += 1; continue linear
                    case .andRI32: try decodedSAndRI32(op); op += 1; continue linear
                    case .subRI32: try decodedSSubRI32(op); op += 1; continue linear
                    case .xorRI32: try decodedSXorRI32(op); op += 1; continue linear
                    case .cmpRI32: try decodedSCmpRI32(op); op += 1; continue linear
                    case .addRM32: try decodedSAddRM32(op); op += 1; continue linear
                    case .orRM32: try decodedSOrRM32(op); op += 1; continue linear
                    case .adcRM32: try decodedSAdcRM32(op); op += 1; continue linear
                    case .sbbRM32: try decodedSSbbRM32(op); op += 1; continue linear
                    case .andRM32: try decodedSAndRM32(op); op += 1; continue linear
                    case .subRM32: try decodedSSubRM32(op); op += 1; continue linear
                    case .xorRM32: try decodedSXorRM32(op); op += 1; continue linear
                    case .cmpRM32: try decodedSCmpRM32(op); op += 1; continue linear
                    case .addMR32: try decodedSAddMR32(op)
                    case .orMR32: try decodedSOrMR32(op)
                    case .adcMR32: try decodedSAdcMR32(op)
                    case .sbbMR32: try decodedSSbbMR32(op)
                    case .andMR32: try decodedSAndMR32(op)
                    case .subMR32: try decodedSSubMR32(op)
                    case .xorMR32: try decodedSXorMR32(op)
                    case .cmpMR32: try decodedSCmpMR32(op); op += 1; continue linear
                    case .addMI32: try decodedSAddMI32(op)
                    case .orMI32: try decodedSOrMI32(op)
                    case .adcMI32: try decodedSAdcMI32(op)
                    case .sbbMI32: try decodedSSbbMI32(op)
                    case .andMI32: try decodedSAndMI32(op)
                    case .subMI32: try decodedSSubMI32(op)
                    case .xorMI32: try decodedSXorMI32(op)
                    case .cmpMI32: try decodedSCmpMI32(op); op += 1; continue linear
                    case .jo: if decodedJO(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jno: if decodedJNO(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jb: if decodedJB(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jae: if decodedJAE(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .je: if decodedJE(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jne: if decodedJNE(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jbe: if decodedJBE(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .ja: if decodedJA(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .js: if decodedJS(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jns: if decodedJNS(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jp: if decodedJP(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jnp: if decodedJNP(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jl: if decodedJL(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jge: if decodedJGE(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jle: if decodedJLE(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .jg: if decodedJG(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJump(op); break linear }; op += 1; continue linear
                    case .incR32: try decodedSIncR32(op); op += 1; continue linear
                    case .decR32: try decodedSDecR32(op); op += 1; continue linear
                    case .pushR32: try decodedSPushR32(op)
                    case .popR32: try decodedSPopR32(op); op += 1; continue linear
                    case .movRR32: try decodedSMovRR32(op); op += 1; continue linear
                    case .movRM32: try decodedSMovRM32(op); op += 1; continue linear
                    case .movMR32: try decodedSMovMR32(op)
                    case .movRM32B: try decodedSMovRM32B(op); op += 1; continue linear
                    case .movMR32B: try decodedSMovMR32B(op)
                    case .testRR32: try decodedSTestRR32(op); op += 1; continue linear
                    case .mulR32: try decodedSMulR32(op); op += 1; continue linear
                    case .mulM32: try decodedSMulM32(op); op += 1; continue linear
                    case .imulRR32: try decodedSImulRR32(op); op += 1; continue linear
                    case .imulRM32: try decodedSImulRM32(op); op += 1; continue linear
                    case .shlRI32: try decodedSShlRI32(op); op += 1; continue linear
                    case .shrRI32: try decodedSShrRI32(op); op += 1; continue linear
                    case .sarRI32: try decodedSSarRI32(op); op += 1; continue linear
                    case .addRR32N: decodedSAddRR32N(op); op += 1; continue linear
                    case .orRR32N: decodedSOrRR32N(op); op += 1; continue linear
                    case .andRR32N: decodedSAndRR32N(op); op += 1; continue linear
                    case .subRR32N: decodedSSubRR32N(op); op += 1; continue linear
                    case .xorRR32N: decodedSXorRR32N(op); op += 1; continue linear
                    case .addRI32N: decodedSAddRI32N(op); op += 1; continue linear
                    case .orRI32N: decodedSOrRI32N(op); op += 1; continue linear
                    case .andRI32N: decodedSAndRI32N(op); op += 1; continue linear
                    case .xorRI32N: decodedSXorRI32N(op); op += 1; continue linear
                    case .cmpRRJb32: if decodedFCmpRRJb32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJae32: if decodedFCmpRRJae32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJe32: if decodedFCmpRRJe32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJne32: if decodedFCmpRRJne32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJbe32: if decodedFCmpRRJbe32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJa32: if decodedFCmpRRJa32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJs32: if decodedFCmpRRJs32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJns32: if decodedFCmpRRJns32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJl32: if decodedFCmpRRJl32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJge32: if decodedFCmpRRJge32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJle32: if decodedFCmpRRJle32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRRJg32: if decodedFCmpRRJg32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJb32: if decodedFCmpRIJb32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJae32: if decodedFCmpRIJae32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJe32: if decodedFCmpRIJe32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJne32: if decodedFCmpRIJne32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJbe32: if decodedFCmpRIJbe32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJa32: if decodedFCmpRIJa32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJs32: if decodedFCmpRIJs32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJns32: if decodedFCmpRIJns32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJl32: if decodedFCmpRIJl32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJge32: if decodedFCmpRIJge32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJle32: if decodedFCmpRIJle32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .cmpRIJg32: if decodedFCmpRIJg32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .testRRJe32: if decodedFTestRRJe32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .testRRJne32: if decodedFTestRRJne32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .testRRJs32: if decodedFTestRRJs32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .testRRJns32: if decodedFTestRRJns32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .testRRJl32: if decodedFTestRRJl32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .testRRJge32: if decodedFTestRRJge32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .testRRJle32: if decodedFTestRRJle32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .testRRJg32: if decodedFTestRRJg32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .decJe32: if decodedFDecJe32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .decJne32: if decodedFDecJne32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .decJs32: if decodedFDecJs32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .decJns32: if decodedFDecJns32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .decJl32: if decodedFDecJl32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .decJge32: if decodedFDecJge32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .decJle32: if decodedFDecJle32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .decJg32: if decodedFDecJg32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .incJe32: if decodedFIncJe32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .incJne32: if decodedFIncJne32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .incJs32: if decodedFIncJs32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .incJns32: if decodedFIncJns32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .incJl32: if decodedFIncJl32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .incJge32: if decodedFIncJge32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .incJle32: if decodedFIncJle32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    case .incJg32: if decodedFIncJg32(op) { if op.pointee.marks & DecodedOp.Mark.loops != 0 { if loopAgain(op) { op = first; continue linear }; return .next }; try decodedJumpNear(fusedTarget(op)); break linear }; op += 1; continue linear
                    }
                    // After a memory access: a slow-path access (see `Event.slowAccess`: a write
                    // to this block's code, a device that may raise INTR) or a halt or stop
                    // request made `opsLeft` negative, and the run loop must look.
                    if opsLeft < 0 {
                        eip = nextEIP(op)
                        retireOps(Int(op.pointee.position) &+ 1)
                        return .stop
                    }
                    op += 1
                }
            } catch {
                // Decoded handlers change nothing before they can no longer fault; the
                // interpreter's ops keep their own start (a task switch moves it).
                let kind = op.pointee.kind
                eip = kind == .fallback || kind == .interp ? startEIP : nextEIP(op) &- UInt32(op.pointee.length)
                retireOps(Int(op.pointee.position))
                deliverException(error)
                return .fault
            }
            // A taken branch. One back to this block's start (a loop) stays here while the
            // budget covers another pass and no event is pending. PERF: saves the block lookup
            // per iteration (bench cpu); retiring per pass keeps virtual time moving for a
            // device polled in the loop.
            retireOps(Int(op.pointee.position) &+ 1)
            if op.pointee.marks & DecodedOp.Mark.loops != 0 {
                // A relative jump marked by the block builder: EIP was not formed.
                if opsLeft >= blockCount { op = first; continue }
                eip = blockEIP
                return .next
            }
            if eip == blockEIP && opsLeft >= blockCount {
                op = first
                continue
            }
            // Another block: go on there without leaving the loop.
            guard let next = followLink(op) else { return .next }
            first = next
            op = next
        }
    }
}
