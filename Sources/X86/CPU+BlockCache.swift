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

    /// Throws away every decoded block (arena recycled). Rare: the arena filled up, or a state
    /// was restored.
    public func flushDecodedBlocks() {
        blockTable.update(repeating: BlockEntry(), count: 1 << CPU.blockTableBits)
        blockOpsUsed = 0
        linkEpoch &+= 1
    }

    /// Links made under a different stamp are stale: since then CS, the privilege level, the
    /// TLB (flush, INVLPG, alignment checking: `invalidateFetch`), the arena or some code page
    /// changed. Code writes are counted by memory; both counters only grow, so equal sums mean
    /// neither moved.
    @inline(__always) var linkStamp: UInt64 { linkEpoch &+ codeWrites.pointee }

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
        // Room for the ops and the closing `.blockEnd`.
        if blockOpsUsed + CPU.maxBlockOps + 1 > CPU.blockOpsCapacity { flushDecodedBlocks() }
        guard let bytes = UnsafePointer<UInt8>(bitPattern: host) else { return false }
        var decoder = InstructionDecoder(bytes: bytes, available: available, big: big)
        let first = blockOpsUsed
        var count = 0
        // One past the furthest byte decoded (targets followed in line lie forward).
        var end = 0
        while count < CPU.maxBlockOps {
            let start = decoder.pos
            var op = decoder.decode()
            // From the instruction's start, not the decoder's position: a fallback has length 0
            // and the decoder may have stopped anywhere inside it.
            op.end = UInt16(start + Int(op.length))
            op.position = UInt8(count)
            op.segBit = 1 << op.seg
            if op.size == 2 && op.kind.isRelativeJump && Int(op.end) &+ Int(Int32(bitPattern: op.imm)) == 0 {
                op.marks |= DecodedOp.Mark.loops
            }
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
        var close = DecodedOp()
        close.kind = .blockEnd
        close.end = blockOps[first + count - 1].end
        close.position = UInt8(count)
        let kept = BlockOptimizer.optimize(blockOps + first, count: count)
        blockOps[first + kept] = close
        // The arena keeps room for every instruction: links are indexed by position.
        blockOpsUsed += count + 1
        // Only the 64-byte lines this block was decoded from count as code: stores to the rest
        // of the page (data next to code) keep the block.
        let wasCode = memory.codePage[page] != 0
        let offset = Int(lin & 0xFFF)
        memory.markCode(page: page, lines: PhysicalMemory.lineMask(fromByte: offset, toByte: offset + max(end, 1) - 1))
        if !wasCode { dropWriteTranslations(physicalPage: UInt32(page)) }
        blockTable[slot] = BlockEntry(key: BlockEntry.key(host: host, big: big), page: UInt32(page),
                                      generation: codeGeneration[page], first: Int32(first),
                                      count: Int32(count), bytes: UInt16(end))
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
        /// The block was left and no next block could start (budget, event, or no block at
        /// CS:EIP): the run loop goes on.
        case next
        /// A fallback op ran (it may have changed CS, TF, breakpoints, IF or INTR): back to the
        /// run loop.
        case fallback
        /// An event needs the run loop.
        case stop
        /// An op faulted; the exception has been delivered.
        case fault
    }

    /// Runs decoded blocks from CS:EIP, going on from block to block while only decoded ops run.
    /// Returns the number of instructions retired, or -1 when no block applies at CS:EIP (the
    /// caller then interprets one instruction).
    @inline(__always) func runBlock(budget: Int) -> Int {
        // With INTR already pending (interrupts were held off for one instruction by STI /
        // MOV SS) exactly one instruction runs: the interpreter's. Otherwise INTR and IF cannot
        // change while decoded ops run: I/O and flag-changing instructions are fallbacks (after
        // which we return to the run loop) and a device reached through memory raises
        // `Event.slowAccess`.
        if intrLine && flagsReg & Flags.if != 0 { return -1 }
        // A pending event keeps `opsLeft` negative, so no block starts.
        opsLeft = events != 0 ? budget | CPU.opsEventBit : budget
        // CS and the privilege level (the TLB pair) change only outside the op loop: a change
        // since the last look makes every link stale.
        let cs = segs[1]
        if cs.base != linkCS.base || cs.limit != linkCS.limit || cs.flags != linkCS.flags || tlbR != linkTLB {
            linkCS = cs
            linkTLB = tlbR
            linkEpoch &+= 1
        }
        refreshFlatSegments()
        guard let first = enterBlock() else { return -1 }
        switch runOps(first) {
        case .next, .fallback, .stop: return budget &- opsRemaining
        case .fault: return budget &- opsRemaining &+ 1
        }
    }

    /// Finds (or decodes) the block at CS:EIP and makes it the running one (`blockEIP`,
    /// `blockCount`); nil when there is none, when it does not lie inside the CS limit, or when
    /// the budget does not cover a whole pass through it (the budget is exact: the interpreter
    /// runs the last few instructions of a slice) or an event is pending.
    /// Out of line: called where a block is left, it keeps the op loop's registers free.
    @inline(never) func enterBlock() -> UnsafeMutablePointer<DecodedOp>? {
        let big = segs[1].flags & 4 != 0
        let lin = segs[1].base &+ eip
        let e = tlbR[Int(lin >> 12)]
        if e == 0 { return nil }
        let host = e &+ Int(lin)
        let slot = blockSlot(host)
        var entry = blockTable[slot]
        if entry.key != BlockEntry.key(host: host, big: big) || codeGeneration[Int(entry.page)] != entry.generation {
            if !buildBlock(slot: slot, lin: lin, host: host, big: big) { return nil }
            entry = blockTable[slot]
        }
        let count = Int(entry.count)
        if opsLeft < count { return nil }
        if UInt64(eip) + UInt64(entry.bytes) > UInt64(segs[1].limit) + 1 { return nil }
        return makeCurrent(first: Int(entry.first), count: count)
    }

    /// Makes the block whose ops start at arena index `first` the running one, at EIP.
    @inline(__always) func makeCurrent(first: Int, count: Int) -> UnsafeMutablePointer<DecodedOp> {
        blockEIP = eip
        blockCount = count
        blockFirstIndex = first
        return blockOps + first
    }

    /// The next block after op `p` left the running one for EIP: through `p`'s link when it is
    /// valid and the budget covers the target block, else through `enterBlock` (and the link
    /// is remade). nil when no block applies.
    @inline(__always) func followLink(_ p: UnsafePointer<DecodedOp>) -> UnsafeMutablePointer<DecodedOp>? {
        let link = blockLinks + (blockFirstIndex &+ Int(p.pointee.position))
        let count = Int(link.pointee.count)
        if link.pointee.target == eip && link.pointee.stamp == linkStamp && opsLeft >= count {
            return makeCurrent(first: Int(link.pointee.first), count: count)
        }
        return relink(link)
    }

    /// `followLink`'s slow path.
    @inline(never) func relink(_ link: UnsafeMutablePointer<BlockLink>) -> UnsafeMutablePointer<DecodedOp>? {
        // The stamp before the lookup: a block built now may mark its page as code, and that
        // cannot bump the counters, but take it first anyway so a link is never newer than its
        // check.
        let stamp = linkStamp
        guard let next = enterBlock() else { return nil }
        link.pointee = BlockLink(target: eip, count: Int32(blockCount), first: Int32(blockFirstIndex), stamp: stamp)
        return next
    }

    /// A taken jump `p` back to the running block's start (`DecodedOp.Mark.loops`): retires the
    /// pass and says whether another starts (the budget covers it and no event is pending);
    /// if not, EIP is the block's start. PERF: the jump cases in `runOps` call it directly, so
    /// the mark is tested once per pass (scripts/callgrind-cpu.sh, alu).
    @_transparent func loopAgain(_ p: UnsafePointer<DecodedOp>) -> Bool {
        retireOps(Int(p.pointee.position) &+ 1)
        if opsLeft >= blockCount { return true }
        eip = blockEIP
        return false
    }

    /// Counts `n` ops of the running block as retired.
    @inline(__always) func retireOps(_ n: Int) {
        instructionsRetired &+= UInt64(truncatingIfNeeded: n)
        opsLeft &-= n
    }

    /// The fall-through address of op `p` of the running block.
    @inline(__always) func nextEIP(_ p: UnsafePointer<DecodedOp>) -> UInt32 {
        blockEIP &+ UInt32(p.pointee.end)
    }
}
