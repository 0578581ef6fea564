// The decoded-block cache: blocks of pre-decoded instructions keyed by host address and CS.D,
// dropped when their page is written (self-modifying code, DMA).

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
        while count < CPU.maxBlockOps {
            let op = decoder.decode()
            blockOps[first + count] = op
            count += 1
            if op.kind == .fallback { break }
            switch op.kind {
            case .jcc, .jmpRel, .callRel, .ret, .retImm: break
            default:
                if decoder.pos < available { continue }
            }
            break
        }
        // The last op of a block that ran out of bytes mid-instruction is a fallback already.
        blockOpsUsed += count
        if memory.codePage[page] == 0 {
            memory.markCodePage(page)
            dropWriteTranslations(physicalPage: UInt32(page))
        }
        blockTable[slot] = BlockEntry(host: host, page: UInt32(page), generation: memory.codeGeneration[page],
                                      first: Int32(first), count: Int32(count), bytes: UInt16(decoder.pos),
                                      big: big, epoch: blockEpoch)
        return true
    }

    /// Removes cached write translations to `physicalPage`, so writes to it take the slow path
    /// that invalidates decoded code.
    func dropWriteTranslations(physicalPage: UInt32) {
        let n = min(tlbFilledCount, CPU.tlbFilledCapacity)
        for i in 0..<n {
            let p = Int(tlbFilled[i] & 0xF_FFFF)
            if tlbPhysPage[p] == physicalPage {
                tlbWriteSup[p] = 0
                tlbWriteUser[p] = 0
            }
        }
        if tlbFilledCount >= CPU.tlbFilledCapacity {
            // The fill list overflowed: we cannot know every mapping, so drop all write entries.
            tlbWriteSup.update(repeating: 0, count: 1 << 20)
            tlbWriteUser.update(repeating: 0, count: 1 << 20)
        }
    }

    /// Runs decoded ops from the block at CS:EIP. Returns the number of instructions retired, or
    /// -1 when no block applies (the caller then interprets one instruction).
    @inline(__always) func runBlock(budget: Int) -> Int {
        let lin = segs[1].base &+ eip
        let e = tlbR[Int(lin >> 12)]
        if e == 0 { return -1 }
        let host = e &+ Int(lin)
        let big = segs[1].flags & 4 != 0
        let slot = blockSlot(host)
        var entry = blockTable[slot]
        if entry.host != host || entry.big != big || entry.epoch != blockEpoch
            || memory.codeGeneration[Int(entry.page)] != entry.generation {
            if !buildBlock(slot: slot, lin: lin, host: host, big: big) { return -1 }
            entry = blockTable[slot]
        }
        if UInt64(eip) + UInt64(entry.bytes) > UInt64(segs[1].limit) + 1 { return -1 }
        let page = Int(entry.page)
        let generation = entry.generation
        let firstOp = blockOps + Int(entry.first)
        let lastOp = firstOp + Int(entry.count) - 1
        let entryEIP = eip
        var op = firstOp
        var executed = 0
        // Instructions already added to `instructionsRetired` (a loop that stays in this block
        // retires each pass, so virtual time read by a polled device keeps moving).
        var retired = 0
        while true {
            startEIP = eip
            var next = eip &+ UInt32(op.pointee.length)
            if !big { next &= 0xFFFF }
            eip = next
            do {
                try executeDecoded(UnsafePointer(op))
            } catch {
                eip = startEIP
                instructionsRetired &+= UInt64(executed - retired)
                deliverException(error)
                return executed + 1
            }
            executed += 1
            // Leave at the budget, when a store hit this block's page, or when an interrupt,
            // shadow, halt or stop request needs the run loop (interrupt latency is one instruction).
            if executed == budget || memory.codeGeneration[page] != generation
                || events != 0 || (intrLine && flagsReg & Flags.if != 0) { break }
            if eip != next {
                // A taken branch back to this block's start (a loop) stays here.
                // PERF: saves the block lookup per iteration (bench cpu).
                if eip == entryEIP {
                    instructionsRetired &+= UInt64(executed - retired)
                    retired = executed
                    op = firstOp
                    continue
                }
                break
            }
            if op == lastOp { break }
            op += 1
        }
        instructionsRetired &+= UInt64(executed - retired)
        return executed
    }
}
