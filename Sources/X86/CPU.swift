// The i686-class processor: architectural state, wiring and the run loop.

import EmulatorCore

/// An i686-class (Pentium Pro / Pentium II without MMX/SSE) interpreter.
///
/// Models real, protected and virtual-8086 mode, paging with 4 KiB and 4 MiB pages, the x87 FPU,
/// CPUID/RDTSC/MSRs and hardware task switching (Intel SDM Vol. 1-3). The machine is reached only
/// through `PhysicalMemory`, `PortIOBus` and the hook protocols in CPUHooks.swift.
///
/// Not modelled: SMM, MMX/SSE, machine-check architecture beyond its MSRs, cache behaviour.
public final class CPU {
    // MARK: Wiring
    public let memory: PhysicalMemory
    public let ports: PortIOBus
    public weak var interruptController: InterruptController?
    public weak var cpuidProvider: CPUIDProvider?
    public weak var msrHandler: MSRHandler?
    public weak var hypercallHandler: HypercallHandler?
    /// Whether CPUID reports an on-chip local APIC (the machine sets this when it has one).
    public var hasLocalAPIC = false
    /// CPUID.1:ECX bit 31, "hypervisor present": set when the machine offers Hyper-V
    /// enlightenments (guests then read the 0x4000_0000 leaves from `cpuidProvider`).
    public var hypervisorPresent = false
    /// The legacy FERR# output (drives IRQ13 when CR0.NE is clear).
    public var ferrChanged: ((Bool) -> Void)?

    // MARK: Registers
    /// SAFETY: 8 general registers, allocated in init, freed in deinit. Index = x86 encoding.
    let regs: UnsafeMutablePointer<UInt32>
    public var eip: UInt32 = 0
    /// SAFETY: 6 segment caches (ES CS SS DS FS GS), allocated in init.
    let segs: UnsafeMutablePointer<SegmentCache>
    public var ldtr = SegmentCache()
    public var tr = SegmentCache()
    public var gdtrBase: UInt32 = 0, gdtrLimit: UInt32 = 0xFFFF
    public var idtrBase: UInt32 = 0, idtrLimit: UInt32 = 0x3FF
    public internal(set) var cr0: UInt32 = 0x6000_0010
    public var cr2: UInt32 = 0
    public internal(set) var cr3: UInt32 = 0
    public internal(set) var cr4: UInt32 = 0
    /// Debug registers DR0–DR7 (DR4/DR5 alias DR6/DR7 unless CR4.DE).
    public var dr = [UInt32](repeating: 0, count: 8) {
        didSet { debugRegistersChanged(old: oldValue) }
    }
    /// #AC checking is active (CPL 3, CR0.AM, EFLAGS.AC); see `refreshAlignmentCheck`.
    var alignmentCheckActive = false
    /// A data (R/W = 01/11) breakpoint is enabled: pages holding one bypass the soft TLB.
    var dataBreakpointsArmed = false
    /// Set by an access that matched a data or I/O breakpoint; the #DB trap follows the instruction.
    var dataBreakpointHit = false
    /// Any breakpoint enabled in DR7 (cached so the run loop tests one flag).
    var breakpointsArmed = false
    /// Current privilege level.
    public internal(set) var cpl: Int = 0

    // MARK: Flags (lazy; see CPU+Flags.swift)
    /// EFLAGS bits; the arithmetic bits named in `lazyMask` are stale and derived on demand.
    var flagsReg: UInt32 = 0x2
    var lzRes: UInt32 = 0
    /// Carry (or borrow) out of every bit of the lazy operation (see CPU+Flags.swift).
    var lzAux: UInt32 = 0
    /// PERF: next to `lzTop`, so the two constants a flag-setting op stores merge into one
    /// 64-bit store.
    var lazyMask: UInt32 = 0
    /// Bit index of the lazy result's sign bit: 7, 15 or 31 for 8-, 16- or 32-bit operands.
    var lzTop: UInt32 = 7

    // MARK: Model-specific state
    /// Added to the retired-instruction count to form the time-stamp counter.
    public var tscOffset: UInt64 = 0
    public var sysenterCS: UInt32 = 0, sysenterESP: UInt32 = 0, sysenterEIP: UInt32 = 0
    var mtrrDefType: UInt64 = 0
    var mtrrFixed = [UInt64](repeating: 0, count: 11)
    var mtrrVariable = [UInt64](repeating: 0, count: 16)
    var pat: UInt64 = 0x0007_0406_0007_0406
    var miscEnable: UInt64 = 0x1
    /// PerfEvtSel0/1 (the counters themselves do not count).
    var eventSelect: (UInt64, UInt64) = (0, 0)
    var perfCounter: (UInt64, UInt64) = (0, 0)
    var apicBaseFallback: UInt64 = 0xFEE0_0900
    public var fpu = FPUState()

    // MARK: Execution state
    /// Conditions the run loop must look at before the next instruction, one bit each, so the
    /// common case costs a single test (PERF: `partita bench cpu`).
    var events: UInt32 = 0
    enum Event {
        static let halted: UInt32 = 1 << 0
        static let shadow: UInt32 = 1 << 1
        static let stop: UInt32 = 1 << 2
        static let shutdown: UInt32 = 1 << 3
        static let nmi: UInt32 = 1 << 4
        /// An access took the slow path (code page, MMIO, page crossing, TLB fill): a write may
        /// have hit the running decoded block's page and a device access may have raised INTR,
        /// so the block loop stops (the next lookup re-validates the block). Not architectural;
        /// the run loop clears it. PERF: replaces per-instruction checks of the block page's code
        /// generation and of INTR in the block loop (`partita bench cpu`).
        static let slowAccess: UInt32 = 1 << 5
    }
    @inline(__always) func setEvent(_ bit: UInt32, _ on: Bool) {
        if on { raiseEvent(bit) } else { events &= ~bit }
    }
    /// Sets an event bit and makes a running block loop stop after the current op (see
    /// `opsEventBit`).
    @inline(__always) func raiseEvent(_ bit: UInt32) {
        events |= bit
        opsLeft |= CPU.opsEventBit
    }
    /// The CPU executed HLT and waits for an interrupt.
    public internal(set) var halted: Bool {
        get { events & Event.halted != 0 }
        set { setEvent(Event.halted, newValue) }
    }
    /// Interrupt shadow after MOV SS / POP SS / STI: interrupts wait one instruction.
    var interruptShadow: Bool {
        get { events & Event.shadow != 0 }
        set { setEvent(Event.shadow, newValue) }
    }
    var stopRequested: Bool {
        get { events & Event.stop != 0 }
        set { setEvent(Event.stop, newValue) }
    }
    /// A triple fault happened; the machine must reset or stop.
    public internal(set) var inShutdown: Bool {
        get { events & Event.shutdown != 0 }
        set { setEvent(Event.shutdown, newValue) }
    }
    var nmiPending: Bool {
        get { events & Event.nmi != 0 }
        set { setEvent(Event.nmi, newValue) }
    }
    /// The INTR input: the interrupt controller drives it high while it has an interrupt to deliver.
    public var intrLine = false
    /// Instructions retired so far.
    public internal(set) var instructionsRetired: UInt64 = 0
    /// Set by instructions after which no single-step trap is taken (INT n, INT3, INTO).
    var suppressSingleStep = false
    /// Debug-status bits accumulated for the next #DB.
    var pendingDR6: UInt32 = 0
    /// EIP of the instruction being executed (faults restart here).
    public internal(set) var startEIP: UInt32 = 0
    /// Nesting while delivering an exception (for #DF / triple fault).
    var deliveringFault = 0
    var lastDeliveredVector: Int = -1

    // Per-instruction decode state
    var o32 = false
    var a32 = false
    var segOverride = -1
    var repPrefix: UInt8 = 0
    var lockPrefix = false
    var modrm: Int = 0
    var eaSeg: Int = 3
    var eaOff: UInt32 = 0

    // Soft TLB (see CPU+Paging.swift)
    let tlbReadSup: UnsafeMutablePointer<Int>
    let tlbWriteSup: UnsafeMutablePointer<Int>
    let tlbReadUser: UnsafeMutablePointer<Int>
    let tlbWriteUser: UnsafeMutablePointer<Int>
    var tlbR: UnsafeMutablePointer<Int>
    var tlbW: UnsafeMutablePointer<Int>
    let tlbFilled: UnsafeMutablePointer<UInt32>
    var tlbFilledCount = 0
    static let tlbFilledCapacity = 1 << 16
    static let tlbGlobalBit: UInt32 = 0x8000_0000

    // Decoded-block cache (see CPU+BlockCache.swift)
    /// SAFETY: `blockOpsCapacity` ops, allocated in init.
    let blockOps: UnsafeMutablePointer<DecodedOp>
    var blockOpsUsed = 0
    /// `memory.codeGeneration`, kept here for the block lookup (one load less per block).
    let codeGeneration: UnsafeMutablePointer<UInt32>
    /// Instructions `runBlock` may still run in this call (see `runOps`), plus `opsEventBit`
    /// once an event was raised: a block starts (or loops) only while it is at least the block's
    /// op count, so one compare stands for "budget left and no event pending".
    var opsLeft = 0
    /// The sign bit of `opsLeft`: set by `raiseEvent`, it keeps `opsLeft` negative.
    static let opsEventBit = Int.min
    /// `opsLeft` without the event bit.
    @inline(__always) var opsRemaining: Int { opsLeft & Int.max }
    /// EIP at the start of the block `runOps` is running; an op's EIP is this plus its offset.
    var blockEIP: UInt32 = 0
    /// The number of instructions in the block `runOps` is running, and the arena index of its
    /// first op.
    var blockCount = 0
    var blockFirstIndex = 0
    /// One link per arena op (SAFETY: `blockOpsCapacity` entries, allocated in init); see
    /// `BlockLink`.
    let blockLinks: UnsafeMutablePointer<BlockLink>
    /// Bumped whenever a link could lead astray (see `linkStamp`); starts at 1 so a stamp of 0
    /// never matches.
    var linkEpoch: UInt64 = 1
    /// `memory.codeWrites`.
    let codeWrites: UnsafeMutablePointer<UInt64>
    /// CS and the TLB in use when links were last checked against them (see `runBlock`).
    var linkCS = SegmentCache()
    var linkTLB: UnsafeMutablePointer<Int>?
    /// SAFETY: 1 << blockTableBits entries, allocated in init.
    let blockTable: UnsafeMutablePointer<BlockEntry>
    /// Physical page behind each installed linear-page translation (SAFETY: 1 << 20 entries).
    let tlbPhysPage: UnsafeMutablePointer<UInt32>
    /// ES, SS and DS (bit = segment number) that are flat (`SegmentCache.flatRead`) with base 0:
    /// a decoded op's offset is its linear address. `flatWrites` likewise, plus `flatStackBit`.
    /// Kept by `runBlock` for decoded ops only: segment registers change only through fallback
    /// ops, which end `runOps` (see CPU+DecodedMemory.swift).
    var flatReads: UInt8 = 0
    var flatWrites: UInt8 = 0
    /// Run pre-decoded blocks (true) or interpret every instruction from its bytes (false).
    /// Both paths must give identical results; tests run both.
    public var decodedBlocksEnabled = true
    /// Copy forward REP MOVS/STOS page by page between host pointers (false: element by element).
    public var bulkStringsEnabled = true
    /// Blocks decoded so far (statistics).
    public internal(set) var blockBuilds = 0

    // Instruction-fetch window (see CPU+Fetch.swift): EIPs in [fetchStart, fetchStart+fetchLen)
    // are readable at hostBase + eip without further checks.
    var fetchStart: UInt32 = 1
    var fetchLen: UInt32 = 0
    var fetchHostBase: Int = 0

    public init(memory: PhysicalMemory, ports: PortIOBus) {
        self.memory = memory
        codeGeneration = memory.codeGeneration
        codeWrites = memory.codeWrites
        self.ports = ports
        // A ninth, always-zero slot: a decoded memory operand's missing base or index (8).
        regs = .allocate(capacity: 9)
        regs.initialize(repeating: 0, count: 9)
        segs = .allocate(capacity: 6)
        segs.initialize(repeating: SegmentCache(), count: 6)
        let pages = 1 << 20
        tlbReadSup = .allocate(capacity: pages)
        tlbWriteSup = .allocate(capacity: pages)
        tlbReadUser = .allocate(capacity: pages)
        tlbWriteUser = .allocate(capacity: pages)
        for t in [tlbReadSup, tlbWriteSup, tlbReadUser, tlbWriteUser] { t.initialize(repeating: 0, count: pages) }
        tlbR = tlbReadSup
        tlbW = tlbWriteSup
        tlbFilled = .allocate(capacity: CPU.tlbFilledCapacity)
        tlbPhysPage = .allocate(capacity: pages)
        tlbPhysPage.initialize(repeating: 0, count: pages)
        blockOps = .allocate(capacity: CPU.blockOpsCapacity)
        blockOps.initialize(repeating: DecodedOp(), count: CPU.blockOpsCapacity)
        blockLinks = .allocate(capacity: CPU.blockOpsCapacity)
        blockLinks.initialize(repeating: BlockLink(), count: CPU.blockOpsCapacity)
        blockTable = .allocate(capacity: 1 << CPU.blockTableBits)
        blockTable.initialize(repeating: BlockEntry(), count: 1 << CPU.blockTableBits)
        memory.mappingObservers.append { [weak self] in self?.flushTLB(includingGlobal: true) }
        reset()
    }

    deinit {
        regs.deallocate()
        segs.deallocate()
        tlbReadSup.deallocate()
        tlbWriteSup.deallocate()
        tlbReadUser.deallocate()
        tlbWriteUser.deallocate()
        tlbFilled.deallocate()
        tlbPhysPage.deallocate()
        blockOps.deallocate()
        blockLinks.deallocate()
        blockTable.deallocate()
    }

    /// Power-on / RESET state (SDM Vol. 3 §9.1.1): CS:EIP = F000:FFF0 with CS base FFFF0000.
    public func reset() {
        for i in 0..<8 { regs[i] = 0 }
        regs[2] = CPU.signature  // EDX after RESET holds the CPUID signature
        eip = 0xFFF0
        for i in 0..<6 {
            segs[i] = SegmentCache(selector: 0, base: 0, limit: 0xFFFF, access: 0x93, flags: 0)
        }
        segs[1] = SegmentCache(selector: 0xF000, base: 0xFFFF_0000, limit: 0xFFFF, access: 0x9B, flags: 0)
        ldtr = SegmentCache(selector: 0, base: 0, limit: 0xFFFF, access: 0x82, flags: 0)
        tr = SegmentCache(selector: 0, base: 0, limit: 0xFFFF, access: 0x8B, flags: 0)
        gdtrBase = 0; gdtrLimit = 0xFFFF
        idtrBase = 0; idtrLimit = 0xFFFF
        cr0 = 0x6000_0010
        cr2 = 0; cr3 = 0; cr4 = 0
        dr = [0, 0, 0, 0, 0, 0, 0xFFFF_0FF0, 0x400]
        flagsReg = 0x2
        lazyMask = 0
        cpl = 0
        alignmentCheckActive = false
        tscOffset = 0
        sysenterCS = 0; sysenterESP = 0; sysenterEIP = 0
        mtrrDefType = 0
        mtrrFixed = [UInt64](repeating: 0, count: 11)
        mtrrVariable = [UInt64](repeating: 0, count: 16)
        pat = 0x0007_0406_0007_0406
        miscEnable = 0x1
        eventSelect = (0, 0)
        perfCounter = (0, 0)
        apicBaseFallback = 0xFEE0_0900
        fpu = FPUState.afterReset
        events = 0
        intrLine = false
        suppressSingleStep = false
        pendingDR6 = 0
        deliveringFault = 0
        flushTLB(includingGlobal: true)
    }

    // MARK: Mode queries

    @inline(__always) public var protectedMode: Bool { cr0 & 1 != 0 }
    @inline(__always) public var pagingEnabled: Bool { cr0 & 0x8000_0000 != 0 }
    @inline(__always) public var v86Mode: Bool { flagsReg & Flags.vm != 0 }

    // MARK: Register access

    public enum Reg32: Int, CaseIterable, Sendable { case eax = 0, ecx, edx, ebx, esp, ebp, esi, edi }

    public subscript(reg: Reg32) -> UInt32 {
        get { regs[reg.rawValue] }
        set { regs[reg.rawValue] = newValue }
    }

    @inline(__always) func reg8(_ r: Int) -> UInt8 {
        UnsafeMutableRawPointer(regs).load(fromByteOffset: (r & 3) << 2 | (r >> 2), as: UInt8.self)
    }
    @inline(__always) func setReg8(_ r: Int, _ v: UInt8) {
        UnsafeMutableRawPointer(regs).storeBytes(of: v, toByteOffset: (r & 3) << 2 | (r >> 2), as: UInt8.self)
    }
    @inline(__always) func reg16(_ r: Int) -> UInt16 { UInt16(truncatingIfNeeded: regs[r]) }
    @inline(__always) func setReg16(_ r: Int, _ v: UInt16) { regs[r] = (regs[r] & 0xFFFF_0000) | UInt32(v) }

    /// Register of operand size: 16 or 32 bits.
    @inline(__always) func regV(_ r: Int) -> UInt32 { o32 ? regs[r] : regs[r] & 0xFFFF }
    @inline(__always) func setRegV(_ r: Int, _ v: UInt32) {
        if o32 { regs[r] = v } else { regs[r] = (regs[r] & 0xFFFF_0000) | (v & 0xFFFF) }
    }

    /// A segment register's full cache.
    public func segment(_ s: SegmentRegister) -> SegmentCache { segs[s.rawValue] }

    /// Loads a segment register the way real mode does (base = selector << 4), for loaders and tests.
    public func setSegmentReal(_ s: SegmentRegister, selector: UInt16) {
        segs[s.rawValue].selector = selector
        segs[s.rawValue].base = UInt32(selector) << 4
        segs[s.rawValue].usable = true
        if s == .cs { invalidateFetch() }
    }

    /// Installs a full segment cache (boot loaders that enter protected mode directly).
    public func setSegment(_ s: SegmentRegister, _ cache: SegmentCache) {
        segs[s.rawValue] = cache
        if s == .cs {
            invalidateFetch()
            cpl = protectedMode && !v86Mode ? Int(cache.selector & 3) : (v86Mode ? 3 : 0)
            updateTLBPrivilege()
        }
    }

    /// Sets CR0/CR3/CR4 from outside (boot loaders), with the same side effects as MOV CRn.
    public func setControlRegisters(cr0: UInt32, cr3: UInt32, cr4: UInt32) {
        self.cr0 = cr0 | 0x10
        self.cr3 = cr3
        self.cr4 = cr4
        flushTLB(includingGlobal: true)
    }

    /// Asks `run` to return at the next instruction boundary (from a device or another queue).
    public func requestStop() { stopRequested = true }

    /// Raises the non-maskable interrupt input.
    public func raiseNMI() { nmiPending = true }

    @inline(__always) var stackIs32: Bool { segs[2].flags & 4 != 0 }
}
