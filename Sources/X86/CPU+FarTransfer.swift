// Far JMP, far CALL (incl. call gates), far RET and IRET in every mode (SDM Vol. 2, Vol. 3 §5.8).

extension CPU {
    /// Does `off..off+last` fit `c`'s limit (expand-up or expand-down)?
    func fitsLimit(_ c: SegmentCache, _ off: UInt32, _ last: UInt32) -> Bool {
        let end = off &+ last
        if c.isExpandDown {
            let top: UInt32 = c.big ? 0xFFFF_FFFF : 0xFFFF
            return off > c.limit && end <= top && end >= off
        }
        return (end <= c.limit && end >= off) || c.limit == 0xFFFF_FFFF
    }

    /// Throws #SS(`fault`) unless `slots` pushes of 2 or 4 bytes below `sp` all fit `ss`'s limit.
    /// Interrupt delivery checks the whole frame before writing any of it (SDM INT n pseudocode).
    func checkStackRoom(_ ss: SegmentCache, _ sp: UInt32, slots: Int, dword: Bool, fault: UInt32) throws(CPUFault) {
        let n: UInt32 = dword ? 4 : 2
        var p = sp
        for _ in 0..<slots {
            p = ss.big ? p &- n : (p &- n) & 0xFFFF
            if !fitsLimit(ss, p, n - 1) { throw CPUFault.ss(fault) }
        }
    }

    /// Pushes onto a stack that is not yet loaded (privilege change); nothing is committed.
    func framePush(_ ss: SegmentCache, _ sp: inout UInt32, _ v: UInt32, dword: Bool, user: Bool) throws(CPUFault) {
        let n: UInt32 = dword ? 4 : 2
        sp = ss.big ? sp &- n : (sp &- n) & 0xFFFF
        if !fitsLimit(ss, sp, n - 1) { throw CPUFault.ss(UInt32(ss.selector & 0xFFFC)) }
        let lin = ss.base &+ sp
        try writeLinSlow(lin, dword ? .dword : .word, v, user: user)
    }

    // MARK: JMP far

    func farJump(selector: UInt16, offset: UInt32) throws(CPUFault) {
        let off = o32 ? offset : offset & 0xFFFF
        if !protectedMode || v86Mode {
            if off > segs[1].limit { throw CPUFault.gp(0) }
            loadCSReal(selector)
            eip = off
            return
        }
        if selector & 0xFFFC == 0 { throw CPUFault.gp(0) }
        let err = UInt32(selector & 0xFFFC)
        var d = try readDescriptor(selector)
        let rpl = Int(selector & 3)
        if !d.isSystem {
            if !d.isCode { throw CPUFault.gp(err) }
            if d.isConforming { if d.dpl > cpl { throw CPUFault.gp(err) } }
            else if rpl > cpl || d.dpl != cpl { throw CPUFault.gp(err) }
            if !d.present { throw CPUFault.np(err) }
            if off > d.limit { throw CPUFault.gp(0) }
            try markAccessed(selector, &d)
            loadCS(d, selector: selector, cpl: cpl)
            eip = off
            return
        }
        switch d.type {
        case Descriptor.SystemType.callGate16, Descriptor.SystemType.callGate32:
            if d.dpl < cpl || d.dpl < rpl { throw CPUFault.gp(err) }
            if !d.present { throw CPUFault.np(err) }
            let target = d.gateSelector
            if target & 0xFFFC == 0 { throw CPUFault.gp(0) }
            let terr = UInt32(target & 0xFFFC)
            var cd = try readDescriptor(target)
            if !cd.isCode { throw CPUFault.gp(terr) }
            if cd.isConforming { if cd.dpl > cpl { throw CPUFault.gp(terr) } }
            else if cd.dpl != cpl { throw CPUFault.gp(terr) }
            if !cd.present { throw CPUFault.np(terr) }
            let goff = d.type == Descriptor.SystemType.callGate32 ? d.gateOffset : d.gateOffset & 0xFFFF
            if goff > cd.limit { throw CPUFault.gp(0) }
            try markAccessed(target, &cd)
            loadCS(cd, selector: target, cpl: cpl)
            eip = goff
        case Descriptor.SystemType.taskGate:
            if d.dpl < cpl || d.dpl < rpl { throw CPUFault.gp(err) }
            if !d.present { throw CPUFault.np(err) }
            try taskSwitch(to: d.gateSelector, reason: .jump, errorCode: nil)
        case Descriptor.SystemType.tss16Available, Descriptor.SystemType.tss32Available:
            if d.dpl < cpl || d.dpl < rpl { throw CPUFault.gp(err) }
            if !d.present { throw CPUFault.np(err) }
            try taskSwitch(to: selector, reason: .jump, errorCode: nil)
        default:
            throw CPUFault.gp(err)
        }
    }

    // MARK: CALL far

    func farCall(selector: UInt16, offset: UInt32) throws(CPUFault) {
        let off = o32 ? offset : offset & 0xFFFF
        if !protectedMode || v86Mode {
            if off > segs[1].limit { throw CPUFault.gp(0) }
            setSP(try writeFarReturnAddress(dword: o32))
            loadCSReal(selector)
            eip = off
            return
        }
        if selector & 0xFFFC == 0 { throw CPUFault.gp(0) }
        let err = UInt32(selector & 0xFFFC)
        var d = try readDescriptor(selector)
        let rpl = Int(selector & 3)
        if !d.isSystem {
            if !d.isCode { throw CPUFault.gp(err) }
            if d.isConforming { if d.dpl > cpl { throw CPUFault.gp(err) } }
            else if rpl > cpl || d.dpl != cpl { throw CPUFault.gp(err) }
            if !d.present { throw CPUFault.np(err) }
            let newSP = try writeFarReturnAddress(dword: o32)
            if off > d.limit { throw CPUFault.gp(0) }
            try markAccessed(selector, &d)
            setSP(newSP)
            loadCS(d, selector: selector, cpl: cpl)
            eip = off
            return
        }
        switch d.type {
        case Descriptor.SystemType.callGate16, Descriptor.SystemType.callGate32:
            if d.dpl < cpl || d.dpl < rpl { throw CPUFault.gp(err) }
            if !d.present { throw CPUFault.np(err) }
            try callGate(d)
        case Descriptor.SystemType.taskGate:
            if d.dpl < cpl || d.dpl < rpl { throw CPUFault.gp(err) }
            if !d.present { throw CPUFault.np(err) }
            try taskSwitch(to: d.gateSelector, reason: .call, errorCode: nil)
        case Descriptor.SystemType.tss16Available, Descriptor.SystemType.tss32Available:
            if d.dpl < cpl || d.dpl < rpl { throw CPUFault.gp(err) }
            if !d.present { throw CPUFault.np(err) }
            try taskSwitch(to: selector, reason: .call, errorCode: nil)
        default:
            throw CPUFault.gp(err)
        }
    }

    private func callGate(_ gate: Descriptor) throws(CPUFault) {
        let target = gate.gateSelector
        if target & 0xFFFC == 0 { throw CPUFault.gp(0) }
        let terr = UInt32(target & 0xFFFC)
        var cd = try readDescriptor(target)
        if !cd.isCode || cd.dpl > cpl { throw CPUFault.gp(terr) }
        if !cd.present { throw CPUFault.np(terr) }
        let gate32 = gate.type == Descriptor.SystemType.callGate32
        let goff = gate32 ? gate.gateOffset : gate.gateOffset & 0xFFFF
        let w: UInt32 = gate32 ? 4 : 2
        if !cd.isConforming && cd.dpl < cpl {
            // Inner privilege: switch to the stack for the new level from the TSS.
            let newCPL = cd.dpl
            let (newSS, newESP) = try stackFromTSS(level: newCPL, ext: 0)
            let oldSS = segs[2], oldESP = regs[4], oldCS = segs[1].selector, oldEIP = eip
            let count = gate.gateParamCount
            var sp = newESP
            let user = newCPL == 3
            try framePush(newSS, &sp, UInt32(oldSS.selector), dword: gate32, user: user)
            try framePush(newSS, &sp, oldESP, dword: gate32, user: user)
            // Parameters are copied from the old stack, highest first.
            if count > 0 {
                for i in (0..<count).reversed() {
                    let srcOff = oldSS.big ? oldESP &+ UInt32(i) &* w : (oldESP &+ UInt32(i) &* w) & 0xFFFF
                    let v = gate32 ? try read32(2, srcOff) : UInt32(try read16(2, srcOff))
                    try framePush(newSS, &sp, v, dword: gate32, user: user)
                }
            }
            try framePush(newSS, &sp, UInt32(oldCS), dword: gate32, user: user)
            try framePush(newSS, &sp, oldEIP, dword: gate32, user: user)
            if goff > cd.limit { throw CPUFault.gp(0) }
            try markAccessed(target, &cd)
            segs[2] = newSS
            refreshRights(2)
            loadCS(cd, selector: target, cpl: newCPL)
            if newSS.big { regs[4] = sp } else { regs[4] = (regs[4] & 0xFFFF_0000) | (sp & 0xFFFF) }
            eip = goff
        } else {
            let newSP = try writeFarReturnAddress(dword: gate32)
            if goff > cd.limit { throw CPUFault.gp(0) }
            try markAccessed(target, &cd)
            setSP(newSP)
            loadCS(cd, selector: target, cpl: cpl)
            eip = goff
        }
    }

    /// Writes a far return address (CS, then EIP) below the stack pointer after checking the
    /// whole frame fits, and returns the new stack pointer without committing it, so a later
    /// check can still fault with ESP unchanged.
    func writeFarReturnAddress(dword: Bool) throws(CPUFault) -> UInt32 {
        let w: UInt32 = dword ? 4 : 2
        let a1 = spAdding(0 &- w), a2 = spAdding(0 &- 2 &* w)
        _ = try linearForWrite(2, a2, 2 &* w &- 1)
        if dword {
            try write32(2, a1, UInt32(segs[1].selector))
            try write32(2, a2, eip)
        } else {
            try write16(2, a1, segs[1].selector)
            try write16(2, a2, UInt16(truncatingIfNeeded: eip))
        }
        return a2
    }

    /// SS:ESP for privilege `level` from the current TSS, checked as a stack segment.
    func stackFromTSS(level: Int, ext: UInt32) throws(CPUFault) -> (SegmentCache, UInt32) {
        let trErr = UInt32(tr.selector & 0xFFFC)
        let is32 = tr.access & 0x8 != 0
        let sel: UInt16
        let esp: UInt32
        if is32 {
            let off = UInt32(4 + level * 8)
            if off &+ 5 > tr.limit { throw CPUFault.ts(trErr | ext) }
            esp = try readSys32(tr.base &+ off)
            sel = try readSys16(tr.base &+ off &+ 4)
        } else {
            let off = UInt32(2 + level * 4)
            if off &+ 3 > tr.limit { throw CPUFault.ts(trErr | ext) }
            esp = UInt32(try readSys16(tr.base &+ off))
            sel = try readSys16(tr.base &+ off &+ 2)
        }
        let err = UInt32(sel & 0xFFFC) | ext
        if sel & 0xFFFC == 0 { throw CPUFault.ts(ext) }
        var d = try readDescriptor(sel, fault: 10)
        if Int(sel & 3) != level || d.dpl != level || !d.isWritable { throw CPUFault.ts(err) }
        if !d.present { throw CPUFault.ss(err) }
        try markAccessed(sel, &d)
        return (d.cache(selector: sel), esp)
    }

    // MARK: RET far

    func farReturn(popBytes: UInt32) throws(CPUFault) {
        let w: UInt32 = o32 ? 4 : 2
        let newEIP = try peekV(0)
        let newCS = UInt16(truncatingIfNeeded: try peekV(w))
        if !protectedMode || v86Mode {
            let target = o32 ? newEIP : newEIP & 0xFFFF
            if target > segs[1].limit { throw CPUFault.gp(0) }
            loadCSReal(newCS)
            eip = target
            setSP(spAdding(2 &* w &+ popBytes))
            return
        }
        if newCS & 0xFFFC == 0 { throw CPUFault.gp(0) }
        let err = UInt32(newCS & 0xFFFC)
        var d = try readDescriptor(newCS)
        let rpl = Int(newCS & 3)
        if !d.isCode || rpl < cpl { throw CPUFault.gp(err) }
        if d.isConforming { if d.dpl > rpl { throw CPUFault.gp(err) } } else if d.dpl != rpl { throw CPUFault.gp(err) }
        if !d.present { throw CPUFault.np(err) }
        let target = o32 ? newEIP : newEIP & 0xFFFF
        if rpl == cpl {
            if target > d.limit { throw CPUFault.gp(0) }
            try markAccessed(newCS, &d)
            loadCS(d, selector: newCS, cpl: cpl)
            eip = target
            setSP(spAdding(2 &* w &+ popBytes))
            return
        }
        // Return to an outer level: the caller's SS:ESP follow the parameters.
        let newESP = try peekV(2 &* w &+ popBytes)
        let newSSsel = UInt16(truncatingIfNeeded: try peekV(3 &* w &+ popBytes))
        let ssErr = UInt32(newSSsel & 0xFFFC)
        if newSSsel & 0xFFFC == 0 { throw CPUFault.gp(0) }
        var sd = try readDescriptor(newSSsel)
        if Int(newSSsel & 3) != rpl || !sd.isWritable || sd.dpl != rpl { throw CPUFault.gp(ssErr) }
        if !sd.present { throw CPUFault.ss(ssErr) }
        if target > d.limit { throw CPUFault.gp(0) }
        try markAccessed(newCS, &d)
        try markAccessed(newSSsel, &sd)
        loadCS(d, selector: newCS, cpl: rpl)
        eip = target
        segs[2] = sd.cache(selector: newSSsel)
        refreshRights(2)
        let finalSP = newESP &+ popBytes
        if sd.big { regs[4] = o32 ? finalSP : finalSP & 0xFFFF } else { regs[4] = (regs[4] & 0xFFFF_0000) | (finalSP & 0xFFFF) }
        invalidateSegmentsForOuterLevel()
    }

    // MARK: IRET

    func iret() throws(CPUFault) {
        let w: UInt32 = o32 ? 4 : 2
        if !protectedMode {
            let newEIP = try peekV(0)
            let newCS = UInt16(truncatingIfNeeded: try peekV(w))
            let newFlags = try peekV(2 &* w)
            let target = o32 ? newEIP : newEIP & 0xFFFF
            if target > segs[1].limit { throw CPUFault.gp(0) }
            loadCSReal(newCS)
            eip = target
            setSP(spAdding(3 &* w))
            if o32 {
                writeFlags(newFlags, mask: Flags.writable & ~(Flags.vm | Flags.vif | Flags.vip))
            } else {
                writeFlags(newFlags, mask: 0xFFFF & Flags.writable)
            }
            return
        }
        if v86Mode {
            if iopl < 3 {
                if cr4 & CR4.vme != 0 && !o32 {
                    let newEIP = try peekV(0)
                    let newCS = UInt16(truncatingIfNeeded: try peekV(2))
                    let newFlags = try peekV(4)
                    if (newFlags & Flags.if != 0 && flagsReg & Flags.vip != 0) || newFlags & Flags.tf != 0 {
                        throw CPUFault.gp(0)
                    }
                    loadCSReal(newCS)
                    eip = newEIP & 0xFFFF
                    setSP(spAdding(6))
                    writeFlags(newFlags, mask: 0xFFFF & Flags.writable & ~(Flags.iopl | Flags.if))
                    if newFlags & Flags.if != 0 { flagsReg |= Flags.vif } else { flagsReg &= ~Flags.vif }
                    return
                }
                throw CPUFault.gp(0)
            }
            let newEIP = try peekV(0)
            let newCS = UInt16(truncatingIfNeeded: try peekV(w))
            let newFlags = try peekV(2 &* w)
            let target = o32 ? newEIP : newEIP & 0xFFFF
            if target > segs[1].limit { throw CPUFault.gp(0) }
            loadCSReal(newCS)
            eip = target
            setSP(spAdding(3 &* w))
            let mask = (o32 ? Flags.writable : 0xFFFF & Flags.writable) & ~(Flags.iopl | Flags.vm | Flags.vif | Flags.vip)
            writeFlags(newFlags, mask: mask)
            return
        }
        if flagsReg & Flags.nt != 0 {
            let link = try readSys16(tr.base)
            try taskSwitch(to: link, reason: .iret, errorCode: nil)
            return
        }
        let newEIP = try peekV(0)
        let newCS = UInt16(truncatingIfNeeded: try peekV(w))
        let newFlags = try peekV(2 &* w)
        if o32 && newFlags & Flags.vm != 0 && cpl == 0 {
            try iretToV86(eip: newEIP, cs: newCS, flags: newFlags)
            return
        }
        if newCS & 0xFFFC == 0 { throw CPUFault.gp(0) }
        let err = UInt32(newCS & 0xFFFC)
        var d = try readDescriptor(newCS)
        let rpl = Int(newCS & 3)
        if !d.isCode || rpl < cpl { throw CPUFault.gp(err) }
        if d.isConforming { if d.dpl > rpl { throw CPUFault.gp(err) } } else if d.dpl != rpl { throw CPUFault.gp(err) }
        if !d.present { throw CPUFault.np(err) }
        let target = o32 ? newEIP : newEIP & 0xFFFF
        var mask: UInt32 = Flags.arith | Flags.tf | Flags.df | Flags.nt
        if o32 { mask |= Flags.rf | Flags.ac | Flags.id }
        if cpl == 0 { mask |= Flags.iopl; if o32 { mask |= Flags.vif | Flags.vip } }
        if cpl <= iopl { mask |= Flags.if }
        if rpl == cpl {
            if target > d.limit { throw CPUFault.gp(0) }
            try markAccessed(newCS, &d)
            loadCS(d, selector: newCS, cpl: cpl)
            eip = target
            setSP(spAdding(3 &* w))
            writeFlags(newFlags, mask: mask)
            return
        }
        let newESP = try peekV(3 &* w)
        let newSSsel = UInt16(truncatingIfNeeded: try peekV(4 &* w))
        let ssErr = UInt32(newSSsel & 0xFFFC)
        if newSSsel & 0xFFFC == 0 { throw CPUFault.gp(0) }
        var sd = try readDescriptor(newSSsel)
        if Int(newSSsel & 3) != rpl || !sd.isWritable || sd.dpl != rpl { throw CPUFault.gp(ssErr) }
        if !sd.present { throw CPUFault.ss(ssErr) }
        if target > d.limit { throw CPUFault.gp(0) }
        try markAccessed(newCS, &d)
        try markAccessed(newSSsel, &sd)
        writeFlags(newFlags, mask: mask)
        loadCS(d, selector: newCS, cpl: rpl)
        eip = target
        segs[2] = sd.cache(selector: newSSsel)
        refreshRights(2)
        if sd.big { regs[4] = newESP } else { regs[4] = (regs[4] & 0xFFFF_0000) | (newESP & 0xFFFF) }
        invalidateSegmentsForOuterLevel()
    }

    /// IRET from CPL 0 to virtual-8086 mode (SDM IRET "RETURN-TO-VIRTUAL-8086-MODE").
    private func iretToV86(eip newEIP: UInt32, cs newCS: UInt16, flags newFlags: UInt32) throws(CPUFault) {
        let newESP = try peekV(12)
        let ss = UInt16(truncatingIfNeeded: try peekV(16))
        let es = UInt16(truncatingIfNeeded: try peekV(20))
        let ds = UInt16(truncatingIfNeeded: try peekV(24))
        let fs = UInt16(truncatingIfNeeded: try peekV(28))
        let gs = UInt16(truncatingIfNeeded: try peekV(32))
        eflags = newFlags
        flagsReg |= Flags.vm
        for (s, sel) in [(0, es), (2, ss), (3, ds), (4, fs), (5, gs)] {
            segs[s] = SegmentCache(selector: sel, base: UInt32(sel) << 4, limit: 0xFFFF, access: 0xF3, flags: 0)
        }
        segs[1] = SegmentCache(selector: newCS, base: UInt32(newCS) << 4, limit: 0xFFFF, access: 0xF3, flags: 0)
        cpl = 3
        updateTLBPrivilege()
        refreshAllRights()
        invalidateFetch()
        regs[4] = newESP
        eip = newEIP & 0xFFFF
    }
}
