// Hardware task switching through 16- and 32-bit TSSs (SDM Vol. 3 §7.3).

extension CPU {
    enum TaskSwitchReason { case jump, call, iret, interrupt }

    func taskSwitch(to selector: UInt16, reason: TaskSwitchReason, errorCode: UInt32?) throws(CPUFault) {
        let err = UInt32(selector & 0xFFFC)
        if selector & 4 != 0 {
            throw reason == .iret ? CPUFault.ts(err) : CPUFault.gp(err)
        }
        guard let descAddr = descriptorAddress(selector) else {
            throw reason == .iret ? CPUFault.ts(err) : CPUFault.gp(err)
        }
        var nd = Descriptor(lo: try readSys32(descAddr), hi: try readSys32(descAddr &+ 4))
        let t = nd.type
        if reason == .iret {
            if !nd.isSystem || (t != 3 && t != 11) { throw CPUFault.ts(err) }
        } else {
            if !nd.isSystem || (t != 1 && t != 9) { throw CPUFault.gp(err) }
        }
        if !nd.present { throw CPUFault.np(err) }
        let new32 = t & 8 != 0
        if nd.limit < (new32 ? 0x67 : 0x2B) { throw CPUFault.ts(err) }

        // Save the outgoing task.
        let old32 = tr.access & 8 != 0
        let ob = tr.base
        var savedFlags = eflags
        if reason == .iret { savedFlags &= ~Flags.nt }
        if old32 {
            try writeSys32(ob &+ 0x1C, cr3)
            try writeSys32(ob &+ 0x20, eip)
            try writeSys32(ob &+ 0x24, savedFlags)
            for i in 0..<8 { try writeSys32(ob &+ 0x28 &+ UInt32(i) * 4, regs[i]) }
            for i in 0..<6 { try writeSys16(ob &+ 0x48 &+ UInt32(i) * 4, segs[i].selector) }
        } else {
            try writeSys16(ob &+ 0x0E, UInt16(truncatingIfNeeded: eip))
            try writeSys16(ob &+ 0x10, UInt16(truncatingIfNeeded: savedFlags))
            for i in 0..<8 { try writeSys16(ob &+ 0x12 &+ UInt32(i) * 2, UInt16(truncatingIfNeeded: regs[i])) }
            for i in 0..<4 { try writeSys16(ob &+ 0x22 &+ UInt32(i) * 2, segs[i].selector) }
        }
        if reason == .jump || reason == .iret, let oa = descriptorAddress(tr.selector) {
            let hi = try readSys32(oa &+ 4)
            try writeSys32(oa &+ 4, hi & ~0x200)
        }

        // Read the incoming task's state.
        let nb = nd.base
        var newRegs = [UInt32](repeating: 0, count: 8)
        var newSel = [UInt16](repeating: 0, count: 6)
        let newEIP: UInt32, newFlags: UInt32, ldtSel: UInt16
        var newCR3 = cr3
        if new32 {
            newCR3 = try readSys32(nb &+ 0x1C)
            newEIP = try readSys32(nb &+ 0x20)
            newFlags = try readSys32(nb &+ 0x24)
            for i in 0..<8 { newRegs[i] = try readSys32(nb &+ 0x28 &+ UInt32(i) * 4) }
            for i in 0..<6 { newSel[i] = try readSys16(nb &+ 0x48 &+ UInt32(i) * 4) }
            ldtSel = try readSys16(nb &+ 0x60)
        } else {
            newEIP = UInt32(try readSys16(nb &+ 0x0E))
            newFlags = UInt32(try readSys16(nb &+ 0x10)) | (eflags & 0xFFFF_0000 & ~(Flags.vm | Flags.rf))
            for i in 0..<8 { newRegs[i] = 0xFFFF_0000 | UInt32(try readSys16(nb &+ 0x12 &+ UInt32(i) * 2)) }
            for i in 0..<4 { newSel[i] = try readSys16(nb &+ 0x22 &+ UInt32(i) * 2) }
            ldtSel = try readSys16(nb &+ 0x2A)
        }
        if reason == .call || reason == .interrupt {
            try writeSys16(nb, tr.selector)
        }
        if reason != .iret {
            nd.hi |= 0x200
            try writeSys32(descAddr &+ 4, nd.hi)
        }

        // Commit: from here faults belong to the new task.
        tr = SegmentCache(selector: selector, base: nd.base, limit: nd.limit, access: UInt8(truncatingIfNeeded: nd.hi >> 8) | 2,
                          flags: nd.flags)
        if new32 && pagingEnabled && newCR3 != cr3 {
            cr3 = newCR3
            flushTLB(includingGlobal: false)
        } else if new32 {
            cr3 = newCR3
        }
        for i in 0..<8 { regs[i] = new32 ? newRegs[i] : (regs[i] & 0xFFFF_0000) | (newRegs[i] & 0xFFFF) }
        var f = newFlags
        if reason == .call || reason == .interrupt { f |= Flags.nt }
        eflags = f
        eip = newEIP
        // Faults from here on are reported in the new task's context.
        startEIP = newEIP
        cr0 |= CR0.ts
        // Selectors first (so a fault below shows the new task's values), then checks.
        for i in 0..<6 {
            segs[i].selector = newSel[i]
            segs[i].usable = false
        }
        ldtr.selector = ldtSel
        ldtr.usable = false

        if v86Mode {
            for i in 0..<6 {
                segs[i] = SegmentCache(selector: newSel[i], base: UInt32(newSel[i]) << 4, limit: 0xFFFF, access: 0xF3, flags: 0)
            }
            cpl = 3
        } else {
            cpl = Int(newSel[1] & 3)
        }
        updateTLBPrivilege()
        invalidateFetch()

        // LDT
        if ldtSel & 0xFFFC != 0 {
            if ldtSel & 4 != 0 { throw CPUFault.ts(UInt32(ldtSel & 0xFFFC)) }
            guard let la = descriptorAddress(ldtSel) else { throw CPUFault.ts(UInt32(ldtSel & 0xFFFC)) }
            let ld = Descriptor(lo: try readSys32(la), hi: try readSys32(la &+ 4))
            if !ld.isSystem || ld.type != 2 { throw CPUFault.ts(UInt32(ldtSel & 0xFFFC)) }
            if !ld.present { throw CPUFault.ts(UInt32(ldtSel & 0xFFFC)) }
            ldtr = SegmentCache(selector: ldtSel, base: ld.base, limit: ld.limit, access: ld.access, flags: ld.flags)
        } else {
            ldtr = SegmentCache(selector: ldtSel, base: 0, limit: 0, access: 0, flags: 0, usable: false)
        }

        if !v86Mode {
            // CS
            let csSel = newSel[1]
            if csSel & 0xFFFC == 0 { throw CPUFault.ts(0) }
            var cd = try readDescriptor(csSel, fault: 10)
            if !cd.isCode { throw CPUFault.ts(UInt32(csSel & 0xFFFC)) }
            if cd.isConforming ? cd.dpl > Int(csSel & 3) : cd.dpl != Int(csSel & 3) { throw CPUFault.ts(UInt32(csSel & 0xFFFC)) }
            if !cd.present { throw CPUFault.np(UInt32(csSel & 0xFFFC)) }
            try markAccessed(csSel, &cd)
            segs[1] = cd.cache(selector: csSel)
            // SS
            let ssSel = newSel[2]
            if ssSel & 0xFFFC == 0 { throw CPUFault.ts(0) }
            var sd = try readDescriptor(ssSel, fault: 10)
            if !sd.isWritable || sd.dpl != cpl || Int(ssSel & 3) != cpl { throw CPUFault.ts(UInt32(ssSel & 0xFFFC)) }
            if !sd.present { throw CPUFault.ss(UInt32(ssSel & 0xFFFC)) }
            try markAccessed(ssSel, &sd)
            segs[2] = sd.cache(selector: ssSel)
            for s in [0, 3, 4, 5] {
                let sel = newSel[s]
                if sel & 0xFFFC == 0 {
                    segs[s] = SegmentCache(selector: sel, base: 0, limit: 0, access: 0, flags: 0, usable: false)
                    continue
                }
                var d = try readDescriptor(sel, fault: 10)
                if d.isSystem || (d.isCode && !d.isReadable) { throw CPUFault.ts(UInt32(sel & 0xFFFC)) }
                if !d.isConforming && (Int(sel & 3) > d.dpl || cpl > d.dpl) { throw CPUFault.ts(UInt32(sel & 0xFFFC)) }
                if !d.present { throw CPUFault.np(UInt32(sel & 0xFFFC)) }
                try markAccessed(sel, &d)
                segs[s] = d.cache(selector: sel)
            }
        }
        refreshAllRights()
        if let e = errorCode {
            if new32 { try push32(e) } else { try push16(UInt16(truncatingIfNeeded: e)) }
        }
        if eip > segs[1].limit { throw CPUFault.gp(0) }
        // The T bit of a 32-bit TSS: #DB (DR6.BT) before the new task's first instruction.
        let debugTrap = new32 ? try readSys16(nb &+ 0x64) & 1 != 0 : false
        if debugTrap {
            pendingDR6 |= 0x8000
            throw CPUFault.db
        }
    }
}
