// The two-byte opcode map (0F xx).

extension CPU {
    func execute0F() throws(CPUFault) {
        let op = try fetch8()
        if lockPrefix {
            let lockable: Bool
            switch op {
            case 0xAB, 0xB3, 0xBB, 0xB0, 0xB1, 0xC0, 0xC1, 0xC7: lockable = true
            case 0xBA: lockable = true  // checked below for /4 (BT)
            default: lockable = false
            }
            if !lockable { throw CPUFault.ud }
        }
        switch op {
        case 0x00: try group6()
        case 0x01: try group7()
        case 0x02, 0x03: try larLsl(isLSL: op == 0x03)
        case 0x06:
            if protectedMode && cpl != 0 { throw CPUFault.gp(0) }
            cr0 &= ~CR0.ts
        case 0x08, 0x09:
            if protectedMode && cpl != 0 { throw CPUFault.gp(0) }
        case 0x0B, 0xB9, 0xFF: throw CPUFault.ud
        case 0x0D, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F:
            // Hint NOPs (NOP Ev; PREFETCH group): decode the operand, do nothing.
            try decodeModRM()
        case 0x20, 0x21, 0x22, 0x23: try moveControlDebug(op)
        case 0x30: try wrmsr()
        case 0x31:
            if cr4 & CR4.tsd != 0 && protectedMode && cpl != 0 { throw CPUFault.gp(0) }
            let t = currentTSC
            regs[0] = UInt32(truncatingIfNeeded: t)
            regs[2] = UInt32(truncatingIfNeeded: t >> 32)
        case 0x32: try rdmsr()
        case 0x33:
            // RDPMC: counters exist but do not count (CR4.PCE gates user access).
            if regs[1] > 1 || (protectedMode && cpl != 0 && cr4 & CR4.pce == 0) { throw CPUFault.gp(0) }
            regs[0] = 0; regs[2] = 0
        case 0x34: try sysenter()
        case 0x35: try sysexit()
        case 0x40...0x4F:
            try decodeModRM()
            let v = try readRMV()
            if condition(Int(op & 0xF)) { setRegV(modrmReg, v) } else if o32 { /* 32-bit dest unchanged */ }
        case 0x80...0x8F:
            let d = try fetchV()
            if condition(Int(op & 0xF)) { try jumpRelative(d) }
        case 0x90...0x9F:
            try decodeModRM()
            try writeRM8(condition(Int(op & 0xF)) ? 1 : 0)
        case 0xA0: try pushSegment(4)
        case 0xA1: try popSegment(4)
        case 0xA2: cpuid()
        case 0xA3: try bitOp(0, immediate: false)
        case 0xA4, 0xA5, 0xAC, 0xAD:
            try decodeModRM()
            let dst = try readRMV()
            let count = op & 1 == 0 ? UInt32(try fetch8()) : UInt32(reg8(1))
            let r = doubleShift(left: op < 0xA8, dst, regV(modrmReg), count)
            if count & 31 != 0 { try writeRMV(r) }
        case 0xA8: try pushSegment(5)
        case 0xA9: try popSegment(5)
        case 0xAB: try bitOp(1, immediate: false)
        case 0xAF:
            try decodeModRM()
            setRegV(modrmReg, imulTrunc(regV(modrmReg), try readRMV()))
        case 0xB0:
            try decodeModRM()
            if lockPrefix && isRegForm { throw CPUFault.ud }
            let d = UInt32(try readRM8())
            let a = UInt32(reg8(0))
            _ = alu(7, a, d, 0)
            if a == d { try writeRM8(reg8(modrmReg)) } else {
                try writeRM8(UInt8(d))  // the destination is always written (locked cycle)
                setReg8(0, UInt8(d))
            }
        case 0xB1:
            try decodeModRM()
            if lockPrefix && isRegForm { throw CPUFault.ud }
            let d = try readRMV()
            let a = regV(0)
            _ = alu(7, a, d, sizeV)
            if a == d { try writeRMV(regV(modrmReg)) } else {
                try writeRMV(d)
                setRegV(0, d)
            }
        case 0xB2: try loadFarPointer(2)
        case 0xB3: try bitOp(2, immediate: false)  // BTR
        case 0xB4: try loadFarPointer(4)
        case 0xB5: try loadFarPointer(5)
        case 0xB6:
            try decodeModRM()
            setRegV(modrmReg, UInt32(try readRM8()))
        case 0xB7:
            try decodeModRM()
            setRegV(modrmReg, UInt32(try readRM16()))
        case 0xBA:
            try decodeModRM()
            let sub = modrmReg
            if sub < 4 { throw CPUFault.ud }
            if lockPrefix && (sub == 4 || isRegForm) { throw CPUFault.ud }
            try bitOp(sub - 4, immediate: true)
        case 0xBB: try bitOp(3, immediate: false)  // BTC
        case 0xBC, 0xBD:
            try decodeModRM()
            let v = try readRMV()
            materializeAll()
            if v == 0 {
                flagsReg |= Flags.zf
            } else {
                flagsReg &= ~Flags.zf
                let r = op == 0xBC ? UInt32(v.trailingZeroBitCount) : UInt32(31 - v.leadingZeroBitCount)
                setRegV(modrmReg, r)
            }
        case 0xBE:
            try decodeModRM()
            setRegV(modrmReg, UInt32(bitPattern: Int32(Int8(bitPattern: try readRM8()))))
        case 0xBF:
            try decodeModRM()
            setRegV(modrmReg, UInt32(bitPattern: Int32(Int16(bitPattern: try readRM16()))))
        case 0xC0:
            try decodeModRM()
            if lockPrefix && isRegForm { throw CPUFault.ud }
            let d = UInt32(try readRM8())
            let s = UInt32(reg8(modrmReg))
            let r = alu(0, d, s, 0)
            setReg8(modrmReg, UInt8(d))
            try writeRM8(UInt8(truncatingIfNeeded: r))
        case 0xC1:
            try decodeModRM()
            if lockPrefix && isRegForm { throw CPUFault.ud }
            let d = try readRMV()
            let s = regV(modrmReg)
            let r = alu(0, d, s, sizeV)
            if isRegForm {
                setRegV(modrmReg, d)
                try writeRMV(r)
            } else {
                try writeRMV(r)
                setRegV(modrmReg, d)
            }
        case 0xC7:
            try decodeModRM()
            if modrmReg != 1 || isRegForm { throw CPUFault.ud }
            let lo = try read32(eaSeg, eaOff)
            let hi = try read32(eaSeg, eaOff &+ 4)
            materializeAll()
            if lo == regs[0] && hi == regs[2] {
                _ = try linearForWrite(eaSeg, eaOff, 7)
                try write32(eaSeg, eaOff, regs[3])
                try write32(eaSeg, eaOff &+ 4, regs[1])
                flagsReg |= Flags.zf
            } else {
                _ = try linearForWrite(eaSeg, eaOff, 7)
                try write32(eaSeg, eaOff, lo)
                try write32(eaSeg, eaOff &+ 4, hi)
                regs[0] = lo
                regs[2] = hi
                flagsReg &= ~Flags.zf
            }
        case 0xC8...0xCF:
            let r = Int(op & 7)
            // BSWAP with a 16-bit operand is undefined; P6 clears the low word.
            if o32 { regs[r] = regs[r].byteSwapped } else { setReg16(r, 0) }
        default:
            throw CPUFault.ud
        }
    }

    /// BT/BTS/BTR/BTC (kind 0/1/2/3). Register bit offsets address memory beyond the operand.
    func bitOp(_ kind: Int, immediate: Bool) throws(CPUFault) {
        if !immediate { try decodeModRM() }
        if lockPrefix && (isRegForm || kind == 0) { throw CPUFault.ud }
        let bits: UInt32 = o32 ? 32 : 16
        var offset: UInt32
        if immediate {
            offset = UInt32(try fetch8()) & (bits - 1)
        } else {
            offset = regV(modrmReg)
        }
        var v: UInt32
        var addrOff = eaOff
        if isRegForm {
            offset &= bits - 1
            v = regV(modrmRM)
        } else {
            if !immediate {
                // Signed bit offset selects the word/dword relative to the operand address.
                let signed = o32 ? Int64(Int32(bitPattern: offset)) : Int64(Int16(truncatingIfNeeded: offset))
                let unitBytes = Int64(bits / 8)
                let unit = signed >> (o32 ? 5 : 4)
                addrOff = UInt32(truncatingIfNeeded: Int64(eaOff) &+ unit &* unitBytes)
                if !a32 { addrOff &= 0xFFFF }
                offset = UInt32(truncatingIfNeeded: signed) & (bits - 1)
            }
            v = try readV(eaSeg, addrOff)
        }
        let mask = UInt32(1) << offset
        let bit = v & mask != 0
        materializeAll()
        if bit { flagsReg |= Flags.cf } else { flagsReg &= ~Flags.cf }
        switch kind {
        case 1: v |= mask
        case 2: v &= ~mask
        case 3: v ^= mask
        default: return
        }
        if isRegForm { setRegV(modrmRM, v) } else { try writeV(eaSeg, addrOff, v) }
    }

    /// Group 6: SLDT STR LLDT LTR VERR VERW.
    func group6() throws(CPUFault) {
        if !protectedMode || v86Mode { throw CPUFault.ud }
        try decodeModRM()
        switch modrmReg {
        case 0:
            if isRegForm { setRegV(modrmRM, UInt32(ldtr.selector)) } else { try write16(eaSeg, eaOff, ldtr.selector) }
        case 1:
            if isRegForm { setRegV(modrmRM, UInt32(tr.selector)) } else { try write16(eaSeg, eaOff, tr.selector) }
        case 2:
            if cpl != 0 { throw CPUFault.gp(0) }
            let sel = try readRM16()
            if sel & 0xFFFC == 0 {
                ldtr = SegmentCache(selector: sel, base: 0, limit: 0, access: 0, flags: 0, usable: false)
                return
            }
            if sel & 4 != 0 { throw CPUFault.gp(UInt32(sel & 0xFFFC)) }
            let d = try readDescriptor(sel)
            if !d.isSystem || d.type != 2 { throw CPUFault.gp(UInt32(sel & 0xFFFC)) }
            if !d.present { throw CPUFault.np(UInt32(sel & 0xFFFC)) }
            ldtr = d.cache(selector: sel)
        case 3:
            if cpl != 0 { throw CPUFault.gp(0) }
            let sel = try readRM16()
            if sel & 0xFFFC == 0 { throw CPUFault.gp(0) }
            if sel & 4 != 0 { throw CPUFault.gp(UInt32(sel & 0xFFFC)) }
            guard let a = descriptorAddress(sel) else { throw CPUFault.gp(UInt32(sel & 0xFFFC)) }
            var d = try readDescriptor(sel)
            if !d.isSystem || (d.type != 1 && d.type != 9) { throw CPUFault.gp(UInt32(sel & 0xFFFC)) }
            if !d.present { throw CPUFault.np(UInt32(sel & 0xFFFC)) }
            d.hi |= 0x200
            try writeSys32(a &+ 4, d.hi)
            tr = d.cache(selector: sel)
        case 4, 5:
            let sel = try readRM16()
            materializeAll()
            var ok = false
            if sel & 0xFFFC != 0, let a = descriptorAddress(sel) {
                let d = Descriptor(lo: try readSys32(a), hi: try readSys32(a &+ 4))
                if !d.isSystem {
                    let privOK = d.isConforming || (d.dpl >= cpl && d.dpl >= Int(sel & 3))
                    if modrmReg == 4 { ok = privOK && d.isReadable } else { ok = privOK && d.isWritable }
                }
            }
            if ok { flagsReg |= Flags.zf } else { flagsReg &= ~Flags.zf }
        default:
            throw CPUFault.ud
        }
    }

    /// Group 7: SGDT SIDT LGDT LIDT SMSW LMSW INVLPG (and VMCALL for hypercalls).
    func group7() throws(CPUFault) {
        try decodeModRM()
        let sub = modrmReg
        if isRegForm {
            if modrm == 0xC1, let h = hypercallHandler {
                // VMCALL: the Hyper-V hypercall page uses it.
                if !h.hypercall(cpu: self) { throw CPUFault.ud }
                return
            }
            if sub == 4 { setRegV(modrmRM, cr0 & (o32 ? 0xFFFF_FFFF : 0xFFFF)); return }
            if sub == 6 {
                if protectedMode && cpl != 0 { throw CPUFault.gp(0) }
                lmsw(reg16(modrmRM))
                return
            }
            throw CPUFault.ud
        }
        switch sub {
        case 0, 1:
            let limit = sub == 0 ? gdtrLimit : idtrLimit
            let base = sub == 0 ? gdtrBase : idtrBase
            _ = try linearForWrite(eaSeg, eaOff, 5)
            try write16(eaSeg, eaOff, UInt16(truncatingIfNeeded: limit))
            // 16-bit operand size stores 24 bits of base (the top byte is 0 on 386+... SDM: undefined, P6 stores 0).
            try write32(eaSeg, eaOff &+ 2, o32 ? base : base & 0x00FF_FFFF)
        case 2, 3:
            if protectedMode && cpl != 0 { throw CPUFault.gp(0) }
            if v86Mode { throw CPUFault.gp(0) }
            let limit = UInt32(try read16(eaSeg, eaOff))
            var base = try read32(eaSeg, eaOff &+ 2)
            if !o32 { base &= 0x00FF_FFFF }
            if sub == 2 { gdtrLimit = limit; gdtrBase = base } else { idtrLimit = limit; idtrBase = base }
        case 4:
            try write16(eaSeg, eaOff, UInt16(truncatingIfNeeded: cr0))
        case 6:
            if protectedMode && cpl != 0 { throw CPUFault.gp(0) }
            lmsw(try read16(eaSeg, eaOff))
        case 7:
            if protectedMode && cpl != 0 { throw CPUFault.gp(0) }
            let s = segs[eaSeg]
            invalidatePage(s.base &+ eaOff)
        default:
            throw CPUFault.ud
        }
    }

    /// LMSW loads PE MP EM TS; it can set PE but never clear it.
    func lmsw(_ v: UInt16) {
        let bits = UInt32(v) & 0xF
        var n = (cr0 & ~0xE) | (bits & 0xE)
        if bits & 1 != 0 { n |= 1 }
        setCR0(n)
    }

    func larLsl(isLSL: Bool) throws(CPUFault) {
        if !protectedMode || v86Mode { throw CPUFault.ud }
        try decodeModRM()
        let sel = try readRM16()
        materializeAll()
        guard sel & 0xFFFC != 0, let a = descriptorAddress(sel) else {
            flagsReg &= ~Flags.zf
            return
        }
        let d = Descriptor(lo: try readSys32(a), hi: try readSys32(a &+ 4))
        var valid: Bool
        if d.isSystem {
            switch d.type {
            case 1, 2, 3, 9, 11: valid = true
            case 4, 5, 12: valid = !isLSL
            default: valid = false
            }
            if valid && (d.dpl < cpl || d.dpl < Int(sel & 3)) { valid = false }
        } else {
            valid = d.isConforming || (d.dpl >= cpl && d.dpl >= Int(sel & 3))
        }
        if !valid {
            flagsReg &= ~Flags.zf
            return
        }
        flagsReg |= Flags.zf
        if isLSL {
            setRegV(modrmReg, d.limit)
        } else {
            setRegV(modrmReg, d.hi & 0x00F0_FF00)
        }
    }

    func moveControlDebug(_ op: UInt8) throws(CPUFault) {
        try decodeModRM()  // mod is ignored: always a register operand
        if protectedMode && cpl != 0 { throw CPUFault.gp(0) }
        let r = modrmRM
        let n = modrmReg
        switch op {
        case 0x20:
            switch n {
            case 0: regs[r] = cr0
            case 2: regs[r] = cr2
            case 3: regs[r] = cr3
            case 4: regs[r] = cr4
            default: throw CPUFault.ud
            }
        case 0x22:
            let v = regs[r]
            switch n {
            case 0:
                if v & CR0.pg != 0 && v & CR0.pe == 0 { throw CPUFault.gp(0) }
                if v & CR0.nw != 0 && v & CR0.cd == 0 { throw CPUFault.gp(0) }
                setCR0(v)
            case 2: cr2 = v
            case 3:
                cr3 = v & 0xFFFF_F018
                flushTLB(includingGlobal: false)
            case 4:
                if v & ~CR4.supported != 0 { throw CPUFault.gp(0) }
                let changed = cr4 ^ v
                cr4 = v
                if changed & (CR4.pse | CR4.pge | CR4.pae) != 0 { flushTLB(includingGlobal: true) }
            default: throw CPUFault.ud
            }
        case 0x21:
            if (n == 4 || n == 5) && cr4 & CR4.de != 0 { throw CPUFault.ud }
            if dr[7] & 0x2000 != 0 { throw generalDetectFault() }
            let idx = n == 4 ? 6 : (n == 5 ? 7 : n)
            regs[r] = idx == 6 ? (dr[6] | 0xFFFF_0FF0) : (idx == 7 ? (dr[7] | 0x400) : dr[idx])
        default:
            if (n == 4 || n == 5) && cr4 & CR4.de != 0 { throw CPUFault.ud }
            if dr[7] & 0x2000 != 0 { throw generalDetectFault() }
            let idx = n == 4 ? 6 : (n == 5 ? 7 : n)
            dr[idx] = regs[r]
        }
    }

    /// DR7.GD: a MOV to or from a debug register is a #DB fault with DR6.BD set. The processor
    /// clears GD on the way into the handler so the handler itself can use the debug registers
    /// (SDM Vol. 3 §17.2.4).
    func generalDetectFault() -> CPUFault {
        dr[6] |= 0x2000
        dr[7] &= ~0x2000
        return .db
    }

    /// Writes CR0 with the side effects of changing PE or PG.
    func setCR0(_ value: UInt32) {
        let old = cr0
        cr0 = value | CR0.et
        refreshAlignmentCheck()
        let changed = old ^ cr0
        if changed & (CR0.pg | CR0.wp | CR0.pe) != 0 {
            flushTLB(includingGlobal: true)
        }
        if changed & CR0.pe != 0 {
            if cr0 & CR0.pe == 0 { cpl = 0; updateTLBPrivilege() }
            refreshAllRights()
            invalidateFetch()
        }
    }

    func sysenter() throws(CPUFault) {
        if !protectedMode || sysenterCS & 0xFFFC == 0 { throw CPUFault.gp(0) }
        flagsReg &= ~(Flags.vm | Flags.if | Flags.rf)
        let cs = UInt16(truncatingIfNeeded: sysenterCS & 0xFFFC)
        segs[1] = SegmentCache(selector: cs, base: 0, limit: 0xFFFF_FFFF, access: 0x9B, flags: 0xC)
        segs[2] = SegmentCache(selector: cs &+ 8, base: 0, limit: 0xFFFF_FFFF, access: 0x93, flags: 0xC)
        cpl = 0
        updateTLBPrivilege()
        refreshAllRights()
        invalidateFetch()
        regs[4] = sysenterESP
        eip = sysenterEIP
    }

    func sysexit() throws(CPUFault) {
        if !protectedMode || v86Mode || cpl != 0 || sysenterCS & 0xFFFC == 0 { throw CPUFault.gp(0) }
        let cs = UInt16(truncatingIfNeeded: (sysenterCS &+ 16) | 3)
        segs[1] = SegmentCache(selector: cs, base: 0, limit: 0xFFFF_FFFF, access: 0xFB, flags: 0xC)
        segs[2] = SegmentCache(selector: cs &+ 8, base: 0, limit: 0xFFFF_FFFF, access: 0xF3, flags: 0xC)
        cpl = 3
        updateTLBPrivilege()
        refreshAllRights()
        invalidateFetch()
        regs[4] = regs[1]
        eip = regs[2]
    }
}
