// String instructions (MOVS CMPS STOS LODS SCAS INS OUTS) with REP/REPE/REPNE.

extension CPU {
    /// Iterations a REP string instruction runs before yielding so interrupts can be taken;
    /// the instruction then restarts with the remaining count.
    static let repBatch = 16_384

    @inline(__always) func advanceIndex(_ r: Int, _ delta: UInt32) {
        if a32 { regs[r] = regs[r] &+ delta } else { setReg16(r, UInt16(truncatingIfNeeded: regs[r] &+ delta)) }
    }
    @inline(__always) func index(_ r: Int) -> UInt32 { a32 ? regs[r] : regs[r] & 0xFFFF }

    @inline(__always) func readSized(_ seg: Int, _ off: UInt32, _ size: Int) throws(CPUFault) -> UInt32 {
        switch size {
        case 0: return UInt32(try read8(seg, off))
        case 1: return UInt32(try read16(seg, off))
        default: return try read32(seg, off)
        }
    }
    @inline(__always) func writeSized(_ seg: Int, _ off: UInt32, _ size: Int, _ v: UInt32) throws(CPUFault) {
        switch size {
        case 0: try write8(seg, off, UInt8(truncatingIfNeeded: v))
        case 1: try write16(seg, off, UInt16(truncatingIfNeeded: v))
        default: try write32(seg, off, v)
        }
    }

    func stringOp(_ op: UInt8) throws(CPUFault) {
        let size = op & 1 == 0 ? 0 : sizeV
        let n: UInt32 = size == 0 ? 1 : (size == 1 ? 2 : 4)
        let delta = df ? 0 &- n : n
        let src = dataSeg
        if repPrefix == 0 {
            _ = try stringStep(op, size, delta, src)
            return
        }
        var iterations = 0
        // With TF set every iteration is single-stepped: the trap is taken with EIP still at
        // the REP instruction until the count runs out (SDM Vol. 3 §17.3.1.4).
        let batch = flagsReg & Flags.tf != 0 ? 1 : CPU.repBatch
        while true {
            let count = a32 ? regs[1] : regs[1] & 0xFFFF
            if count == 0 { return }
            if iterations >= batch {
                eip = startEIP
                return
            }
            if batch > 1 && bulkStringsEnabled && delta == n && (op == 0xA4 || op == 0xA5 || op == 0xAA || op == 0xAB) {
                let done = bulkMoveOrStore(op, n, src, count)
                if done > 0 {
                    iterations += Int(done)
                    continue
                }
            }
            let z = try stringStep(op, size, delta, src)
            if a32 { regs[1] = count &- 1 } else { setReg16(1, UInt16(truncatingIfNeeded: count &- 1)) }
            iterations += 1
            if op == 0xA6 || op == 0xA7 || op == 0xAE || op == 0xAF {
                if repPrefix == 0xF3 && !z { return }
                if repPrefix == 0xF2 && z { return }
            }
        }
    }

    /// One iteration; returns ZF for the comparing forms.
    @inline(__always) func stringStep(_ op: UInt8, _ size: Int, _ delta: UInt32, _ src: Int) throws(CPUFault) -> Bool {
        switch op {
        case 0xA4, 0xA5:
            let v = try readSized(src, index(6), size)
            try writeSized(0, index(7), size, v)
            advanceIndex(6, delta)
            advanceIndex(7, delta)
            return false
        case 0xA6, 0xA7:
            let a = try readSized(src, index(6), size)
            let b = try readSized(0, index(7), size)
            let r = (a &- b) & CPU.sizeMask(size)
            flagsSub(a, b, r, size)
            advanceIndex(6, delta)
            advanceIndex(7, delta)
            return r == 0
        case 0xAA, 0xAB:
            try writeSized(0, index(7), size, regs[0])
            advanceIndex(7, delta)
            return false
        case 0xAC, 0xAD:
            let v = try readSized(src, index(6), size)
            switch size {
            case 0: setReg8(0, UInt8(truncatingIfNeeded: v))
            case 1: setReg16(0, UInt16(truncatingIfNeeded: v))
            default: regs[0] = v
            }
            advanceIndex(6, delta)
            return false
        default:  // AE, AF: SCAS
            let a = regs[0] & CPU.sizeMask(size)
            let b = try readSized(0, index(7), size)
            let r = (a &- b) & CPU.sizeMask(size)
            flagsSub(a, b, r, size)
            advanceIndex(7, delta)
            return r == 0
        }
    }

    /// INS/OUTS (6C-6F).
    func stringIO(_ op: UInt8) throws(CPUFault) {
        let size = op & 1 == 0 ? 0 : sizeV
        let n: UInt32 = size == 0 ? 1 : (size == 1 ? 2 : 4)
        let delta = df ? 0 &- n : n
        let port = reg16(2)
        try checkIOPermission(port, Int(n))
        let src = dataSeg
        var iterations = 0
        let batch = flagsReg & Flags.tf != 0 ? 1 : CPU.repBatch
        while true {
            if repPrefix != 0 {
                let count = a32 ? regs[1] : regs[1] & 0xFFFF
                if count == 0 { return }
                if iterations >= batch { eip = startEIP; return }
            }
            if op <= 0x6D {
                // INS: the destination is checked before the port is read.
                _ = try linearForWrite(0, index(7), n - 1)
                let v = ioRead(port, Int(n))
                try writeSized(0, index(7), size, v)
                advanceIndex(7, delta)
            } else {
                let v = try readSized(src, index(6), size)
                ioWrite(port, Int(n), v)
                advanceIndex(6, delta)
            }
            if repPrefix == 0 { return }
            let count = a32 ? regs[1] : regs[1] & 0xFFFF
            if a32 { regs[1] = count &- 1 } else { setReg16(1, UInt16(truncatingIfNeeded: count &- 1)) }
            iterations += 1
        }
    }

    /// Copies or stores as many whole elements of a forward REP MOVS/STOS as fit in the current
    /// source and destination pages, straight between host pages. Returns the element count done,
    /// 0 when this chunk must take the element-by-element path (a fault is possible, a page is
    /// not cached for writing — code pages never are — or an element straddles a page).
    /// PERF: `partita bench cpu` (rep movsd); Linux's memcpy/memset.
    func bulkMoveOrStore(_ op: UInt8, _ n: UInt32, _ srcSeg: Int, _ count: UInt32) -> UInt32 {
        let isMove = op <= 0xA5
        let di = index(7)
        let es = segs[0]
        var maxBytes = UInt64(count) * UInt64(n)
        if !a32 { maxBytes = min(maxBytes, UInt64(0x1_0000 - di)) }
        let dstLin = es.base &+ di
        maxBytes = min(maxBytes, UInt64(0x1000 - (dstLin & 0xFFF)))
        var srcLin: UInt32 = 0
        var si: UInt32 = 0
        if isMove {
            si = index(6)
            if !a32 { maxBytes = min(maxBytes, UInt64(0x1_0000 - si)) }
            srcLin = segs[srcSeg].base &+ si
            maxBytes = min(maxBytes, UInt64(0x1000 - (srcLin & 0xFFF)))
        }
        let elements = UInt32(maxBytes / UInt64(n))
        if elements == 0 { return 0 }
        let bytes = elements * n
        // Segment checks for the whole chunk; any doubt goes to the precise slow path.
        if es.rights & 6 != 2 || !fitsLimit(es, di, bytes - 1) { return 0 }
        let we = tlbW[Int(dstLin >> 12)]
        if we == 0 { return 0 }
        guard let dst = UnsafeMutableRawPointer(bitPattern: we &+ Int(dstLin)) else { return 0 }
        if isMove {
            let ss = segs[srcSeg]
            if ss.rights & 5 != 1 || !fitsLimit(ss, si, bytes - 1) { return 0 }
            let re = tlbR[Int(srcLin >> 12)]
            if re == 0 { return 0 }
            guard let srcPtr = UnsafeRawPointer(bitPattern: re &+ Int(srcLin)) else { return 0 }
            let distance = Int(bitPattern: dst) &- Int(bitPattern: srcPtr)
            if distance > 0 && distance < Int(bytes) {
                // Forward overlap: REP MOVS replicates the pattern element by element.
                let d = dst.assumingMemoryBound(to: UInt8.self)
                let s = srcPtr.assumingMemoryBound(to: UInt8.self)
                for i in 0..<Int(bytes) { d[i] = s[i] }
            } else {
                dst.copyMemory(from: srcPtr, byteCount: Int(bytes))
            }
            advanceIndex(6, bytes)
        } else {
            let v = regs[0]
            switch n {
            case 1: dst.initializeMemory(as: UInt8.self, repeating: UInt8(truncatingIfNeeded: v), count: Int(bytes))
            case 2: for i in 0..<Int(elements) { dst.storeBytes(of: UInt16(truncatingIfNeeded: v), toByteOffset: i * 2, as: UInt16.self) }
            default: for i in 0..<Int(elements) { dst.storeBytes(of: v, toByteOffset: i * 4, as: UInt32.self) }
            }
        }
        advanceIndex(7, bytes)
        if a32 { regs[1] = count &- elements } else { setReg16(1, UInt16(truncatingIfNeeded: count &- elements)) }
        return elements
    }
}
