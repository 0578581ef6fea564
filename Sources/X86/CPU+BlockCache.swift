// The decoded-block cache: blocks of pre-decoded instructions keyed by host address and CS.D,
// dropped when their page is written (self-modifying code, DMA).

import EmulatorCore

extension CPU {
    static let blockTableBits = 16
    static let blockOpsCapacity = 1 << 18
    static let maxBlockOps = 64

    @inline(__always) func blockSlot(_ host: Int) -> Int {
        (host ^ (host >> CPU.blockTableBits)) & ((1 << CPU.blockTableBits) - 1)
    }

    /// Throws away every decoded block (arena recycled).
    public func flushDecodedBlocks() {
        blockEpoch &+= 1
        blockOpsUsed = 0
    }

    /// Decodes the block starting at CS:EIP (linear `lin`, host address `host`) into `slot`.
    /// Returns false when no block can be built here (the caller interprets instead).
    func buildBlock(slot: Int, lin: UInt32, host: Int, big: Bool) -> Bool {
        blockBuilds &+= 1
        guard let phys = try? translate(lin, write: false, user: cpl == 3) else { return false }
        let page = Int(phys >> 12)
        let cs = segs[1]
        if eip > cs.limit { return false }
        let pageRemaining = Int(0x1000 - (lin & 0xFFF))
        let limitRemaining = Int(cs.limit - eip) + 1
        let available = min(pageRemaining, limitRemaining)
        if blockOpsUsed + CPU.maxBlockOps > CPU.blockOpsCapacity { flushDecodedBlocks() }
        guard let bytes = UnsafePointer<UInt8>(bitPattern: host) else { return false }
        var decoder = InstructionDecoder(bytes: bytes, available: available, big: big)
        let first = blockOpsUsed
        var count = 0
        // One past the furthest byte decoded (targets followed in line lie forward).
        var end = 0
        while count < CPU.maxBlockOps {
            let op = decoder.decode()
            blockOps[first + count] = op
            count += 1
            end = max(end, decoder.pos)
            if op.kind == .fallback { break }
            switch op.kind {
            case .jmpRel, .callRel:
                // Follow a forward target in the same page in line (32-bit operand size, so no
                // IP wrap), instead of ending the block: the op continues with the next one.
                // PERF: one block lookup less per direct CALL/JMP (`partita bench cpu`, call/ret).
                let target = decoder.pos &+ Int(Int32(bitPattern: op.imm))
                if op.size == 2 && count < CPU.maxBlockOps && target >= decoder.pos && target < available {
                    blockOps[first + count - 1].marks |= DecodedOp.Mark.follows
                    decoder.pos = target
                    continue
                }
            case .ret, .retImm, .callIndR, .callIndM, .jmpIndR, .jmpIndM: break
            default:
                // Conditional jumps (specialized kinds) do not end a block: a not-taken branch
                // runs on; a taken one leaves it.
                if decoder.pos < available { continue }
            }
            break
        }
        // The last op of a block that ran out of bytes mid-instruction is a fallback already.
        blockOps[first + count - 1].marks |= DecodedOp.Mark.last
        blockOpsUsed += count
        // Only the 64-byte lines this block was decoded from count as code: stores to the rest
        // of the page (data next to code) keep the block.
        let wasCode = memory.codePage[page] != 0
        let offset = Int(lin & 0xFFF)
        memory.markCode(page: page, lines: PhysicalMemory.lineMask(fromByte: offset, toByte: offset + max(end, 1) - 1))
        if !wasCode { dropWriteTranslations(physicalPage: UInt32(page)) }
        blockTable[slot] = BlockEntry(host: host, page: UInt32(page), generation: memory.codeGeneration[page],
                                      first: Int32(first), count: Int32(count), bytes: UInt16(end),
                                      big: big, epoch: blockEpoch)
        return true
    }

    /// Removes cached write translations to `physicalPage`, so writes to it take the slow path
    /// that invalidates decoded code.
    func dropWriteTranslations(physicalPage: UInt32) {
        for i in 0..<tlbFilledCount {
            let p = Int(tlbFilled[i] & 0xF_FFFF)
            if tlbPhysPage[p] == physicalPage {
                tlbWriteSup[p] = 0
                tlbWriteUser[p] = 0
            }
        }
    }

    /// How `runOps` left a block.
    enum OpsExit {
        /// The block ran to its end or branched out: the next block follows.
        case next
        /// A fallback op ran (it may have changed CS, TF, breakpoints, IF or INTR): back to the
        /// run loop.
        case fallback
        /// The budget ran out, or an event needs the run loop.
        case stop
        /// An op faulted; the exception has been delivered.
        case fault
    }

    /// Runs decoded blocks from CS:EIP, going on from block to block while only decoded ops run.
    /// Returns the number of instructions retired, or -1 when no block applies at CS:EIP (the
    /// caller then interprets one instruction).
    @inline(__always) func runBlock(budget: Int) -> Int {
        // Instructions this call may still run. With INTR already pending (interrupts were held
        // off for one instruction by STI / MOV SS) only one runs; otherwise INTR and IF cannot
        // change while decoded ops run: I/O and flag-changing instructions are fallbacks (after
        // which we return to the run loop) and a device reached through memory raises
        // `Event.slowAccess`.
        let limit = intrLine && flagsReg & Flags.if != 0 ? 1 : budget
        // A pending event stops the loop after one op, as the per-op check always did.
        opsLeft = events != 0 ? limit | CPU.opsEventBit : limit
        let big = segs[1].flags & 4 != 0
        while true {
            let lin = segs[1].base &+ eip
            let e = tlbR[Int(lin >> 12)]
            if e == 0 { break }
            let host = e &+ Int(lin)
            let slot = blockSlot(host)
            var entry = blockTable[slot]
            if entry.host != host || entry.big != big || entry.epoch != blockEpoch
                || memory.codeGeneration[Int(entry.page)] != entry.generation {
                if !buildBlock(slot: slot, lin: lin, host: host, big: big) { break }
                entry = blockTable[slot]
            }
            if UInt64(eip) + UInt64(entry.bytes) > UInt64(segs[1].limit) + 1 { break }
            opsRetiredMark = opsRemaining
            let exit = runOps(blockOps + Int(entry.first))
            instructionsRetired &+= UInt64(truncatingIfNeeded: opsRetiredMark &- opsRemaining)
            switch exit {
            case .next: continue
            case .fallback, .stop: return limit &- opsRemaining
            case .fault: return limit &- opsRemaining &+ 1
            }
        }
        return opsRemaining == limit ? -1 : limit &- opsRemaining
    }

    /// Runs the ops of one block from `firstOp` (following in-line JMP/CALL targets and looping
    /// back to the start) until it is left. Counts ops down in `opsLeft`; the caller retires
    /// those since `opsRetiredMark`, except that each pass through a loop retires at once, so
    /// virtual time read by a polled device keeps moving.
    @inline(never) func runOps(_ firstOp: UnsafeMutablePointer<DecodedOp>) -> OpsExit {
        let entryEIP = eip
        // PERF: a field, read only when a loop goes round (kept in a register it was spilled and
        // reloaded around every handler call).
        blockFirstOp = firstOp
        var op = firstOp
        while true {
            // Not wrapped at 64 KiB in 16-bit code, like the interpreter: the entry check keeps
            // every op inside the CS limit, and a fetch past it faults (#GP) in the interpreter.
            // PERF: only `op` stays in a register across the handler call; the counters and the
            // fall-through EIP are fields, and `startEIP` is only written by the ops that read it
            // (the byte interpreter's, see `decodedFallback`) (scripts/callgrind-cpu.sh).
            let next = eip &+ UInt32(op.pointee.length)
            eip = next
            fallthroughEIP = next
            do {
                try executeDecoded(UnsafePointer(op))
            } catch {
                // Decoded handlers leave EIP at the fall-through address until they can no longer
                // fault; the interpreter's ops keep their own start (a task switch moves it).
                let kind = op.pointee.kind
                eip = kind == .fallback || kind == .interp ? startEIP : fallthroughEIP &- UInt32(op.pointee.length)
                deliverException(error)
                return .fault
            }
            opsLeft &-= 1
            // Leave at the budget, after a slow-path access (see `Event.slowAccess`), or when a
            // shadow, halt or stop request needs the run loop: `raiseEvent` made `opsLeft`
            // negative.
            if opsLeft <= 0 { return .stop }
            if eip != fallthroughEIP {
                // A taken branch back to this block's start (a loop) stays here.
                // PERF: saves the block lookup per iteration (bench cpu).
                if eip == entryEIP {
                    instructionsRetired &+= UInt64(truncatingIfNeeded: opsRetiredMark &- opsLeft)
                    opsRetiredMark = opsLeft  // (no event bit: opsLeft > 0 here)
                    op = blockFirstOp
                    continue
                }
                // A direct JMP/CALL whose target was decoded in line.
                if op.pointee.marks & DecodedOp.Mark.follows != 0 {
                    op += 1
                    continue
                }
                return op.pointee.kind == .fallback ? .fallback : .next
            }
            if op.pointee.marks & DecodedOp.Mark.last != 0 {
                return op.pointee.kind == .fallback ? .fallback : .next
            }
            op += 1
        }
    }
}
