// Segmented and linear memory access: limit/rights checks, the TLB fast path and the slow path.

import EmulatorCore

extension CPU {
    // MARK: Segment checks

    /// Recomputes the access-check bits of segment register `i` from its descriptor and the mode.
    func refreshRights(_ i: Int) {
        var s = segs[i]
        if !protectedMode || v86Mode {
            s.rights = 3
        } else if !s.usable {
            s.rights = 0
        } else if s.access & 0x10 == 0 {
            s.rights = 0
        } else if s.access & 0x08 != 0 {
            s.rights = s.access & 2 != 0 ? 1 : 0  // code: readable or execute-only
        } else {
            s.rights = 1 | (s.access & 2 != 0 ? 2 : 0) | (s.access & 4 != 0 ? 4 : 0)
        }
        s.addFlatBits()
        segs[i] = s
    }

    func refreshAllRights() { for i in 0..<6 { refreshRights(i) } }

    /// Throws the limit/rights fault for `seg`. Out of line so the inlined fast paths stay small
    /// (PERF: a `throw` expands to several blocks at every inlined site).
    @inline(never) func raiseSegmentFault(_ seg: Int) throws(CPUFault) {
        throw seg == 2 ? CPUFault.ss(0) : CPUFault.gp(0)
    }

    /// Linear address of a read of `last + 1` bytes at `seg:off`.
    @inline(__always) func linearForRead(_ seg: Int, _ off: UInt32, _ last: UInt32) throws(CPUFault) -> UInt32 {
        let s = segs[seg]
        // PERF: the flat 4 GiB segment first, one bit test (scripts/callgrind-cpu.sh, memory).
        if s.rights & SegmentCache.flatRead != 0 { return s.base &+ off }
        if s.rights & 5 == 1 {
            let end = off &+ last
            if end <= s.limit && end >= off { return s.base &+ off }
        } else if s.rights & 5 == 5 {
            let top: UInt32 = s.big ? 0xFFFF_FFFF : 0xFFFF
            let end = off &+ last
            if off > s.limit && end <= top && end >= off { return s.base &+ off }
        }
        try raiseSegmentFault(seg)
        return 0
    }

    /// Linear address of a write of `last + 1` bytes at `seg:off`.
    @inline(__always) func linearForWrite(_ seg: Int, _ off: UInt32, _ last: UInt32) throws(CPUFault) -> UInt32 {
        let s = segs[seg]
        if s.rights & SegmentCache.flatWrite != 0 { return s.base &+ off }
        if s.rights & 6 == 2 {
            let end = off &+ last
            if end <= s.limit && end >= off { return s.base &+ off }
        } else if s.rights & 6 == 6 {
            let top: UInt32 = s.big ? 0xFFFF_FFFF : 0xFFFF
            let end = off &+ last
            if off > s.limit && end <= top && end >= off { return s.base &+ off }
        }
        try raiseSegmentFault(seg)
        return 0
    }

    // MARK: Linear access (current privilege)

    @inline(__always) func readLin8(_ lin: UInt32) throws(CPUFault) -> UInt8 {
        let e = tlbR[Int(lin >> 12)]
        if e != 0 {
            return UnsafeRawPointer(bitPattern: e &+ Int(lin)).unsafelyUnwrapped.load(as: UInt8.self)
        }
        return UInt8(truncatingIfNeeded: try readLinSlow(lin, .byte, user: cpl == 3))
    }
    @inline(__always) func readLin16(_ lin: UInt32) throws(CPUFault) -> UInt16 {
        // PERF: the page-crossing test first, then the entry (here and below): two branches
        // rather than both tests folded into flags, as the entry's load cannot move above a
        // branch (scripts/callgrind-cpu.sh, memory).
        if _fastPath(lin & 0xFFF <= 0xFFE), case let e = tlbR[Int(lin >> 12)], _fastPath(e != 0) {
            return UnsafeRawPointer(bitPattern: e &+ Int(lin)).unsafelyUnwrapped.loadUnaligned(as: UInt16.self)
        }
        return UInt16(truncatingIfNeeded: try readLinSlow(lin, .word, user: cpl == 3))
    }
    @inline(__always) func readLin32(_ lin: UInt32) throws(CPUFault) -> UInt32 {
        if _fastPath(lin & 0xFFF <= 0xFFC), case let e = tlbR[Int(lin >> 12)], _fastPath(e != 0) {
            return UnsafeRawPointer(bitPattern: e &+ Int(lin)).unsafelyUnwrapped.loadUnaligned(as: UInt32.self)
        }
        return try readLinSlow(lin, .dword, user: cpl == 3)
    }
    @inline(__always) func writeLin8(_ lin: UInt32, _ v: UInt8) throws(CPUFault) {
        let e = tlbW[Int(lin >> 12)]
        if e != 0 {
            UnsafeMutableRawPointer(bitPattern: e &+ Int(lin)).unsafelyUnwrapped.storeBytes(of: v, as: UInt8.self)
            return
        }
        try writeLinSlow(lin, .byte, UInt32(v), user: cpl == 3)
    }
    @inline(__always) func writeLin16(_ lin: UInt32, _ v: UInt16) throws(CPUFault) {
        if _fastPath(lin & 0xFFF <= 0xFFE), case let e = tlbW[Int(lin >> 12)], _fastPath(e != 0) {
            UnsafeMutableRawPointer(bitPattern: e &+ Int(lin)).unsafelyUnwrapped.storeBytes(of: v, as: UInt16.self)
            return
        }
        try writeLinSlow(lin, .word, UInt32(v), user: cpl == 3)
    }
    @inline(__always) func writeLin32(_ lin: UInt32, _ v: UInt32) throws(CPUFault) {
        if _fastPath(lin & 0xFFF <= 0xFFC), case let e = tlbW[Int(lin >> 12)], _fastPath(e != 0) {
            UnsafeMutableRawPointer(bitPattern: e &+ Int(lin)).unsafelyUnwrapped.storeBytes(of: v, as: UInt32.self)
            return
        }
        try writeLinSlow(lin, .dword, v, user: cpl == 3)
    }

    /// Any-width linear read through page translation; splits page-crossing accesses.
    @inline(never)
    func readLinSlow(_ lin: UInt32, _ width: AccessWidth, user: Bool) throws(CPUFault) -> UInt32 {
        raiseEvent(Event.slowAccess)
        let n = UInt32(width.rawValue)
        if user && alignmentCheckActive && lin & (n - 1) != 0 { throw CPUFault(vector: 17, errorCode: 0) }
        if dataBreakpointsArmed { checkDataBreakpoints(lin, n, write: false) }
        if lin & 0xFFF &+ n > 0x1000 {
            let firstLen = 0x1000 - (lin & 0xFFF)
            let p1 = try translate(lin, write: false, user: user)
            let p2 = try translate(lin &+ firstLen, write: false, user: user)
            var v: UInt32 = 0
            for i in 0..<n {
                let pa = i < firstLen ? p1 &+ i : p2 &+ (i - firstLen)
                v |= memory.read(GuestPhysicalAddress(pa), width: .byte) << (8 * i)
            }
            return v
        }
        let pa = try translate(lin, write: false, user: user)
        return memory.read(GuestPhysicalAddress(pa), width: width)
    }

    @inline(never)
    func writeLinSlow(_ lin: UInt32, _ width: AccessWidth, _ v: UInt32, user: Bool) throws(CPUFault) {
        raiseEvent(Event.slowAccess)
        let n = UInt32(width.rawValue)
        if user && alignmentCheckActive && lin & (n - 1) != 0 { throw CPUFault(vector: 17, errorCode: 0) }
        if dataBreakpointsArmed { checkDataBreakpoints(lin, n, write: true) }
        if lin & 0xFFF &+ n > 0x1000 {
            let firstLen = 0x1000 - (lin & 0xFFF)
            let p1 = try translate(lin, write: true, user: user)
            let p2 = try translate(lin &+ firstLen, write: true, user: user)
            for i in 0..<n {
                let pa = i < firstLen ? p1 &+ i : p2 &+ (i - firstLen)
                memory.write(GuestPhysicalAddress(pa), width: .byte, value: v >> (8 * i))
            }
            return
        }
        let pa = try translate(lin, write: true, user: user)
        memory.write(GuestPhysicalAddress(pa), width: width, value: v)
    }

    /// Checks that a write of `n` bytes at `lin` would not fault, without writing (for
    /// instructions that must not leave partial state, e.g. far CALL pushing several words).
    func probeWrite(_ lin: UInt32, _ n: UInt32) throws(CPUFault) {
        let user = cpl == 3
        _ = try translate(lin, write: true, user: user)
        if (lin & 0xFFF) &+ n > 0x1000 { _ = try translate(lin &+ n &- 1, write: true, user: user) }
    }

    // MARK: System (supervisor) linear access: descriptor tables, TSS, IDT

    func readSys8(_ lin: UInt32) throws(CPUFault) -> UInt8 {
        UInt8(truncatingIfNeeded: try readLinSlow(lin, .byte, user: false))
    }
    func readSys16(_ lin: UInt32) throws(CPUFault) -> UInt16 {
        UInt16(truncatingIfNeeded: try readLinSlow(lin, .word, user: false))
    }
    func readSys32(_ lin: UInt32) throws(CPUFault) -> UInt32 {
        try readLinSlow(lin, .dword, user: false)
    }
    func writeSys8(_ lin: UInt32, _ v: UInt8) throws(CPUFault) {
        try writeLinSlow(lin, .byte, UInt32(v), user: false)
    }
    func writeSys16(_ lin: UInt32, _ v: UInt16) throws(CPUFault) {
        try writeLinSlow(lin, .word, UInt32(v), user: false)
    }
    func writeSys32(_ lin: UInt32, _ v: UInt32) throws(CPUFault) {
        try writeLinSlow(lin, .dword, v, user: false)
    }

    // MARK: Segmented access

    @inline(__always) func read8(_ seg: Int, _ off: UInt32) throws(CPUFault) -> UInt8 {
        try readLin8(try linearForRead(seg, off, 0))
    }
    @inline(__always) func read16(_ seg: Int, _ off: UInt32) throws(CPUFault) -> UInt16 {
        try readLin16(try linearForRead(seg, off, 1))
    }
    @inline(__always) func read32(_ seg: Int, _ off: UInt32) throws(CPUFault) -> UInt32 {
        try readLin32(try linearForRead(seg, off, 3))
    }
    @inline(__always) func write8(_ seg: Int, _ off: UInt32, _ v: UInt8) throws(CPUFault) {
        try writeLin8(try linearForWrite(seg, off, 0), v)
    }
    @inline(__always) func write16(_ seg: Int, _ off: UInt32, _ v: UInt16) throws(CPUFault) {
        try writeLin16(try linearForWrite(seg, off, 1), v)
    }
    @inline(__always) func write32(_ seg: Int, _ off: UInt32, _ v: UInt32) throws(CPUFault) {
        try writeLin32(try linearForWrite(seg, off, 3), v)
    }
    /// Operand-size read/write (16 or 32 bits by `o32`).
    @inline(__always) func readV(_ seg: Int, _ off: UInt32) throws(CPUFault) -> UInt32 {
        o32 ? try read32(seg, off) : UInt32(try read16(seg, off))
    }
    @inline(__always) func writeV(_ seg: Int, _ off: UInt32, _ v: UInt32) throws(CPUFault) {
        if o32 { try write32(seg, off, v) } else { try write16(seg, off, UInt16(truncatingIfNeeded: v)) }
    }

    // MARK: Public helpers for loaders, debuggers and tests

    /// Reads guest-linear memory with supervisor rights (no segmentation). Faults become nil.
    public func peekLinear(_ lin: UInt32, count: Int) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            guard let b = try? readSys8(lin &+ UInt32(i)) else { return nil }
            out.append(b)
        }
        return out
    }
}
