// Paging (4 KiB and 4 MiB pages, PGE, CR0.WP, A/D bits) and the soft TLB.

import EmulatorCore

extension CPU {
    /// Drops cached translations. With `includingGlobal` false, entries of global pages survive
    /// (a CR3 write with CR4.PGE set).
    /// The fill list (`tlbFilled`) names every linear page that has entries (`translate` keeps
    /// it complete), so flushes and invalidations visit just those pages.
    public func flushTLB(includingGlobal: Bool) {
        invalidateFetch()
        var kept = 0
        let keepGlobal = !includingGlobal && cr4 & CR4.pge != 0
        for i in 0..<tlbFilledCount {
            let e = tlbFilled[i]
            if keepGlobal && e & CPU.tlbGlobalBit != 0 {
                tlbFilled[kept] = e
                kept += 1
                continue
            }
            let p = Int(e & 0xF_FFFF)
            tlbReadSup[p] = 0; tlbWriteSup[p] = 0; tlbReadUser[p] = 0; tlbWriteUser[p] = 0
        }
        tlbFilledCount = kept
    }

    /// INVLPG: drops the translation of one linear page (global or not).
    func invalidatePage(_ linear: UInt32) {
        let p = Int(linear >> 12)
        tlbReadSup[p] = 0; tlbWriteSup[p] = 0; tlbReadUser[p] = 0; tlbWriteUser[p] = 0
        invalidateFetch()
    }

    /// Selects the TLB pair for the current privilege level.
    func updateTLBPrivilege() {
        if cpl == 3 { tlbR = tlbReadUser; tlbW = tlbWriteUser } else { tlbR = tlbReadSup; tlbW = tlbWriteSup }
        refreshAlignmentCheck()
    }

    /// Alignment checking (#AC) is on at CPL 3 with CR0.AM and EFLAGS.AC. While it is, user
    /// pages get no TLB entries, so every user access takes the slow path, which checks
    /// alignment; the fast paths stay check-free (SDM Vol. 3 §6.15, interrupt 17).
    func refreshAlignmentCheck() {
        let active = cpl == 3 && cr0 & CR0.am != 0 && flagsReg & Flags.ac != 0
        if active == alignmentCheckActive { return }
        alignmentCheckActive = active
        if active {
            for i in 0..<tlbFilledCount {
                let p = Int(tlbFilled[i] & 0xF_FFFF)
                tlbReadUser[p] = 0
                tlbWriteUser[p] = 0
            }
            invalidateFetch()
        }
    }

    /// Walks the page tables for `linear`, setting accessed/dirty bits, and returns the physical
    /// address. Throws #PF (with CR2 set) when the walk or the permission check fails.
    /// Also installs a TLB entry for RAM/ROM pages.
    func translate(_ linear: UInt32, write: Bool, user: Bool) throws(CPUFault) -> UInt32 {
        var phys: UInt32
        var writable = true
        var global = false
        if !pagingEnabled {
            phys = linear
        } else {
            let pdeAddr = (cr3 & 0xFFFF_F000) | ((linear >> 20) & 0xFFC)
            var pde = memory.read(GuestPhysicalAddress(pdeAddr), width: .dword)
            let uBit: UInt32 = user ? 4 : 0
            let wBit: UInt32 = write ? 2 : 0
            if pde & 1 == 0 { throw pageFault(linear, code: uBit | wBit) }
            if pde & 0x80 != 0 && cr4 & CR4.pse != 0 {
                // 4 MiB page.
                let canWrite = pde & 2 != 0
                let canUser = pde & 4 != 0
                if user && !canUser { throw pageFault(linear, code: 1 | uBit | wBit) }
                if write && !canWrite && (user || cr0 & CR0.wp != 0) { throw pageFault(linear, code: 1 | uBit | wBit) }
                var npde = pde | 0x20
                if write { npde |= 0x40 }
                if npde != pde { memory.write(GuestPhysicalAddress(pdeAddr), width: .dword, value: npde); pde = npde }
                phys = (pde & 0xFFC0_0000) | (linear & 0x3F_FFFF)
                writable = (canWrite || (!user && cr0 & CR0.wp == 0)) && pde & 0x40 != 0
                global = pde & 0x100 != 0
            } else {
                let pteAddr = (pde & 0xFFFF_F000) | ((linear >> 10) & 0xFFC)
                var pte = memory.read(GuestPhysicalAddress(pteAddr), width: .dword)
                if pte & 1 == 0 { throw pageFault(linear, code: uBit | wBit) }
                let canWrite = pde & 2 != 0 && pte & 2 != 0
                let canUser = pde & 4 != 0 && pte & 4 != 0
                if user && !canUser { throw pageFault(linear, code: 1 | uBit | wBit) }
                if write && !canWrite && (user || cr0 & CR0.wp != 0) { throw pageFault(linear, code: 1 | uBit | wBit) }
                if pde & 0x20 == 0 { memory.write(GuestPhysicalAddress(pdeAddr), width: .dword, value: pde | 0x20) }
                var npte = pte | 0x20
                if write { npte |= 0x40 }
                if npte != pte { memory.write(GuestPhysicalAddress(pteAddr), width: .dword, value: npte); pte = npte }
                phys = (pte & 0xFFFF_F000) | (linear & 0xFFF)
                writable = (canWrite || (!user && cr0 & CR0.wp == 0)) && pte & 0x40 != 0
                global = pte & 0x100 != 0
            }
        }
        phys &= memory.a20Mask
        if let page = memory.hostPage(phys), !(dataBreakpointsArmed && pageHasDataBreakpoint(linear)) {
            let entry = Int(bitPattern: page.pointer) &- Int(linear & 0xFFFF_F000)
            if entry != 0 {
                let p = Int(linear >> 12)
                // The fill list names every linear page with entries, so invalidations can visit
                // just those. A page already listed (a refill after its write entry was dropped)
                // is not listed again; a full list is emptied by a full flush here, once, rather
                // than leaving every later invalidation to wipe whole tables.
                // PERF: code and data in one page (helper-measured 40x slowdown before).
                let listed = tlbReadSup[p] != 0 || tlbReadUser[p] != 0 || tlbWriteSup[p] != 0 || tlbWriteUser[p] != 0
                if !listed {
                    if tlbFilledCount >= CPU.tlbFilledCapacity { flushTLB(includingGlobal: true) }
                    tlbFilled[tlbFilledCount] = UInt32(p) | (global ? CPU.tlbGlobalBit : 0)
                    tlbFilledCount += 1
                }
                tlbPhysPage[p] = phys >> 12
                // Pages holding decoded code get no write translation: their writes must take
                // the slow path, which invalidates the decoded blocks.
                let canCacheWrite = writable && page.writable && memory.codePage[Int(phys >> 12)] == 0
                if user {
                    if !alignmentCheckActive {
                        tlbReadUser[p] = entry
                        if canCacheWrite { tlbWriteUser[p] = entry }
                    }
                } else {
                    tlbReadSup[p] = entry
                    if canCacheWrite { tlbWriteSup[p] = entry }
                }
            }
        }
        return phys
    }

    @inline(never) func pageFault(_ linear: UInt32, code: UInt32) -> CPUFault {
        cr2 = linear
        return .pf(code)
    }
}

/// CR0 bits.
public enum CR0 {
    public static let pe: UInt32 = 1 << 0
    public static let mp: UInt32 = 1 << 1
    public static let em: UInt32 = 1 << 2
    public static let ts: UInt32 = 1 << 3
    public static let et: UInt32 = 1 << 4
    public static let ne: UInt32 = 1 << 5
    public static let wp: UInt32 = 1 << 16
    public static let am: UInt32 = 1 << 18
    public static let nw: UInt32 = 1 << 29
    public static let cd: UInt32 = 1 << 30
    public static let pg: UInt32 = 1 << 31
}

/// CR4 bits.
public enum CR4 {
    public static let vme: UInt32 = 1 << 0
    public static let pvi: UInt32 = 1 << 1
    public static let tsd: UInt32 = 1 << 2
    public static let de: UInt32 = 1 << 3
    public static let pse: UInt32 = 1 << 4
    public static let pae: UInt32 = 1 << 5
    public static let mce: UInt32 = 1 << 6
    public static let pge: UInt32 = 1 << 7
    public static let pce: UInt32 = 1 << 8
    /// Bits this CPU accepts in CR4 (no PAE, no OSFXSR).
    public static let supported: UInt32 = vme | pvi | tsd | de | pse | mce | pge | pce
}

extension CPU {
    /// The physical address a supervisor data access to `linear` reaches (the linear address
    /// itself without paging), or nil when the page walk faults. For firmware services that read
    /// a caller's buffers: a failed walk leaves CR2 as it was.
    public func physicalAddress(ofLinear linear: UInt32, write: Bool) -> UInt32? {
        guard pagingEnabled else { return linear }
        let savedCR2 = cr2
        do { return try translate(linear, write: write, user: false) } catch {
            cr2 = savedCR2
            return nil
        }
    }
}
