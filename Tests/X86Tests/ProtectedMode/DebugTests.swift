// Single-step and breakpoint debug exceptions, RF, and the interrupt shadow of MOV SS and STI
// (SDM Vol. 3 ch. 17, §6.8.3).

import EmulatorCore
import Testing
import X86

@Suite("Debug and interrupt shadows")
struct DebugTests {
    @Test("with TF set, #DB arrives after exactly one instruction with DR6.BS set")
    func singleStep() throws {
        let h = GuestHarness()
        try h.load("""
                pushfd
                or dword [esp], 0x100
                popfd                       ; no trap after the POPF that sets TF
            first:
                mov eax, 1
            second:
                mov eax, 2
                hlt
            db_handler:
                mov ebx, [esp]
                mov ecx, dr6
                mov edx, [esp+8]
                pushfd
                pop esi
            done:
                hlt
            """, exporting: ["second", "db_handler", "done"])
        h.setInterruptGate(1, "db_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.eax] == 1)
        #expect(h.cpu[.ebx] == h["second"], "trap after the first instruction")
        #expect(h.cpu[.ecx] & 0x4000 != 0, "DR6.BS")
        #expect(h.cpu[.ecx] & 0xF == 0, "no breakpoint bits")
        #expect(h.cpu[.edx] & 0x100 != 0, "TF set in the pushed image")
        #expect(h.cpu[.esi] & 0x100 == 0, "TF clear in the handler")
    }

    @Test("a DR0 execution breakpoint faults before the instruction; RF set in the IRET image suppresses it once")
    func executionBreakpointAndResumeFlag() throws {
        let h = GuestHarness()
        try h.load("""
                mov eax, target
                mov dr0, eax
                mov eax, 1                  ; DR7.L0, R/W0 = 00 (execute), LEN0 = 00
                mov dr7, eax
                xor ecx, ecx
            target:
                inc ecx
                cmp ecx, 2
                jb target
            done:
                hlt
            db_handler:
                mov ebx, [ss:LOG]
                mov [ss:LOG+16+ebx*4], ecx
                inc dword [ss:LOG]
                mov eax, [esp]
                mov [ss:LOG+4], eax
                mov eax, dr6
                mov [ss:LOG+8], eax
                or dword [esp+8], 0x10000   ; RF
                iretd
            """, exporting: ["target", "done", "db_handler"])
        h.setInterruptGate(1, "db_handler")
        let stop = h.run(budget: 20_000)
        #expect(h.log(1) == h["target"], "fault-class: EIP of the breakpointed instruction")
        #expect(h.log(2) & 0xF == 0x1, "DR6.B0")
        #expect(h.log(4) == 0, "the instruction had not run when the breakpoint hit")
        h.expectHalted(at: "done", stop)
        #expect(h.log(0) == 2, "one hit per pass: RF covers one instruction only")
        #expect(h.log(5) == 1)
        #expect(h.cpu[.ecx] == 2)
    }

    @Test("fault-class exceptions push EFLAGS with RF set; INT n pushes it clear")
    func faultsPushResumeFlag() throws {
        let h = GuestHarness()
        try h.load("""
                int 0x40
                mov esi, after
                mov ax, DATA0 | 3
                mov ds, ax                  ; #GP(0x10)
            after:
                nop                         ; RF (restored by IRET) is cleared once this completes
                mov ax, DATA0
                mov ds, ax
                int 0x41
                mov eax, [LOG]
                mov ebx, [LOG+4]
                mov edx, [LOG+8]
            done:
                hlt
            int40:
                mov eax, [esp+8]
                mov [LOG], eax
                iretd
            int41:
                mov eax, [esp+8]
                mov [LOG+8], eax
                iretd
            gp_handler:
                mov eax, [esp+12]
                mov [ss:LOG+4], eax
                mov [esp+4], esi
                add esp, 4
                iretd
            """, exporting: ["done", "int40", "int41", "gp_handler"])
        h.setInterruptGate(0x40, "int40")
        h.setInterruptGate(0x41, "int41")
        h.setInterruptGate(13, "gp_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.eax] & 0x1_0000 == 0, "INT n: RF clear in the image")
        #expect(h.cpu[.ebx] & 0x1_0000 != 0, "#GP: RF set in the image (SDM §17.3.1.1)")
        #expect(h.cpu[.edx] & 0x1_0000 == 0, "RF cleared after the first instruction following IRET")
    }

    @Test("MOV SS suppresses the single-step trap until the next instruction has run")
    func movSSDelaysSingleStep() throws {
        let h = GuestHarness()
        try h.load("""
                mov ax, ss
                pushfd
                or dword [esp], 0x100
                popfd
                mov ss, ax
            i2:
                nop
            i3:
                nop
                hlt
            db_handler:
                mov ebx, [esp]
            done:
                hlt
            """, exporting: ["i3", "db_handler", "done"])
        h.setInterruptGate(1, "db_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ebx] == h["i3"], "no trap between MOV SS and the next instruction (SDM §6.8.3)")
    }

    /// A guest whose interrupt source is raised by reading MMIO at 0x1000_0000.
    static func harnessWithInterruptSource(decodedBlocks: Bool) -> (GuestHarness, TestInterruptSource) {
        let h = GuestHarness(decodedBlocks: decodedBlocks)
        let src = TestInterruptSource()
        src.cpu = h.cpu
        h.cpu.interruptController = src
        h.memory.mapMMIO(src, base: 0x1000_0000, size: 0x1000)
        return (h, src)
    }

    @Test("a pending interrupt waits for the instruction after STI", arguments: [true, false])
    func stiShadow(decodedBlocks: Bool) throws {
        let (h, src) = Self.harnessWithInterruptSource(decodedBlocks: decodedBlocks)
        try h.load("""
                cli
                mov eax, [0x10000000]       ; raises INTR while IF = 0
                mov eax, 0
                sti
            i1:
                mov eax, 1
            i2:
                mov eax, 2
                hlt
            irq_handler:
                mov ebx, [esp]
                mov ecx, eax
            done:
                hlt
            """, exporting: ["i2", "irq_handler", "done"])
        h.setInterruptGate(0x50, "irq_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(src.acknowledged == 1)
        #expect(h.cpu[.ebx] == h["i2"], "one instruction ran after STI")
        #expect(h.cpu[.ecx] == 1)
    }

    @Test("an interrupt raised during MOV SS waits until the following instruction completes", arguments: [true, false])
    func movSSShadowDefersInterrupt(decodedBlocks: Bool) throws {
        let (h, src) = Self.harnessWithInterruptSource(decodedBlocks: decodedBlocks)
        try h.load("""
                sti
                nop
                mov ss, [0x10000000]        ; loads SS = DATA0 and raises INTR
            j2:
                mov eax, 2
            j3:
                mov eax, 3
                hlt
            irq_handler:
                mov ebx, [esp]
                mov ecx, eax
            done:
                hlt
            """, exporting: ["j3", "irq_handler", "done"])
        h.setInterruptGate(0x50, "irq_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(src.acknowledged == 1)
        #expect(h.cpu[.ebx] == h["j3"], "the instruction after MOV SS ran first")
        #expect(h.cpu[.ecx] == 2)
    }

    @Test("single-stepping REP MOVSB traps after every iteration with EIP on the REP until the count runs out")
    func singleStepRepString() throws {
        let h = GuestHarness()
        try h.load("""
                mov esi, DATA
                mov edi, DATA + 0x100
                mov ecx, 3
                cld
                pushfd
                or dword [esp], 0x100
                popfd
                nop
            copy:
                rep movsb
            after:
                nop
                hlt
            db_handler:
                mov ebx, [ss:LOG]
                mov eax, [esp]
                mov [ss:LOG+4+ebx*8], eax       ; EIP
                mov [ss:LOG+8+ebx*8], ecx       ; remaining count
                inc dword [ss:LOG]
                cmp ebx, 3
                jae done
                iretd
            done:
                hlt
            """, exporting: ["copy", "after", "db_handler", "done"])
        h.setInterruptGate(1, "db_handler")
        h.write32(GuestLayout.data, 0x0033_2211)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        // Traps: after NOP (EIP = copy, ECX 3), then one per iteration.
        #expect(h.faultLog == [
            .init(code: h["copy"], eip: 3), .init(code: h["copy"], eip: 2),
            .init(code: h["copy"], eip: 1), .init(code: h["after"], eip: 0),
        ])
        #expect(h.read32(GuestLayout.data + 0x100) & 0xFF_FFFF == 0x33_2211)
    }

    @Test("with DR7.GD set, MOV DR raises #DB (DR6.BD) before it executes, and GD is cleared for the handler")
    func generalDetect() throws {
        let h = GuestHarness()
        try h.load("""
                mov eax, 0x2000
                mov dr7, eax
                mov ebx, 0x1234
            guarded:
                mov dr0, ebx
                mov ecx, dr0
            done:
                hlt
            db_handler:
                mov eax, dr6                ; must not fault again
                mov [ss:LOG], eax
                mov eax, dr7
                mov [ss:LOG+4], eax
                mov eax, [esp]
                mov [ss:LOG+8], eax
                iretd
            """, exporting: ["guarded", "done", "db_handler"])
        h.setInterruptGate(1, "db_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.log(0) & 0x2000 != 0, "DR6.BD")
        #expect(h.log(1) & 0x2000 == 0, "GD cleared on entry to the handler")
        #expect(h.log(2) == h["guarded"], "a fault: the MOV DR is restarted")
        #expect(h.cpu[.ecx] == 0x1234, "the restarted MOV DR0 completed")
    }

    @Test("a one-instruction interrupt window (STI; NOP; CLI) admits a pending interrupt", arguments: [true, false])
    func shortInterruptWindow(decodedBlocks: Bool) throws {
        let (h, src) = Self.harnessWithInterruptSource(decodedBlocks: decodedBlocks)
        try h.load("""
                cli
                mov eax, [0x10000000]       ; raises INTR while IF = 0
                mov ecx, 100
            poll:
                sti
                nop
            window_end:
                cli
                dec ecx
                jnz poll
            done:
                hlt
            irq_handler:
                mov ebx, [esp]
                iretd
            """, exporting: ["window_end", "irq_handler", "done"])
        h.setInterruptGate(0x50, "irq_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(src.acknowledged == 1)
        #expect(h.cpu[.ebx] == h["window_end"], "taken in the first window, after the NOP")
    }

    @Test("HLT with interrupts enabled wakes on INTR; IRET returns to the instruction after HLT", arguments: [true, false])
    func haltWakesOnInterrupt(decodedBlocks: Bool) throws {
        let (h, src) = Self.harnessWithInterruptSource(decodedBlocks: decodedBlocks)
        try h.load("""
                sti
            sleep:
                hlt
            after:
                mov ecx, 0x600D
            done:
                hlt
            irq_handler:
                mov ebx, [esp]
                iretd
            """, exporting: ["sleep", "after", "irq_handler", "done"])
        h.setInterruptGate(0x50, "irq_handler")
        #expect(h.run() == .halted && h.isHalted(at: "sleep"))
        #expect(h.run() == .halted, "stays halted with nothing pending")
        h.cpu.intrLine = true
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(src.acknowledged == 1)
        #expect(h.cpu[.ebx] == h["after"])
        #expect(h.cpu[.ecx] == 0x600D)
    }
}
