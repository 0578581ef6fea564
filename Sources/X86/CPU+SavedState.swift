// Saved state of the CPU: every guest-visible register, the hidden segment-descriptor caches,
// MSRs, the x87 FPU and the pending-event latches; caches are flushed on restore.

import EmulatorCore

extension CPU: Snapshottable {
    /// Version 1 layout. Built field by field from the CPU, never the CPU object itself.
    ///
    /// Saved: GPRs, EIP, EFLAGS (lazily computed arithmetic flags materialized), the six segment
    /// registers, LDTR and TR with their descriptor caches, GDTR/IDTR, CR0/2/3/4, DR0–DR7, CPL,
    /// the MSR-backed state (TSC offset, SYSENTER, MTRRs, PAT, misc enable, performance counters,
    /// the APIC base used without an MSR handler), the x87 state, the halted / shutdown /
    /// interrupt-shadow / NMI latches, the INTR input level, the debug-status bits gathered for
    /// the next #DB, and the retired-instruction count the TSC and virtual time derive from.
    ///
    /// Not saved, and why:
    /// - the soft TLB, decoded blocks and fetch window: caches, flushed on restore;
    /// - the lazy-flag operands: folded into `eflags`;
    /// - per-instruction decode state, `startEIP`, `suppressSingleStep`, `dataBreakpointHit`,
    ///   the fault-nesting counter: only meaningful inside an instruction, and a snapshot is
    ///   taken between instructions;
    /// - a pending `requestStop()`: a host request, not guest state;
    /// - wiring and configuration (`hasLocalAPIC`, hooks, `decodedBlocksEnabled`);
    /// - the A20 gate: it lives in `PhysicalMemory` and belongs to the devices that drive it
    ///   (port 92, the 8042), which save it.
    public struct SavedState: Codable, Equatable, Sendable {
        /// EAX ECX EDX EBX ESP EBP ESI EDI (x86 encoding order).
        public var gprs: [UInt32]
        public var eip: UInt32
        /// EFLAGS with every lazily computed bit materialized (bit 1 set).
        public var eflags: UInt32
        /// ES CS SS DS FS GS with their descriptor caches.
        public var segments: [Segment]
        /// Local Descriptor Table Register (selector + cached descriptor).
        public var ldtr: Segment
        /// Task Register (selector + cached descriptor).
        public var tr: Segment
        /// Global / Interrupt Descriptor Table Registers.
        public var gdtrBase: UInt32
        public var gdtrLimit: UInt32
        public var idtrBase: UInt32
        public var idtrLimit: UInt32
        public var cr0: UInt32
        public var cr2: UInt32
        public var cr3: UInt32
        public var cr4: UInt32
        /// DR0–DR7 as stored (DR4/DR5 are aliases and hold whatever was last put there).
        public var debugRegisters: [UInt32]
        /// Current privilege level, 0–3.
        public var cpl: Int
        public var halted: Bool
        /// A triple fault happened; the machine has to reset.
        public var inShutdown: Bool
        /// Interrupts wait one instruction (after MOV SS / POP SS / STI).
        public var interruptShadow: Bool
        public var nmiPending: Bool
        /// Level of the INTR input (the interrupt controller drives it; saved so a CPU restored
        /// without one, or before it, sees the same input).
        public var intrLine: Bool
        /// DR6 bits gathered for the next #DB.
        public var pendingDR6: UInt32
        /// Instructions retired: the TSC and virtual time count from it.
        public var instructionsRetired: UInt64
        public var msrs: MSRState
        public var fpu: FPU

        /// A segment register or system segment register with its hidden part. Field meanings
        /// follow `SegmentCache` (`limit` has granularity applied; `rights` is the access-check
        /// summary derived when the register was loaded, kept as it was).
        public struct Segment: Codable, Equatable, Sendable {
            public var selector: UInt16
            public var base: UInt32
            public var limit: UInt32
            public var access: UInt8
            public var flags: UInt8
            public var usable: Bool
            public var rights: UInt8
        }

        /// Model-specific registers this CPU keeps itself (an `MSRHandler` saves its own).
        public struct MSRState: Codable, Equatable, Sendable {
            /// Added to `instructionsRetired` to form the TSC.
            public var tscOffset: UInt64
            public var sysenterCS: UInt32
            public var sysenterESP: UInt32
            public var sysenterEIP: UInt32
            /// IA32_MTRR_DEF_TYPE, the 11 fixed-range MTRRs, the 8 variable base/mask pairs.
            public var mtrrDefType: UInt64
            public var mtrrFixed: [UInt64]
            public var mtrrVariable: [UInt64]
            /// IA32_PAT.
            public var pat: UInt64
            /// IA32_MISC_ENABLE.
            public var miscEnable: UInt64
            /// PerfEvtSel0/1 and PerfCtr0/1.
            public var eventSelect: [UInt64]
            public var perfCounter: [UInt64]
            /// IA32_APIC_BASE as the CPU answers it when no MSR handler (local APIC) does.
            public var apicBaseFallback: UInt64
        }

        /// The x87 state (field meanings follow `FPUState`).
        public struct FPU: Codable, Equatable, Sendable {
            /// Physical registers R0–R7, each the 10 bytes of the m80 format (little-endian
            /// significand, then sign and exponent).
            public var registers: [[UInt8]]
            public var fcw: UInt16
            public var fsw: UInt16
            public var ftw: UInt16
            public var fip: UInt32
            public var fcs: UInt16
            public var fdp: UInt32
            public var fds: UInt16
            public var fop: UInt16
            /// FERR# level. Restoring it does not call `ferrChanged`: the interrupt controller's
            /// IRQ 13 input is restored with the controller.
            public var ferrAsserted: Bool
        }
    }

    public var snapshotSection: String { "cpu" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(
            gprs: (0..<8).map { regs[$0] }, eip: eip, eflags: eflags,
            segments: (0..<6).map { CPU.save(segs[$0]) }, ldtr: CPU.save(ldtr), tr: CPU.save(tr),
            gdtrBase: gdtrBase, gdtrLimit: gdtrLimit, idtrBase: idtrBase, idtrLimit: idtrLimit,
            cr0: cr0, cr2: cr2, cr3: cr3, cr4: cr4, debugRegisters: dr, cpl: cpl,
            halted: halted, inShutdown: inShutdown, interruptShadow: interruptShadow, nmiPending: nmiPending,
            intrLine: intrLine, pendingDR6: pendingDR6, instructionsRetired: instructionsRetired,
            msrs: SavedState.MSRState(
                tscOffset: tscOffset, sysenterCS: sysenterCS, sysenterESP: sysenterESP, sysenterEIP: sysenterEIP,
                mtrrDefType: mtrrDefType, mtrrFixed: mtrrFixed, mtrrVariable: mtrrVariable, pat: pat,
                miscEnable: miscEnable, eventSelect: [eventSelect.0, eventSelect.1],
                perfCounter: [perfCounter.0, perfCounter.1], apicBaseFallback: apicBaseFallback),
            fpu: SavedState.FPU(
                registers: (0..<8).map { fpu.registers[$0].bytes }, fcw: fpu.fcw, fsw: fpu.fsw, ftw: fpu.ftw,
                fip: fpu.fip, fcs: fpu.fcs, fdp: fpu.fdp, fds: fpu.fds, fop: fpu.fop,
                ferrAsserted: fpu.ferrAsserted))
    }

    /// Validates the whole state first (nothing changes if it is refused), installs it, then
    /// rebuilds what is derived from it: breakpoint flags, TLB privilege pair, alignment-check
    /// state; the TLB, decoded blocks and fetch window start empty.
    public func restoreState(_ s: SavedState) throws {
        try validate(s)
        for i in 0..<8 { regs[i] = s.gprs[i] }
        eip = s.eip
        for i in 0..<6 { segs[i] = CPU.restore(s.segments[i]) }
        ldtr = CPU.restore(s.ldtr)
        tr = CPU.restore(s.tr)
        gdtrBase = s.gdtrBase; gdtrLimit = s.gdtrLimit
        idtrBase = s.idtrBase; idtrLimit = s.idtrLimit
        cr0 = s.cr0; cr2 = s.cr2; cr3 = s.cr3; cr4 = s.cr4
        flagsReg = s.eflags
        lazyMask = 0
        cpl = s.cpl
        dr = s.debugRegisters  // didSet recomputes the armed-breakpoint flags
        pendingDR6 = s.pendingDR6
        dataBreakpointHit = false
        suppressSingleStep = false
        deliveringFault = 0

        let m = s.msrs
        tscOffset = m.tscOffset
        sysenterCS = m.sysenterCS; sysenterESP = m.sysenterESP; sysenterEIP = m.sysenterEIP
        mtrrDefType = m.mtrrDefType
        mtrrFixed = m.mtrrFixed
        mtrrVariable = m.mtrrVariable
        pat = m.pat
        miscEnable = m.miscEnable
        eventSelect = (m.eventSelect[0], m.eventSelect[1])
        perfCounter = (m.perfCounter[0], m.perfCounter[1])
        apicBaseFallback = m.apicBaseFallback

        var f = FPUState()
        for r in 0..<8 { f.registers[r] = X87Float(bytes: s.fpu.registers[r]) }
        f.fcw = s.fpu.fcw; f.fsw = s.fpu.fsw; f.ftw = s.fpu.ftw
        f.fip = s.fpu.fip; f.fcs = s.fpu.fcs; f.fdp = s.fpu.fdp; f.fds = s.fpu.fds; f.fop = s.fpu.fop
        f.ferrAsserted = s.fpu.ferrAsserted
        fpu = f

        events = 0
        halted = s.halted
        inShutdown = s.inShutdown
        interruptShadow = s.interruptShadow
        nmiPending = s.nmiPending
        intrLine = s.intrLine
        instructionsRetired = s.instructionsRetired
        startEIP = s.eip

        // Caches: translations and decoded code of the old state must not survive (the RAM
        // under them is usually being replaced too).
        flushTLB(includingGlobal: true)
        alignmentCheckActive = false
        updateTLBPrivilege()
        flushDecodedBlocks()
        invalidateFetch()
    }

    private static func save(_ c: SegmentCache) -> SavedState.Segment {
        SavedState.Segment(selector: c.selector, base: c.base, limit: c.limit, access: c.access, flags: c.flags,
                           usable: c.usable, rights: c.rights & 7)
    }

    private static func restore(_ s: SavedState.Segment) -> SegmentCache {
        var c = SegmentCache(selector: s.selector, base: s.base, limit: s.limit, access: s.access, flags: s.flags,
                             usable: s.usable)
        c.rights = s.rights
        c.addFlatBits()
        return c
    }

    /// Refuses states no P6 could be in, or that this model could not have produced.
    private func validate(_ s: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: reason)
        }
        func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16, uppercase: true) }
        guard s.gprs.count == 8 else { throw fail("\(s.gprs.count) general registers instead of 8") }
        guard s.segments.count == 6 else { throw fail("\(s.segments.count) segment registers instead of 6") }
        guard s.debugRegisters.count == 8 else { throw fail("\(s.debugRegisters.count) debug registers instead of 8") }
        guard s.eflags & 2 != 0, s.eflags & ~(Flags.writable | 2) == 0 else {
            throw fail("EFLAGS \(hex(s.eflags)) has reserved bits wrong")
        }
        guard (0...3).contains(s.cpl) else { throw fail("CPL \(s.cpl) is not 0–3") }
        let protected = s.cr0 & CR0.pe != 0
        if !protected && s.cpl != 0 { throw fail("CPL \(s.cpl) in real mode") }
        if protected && s.eflags & Flags.vm != 0 && s.cpl != 3 { throw fail("CPL \(s.cpl) in virtual-8086 mode") }
        guard s.cr0 & CR0.et != 0 else { throw fail("CR0 \(hex(s.cr0)) has ET clear (it is hard-wired to 1)") }
        guard s.cr0 & CR0.pg == 0 || protected else { throw fail("CR0 \(hex(s.cr0)) enables paging without PE") }
        guard s.cr0 & CR0.nw == 0 || s.cr0 & CR0.cd != 0 else { throw fail("CR0 \(hex(s.cr0)) sets NW without CD") }
        guard s.cr3 & ~0xFFFF_F018 == 0 else { throw fail("CR3 \(hex(s.cr3)) has reserved bits set") }
        guard s.cr4 & ~CR4.supported == 0 else { throw fail("CR4 \(hex(s.cr4)) enables unsupported features") }
        guard s.gdtrLimit <= 0xFFFF, s.idtrLimit <= 0xFFFF else {
            throw fail("descriptor-table limits \(hex(s.gdtrLimit)) / \(hex(s.idtrLimit)) exceed 16 bits")
        }
        for (name, seg) in zip(["ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR"], s.segments + [s.ldtr, s.tr]) {
            guard seg.flags <= 0xF, seg.rights <= 7 else {
                throw fail("\(name) cache has flags \(seg.flags) / rights \(seg.rights) out of range")
            }
        }
        guard !s.inShutdown || s.halted else { throw fail("in shutdown but not halted") }
        let m = s.msrs
        guard m.mtrrFixed.count == 11, m.mtrrVariable.count == 16 else {
            throw fail("\(m.mtrrFixed.count) fixed / \(m.mtrrVariable.count) variable MTRRs instead of 11 / 16")
        }
        guard m.eventSelect.count == 2, m.perfCounter.count == 2 else {
            throw fail("performance-monitoring MSRs are not two pairs")
        }
        guard m.mtrrDefType & ~0xCFF == 0 else { throw fail("MTRR default type has reserved bits set") }
        guard m.perfCounter.allSatisfy({ $0 >> 40 == 0 }), m.eventSelect.allSatisfy({ $0 >> 32 == 0 }) else {
            throw fail("performance counters wider than 40 bits or event selects wider than 32 bits")
        }
        guard s.fpu.registers.count == 8, s.fpu.registers.allSatisfy({ $0.count == 10 }) else {
            throw fail("x87 registers are not eight 10-byte values")
        }
        guard s.fpu.fop <= 0x7FF else { throw fail("x87 opcode \(s.fpu.fop) is wider than 11 bits") }
    }
}
