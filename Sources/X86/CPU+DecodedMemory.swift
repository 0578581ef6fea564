// Memory access for decoded ops: flat data and stack segments skip the segment checks.

extension CPU {
    /// Bit of `flatWrites`: SS is flat for reads and writes, base 0, and 32-bit (B set), so a
    /// push or pop is ESP -/+ 4 and one linear access.
    static let flatStackBit: UInt8 = 1 << 6

    /// Recomputes `flatReads` / `flatWrites` from ES, SS and DS. Called by `runBlock` before the
    /// decoded ops run; nothing inside `runOps` loads a segment register (MOV/POP Sreg, LDS...,
    /// far transfers and task switches are fallbacks, which end it, and a fault ends it too).
    /// FS, GS and CS take the checked path (`read32` and friends).
    @inline(__always) func refreshFlatSegments() {
        var r: UInt8 = 0, w: UInt8 = 0
        let es = segs[0], ss = segs[2], ds = segs[3]
        if es.base == 0 {
            if es.rights & SegmentCache.flatRead != 0 { r |= 1 << 0 }
            if es.rights & SegmentCache.flatWrite != 0 { w |= 1 << 0 }
        }
        if ss.base == 0 {
            if ss.rights & SegmentCache.flatRead != 0 { r |= 1 << 2 }
            if ss.rights & SegmentCache.flatWrite != 0 {
                w |= 1 << 2
                if r & (1 << 2) != 0 && ss.flags & 4 != 0 { w |= CPU.flatStackBit }
            }
        }
        if ds.base == 0 {
            if ds.rights & SegmentCache.flatRead != 0 { r |= 1 << 3 }
            if ds.rights & SegmentCache.flatWrite != 0 { w |= 1 << 3 }
        }
        flatReads = r
        flatWrites = w
    }

    /// A 32-bit read of decoded op `p`'s memory operand at offset `off`.
    /// PERF: with a flat segment one bit test replaces the segment cache's limit and rights
    /// checks and the base (`scripts/callgrind-cpu.sh`, memory).
    @inline(__always) func opRead32(_ p: UnsafePointer<DecodedOp>, _ off: UInt32) throws(CPUFault) -> UInt32 {
        if _fastPath(flatReads & p.pointee.segBit != 0) { return try readLin32(off) }
        return try read32(Int(p.pointee.seg), off)
    }

    /// A 32-bit write of decoded op `p`'s memory operand at offset `off`.
    @inline(__always) func opWrite32(_ p: UnsafePointer<DecodedOp>, _ off: UInt32, _ v: UInt32) throws(CPUFault) {
        if _fastPath(flatWrites & p.pointee.segBit != 0) {
            try writeLin32(off, v)
            return
        }
        try write32(Int(p.pointee.seg), off, v)
    }

    /// PUSH of a 32-bit value by a decoded op (ESP changes only once the write succeeded).
    @inline(__always) func opPush32(_ v: UInt32) throws(CPUFault) {
        if flatWrites & CPU.flatStackBit != 0 {
            let n = regs[4] &- 4
            try writeLin32(n, v)
            regs[4] = n
            return
        }
        try push32(v)
    }

    /// POP of a 32-bit value by a decoded op.
    @inline(__always) func opPop32() throws(CPUFault) -> UInt32 {
        if flatWrites & CPU.flatStackBit != 0 {
            let v = try readLin32(regs[4])
            regs[4] &+= 4
            return v
        }
        return try pop32()
    }
}
