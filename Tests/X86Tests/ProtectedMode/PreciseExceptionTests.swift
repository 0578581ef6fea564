// Restartable faults in the middle of instructions, faults during event delivery, double and
// triple faults (SDM Vol. 3 §6.6, §6.15 "Interrupt 8", Table 6-5).

import Testing
import X86

@Suite("Precise exceptions")
struct PreciseExceptionTests {
    @Test("a page fault in the middle of REP MOVSD shows the progress in ESI/EDI/ECX and the copy completes after IRET")
    func pageFaultInRepMovs() throws {
        let h = GuestHarness()
        h.identityMapFirst4MiB()
        h.setPTE(0x350000, 0)
        for i in 0..<6 { h.write32(0x340000 + UInt32(i) * 4, 0x1000 + UInt32(i)) }
        try h.load("""
                ENABLE_PAGING
                cld
                mov esi, 0x340000
                mov edi, 0x34FFF8
                mov ecx, 6
            copy:
                rep movsd
            done:
                hlt
            pf_handler:
                mov [ss:LOG], esi
                mov [ss:LOG+4], edi
                mov [ss:LOG+8], ecx
                push eax
                mov eax, [esp+4]
                mov [ss:LOG+12], eax
                mov eax, [esp+8]
                mov [ss:LOG+16], eax
                mov eax, cr2
                mov [ss:LOG+20], eax
                inc dword [ss:LOG+24]
                ; Map the page. A not-present entry is never cached, so no INVLPG is needed.
                mov dword [ss:PAGE_TABLE0 + 0x350*4], 0x350000 | 3
                pop eax
                add esp, 4
                iretd
            """, exporting: ["copy", "done", "pf_handler"])
        h.setInterruptGate(14, "pf_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.log(0) == 0x340008, "ESI after two dwords")
        #expect(h.log(1) == 0x350000, "EDI at the unmapped page")
        #expect(h.log(2) == 4, "ECX counts the remaining dwords")
        #expect(h.log(3) == 2, "write to a not-present page")
        #expect(h.log(4) == h["copy"], "EIP points at the REP MOVSD")
        #expect(h.log(5) == 0x350000, "CR2")
        #expect(h.log(6) == 1, "exactly one fault")
        #expect(h.cpu[.ecx] == 0 && h.cpu[.esi] == 0x340018 && h.cpu[.edi] == 0x350010)
        let copied: [UInt32] = (0..<6).map { h.read32(0x34FFF8 + UInt32($0) * 4) }
        #expect(copied == [0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x1005])
    }

    @Test("a stack overflow while pushing an interrupt frame raises #SS before anything is pushed")
    func stackFaultWhilePushingFrame() throws {
        let h = GuestHarness()
        try h.load("""
                TSS1_BASE equ 0x5200
                mov ax, 0x38
                mov ss, ax
                mov esp, 8
                mov eax, 0x5a5a
            soft:
                int 0x40                        ; needs 12 bytes, only 8 below ESP
                hlt
            ss_task:
                pop eax                         ; #SS error code
                mov ebx, [TSS0_BASE+0x20]       ; interrupted EIP
                mov ecx, [TSS0_BASE+0x38]       ; interrupted ESP
                mov edx, [0x40000]
                mov edi, [0x40004]
            done:
                hlt
            int40:
                hlt
            """, exporting: ["soft", "ss_task", "done", "int40"])
        h.setDescriptor(7, base: 0x40000, limit: 0xFFF, access: Access.data0, flags: 0x4)
        var t = TSS32()
        t.eip = h["ss_task"]
        t.regs[4] = 0x50000
        h.writeTSS32(at: 0x5200, t)
        h.setDescriptor(6, base: 0x5200, limit: 0x67, access: Access.tss32, flags: 0)
        h.setTaskGate(12, tss: 0x30)
        h.setInterruptGate(0x40, "int40")
        h.write32(0x40000, 0xEEEE_EEEE)
        h.write32(0x40004, 0xEEEE_EEEE)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        // INT n is not an external event: EXT = 0, and the intra-level check reports #SS(EXT)
        // rather than a selector (SDM INT n, INTRA-PRIVILEGE-LEVEL-INTERRUPT).
        #expect(h.cpu[.eax] == 0)
        #expect(h.cpu[.ebx] == h["soft"], "EIP of the INT instruction")
        #expect(h.cpu[.ecx] == 8, "ESP unchanged")
        #expect(h.cpu[.edx] == 0xEEEE_EEEE && h.cpu[.edi] == 0xEEEE_EEEE, "no partial frame written")
    }

    @Test("a fault while delivering an exception reports EXT in its error code")
    func nestedFaultSetsEXT() throws {
        let h = GuestHarness()
        try h.load("""
                mov ax, 0x38
                mov ss, ax
                mov esp, 8
            bad:
                ud2                             ; #UD cannot push its frame: #SS(EXT = 1)
                hlt
            ss_task:
                pop eax
                mov ebx, [TSS0_BASE+0x20]
            done:
                hlt
            """, exporting: ["bad", "ss_task", "done"])
        h.setDescriptor(7, base: 0x40000, limit: 0xFFF, access: Access.data0, flags: 0x4)
        var t = TSS32()
        t.eip = h["ss_task"]
        t.regs[4] = 0x50000
        h.writeTSS32(at: 0x5200, t)
        h.setDescriptor(6, base: 0x5200, limit: 0x67, access: Access.tss32, flags: 0)
        h.setTaskGate(12, tss: 0x30)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.eax] & 1 == 1, "EXT set: the fault happened while delivering #UD")
        #expect(h.cpu[.ebx] == h["bad"])
    }

    @Test("a #GP whose IDT gate is not present escalates to #DF with error code 0")
    func doubleFaultFromNotPresentGate() throws {
        let h = GuestHarness()
        try h.load("""
                mov ax, DATA0 | 3
            fault:
                mov ds, ax                      ; #GP(0x10): RPL 3 > DPL 0
                hlt
            df_handler:
                pop edx
                pop edi
            done:
                hlt
            """, exporting: ["fault", "df_handler", "done"])
        h.setGate(13, selector: Sel.code0, offset: h["df_handler"], access: 0x0E, table: GuestLayout.idt)
        h.setInterruptGate(8, "df_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.edx] == 0)
        #expect(h.cpu[.edi] == h["fault"], "#DF is an abort but EIP still names the faulting instruction")
    }

    @Test("a page fault while delivering #GP is handled serially, not as #DF")
    func gpThenPageFaultIsSerial() throws {
        let h = GuestHarness()
        h.identityMapFirst4MiB()
        try h.load("""
                ENABLE_PAGING
                mov esp, 0x3A0010               ; the stack page is not present
                mov ax, DATA0 | 3
            fault:
                mov ds, ax
                hlt
            pf_handler:
                mov eax, cr2
                mov ebx, [esp]                  ; error code
            done:
                hlt
            """, exporting: ["fault", "pf_handler", "done"])
        h.setPTE(0x3A0000, 0)
        // The #PF handler cannot use the unmapped stack: it runs as a task with its own.
        var t = TSS32()
        t.eip = h["pf_handler"]
        t.regs[4] = 0x50000
        t.cr3 = GuestLayout.pageDirectory
        h.writeTSS32(at: 0x5200, t)
        h.setDescriptor(6, base: 0x5200, limit: 0x67, access: Access.tss32, flags: 0)
        h.setTaskGate(14, tss: 0x30)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.eax] == 0x3A000C, "CR2: the first frame dword")
        #expect(h.cpu[.ebx] == 2 | 0, "supervisor write to a not-present page")
    }

    @Test("a fault while delivering #DF shuts the processor down (triple fault)")
    func tripleFault() throws {
        let h = GuestHarness()
        try h.load("""
                lidt [zero_idtr]
                int3
                hlt
            zero_idtr:
                dw 0
                dd 0
            """)
        let stop = h.run()
        #expect(stop == .shutdown)
        #expect(h.run(budget: 10) == .shutdown, "stays in shutdown")
    }

    @Test("an instruction that straddles into a not-present page faults with CR2 at the second page and EIP at its start",
          arguments: [true, false])
    func fetchAcrossIntoNotPresentPage(decodedBlocks: Bool) throws {
        let h = GuestHarness(decodedBlocks: decodedBlocks)
        h.identityMapFirst4MiB()
        try h.load("""
                ENABLE_PAGING
                mov edi, 0x3B0FFE
                mov byte [edi], 0xB8            ; mov eax, imm32: 2 bytes here, 3 on the next page
                mov byte [edi+1], 0x11
                mov dword [PAGE_TABLE0 + 0x3B1*4], 0    ; unmap the next page
                mov eax, 0x3B1000
                invlpg [eax]
                mov eax, 0x5A5A5A5A
                jmp edi
            pf_handler:
                mov ebx, [esp]                  ; error code
                mov ecx, [esp+4]                ; EIP
                mov edx, cr2
            done:
                hlt
            """, exporting: ["pf_handler", "done"])
        h.setInterruptGate(14, "pf_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ebx] == 0, "supervisor read (fetch) of a not-present page")
        #expect(h.cpu[.ecx] == 0x3B0FFE)
        #expect(h.cpu[.edx] == 0x3B1000)
        #expect(h.cpu[.eax] == 0x5A5A_5A5A, "nothing of the MOV executed")
    }

    @Test("a hardware interrupt through an empty IDT entry raises #GP with the IDT and EXT bits")
    func externalInterruptThroughBadGate() throws {
        let h = GuestHarness()
        let src = TestInterruptSource()
        src.cpu = h.cpu
        src.vector = 0x50
        h.cpu.interruptController = src
        try h.load("""
                sti
            spin:
                jmp spin
            gp_handler:
                pop ebx
                pop ecx
            done:
                hlt
            """, exporting: ["spin", "gp_handler", "done"])
        h.setInterruptGate(13, "gp_handler")
        #expect(h.run(budget: 50) == .budgetExhausted)
        h.cpu.intrLine = true
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ebx] == 0x50 * 8 + 2 + 1)
        #expect(h.cpu[.ecx] == h["spin"])
    }
}
