// Shifts and rotates: group 2 (ROL ROR RCL RCR SHL SHR SAL SAR), SHLD and SHRD.

extension CPU {
    /// Applies group-2 operation `op` to `a` of `size` by `count` (already masked to 5 bits).
    /// A zero count leaves value and flags untouched.
    func shiftRotate(_ op: Int, _ a: UInt32, _ count: UInt32, _ size: Int) -> UInt32 {
        shiftRotateInline(op, a, count, size)
    }

    /// `shiftRotate`, inlined where `op` and `size` are constants (decoded fixed-size shifts).
    @inline(__always) func shiftRotateInline(_ op: Int, _ a: UInt32, _ count: UInt32, _ size: Int) -> UInt32 {
        if count == 0 { return a }
        let bits: UInt32 = size == 0 ? 8 : (size == 1 ? 16 : 32)
        let m = CPU.sizeMask(size)
        let msb: UInt32 = 1 << (bits - 1)
        switch op {
        case 0:  // ROL
            let n = count % bits
            let r = n == 0 ? a : ((a << n) | (a >> (bits - n))) & m
            let c = r & 1 != 0
            materializeAll()
            var f = flagsReg & ~(Flags.cf | Flags.of)
            if c { f |= Flags.cf }
            if ((r & msb) != 0) != c { f |= Flags.of }
            flagsReg = f
            return r
        case 1:  // ROR
            let n = count % bits
            let r = n == 0 ? a : ((a >> n) | (a << (bits - n))) & m
            let c = r & msb != 0
            materializeAll()
            var f = flagsReg & ~(Flags.cf | Flags.of)
            if c { f |= Flags.cf }
            if ((r ^ (r << 1)) & msb) != 0 { f |= Flags.of }
            flagsReg = f
            return r
        case 2:  // RCL
            let n = size == 2 ? count : count % (bits + 1)
            var r = UInt64(a)
            var c: UInt64 = cf ? 1 : 0
            if n != 0 {
                let wide = (c << UInt64(bits)) | r  // bits+1 wide
                let w = UInt64(bits + 1)
                let rot = ((wide << UInt64(n)) | (wide >> (w - UInt64(n)))) & ((1 << w) - 1)
                r = rot & UInt64(m)
                c = rot >> UInt64(bits)
            }
            materializeAll()
            var f = flagsReg & ~(Flags.cf | Flags.of)
            if c != 0 { f |= Flags.cf }
            if ((UInt32(r) & msb) != 0) != (c != 0) { f |= Flags.of }
            flagsReg = f
            return UInt32(r)
        case 3:  // RCR
            let n = size == 2 ? count : count % (bits + 1)
            var r = UInt64(a)
            let cin: UInt64 = cf ? 1 : 0
            var c = cin
            if n != 0 {
                let wide = (cin << UInt64(bits)) | r
                let w = UInt64(bits + 1)
                let rot = ((wide >> UInt64(n)) | (wide << (w - UInt64(n)))) & ((1 << w) - 1)
                r = rot & UInt64(m)
                c = rot >> UInt64(bits)
            }
            materializeAll()
            var f = flagsReg & ~(Flags.cf | Flags.of)
            if c != 0 { f |= Flags.cf }
            let rr = UInt32(r)
            if ((rr ^ (rr << 1)) & msb) != 0 { f |= Flags.of }
            flagsReg = f
            return rr
        case 4, 6:  // SHL/SAL
            let wide = UInt64(a) << UInt64(count)
            let r = UInt32(truncatingIfNeeded: wide) & m
            let c = (wide >> UInt64(bits)) & 1 != 0
            flagsResult(r, size, cf: c, of: ((r & msb) != 0) != c, af: false)
            return r
        case 5:  // SHR
            let c = count <= bits ? (UInt64(a) >> UInt64(count - 1)) & 1 != 0 : false
            let r = count >= bits ? 0 : (a >> count)
            flagsResult(r, size, cf: c, of: a & msb != 0, af: false)
            return r
        default:  // SAR
            let sa: Int64 = size == 0 ? Int64(Int8(truncatingIfNeeded: a)) :
                (size == 1 ? Int64(Int16(truncatingIfNeeded: a)) : Int64(Int32(bitPattern: a)))
            let n = Int64(min(count, 63))
            let c = (sa >> (n - 1)) & 1 != 0
            let r = UInt32(truncatingIfNeeded: sa >> n) & m
            flagsResult(r, size, cf: c, of: false, af: false)
            return r
        }
    }

    /// SHLD/SHRD on operand size: `dst` shifted with bits from `src`, count masked to 5 bits.
    func doubleShift(left: Bool, _ dst: UInt32, _ src: UInt32, _ count: UInt32) -> UInt32 {
        let c5 = count & 31
        if c5 == 0 { return dst }
        if o32 {
            let r: UInt32
            let c: Bool
            if left {
                r = (dst << c5) | (src >> (32 - c5))
                c = (dst >> (32 - c5)) & 1 != 0
            } else {
                r = (dst >> c5) | (src << (32 - c5))
                c = (dst >> (c5 - 1)) & 1 != 0
            }
            flagsResult(r, 2, cf: c, of: ((r ^ dst) & 0x8000_0000) != 0)
            return r
        } else {
            // 16-bit forms with counts > 16 are undefined; P6 shifts the 48-bit pattern
            // dst:src:dst (SHLD) or dst:src:dst read from the other end (SHRD).
            let d = UInt64(dst & 0xFFFF), s = UInt64(src & 0xFFFF)
            let r: UInt32
            let c: Bool
            if left {
                let wide = (d << 32) | (s << 16) | d
                let sh = wide << UInt64(c5)
                r = UInt32(truncatingIfNeeded: sh >> 32) & 0xFFFF
                c = (sh >> 48) & 1 != 0
            } else {
                let pattern = d | (s << 16) | (d << 32)
                let sh = pattern >> UInt64(c5)
                r = UInt32(truncatingIfNeeded: sh) & 0xFFFF
                c = (pattern >> UInt64(c5 - 1)) & 1 != 0
            }
            flagsResult(r, 1, cf: c, of: ((r ^ dst) & 0x8000) != 0)
            return r
        }
    }
}
