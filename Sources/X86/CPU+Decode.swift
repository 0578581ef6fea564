// Instruction fetch through the fetch window, and ModR/M + SIB effective-address decoding.

import EmulatorCore

extension CPU {
    // MARK: Fetch

    /// Forgets the fetch window (after CS, paging or mapping changes), and the block links.
    @inline(__always) func invalidateFetch() {
        fetchLen = 0
        linkEpoch &+= 1
    }

    @inline(__always) func fetch8() throws(CPUFault) -> UInt8 {
        if eip &- fetchStart < fetchLen {
            let b = UnsafeRawPointer(bitPattern: fetchHostBase &+ Int(eip)).unsafelyUnwrapped.load(as: UInt8.self)
            eip &+= 1
            return b
        }
        return try fetchSlow8()
    }

    @inline(__always) func fetch16() throws(CPUFault) -> UInt16 {
        if fetchLen >= 2 && eip &- fetchStart <= fetchLen &- 2 {
            let v = UnsafeRawPointer(bitPattern: fetchHostBase &+ Int(eip)).unsafelyUnwrapped.loadUnaligned(as: UInt16.self)
            eip &+= 2
            return v
        }
        let lo = UInt16(try fetchSlow8())
        let hi = UInt16(try fetch8())
        return lo | hi << 8
    }

    @inline(__always) func fetch32() throws(CPUFault) -> UInt32 {
        if fetchLen >= 4 && eip &- fetchStart <= fetchLen &- 4 {
            let v = UnsafeRawPointer(bitPattern: fetchHostBase &+ Int(eip)).unsafelyUnwrapped.loadUnaligned(as: UInt32.self)
            eip &+= 4
            return v
        }
        let lo = UInt32(try fetch16())
        let hi = UInt32(try fetch16())
        return lo | hi << 16
    }

    /// Operand-size immediate.
    @inline(__always) func fetchV() throws(CPUFault) -> UInt32 {
        o32 ? try fetch32() : UInt32(try fetch16())
    }

    @inline(never)
    func fetchSlow8() throws(CPUFault) -> UInt8 {
        let cs = segs[1]
        if eip > cs.limit { throw CPUFault.gp(0) }
        let lin = cs.base &+ eip
        let user = cpl == 3
        var e = (user ? tlbReadUser : tlbReadSup)[Int(lin >> 12)]
        if e == 0 {
            _ = try translate(lin, write: false, user: user)
            e = (user ? tlbReadUser : tlbReadSup)[Int(lin >> 12)]
        }
        if e == 0 {
            // MMIO or unmapped: no window, byte by byte.
            let pa = try translate(lin, write: false, user: user)
            eip &+= 1
            return UInt8(truncatingIfNeeded: memory.read(GuestPhysicalAddress(pa), width: .byte))
        }
        let pageOff = lin & 0xFFF
        var start: UInt32, len: UInt32
        if eip >= pageOff { start = eip &- pageOff; len = 0x1000 } else { start = eip; len = 0x1000 &- pageOff }
        if UInt64(start) + UInt64(len) - 1 > UInt64(cs.limit) { len = cs.limit &- start &+ 1 }
        fetchStart = start
        fetchLen = len
        // host address of eip = e + lin = e + cs.base + eip
        fetchHostBase = e &+ Int(cs.base)
        let b = UnsafeRawPointer(bitPattern: fetchHostBase &+ Int(eip)).unsafelyUnwrapped.load(as: UInt8.self)
        eip &+= 1
        return b
    }

    // MARK: ModR/M

    @inline(__always) var isRegForm: Bool { modrm >= 0xC0 }
    @inline(__always) var modrmReg: Int { (modrm >> 3) & 7 }
    @inline(__always) var modrmRM: Int { modrm & 7 }

    /// Fetches ModR/M (and SIB/displacement) and computes `eaSeg:eaOff` for memory forms.
    @inline(__always) func decodeModRM() throws(CPUFault) {
        let m = Int(try fetch8())
        modrm = m
        if m >= 0xC0 { return }
        if a32 { try decodeEA32(m) } else { try decodeEA16(m) }
    }

    @inline(never) func decodeEA16(_ m: Int) throws(CPUFault) {
        let mod = m >> 6
        let rm = m & 7
        var off: UInt32
        var seg = 3
        switch rm {
        case 0: off = regs[3] &+ regs[6]
        case 1: off = regs[3] &+ regs[7]
        case 2: off = regs[5] &+ regs[6]; seg = 2
        case 3: off = regs[5] &+ regs[7]; seg = 2
        case 4: off = regs[6]
        case 5: off = regs[7]
        case 6:
            if mod == 0 { off = UInt32(try fetch16()) } else { off = regs[5]; seg = 2 }
        default: off = regs[3]
        }
        if mod == 1 {
            off &+= UInt32(bitPattern: Int32(Int8(bitPattern: try fetch8())))
        } else if mod == 2 {
            off &+= UInt32(try fetch16())
        }
        eaOff = off & 0xFFFF
        eaSeg = segOverride >= 0 ? segOverride : seg
    }

    @inline(never) func decodeEA32(_ m: Int) throws(CPUFault) {
        let mod = m >> 6
        let rm = m & 7
        var off: UInt32
        var seg = 3
        if rm == 4 {
            let sib = Int(try fetch8())
            let base = sib & 7
            let index = (sib >> 3) & 7
            let scale = UInt32(sib >> 6)
            if base == 5 && mod == 0 {
                off = try fetch32()
            } else {
                off = regs[base]
                if base == 4 || base == 5 { seg = 2 }
            }
            if index != 4 { off &+= regs[index] << scale }
        } else if rm == 5 && mod == 0 {
            off = try fetch32()
        } else {
            off = regs[rm]
            if rm == 5 { seg = 2 }
        }
        if mod == 1 {
            off &+= UInt32(bitPattern: Int32(Int8(bitPattern: try fetch8())))
        } else if mod == 2 {
            off &+= try fetch32()
        }
        eaOff = off
        eaSeg = segOverride >= 0 ? segOverride : seg
    }

    // MARK: R/M operands

    @inline(__always) func readRM8() throws(CPUFault) -> UInt8 {
        modrm >= 0xC0 ? reg8(modrm & 7) : try read8(eaSeg, eaOff)
    }
    @inline(__always) func writeRM8(_ v: UInt8) throws(CPUFault) {
        if modrm >= 0xC0 { setReg8(modrm & 7, v) } else { try write8(eaSeg, eaOff, v) }
    }
    @inline(__always) func readRM16() throws(CPUFault) -> UInt16 {
        modrm >= 0xC0 ? reg16(modrm & 7) : try read16(eaSeg, eaOff)
    }
    @inline(__always) func writeRM16(_ v: UInt16) throws(CPUFault) {
        if modrm >= 0xC0 { setReg16(modrm & 7, v) } else { try write16(eaSeg, eaOff, v) }
    }
    @inline(__always) func readRM32() throws(CPUFault) -> UInt32 {
        modrm >= 0xC0 ? regs[modrm & 7] : try read32(eaSeg, eaOff)
    }
    @inline(__always) func writeRM32(_ v: UInt32) throws(CPUFault) {
        if modrm >= 0xC0 { regs[modrm & 7] = v } else { try write32(eaSeg, eaOff, v) }
    }
    @inline(__always) func readRMV() throws(CPUFault) -> UInt32 {
        o32 ? try readRM32() : UInt32(try readRM16())
    }
    @inline(__always) func writeRMV(_ v: UInt32) throws(CPUFault) {
        if o32 { try writeRM32(v) } else { try writeRM16(UInt16(truncatingIfNeeded: v)) }
    }
    /// Operand-size code for the lazy-flag helpers: 1 (16-bit) or 2 (32-bit).
    @inline(__always) var sizeV: Int { o32 ? 2 : 1 }
    @inline(__always) var maskV: UInt32 { o32 ? 0xFFFF_FFFF : 0xFFFF }

    /// The segment for string-source and XLAT style implicit DS accesses.
    @inline(__always) var dataSeg: Int { segOverride >= 0 ? segOverride : 3 }
}
