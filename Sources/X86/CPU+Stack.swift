// Stack pushes and pops honouring SS.B (16- or 32-bit stack pointer).

extension CPU {
    @inline(__always) var sp: UInt32 { stackIs32 ? regs[4] : regs[4] & 0xFFFF }

    @inline(__always) func setSP(_ v: UInt32) {
        if stackIs32 { regs[4] = v } else { regs[4] = (regs[4] & 0xFFFF_0000) | (v & 0xFFFF) }
    }

    /// Stack pointer after moving by `delta`, wrapped to the stack width.
    @inline(__always) func spAdding(_ delta: UInt32) -> UInt32 {
        stackIs32 ? regs[4] &+ delta : (regs[4] &+ delta) & 0xFFFF
    }

    @inline(__always) func push16(_ v: UInt16) throws(CPUFault) {
        let n = spAdding(0xFFFF_FFFE)
        try write16(2, n, v)
        setSP(n)
    }
    @inline(__always) func push32(_ v: UInt32) throws(CPUFault) {
        let n = spAdding(0xFFFF_FFFC)
        try write32(2, n, v)
        setSP(n)
    }
    @inline(__always) func pushV(_ v: UInt32) throws(CPUFault) {
        if o32 { try push32(v) } else { try push16(UInt16(truncatingIfNeeded: v)) }
    }
    @inline(__always) func pop16() throws(CPUFault) -> UInt16 {
        let v = try read16(2, sp)
        setSP(spAdding(2))
        return v
    }
    @inline(__always) func pop32() throws(CPUFault) -> UInt32 {
        let v = try read32(2, sp)
        setSP(spAdding(4))
        return v
    }
    @inline(__always) func popV() throws(CPUFault) -> UInt32 {
        o32 ? try pop32() : UInt32(try pop16())
    }
    /// Reads the stack at `sp + offset` without popping.
    @inline(__always) func peekV(_ offset: UInt32) throws(CPUFault) -> UInt32 {
        let a = spAdding(offset)
        return o32 ? try read32(2, a) : UInt32(try read16(2, a))
    }
}
