// Mode switch and segment-limit / access-rights checks (SDM Vol. 3 §3.4, §5.3–5.6, §9.9).

import Testing
import X86

@Suite("Segmentation")
struct SegmentationTests {
    @Test("a real-mode far jump after setting CR0.PE enters 32-bit protected mode")
    func realToProtectedSwitch() throws {
        let h = GuestHarness()
        try h.load("""
                mov eax, 0x12345678
                mov ebx, cs
            done:
                hlt
            """, exporting: ["done", "__pm_entry"])
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu.protectedMode)
        #expect(h.cpu.cpl == 0)
        #expect(h.cpu[.eax] == 0x1234_5678)
        #expect(h.cpu[.ebx] == UInt32(Sel.code0))
        let cs = h.cpu.segment(.cs)
        #expect(cs.selector == Sel.code0 && cs.base == 0 && cs.limit == 0xFFFF_FFFF && cs.big)
        #expect(h.cpu.segment(.ss).big && h.cpu[.esp] == GuestLayout.stack0Top)
        // Loading a segment register sets the descriptor's accessed bit (SDM §3.4.5.1);
        // LTR marks the TSS busy (§7.2.4).
        #expect(h.descriptorHigh(Sel.code0) >> 8 & 0xFF == 0x9B)
        #expect(h.descriptorHigh(Sel.data0) >> 8 & 0xFF == 0x93)
        #expect(h.descriptorHigh(Sel.tss0) >> 8 & 0xF == 0xB)
        #expect(h.cpu.tr.selector == Sel.tss0)
    }

    @Test("reading past a data segment's limit raises #GP(0) with the faulting EIP pushed")
    func limitViolationRaisesGP() throws {
        let h = GuestHarness()
        h.setDescriptor(6, base: GuestLayout.data, limit: 0xFFF, access: Access.data0, flags: 0x4)
        h.write32(GuestLayout.data + 0xFFC, 0x1122_3344)
        try h.load("""
                mov ax, 0x30
                mov es, ax
                mov ecx, 0xC0FFEE
                mov ebx, [es:0xFFC]
            fault:
                mov ecx, [es:0xFFD]
                hlt
            gp_handler:
                pop edx
                pop edi
                pop ebp
                mov eax, esp
            done:
                hlt
            """, exporting: ["fault", "gp_handler", "done"])
        h.setInterruptGate(13, "gp_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ebx] == 0x1122_3344)
        #expect(h.cpu[.ecx] == 0xC0FFEE, "the faulting load must not complete")
        #expect(h.cpu[.edx] == 0, "error code")
        #expect(h.cpu[.edi] == h["fault"], "pushed EIP is the faulting instruction")
        #expect(h.cpu[.ebp] == UInt32(Sel.code0))
        #expect(h.cpu[.eax] == GuestLayout.stack0Top - 4, "only EFLAGS left of the 16-byte frame")
    }

    @Test("a pop beyond the SS limit raises #SS(0) and leaves ESP unchanged")
    func stackLimitViolationRaisesSS() throws {
        let h = GuestHarness()
        h.setDescriptor(6, base: 0x40000, limit: 0xFFF, access: Access.data0, flags: 0x4)
        try h.load("""
                mov ax, 0x30
                mov ss, ax
                mov esp, 0x1000
            fault:
                pop eax
                hlt
            ss_handler:
                pop edx
                pop edi
                mov ebx, esp
            done:
                hlt
            """, exporting: ["fault", "ss_handler", "done"])
        h.setInterruptGate(12, "ss_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.edx] == 0)
        #expect(h.cpu[.edi] == h["fault"])
        // Frame of 16 bytes pushed below the unchanged ESP 0x1000; error code and EIP popped.
        #expect(h.cpu[.ebx] == 0x1000 - 8)
    }

    @Test("an expand-down data segment accepts only offsets above its limit, up to 64 KiB or 4 GiB by B")
    func expandDownLimits() throws {
        let h = GuestHarness()
        // 16-bit expand-down: valid offsets 0x1000...0xFFFF.
        h.setDescriptor(6, base: GuestLayout.data, limit: 0x0FFF, access: 0x96, flags: 0x0)
        // 32-bit expand-down, 4 KiB granular: limit 0x2FFFF, valid offsets 0x30000...0xFFFFFFFF.
        h.setDescriptor(7, base: 0, limit: 0x2F, access: 0x96, flags: 0xC)
        h.write32(GuestLayout.data + 0x10, 0x600D_0030)
        try h.load("""
                mov ax, 0x30
                mov es, ax
                mov ax, 0x38
                mov fs, ax
                mov esi, r1
            a1: mov dword [es:0x1000], 0xAAAA0001
            r1: mov esi, r2
            a2: mov dword [es:0xFFFC], 0xAAAA0002
            r2: mov esi, r3
            a3: mov eax, [es:0x0FFF]
            r3: mov esi, r4
            a4: mov eax, [es:0xFFFD]
            r4: mov esi, r5
            a5: mov al, [es:0]
            r5: mov esi, r6
            a6: mov ebx, [fs:0x30010]
            r6: mov esi, r7
            a7: mov eax, [fs:0x2FFFF]
            r7:
            done:
                hlt
            \(GuestHarness.recordingHandler("gp_handler"))
            """, exporting: ["a3", "a4", "a5", "a7", "gp_handler", "done"])
        h.setInterruptGate(13, "gp_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.read32(GuestLayout.data + 0x1000) == 0xAAAA_0001)
        #expect(h.read32(GuestLayout.data + 0xFFFC) == 0xAAAA_0002)
        #expect(h.cpu[.ebx] == 0x600D_0030)
        #expect(h.faultLog == [
            .init(code: 0, eip: h["a3"]), .init(code: 0, eip: h["a4"]),
            .init(code: 0, eip: h["a5"]), .init(code: 0, eip: h["a7"]),
        ])
    }

    @Test("writes through a read-only data segment or a code segment raise #GP(0); unusable types fault on load")
    func accessRightsViolations() throws {
        let h = GuestHarness()
        h.setDescriptor(6, base: 0, limit: 0xFFFFF, access: 0x90, flags: 0xC)   // read-only data
        h.setDescriptor(7, base: 0, limit: 0xFFFFF, access: 0x98, flags: 0xC)   // execute-only code
        h.setDescriptor(8, base: 0, limit: 0xFFFFF, access: 0x9A, flags: 0xC)   // execute/read code
        h.write32(GuestLayout.data, 0x0000_1234)
        try h.load("""
                mov eax, 0x77777777
                mov ecx, 0x30
                mov es, cx
                mov esi, r1
            a1: mov edx, [es:DATA]
            r1: mov esi, r2
            a2: mov [es:DATA], eax
            r2: mov esi, r3
            a3: mov [cs:DATA], eax
            r3: mov esi, r4
            a4: mov ebx, [cs:DATA]
            r4: mov esi, r5
                mov cx, 0x38
            a5: mov ds, cx
            r5: mov esi, r6
                mov cx, 0x30
            a6: mov ss, cx
            r6: mov esi, r7
                mov cx, 0x40
                mov gs, cx
            a7: mov [gs:DATA], eax
            r7:
            done:
                hlt
            \(GuestHarness.recordingHandler("gp_handler"))
            """, exporting: ["a2", "a3", "a5", "a6", "a7", "gp_handler", "done"])
        h.setInterruptGate(13, "gp_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.edx] == 0x1234)
        #expect(h.cpu[.ebx] == 0x1234)
        #expect(h.read32(GuestLayout.data) == 0x1234, "no write may have landed")
        #expect(h.cpu.segment(.ds).selector == Sel.data0)
        #expect(h.cpu.segment(.ss).selector == Sel.data0)
        #expect(h.faultLog == [
            .init(code: 0, eip: h["a2"]), .init(code: 0, eip: h["a3"]),
            .init(code: 0x38, eip: h["a5"]), .init(code: 0x30, eip: h["a6"]),
            .init(code: 0, eip: h["a7"]),
        ])
    }

    @Test("segment loads check null selectors, table limits, types and presence")
    func segmentLoadChecks() throws {
        let h = GuestHarness()
        h.setDescriptor(6, base: 0, limit: 0xFFFFF, access: 0x12, flags: 0xC)   // data, not present
        h.setDescriptor(7, base: 0, limit: 0xFFFFF, access: 0x1A, flags: 0xC)   // code, not present
        h.setDescriptor(8, base: GuestLayout.tss0, limit: 0x67, access: Access.tss32, flags: 0) // system
        try h.load("""
                mov esi, r1
                mov ax, 0x800                   ; index 256: beyond the GDT limit 0x7FF
            a1: mov ds, ax
            r1: mov esi, r2
                mov ax, 0x0C                    ; TI = 1 with a null LDTR
            a2: mov es, ax
            r2: mov esi, r3
                mov ax, 0x30
            a3: mov fs, ax                      ; not present: #NP(sel)
            r3: mov esi, r4
            a4: mov ss, ax                      ; not present as SS: #SS(sel)
            r4: mov esi, r5
                xor eax, eax
            a5: mov ss, ax                      ; null SS: #GP(0)
            r5: mov esi, r6
                mov ax, 0x40
            a6: mov gs, ax                      ; a TSS is not a data segment
            r6: mov esi, r7
            a7: jmp 0x38:0                      ; code segment not present: #NP(sel)
            r7: mov esi, r8_
                xor eax, eax
                mov gs, ax                      ; null into GS is fine
            r8_:
            done:
                hlt
            gp_handler:
                jmp record
            np_handler:
                jmp record
            ss_handler:
                jmp record
            \(GuestHarness.recordingHandler("record"))
            """, exporting: ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "gp_handler", "np_handler", "ss_handler", "done"])
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(11, "np_handler")
        h.setInterruptGate(12, "ss_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog == [
            .init(code: 0x800, eip: h["a1"]), .init(code: 0x0C, eip: h["a2"]),
            .init(code: 0x30, eip: h["a3"]), .init(code: 0x30, eip: h["a4"]),
            .init(code: 0, eip: h["a5"]), .init(code: 0x40, eip: h["a6"]),
            .init(code: 0x38, eip: h["a7"]),
        ])
        #expect(h.cpu.segment(.gs).selector == 0)
        #expect(h.descriptorHigh(0x30) & 0x100 == 0, "a failed load does not set the accessed bit")
    }

    @Test("falling through the end of the CS limit raises #GP(0) at the instruction that crosses it")
    func codeLimit() throws {
        let h = GuestHarness()
        try h.load("""
                jmp 0x30:start
            gp_handler:
                pop edx
                pop edi
            done:
                hlt
            align 16
            start:
                nop
                nop
            crossing:
                mov eax, 0x12345678             ; 5 bytes: ends past the limit
            """, exporting: ["start", "crossing", "gp_handler", "done"])
        // Flat code segment whose limit ends 3 bytes into the MOV.
        h.setDescriptor(6, base: 0, limit: h["crossing"] + 2, access: Access.code0, flags: 0x4)
        h.setInterruptGate(13, "gp_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.edx] == 0)
        #expect(h.cpu[.edi] == h["crossing"])
        #expect(h.cpu[.eax] != 0x1234_5678)
    }
}
