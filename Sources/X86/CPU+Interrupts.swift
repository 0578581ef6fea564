// Interrupt and exception delivery: IVT (real mode), IDT gates (protected and V86 mode),
// double fault and triple fault (SDM Vol. 3 ch. 6).

extension CPU {
    /// Where an interrupt comes from; decides DPL checks, the EXT bit and V86 handling.
    enum InterruptSource {
        /// External hardware interrupt or NMI.
        case external
        /// A processor exception.
        case exception
        /// INT n.
        case software
        /// INT3 / INTO (software, but never VME-redirected).
        case softwareTrap
        /// INT1 / ICEBP: no DPL check.
        case icebp
    }

    /// INT n / INT3 / INTO, with the V86 IOPL and VME rules.
    func softwareInterrupt(_ vector: UInt8, isINT3: Bool) throws(CPUFault) {
        suppressSingleStep = true
        if v86Mode {
            if !isINT3 && cr4 & CR4.vme != 0 {
                // VME: the redirection bitmap in the TSS (32 bytes below the I/O map base).
                let ioBase = UInt32(try readSys16(tr.base &+ 102))
                let bitAddr = ioBase &- 32 &+ UInt32(vector >> 3)
                if bitAddr <= tr.limit {
                    let bit = try readSys8(tr.base &+ bitAddr) & (1 << (vector & 7))
                    if bit == 0 {
                        try v86RedirectedInterrupt(vector)
                        return
                    }
                } else {
                    throw CPUFault.gp(0)
                }
            }
            // Only INT n is IOPL-sensitive; INT3 and INTO go through the IDT, where the gate's
            // DPL must be 3 (SDM INT n pseudocode: "IF VM = 1 and IOPL < 3 and INT n").
            if !isINT3 && iopl < 3 { throw CPUFault.gp(0) }
        }
        try interrupt(vector, source: isINT3 ? .softwareTrap : .software, errorCode: nil)
    }

    /// VME: an INT n handled through the V86 task's own IVT (SDM §20.3.3, method 5).
    private func v86RedirectedInterrupt(_ vector: UInt8) throws(CPUFault) {
        var f = eflags & 0xFFFF
        if iopl < 3 { f = (f & ~Flags.if) | ((flagsReg & Flags.vif) != 0 ? Flags.if : 0) | Flags.iopl }
        let ip = try readLin16(UInt32(vector) * 4)
        let cs = try readLin16(UInt32(vector) * 4 + 2)
        let a1 = spAdding(0xFFFF_FFFE), a2 = spAdding(0xFFFF_FFFC), a3 = spAdding(0xFFFF_FFFA)
        try write16(2, a1, UInt16(f))
        try write16(2, a2, segs[1].selector)
        try write16(2, a3, UInt16(truncatingIfNeeded: eip))
        setSP(a3)
        loadCSReal(cs)
        eip = UInt32(ip)
        if iopl < 3 { flagsReg &= ~Flags.vif } else { flagsReg &= ~Flags.if }
        flagsReg &= ~(Flags.tf | Flags.rf)
    }

    /// Delivers interrupt `vector`. `eip` must already be the return address (next instruction
    /// for traps and software interrupts, the faulting instruction for faults).
    func interrupt(_ vector: UInt8, source: InterruptSource, errorCode: UInt32?) throws(CPUFault) {
        halted = false
        if !protectedMode {
            try realModeInterrupt(vector)
            return
        }
        let ext: UInt32 = (source == .external || source == .exception || source == .icebp) ? 1 : 0
        do {
            try protectedModeInterrupt(vector, source: source, errorCode: errorCode, ext: ext)
        } catch var fault {
            // A fault while delivering an event external to the program carries EXT (bit 0 of
            // a selector error code) whichever check raised it (SDM Vol. 3 §6.13).
            if ext != 0 && fault.hasErrorCode && fault.vector >= 10 && fault.vector <= 13 {
                fault.errorCode |= 1
            }
            throw fault
        }
    }

    private func protectedModeInterrupt(_ vector: UInt8, source: InterruptSource, errorCode: UInt32?,
                                        ext: UInt32) throws(CPUFault) {
        let idx = UInt32(vector) &* 8
        if idx &+ 7 > idtrLimit { throw CPUFault.gp(idx | 2 | ext) }
        let gate = Descriptor(lo: try readSys32(idtrBase &+ idx), hi: try readSys32(idtrBase &+ idx &+ 4))
        let t = gate.type
        guard gate.isSystem, t == 5 || t == 6 || t == 7 || t == 14 || t == 15 else { throw CPUFault.gp(idx | 2 | ext) }
        if (source == .software || source == .softwareTrap) && gate.dpl < cpl { throw CPUFault.gp(idx | 2) }
        if !gate.present { throw CPUFault.np(idx | 2 | ext) }
        if t == Descriptor.SystemType.taskGate {
            try taskSwitch(to: gate.gateSelector, reason: .interrupt, errorCode: errorCode)
            return
        }
        let gate32 = t >= 14
        let isInterruptGate = t == 6 || t == 14
        let target = gate.gateSelector
        if target & 0xFFFC == 0 { throw CPUFault.gp(ext) }
        let terr = UInt32(target & 0xFFFC) | ext
        var cd = try readDescriptor(target)
        if !cd.isCode || cd.dpl > cpl { throw CPUFault.gp(terr) }
        if !cd.present { throw CPUFault.np(terr) }
        let offset = gate32 ? gate.gateOffset : gate.gateOffset & 0xFFFF
        let oldFlags = eflags
        let oldCS = UInt32(segs[1].selector)
        let oldEIP = eip

        if v86Mode {
            // From virtual-8086 mode only to a non-conforming ring-0 handler.
            if cd.isConforming || cd.dpl != 0 { throw CPUFault.gp(terr) }
            let (newSS, newESP) = try stackFromTSS(level: 0, ext: ext)
            var sp = newESP
            let d = gate32
            try checkStackRoom(newSS, newESP, slots: errorCode == nil ? 9 : 10, dword: d,
                               fault: UInt32(newSS.selector & 0xFFFC) | ext)
            try framePush(newSS, &sp, UInt32(segs[5].selector), dword: d, user: false)
            try framePush(newSS, &sp, UInt32(segs[4].selector), dword: d, user: false)
            try framePush(newSS, &sp, UInt32(segs[3].selector), dword: d, user: false)
            try framePush(newSS, &sp, UInt32(segs[0].selector), dword: d, user: false)
            try framePush(newSS, &sp, UInt32(segs[2].selector), dword: d, user: false)
            try framePush(newSS, &sp, regs[4], dword: d, user: false)
            try framePush(newSS, &sp, oldFlags, dword: d, user: false)
            try framePush(newSS, &sp, oldCS, dword: d, user: false)
            try framePush(newSS, &sp, oldEIP, dword: d, user: false)
            if let e = errorCode { try framePush(newSS, &sp, e, dword: d, user: false) }
            if offset > cd.limit { throw CPUFault.gp(0) }
            try markAccessed(target, &cd)
            flagsReg &= ~(Flags.vm | Flags.tf | Flags.nt | Flags.rf)
            if isInterruptGate { flagsReg &= ~Flags.if }
            for s in [0, 3, 4, 5] {
                segs[s] = SegmentCache(selector: 0, base: 0, limit: 0, access: 0, flags: 0, usable: false)
            }
            segs[2] = newSS
            loadCS(cd, selector: target, cpl: 0)
            refreshAllRights()
            if newSS.big { regs[4] = sp } else { regs[4] = (regs[4] & 0xFFFF_0000) | (sp & 0xFFFF) }
            eip = offset
            return
        }

        if !cd.isConforming && cd.dpl < cpl {
            let newCPL = cd.dpl
            let (newSS, newESP) = try stackFromTSS(level: newCPL, ext: ext)
            var sp = newESP
            let user = newCPL == 3
            try checkStackRoom(newSS, newESP, slots: errorCode == nil ? 5 : 6, dword: gate32,
                               fault: UInt32(newSS.selector & 0xFFFC) | ext)
            try framePush(newSS, &sp, UInt32(segs[2].selector), dword: gate32, user: user)
            try framePush(newSS, &sp, regs[4], dword: gate32, user: user)
            try framePush(newSS, &sp, oldFlags, dword: gate32, user: user)
            try framePush(newSS, &sp, oldCS, dword: gate32, user: user)
            try framePush(newSS, &sp, oldEIP, dword: gate32, user: user)
            if let e = errorCode { try framePush(newSS, &sp, e, dword: gate32, user: user) }
            if offset > cd.limit { throw CPUFault.gp(0) }
            try markAccessed(target, &cd)
            flagsReg &= ~(Flags.tf | Flags.nt | Flags.rf | Flags.vm)
            if isInterruptGate { flagsReg &= ~Flags.if }
            segs[2] = newSS
            refreshRights(2)
            loadCS(cd, selector: target, cpl: newCPL)
            if newSS.big { regs[4] = sp } else { regs[4] = (regs[4] & 0xFFFF_0000) | (sp & 0xFFFF) }
            eip = offset
            return
        }

        // Same privilege level.
        var sp = stackIs32 ? regs[4] : regs[4] & 0xFFFF
        let ss = segs[2]
        let user = cpl == 3
        // Same level: #SS(EXT), not a selector (SDM INT n, INTRA-PRIVILEGE-LEVEL-INTERRUPT).
        try checkStackRoom(ss, sp, slots: errorCode == nil ? 3 : 4, dword: gate32, fault: ext)
        try framePush(ss, &sp, oldFlags, dword: gate32, user: user)
        try framePush(ss, &sp, oldCS, dword: gate32, user: user)
        try framePush(ss, &sp, oldEIP, dword: gate32, user: user)
        if let e = errorCode { try framePush(ss, &sp, e, dword: gate32, user: user) }
        if offset > cd.limit { throw CPUFault.gp(0) }
        try markAccessed(target, &cd)
        flagsReg &= ~(Flags.tf | Flags.nt | Flags.rf | Flags.vm)
        if isInterruptGate { flagsReg &= ~Flags.if }
        loadCS(cd, selector: target, cpl: cpl)
        setSP(sp)
        eip = offset
    }

    private func realModeInterrupt(_ vector: UInt8) throws(CPUFault) {
        let idx = UInt32(vector) &* 4
        if idx &+ 3 > idtrLimit { throw CPUFault.gp(0) }
        let newIP = try readSys16(idtrBase &+ idx)
        let newCS = try readSys16(idtrBase &+ idx &+ 2)
        let f = eflags
        let a1 = spAdding(0xFFFF_FFFE), a2 = spAdding(0xFFFF_FFFC), a3 = spAdding(0xFFFF_FFFA)
        try write16(2, a1, UInt16(truncatingIfNeeded: f))
        try write16(2, a2, segs[1].selector)
        try write16(2, a3, UInt16(truncatingIfNeeded: eip))
        setSP(a3)
        flagsReg &= ~(Flags.if | Flags.tf | Flags.ac | Flags.rf)
        loadCSReal(newCS)
        eip = UInt32(newIP)
    }

    /// Delivers a fault raised by an instruction (EIP already rewound where the manual says),
    /// escalating to #DF and to shutdown (triple fault) per SDM Table 6-5.
    func deliverException(_ fault: CPUFault) {
        var f = fault
        var attempts = 0
        // Fault-class exceptions push RF = 1 so that IRET back to the restarted instruction does
        // not report its instruction breakpoint a second time (SDM Vol. 3 §17.3.1.1). #DB keeps
        // RF as it is (an instruction breakpoint must not set it).
        if CPU.isFaultClass(f.vector) { flagsReg |= Flags.rf }
        while true {
            attempts += 1
            do {
                if f.vector == 1 { dr[6] = (dr[6] & ~0xC00F) | pendingDR6 }
                try interrupt(f.vector, source: .exception, errorCode: f.hasErrorCode ? f.errorCode : nil)
                if f.vector == 1 || f.vector == 3 { pendingDR6 = 0 }
                return
            } catch let g {
                if f.vector == 8 || attempts >= 3 {
                    enterShutdown()
                    return
                }
                let benignFirst = !(f.isContributory || f.vector == 14)
                if !benignFirst && ((f.isContributory && g.isContributory) ||
                                    (f.vector == 14 && (g.vector == 14 || g.isContributory))) {
                    f = CPUFault(vector: 8, errorCode: 0)
                } else {
                    f = g
                }
            }
        }
    }

    /// Vectors whose exceptions are faults (the saved EIP names the faulting instruction).
    static func isFaultClass(_ vector: UInt8) -> Bool {
        switch vector {
        case 0, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17: return true
        default: return false
        }
    }

    func enterShutdown() {
        inShutdown = true
        halted = true
    }
}
