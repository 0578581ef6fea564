// The CPU's saved state: save mid-program, restore into a fresh CPU on a copy of RAM, and both
// continue identically; JSON round trips; impossible states are refused.

import EmulatorCore
import Foundation
import Testing
@testable import X86

@Suite("CPU saved state")
struct CPUSavedStateTests {
    /// Ring 3 with paging on: integer work that leaves lazy flags behind, stores over eight
    /// pages, x87 arithmetic, and every 64 iterations an INT 0x81 to a ring-0 handler (stack
    /// switch through the TSS) that also raises a masked x87 zero-divide.
    static let program = """
            ENABLE_PAGING
            fninit
            fld dword [factor]
            fld1
            mov ebx, 0x12345678
            xor ecx, ecx
            xor edx, edx
            ENTER_RING3 ring3
        ring3:
            mov ax, DATA3
            mov ds, ax
            mov es, ax
        again:
            mov eax, ebx
            rol eax, 5
            xor eax, ecx
            add ebx, eax
            adc edx, 0
            mov edi, ecx
            and edi, 0x1FFF
            mov [DATA + edi*4], ebx
            fmul st0, st1
            fld st0
            fsqrt
            mov esi, ecx
            and esi, 0xFF
            fstp qword [DATA + 0x10000 + esi*8]
            test ecx, 63
            jnz skip
            int 0x81
        skip:
            inc ecx
            jmp again
        int81:
            inc dword [LOG]
            fld1
            fldz
            fdivp st1, st0
            fstp st0
            mov eax, [LOG]
            iretd
        factor:
            dd 1.0001
        """

    private static func machine(decodedBlocks: Bool) throws -> GuestHarness {
        let h = GuestHarness(decodedBlocks: decodedBlocks)
        h.identityMapFirst4MiB()
        try h.load(program, exporting: ["int81"])
        h.setInterruptGate(0x81, "int81", dpl: 3)
        return h
    }

    private static func ram(_ h: GuestHarness) -> [UInt8] {
        Array(UnsafeBufferPointer(start: h.memory.ram, count: Int(h.memory.ramSize)))
    }

    @Test("save after N instructions, restore into a fresh CPU on a copy of RAM: the next M are identical",
          arguments: [(true, 1_000), (true, 2_345), (false, 2_345), (true, 3_003), (false, 777), (true, 10_001)])
    func continueIdentically(_ c: (decodedBlocks: Bool, n: Int)) throws {
        let m = 7_777
        let original = try Self.machine(decodedBlocks: c.decodedBlocks)
        #expect(original.run(budget: c.n) == .budgetExhausted)
        #expect(original.unexpectedVector == nil)
        #expect(original.cpu.pagingEnabled && original.cpu.fpu.fcw == FPUState.CW.initial)
        let saved = original.cpu.saveState()

        let copy = GuestHarness(decodedBlocks: c.decodedBlocks)
        let ram = Self.ram(original)
        ram.withUnsafeBufferPointer { copy.memory.ram.update(from: $0.baseAddress!, count: $0.count) }
        try copy.cpu.restoreState(saved)
        #expect(copy.cpu.saveState() == saved)

        #expect(original.run(budget: m) == .budgetExhausted)
        #expect(copy.run(budget: m) == .budgetExhausted)
        #expect(original.unexpectedVector == nil)
        let a = original.cpu.saveState(), b = copy.cpu.saveState()
        #expect(a == b)
        #expect(original.cpu.stateDescription == copy.cpu.stateDescription)
        #expect(original.cpu.eflags == copy.cpu.eflags)
        #expect(original.cpu.fpu == copy.cpu.fpu)
        #expect(Self.ram(original) == Self.ram(copy), "RAM differs after the continued run")
        // The run did what the program says: ring 3, interrupts taken, the x87 busy.
        #expect(a.cpl == 3 || a.cpl == 0)
        #expect(a.instructionsRetired == UInt64(c.n + m))
        #expect(original.log(0) > 0, "INT 0x81 ran")
        #expect(a.fpu.fsw & FPUState.SW.ze != 0, "the handler's masked zero-divide is sticky in FSW")
        #expect(a.fpu.ftw != 0xFFFF)
    }

    @Test("the saved state survives JSON and restores to an identical CPU")
    func jsonRoundTrip() throws {
        let h = try Self.machine(decodedBlocks: true)
        h.run(budget: 4_321)
        h.cpu.dr = [0x1000, 0x2000, 0, 0, 0, 0, 0xFFFF_0FF0, 0x400]
        try h.cpu.restoreState(h.cpu.saveState())  // still valid after poking DRs
        let saved = h.cpu.saveState()
        let data = try JSONEncoder().encode(saved)
        let decoded = try JSONDecoder().decode(CPU.SavedState.self, from: data)
        #expect(decoded == saved)
        let fresh = CPU(memory: PhysicalMemory(ramSize: 4 << 20), ports: PortIOBus())
        try fresh.restoreState(decoded)
        #expect(fresh.saveState() == saved)
        #expect(fresh.stateDescription == h.cpu.stateDescription)
        #expect(fresh.snapshotSection == "cpu" && CPU.savedStateVersion == 1)
    }

    @Test("lazily computed flags are materialized in the saved EFLAGS")
    func lazyFlags() throws {
        let h = GuestHarness()
        try h.load("""
                mov eax, 0xFFFFFFFF
                add eax, 1
            done:
                hlt
            """, exporting: ["done"])
        h.expectHalted(at: "done", h.run())
        #expect(h.cpu.lazyMask != 0, "the test wants the flags still lazy")
        let saved = h.cpu.saveState()
        #expect(saved.eflags & (Flags.zf | Flags.cf | Flags.pf | Flags.af) == Flags.zf | Flags.cf | Flags.pf | Flags.af)
        #expect(saved.eflags & (Flags.sf | Flags.of) == 0)
        let fresh = CPU(memory: h.memory, ports: h.ports)
        try fresh.restoreState(saved)
        #expect(fresh.eflags == h.cpu.eflags && fresh.lazyMask == 0)
    }

    @Test("halt, shutdown, interrupt shadow, pending NMI, INTR and MSRs are restored")
    func pendingEvents() throws {
        let h = try Self.machine(decodedBlocks: true)
        h.run(budget: 500)
        let cpu = h.cpu
        cpu.halted = true
        cpu.interruptShadow = true
        cpu.raiseNMI()
        cpu.intrLine = true
        cpu.pendingDR6 = 0x4000
        cpu.tscOffset = 12_345
        cpu.sysenterCS = 0x08
        cpu.mtrrVariable[3] = 0xFFFF_F800
        cpu.perfCounter = (5, 6)
        cpu.fpu.ferrAsserted = true
        let saved = cpu.saveState()
        let fresh = CPU(memory: h.memory, ports: h.ports)
        try fresh.restoreState(saved)
        #expect(fresh.halted && fresh.interruptShadow && fresh.nmiPending && fresh.intrLine)
        #expect(!fresh.inShutdown && !fresh.stopRequested)
        #expect(fresh.pendingDR6 == 0x4000 && fresh.tscOffset == 12_345 && fresh.currentTSC == cpu.currentTSC)
        #expect(fresh.sysenterCS == 0x08 && fresh.mtrrVariable[3] == 0xFFFF_F800 && fresh.perfCounter == (5, 6))
        #expect(fresh.fpu.ferrAsserted)
        #expect(fresh.saveState() == saved)
    }

    @Test("hidden descriptor-cache contents are restored even when they differ from the tables")
    func hiddenSegmentState() throws {
        let h = GuestHarness()
        try h.load("""
            done:
                hlt
            """, exporting: ["done"])
        h.run()
        // Real-mode-style "unreal" cache in protected mode: base and limit no GDT entry has.
        h.cpu.setSegment(.fs, SegmentCache(selector: 0x10, base: 0x0012_3000, limit: 0x000F_FFFF, access: 0x93, flags: 0x4))
        var ldt = SegmentCache(selector: 0x30, base: 0x1800, limit: 0x17, access: 0x82, flags: 0)
        ldt.rights = 0
        h.cpu.ldtr = ldt
        let fresh = CPU(memory: h.memory, ports: h.ports)
        try fresh.restoreState(h.cpu.saveState())
        #expect(fresh.segment(.fs) == h.cpu.segment(.fs))
        #expect(fresh.ldtr == ldt && fresh.tr == h.cpu.tr)
        #expect(fresh.segment(.cs) == h.cpu.segment(.cs) && fresh.cpl == 0)
    }

    @Test("impossible states are refused and leave the CPU as it was", arguments: [
        "cpl 4", "cpl 3 in real mode", "paging without PE", "ET clear", "CR3 reserved bits", "CR4 PAE",
        "EFLAGS reserved bit", "EFLAGS bit 1 clear", "seven GPRs", "five segments", "x87 9-byte register",
        "ten MTRRs", "shutdown while running", "GDTR limit", "segment rights", "x87 opcode",
    ])
    func refused(_ what: String) throws {
        let h = try Self.machine(decodedBlocks: true)
        h.run(budget: 1_500)
        let before = h.cpu.saveState()
        var s = before
        switch what {
        case "cpl 4": s.cpl = 4
        case "cpl 3 in real mode": s.cr0 &= ~(CR0.pe | CR0.pg); s.cpl = 3
        case "paging without PE": s.cr0 = (s.cr0 | CR0.pg) & ~CR0.pe; s.cpl = 0
        case "ET clear": s.cr0 &= ~CR0.et
        case "CR3 reserved bits": s.cr3 |= 0x7
        case "CR4 PAE": s.cr4 |= CR4.pae
        case "EFLAGS reserved bit": s.eflags |= 1 << 3
        case "EFLAGS bit 1 clear": s.eflags &= ~2
        case "seven GPRs": s.gprs.removeLast()
        case "five segments": s.segments.removeLast()
        case "x87 9-byte register": s.fpu.registers[5].removeLast()
        case "ten MTRRs": s.msrs.mtrrFixed.removeLast()
        case "shutdown while running": s.inShutdown = true; s.halted = false
        case "GDTR limit": s.gdtrLimit = 0x1_0000
        case "segment rights": s.segments[3].rights = 8
        default: s.fpu.fop = 0x800
        }
        #expect(throws: SnapshotStateError.self, "\(what)") { try h.cpu.restoreState(s) }
        #expect(h.cpu.saveState() == before, "\(what): a refused restore changed the CPU")
    }
}
