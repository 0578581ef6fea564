// Hardware task switching through TSS descriptors and task gates (SDM Vol. 3 ch. 7, §6.12.2).

import Testing
import X86

@Suite("Task switching")
struct TaskSwitchTests {
    static let tss1: UInt32 = 0x5200
    static let tss1Selector: UInt16 = 0x30

    /// A guest with TSS1 (selector 0x30) ready to run at `entry` on its own stack at 0x50000.
    static func harnessWithSecondTask(entry: String, body: String, exporting: [String],
                                      configure: (inout TSS32) -> Void = { _ in }) throws -> GuestHarness {
        let h = GuestHarness()
        try h.load("TSS1_BASE equ 0x5200\n" + body, exporting: exporting + [entry])
        var t = TSS32()
        t.eip = h[entry]
        t.regs[4] = 0x50000
        configure(&t)
        h.writeTSS32(at: tss1, t)
        h.setDescriptor(6, base: tss1, limit: 0x67, access: Access.tss32, flags: 0)
        return h
    }

    static func tssType(_ h: GuestHarness, _ selector: UInt16) -> UInt32 { h.descriptorHigh(selector) >> 8 & 0xF }

    @Test("JMP to a TSS saves the old task, loads the new one and moves the busy bit")
    func jumpToTSS() throws {
        let h = try Self.harnessWithSecondTask(entry: "task1", body: """
                mov eax, 0xAAAA
                mov ebx, 0xBBBB
                jmp 0x30:0
            after_jmp:
                hlt
            task1:
                str ecx
                pushfd
                pop edx
            done:
                hlt
            """, exporting: ["after_jmp", "done"]) { t in t.regs[0] = 0x1111 }
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        let old = GuestLayout.tss0
        #expect(h.cpu[.eax] == 0x1111)
        #expect(h.cpu[.ecx] == 0x30 && h.cpu.tr.selector == 0x30)
        #expect(h.cpu[.edx] & 0x4000 == 0, "JMP does not set NT")
        #expect(h.cpu[.esp] == 0x50000)
        #expect(h.tssField(old, 0x20) == h["after_jmp"], "old EIP saved")
        #expect(h.tssField(old, 0x28) == 0xAAAA && h.tssField(old, 0x34) == 0xBBBB)
        #expect(h.tssField(old, 0x38) == GuestLayout.stack0Top, "old ESP saved")
        #expect(h.tssField(old, 0x4C) & 0xFFFF == UInt32(Sel.code0), "old CS saved")
        #expect(Self.tssType(h, Sel.tss0) == 0x9, "old task no longer busy")
        #expect(Self.tssType(h, 0x30) == 0xB, "new task busy")
        #expect(h.tssField(Self.tss1, 0) & 0xFFFF == 0, "no back link for JMP")
        #expect(h.cpu.cr0 & CR0.ts != 0, "a task switch sets CR0.TS")
    }

    @Test("CALL through a task gate nests the task (NT, back link, busy bits) and IRET returns to the caller")
    func callTaskGateAndIretBack() throws {
        let h = try Self.harnessWithSecondTask(entry: "task1", body: """
                mov eax, 0xAAAA
                call 0x38:0
            after_call1:
                mov [DATA], eax
                pushfd
                pop dword [DATA+4]
                mov ebx, [GDT_BASE+0x28+4]
                mov [DATA+8], ebx
                mov ebx, [GDT_BASE+0x30+4]
                mov [DATA+12], ebx
                call 0x38:0
            after_call2:
                mov [DATA+16], eax
            done:
                hlt
            task1:
                pushfd
                pop dword [LOG]
                movzx ebx, word [TSS1_BASE]
                mov [LOG+4], ebx
                mov ebx, [GDT_BASE+0x28+4]
                mov [LOG+8], ebx
                mov ebx, [GDT_BASE+0x30+4]
                mov [LOG+12], ebx
                mov eax, 0x1111
                iretd
                mov dword [LOG+16], 2       ; the second CALL resumes after the first IRET
                iretd
            """, exporting: ["after_call1", "done"])
        h.setGate(7, selector: 0x30, offset: 0, access: Access.taskGate)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.log(0) & 0x4000 != 0, "NT set in the called task")
        #expect(h.log(1) == UInt32(Sel.tss0), "back link to the caller")
        #expect(h.log(2) >> 8 & 0xF == 0xB && h.log(3) >> 8 & 0xF == 0xB, "both tasks busy while nested")
        #expect(h.read32(GuestLayout.data) == 0xAAAA, "caller registers restored from its TSS")
        #expect(h.read32(GuestLayout.data + 4) & 0x4000 == 0, "caller's NT clear")
        #expect(h.read32(GuestLayout.data + 8) >> 8 & 0xF == 0xB, "caller still busy")
        #expect(h.read32(GuestLayout.data + 12) >> 8 & 0xF == 0x9, "IRET cleared the called task's busy bit")
        #expect(h.log(4) == 2, "the called task resumed where its IRET left it")
        #expect(h.read32(GuestLayout.data + 16) == 0xAAAA)
        #expect(h.tssField(Self.tss1, 0x24) & 0x4000 == 0, "IRET saved the outgoing EFLAGS with NT clear")
        #expect(h.cpu.tr.selector == Sel.tss0)
    }

    @Test("a double fault from a stack overflow is delivered through a task gate to a fresh stack")
    func doubleFaultThroughTaskGate() throws {
        let h = try Self.harnessWithSecondTask(entry: "df_task", body: """
                mov ax, 0x38
                mov ss, ax
                mov esp, 2
            fault:
                push eax
                hlt
            df_task:
                pop eax                         ; #DF error code
                mov ebx, [TSS0_BASE+0x20]       ; interrupted EIP
                mov ecx, [TSS0_BASE+0x38]       ; interrupted ESP
                movzx edx, word [TSS1_BASE]     ; back link
                mov edi, [TSS0_BASE+0x50]       ; interrupted SS
                pushfd
                pop esi
                mov ebp, esp
            done:
                hlt
            """, exporting: ["fault", "done"])
        h.setDescriptor(7, base: 0x40000, limit: 0xFFF, access: Access.data0, flags: 0x4)
        h.setTaskGate(8, tss: 0x30)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.eax] == 0, "#DF pushes error code 0")
        #expect(h.cpu[.ebx] == h["fault"])
        #expect(h.cpu[.ecx] == 2)
        #expect(h.cpu[.edx] == UInt32(Sel.tss0))
        #expect(h.cpu[.edi] == 0x38)
        #expect(h.cpu[.esi] & 0x4000 != 0, "NT set: the handler task is nested")
        #expect(h.cpu[.ebp] == 0x50000)
        #expect(h.cpu.tr.selector == 0x30)
    }

    @Test("a task switch loads the incoming task's CR3 and LDT")
    func taskSwitchLoadsCR3AndLDT() throws {
        let h = try Self.harnessWithSecondTask(entry: "task1", body: """
                ENABLE_PAGING
                mov eax, [0x300000]
                mov [DATA], eax
                jmp 0x30:0
            task1:
                mov eax, [0x300000]
                mov ebx, [es:0]
                mov ecx, cr3
                sldt edx
            done:
                hlt
            """, exporting: ["done"]) { t in
            t.cr3 = 0x24000
            t.ldt = 0x48
            t.segs[0] = 0x0C   // ES: LDT entry 1
        }
        h.identityMapFirst4MiB()
        // Second address space: a copy of the identity map with linear 0x300000 → 0x301000.
        for i in 0..<1024 {
            h.write32(0x24000 + UInt32(i) * 4, 0)
            h.write32(0x25000 + UInt32(i) * 4, h.read32(GuestLayout.pageTable0 + UInt32(i) * 4))
        }
        h.write32(0x24000, 0x25000 | 7)
        h.write32(0x25000 + 0x300 * 4, 0x301000 | 7)
        h.write32(0x300000, 0xAAAA_0000)
        h.write32(0x301000, 0xBBBB_0000)
        // LDT with one data segment at 0x32000.
        h.setDescriptor(1, base: 0x32000, limit: 0xFFF, access: Access.data0, flags: 0x4, table: GuestLayout.ldt)
        h.setDescriptor(9, base: GuestLayout.ldt, limit: 0xF, access: Access.ldt, flags: 0)
        h.write32(0x32000, 0x01D7_DA7A)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.read32(GuestLayout.data) == 0xAAAA_0000)
        #expect(h.cpu[.eax] == 0xBBBB_0000, "the new CR3 is in effect")
        #expect(h.cpu[.ebx] == 0x01D7_DA7A, "ES came from the new LDT")
        #expect(h.cpu[.ecx] == 0x24000 && h.cpu.cr3 == 0x24000)
        #expect(h.cpu[.edx] == 0x48 && h.cpu.ldtr.selector == 0x48)
        #expect(h.tssField(GuestLayout.tss0, 0x1C) == GuestLayout.pageDirectory, "old CR3 saved")
    }

    @Test("CALL or JMP to a busy TSS raises #GP(selector); IRET with NT to a non-busy TSS raises #TS")
    func busyChecks() throws {
        let h = try Self.harnessWithSecondTask(entry: "task1", body: """
                mov esi, r1
            a1: call TSS0:0                     ; the running task is busy
            r1: mov esi, r2
            a2: jmp TSS0:0
            r2: mov esi, r3
                mov word [TSS0_BASE], 0x30      ; back link to TSS1, which is not busy
                pushfd
                or dword [esp], 0x4000
                popfd
            a3: iretd
            r3:
            done:
                hlt
            gp_handler:
                jmp record
            ts_handler:
                jmp record
            \(GuestHarness.recordingHandler("record"))
            task1:
                hlt
            """, exporting: ["a1", "a2", "a3", "gp_handler", "ts_handler", "done"])
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(10, "ts_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog == [
            .init(code: UInt32(Sel.tss0), eip: h["a1"]),
            .init(code: UInt32(Sel.tss0), eip: h["a2"]),
            .init(code: 0x30, eip: h["a3"]),
        ])
        #expect(h.cpu.tr.selector == Sel.tss0)
    }

    @Test("after a task switch CR0.TS makes the next x87 instruction raise #NM until CLTS")
    func taskSwitchedFlagTrapsFPU() throws {
        let h = try Self.harnessWithSecondTask(entry: "task1", body: """
                jmp 0x30:0
            task1:
                mov esi, r1
            a1: fninit
            r1: mov eax, cr0
                clts
                mov ebx, cr0
                fninit
                fld1
                fistp dword [DATA]
            done:
                hlt
            \(GuestHarness.recordingHandler("nm_handler", hasErrorCode: false))
            """, exporting: ["a1", "nm_handler", "done"])
        h.setInterruptGate(7, "nm_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog == [.init(code: 0, eip: h["a1"])])
        #expect(h.cpu[.eax] & CR0.ts != 0 && h.cpu[.ebx] & CR0.ts == 0)
        #expect(h.read32(GuestLayout.data) == 1)
    }

    @Test("switching to a TSS whose EFLAGS has VM set starts a virtual-8086 task")
    func switchToV86Task() throws {
        let h = try Self.harnessWithSecondTask(entry: "v86_code", body: """
                jmp 0x30:0
            bits 16
            v86_code:
                mov word [0x0004], 0x1234       ; DS = 3000h
                mov ax, cs
                int 0x30
            bits 32
            int30:
                mov ebx, [esp+4]                ; CS
                mov ecx, [esp+8]                ; EFLAGS
                mov edx, [esp+24]               ; DS
            done:
                hlt
            """, exporting: ["int30", "done"]) { t in
            t.eflags = 0x2_3002
            t.segs = [0x3000, 0x0800, 0x5000, 0x3000, 0, 0]
            t.regs[4] = 0x100
        }
        // The V86 task runs at IP = label - 0x8000 with CS = 0x0800.
        h.write32(Self.tss1 + 0x20, h.read32(Self.tss1 + 0x20) - 0x8000)
        h.setInterruptGate(0x30, "int30", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.read16(0x30004) == 0x1234, "DS base = 3000h << 4")
        #expect(h.cpu[.eax] & 0xFFFF == 0x0800)
        #expect(h.cpu[.ebx] == 0x0800 && h.cpu[.ecx] & 0x2_0000 != 0 && h.cpu[.edx] == 0x3000)
        #expect(h.cpu.tr.selector == 0x30)
    }

    @Test("a TSS with the T bit set raises #DB with DR6.BT before the new task's first instruction")
    func debugTrapBit() throws {
        let h = try Self.harnessWithSecondTask(entry: "task1", body: """
                jmp 0x30:0
                hlt
            task1:
                mov eax, 0x600D
            done:
                hlt
            db_handler:
                mov ebx, [esp]              ; EIP: the new task's first instruction
                mov ecx, dr6
                inc dword [ss:LOG]
                iretd
            """, exporting: ["done", "db_handler"])
        h.write16(Self.tss1 + 0x64, 1)
        h.setInterruptGate(1, "db_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.log(0) == 1)
        #expect(h.cpu[.ebx] == h["task1"])
        #expect(h.cpu[.ecx] & 0x8000 != 0, "DR6.BT")
        #expect(h.cpu[.eax] == 0x600D)
    }
}
