// Protected-mode segment loading: descriptor fetch, privilege checks, accessed bits.

extension CPU {
    /// Linear address of the descriptor for `selector`, or nil when it lies outside its table.
    func descriptorAddress(_ selector: UInt16) -> UInt32? {
        let index = UInt32(selector & 0xFFF8)
        if selector & 4 != 0 {
            if !ldtr.usable || ldtr.selector & 0xFFFC == 0 { return nil }
            if index &+ 7 > ldtr.limit { return nil }
            return ldtr.base &+ index
        }
        if index &+ 7 > gdtrLimit { return nil }
        return gdtrBase &+ index
    }

    /// Reads the descriptor for `selector`; throws `fault` (with the selector as error code) when
    /// it lies outside the table.
    func readDescriptor(_ selector: UInt16, fault: UInt8 = 13) throws(CPUFault) -> Descriptor {
        guard let a = descriptorAddress(selector) else {
            throw CPUFault(vector: fault, errorCode: UInt32(selector & 0xFFFC))
        }
        return Descriptor(lo: try readSys32(a), hi: try readSys32(a &+ 4))
    }

    /// Sets the accessed bit of a code/data descriptor in memory.
    func markAccessed(_ selector: UInt16, _ d: inout Descriptor) throws(CPUFault) {
        if d.hi & 0x100 == 0, let a = descriptorAddress(selector) {
            d.hi |= 0x100
            try writeSys8(a &+ 5, UInt8(truncatingIfNeeded: d.hi >> 8))
        }
    }

    /// MOV/POP/LxS to segment register `s` (never CS) with full checks for the current mode.
    func loadSegment(_ s: Int, _ selector: UInt16) throws(CPUFault) {
        if !protectedMode {
            segs[s].selector = selector
            segs[s].base = UInt32(selector) << 4
            segs[s].usable = true
            refreshRights(s)
            return
        }
        if v86Mode {
            segs[s] = SegmentCache(selector: selector, base: UInt32(selector) << 4, limit: 0xFFFF,
                                   access: 0xF3, flags: 0)
            refreshRights(s)
            return
        }
        let err = UInt32(selector & 0xFFFC)
        let rpl = Int(selector & 3)
        if s == 2 {
            if selector & 0xFFFC == 0 { throw CPUFault.gp(0) }
            var d = try readDescriptor(selector)
            if rpl != cpl || d.dpl != cpl || !d.isWritable { throw CPUFault.gp(err) }
            if !d.present { throw CPUFault.ss(err) }
            try markAccessed(selector, &d)
            segs[2] = d.cache(selector: selector)
        } else {
            if selector & 0xFFFC == 0 {
                segs[s] = SegmentCache(selector: selector, base: 0, limit: 0, access: 0, flags: 0, usable: false)
                refreshRights(s)
                return
            }
            var d = try readDescriptor(selector)
            if d.isSystem || (d.isCode && !d.isReadable) { throw CPUFault.gp(err) }
            if !d.isConforming && (rpl > d.dpl || cpl > d.dpl) { throw CPUFault.gp(err) }
            if !d.present { throw CPUFault.np(err) }
            try markAccessed(selector, &d)
            segs[s] = d.cache(selector: selector)
        }
        refreshRights(s)
    }

    /// Loads CS from a checked descriptor and sets CPL.
    func loadCS(_ d: Descriptor, selector: UInt16, cpl newCPL: Int) {
        var c = d.cache(selector: (selector & 0xFFFC) | UInt16(newCPL))
        c.access |= 1
        segs[1] = c
        if cpl != newCPL {
            cpl = newCPL
            updateTLBPrivilege()
        }
        refreshRights(1)
        invalidateFetch()
    }

    /// Loads CS the real-mode / V86 way.
    func loadCSReal(_ selector: UInt16) {
        segs[1].selector = selector
        segs[1].base = UInt32(selector) << 4
        segs[1].usable = true
        if v86Mode {
            segs[1].limit = 0xFFFF
            segs[1].access = 0xF3
            segs[1].flags = 0
        }
        refreshRights(1)
        invalidateFetch()
    }

    /// LES/LDS/LSS/LFS/LGS: loads a far pointer from memory into `s` and a general register.
    func loadFarPointer(_ s: Int) throws(CPUFault) {
        try decodeModRM()
        if isRegForm { throw CPUFault.ud }
        let off = try readV(eaSeg, eaOff)
        let sel = try read16(eaSeg, eaOff &+ (o32 ? 4 : 2))
        try loadSegment(s, sel)
        setRegV(modrmReg, off)
        // No interrupt shadow: LSS loads SS:ESP at once, which is why the SDM recommends it over
        // MOV SS + MOV ESP (Vol. 3 §6.8.3); only MOV SS and POP SS inhibit interrupts.
    }

    /// After a privilege-lowering return: data segments the new CPL may not use become null.
    func invalidateSegmentsForOuterLevel() {
        for s in [0, 3, 4, 5] {
            let c = segs[s]
            let isConformingCode = c.access & 0x1C == 0x1C
            if c.usable && !isConformingCode && c.dpl < cpl {
                segs[s] = SegmentCache(selector: 0, base: 0, limit: 0, access: 0, flags: 0, usable: false)
                refreshRights(s)
            }
        }
    }
}
