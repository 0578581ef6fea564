// SYSENTER/SYSEXIT, MSRs, CPUID and the P6 additions to the integer set (CMPXCHG8B, BSWAP,
// CMOVcc) plus the LOCK prefix rules (SDM Vol. 2; Vol. 3 §5.8.7, ch. 35).

import Testing
import X86

@Suite("Model-specific instructions")
struct ModelSpecificTests {
    @Test("SYSENTER enters ring 0 from the MSRs and SYSEXIT returns to ring 3 at EDX with ESP = ECX")
    func sysenterSysexit() throws {
        let h = GuestHarness()
        try h.load("""
                mov ecx, 0x174
                xor edx, edx
                mov eax, CODE0
                wrmsr
                mov ecx, 0x175
                mov eax, 0x7F000
                wrmsr
                mov ecx, 0x176
                mov eax, sysenter_entry
                wrmsr
                mov ecx, 0x176
                rdmsr
                mov [LOG+16], eax
                ENTER_RING3 ring3
            ring3:
                mov ecx, esp
                mov edx, after_sysexit
                sysenter
            sysenter_entry:
                mov [ss:LOG], esp
                mov eax, cs
                mov [ss:LOG+4], eax
                mov eax, ss
                mov [ss:LOG+8], eax
                pushfd
                pop eax
                mov [ss:LOG+12], eax
                sysexit
            after_sysexit:
                mov eax, cs
                mov [ss:DATA], eax
                mov eax, ss
                mov [ss:DATA+4], eax
                mov [ss:DATA+8], esp
                int 0x81
            int81:
            done:
                hlt
            """, exporting: ["sysenter_entry", "int81", "done"])
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.log(0) == 0x7F000, "ESP from IA32_SYSENTER_ESP")
        #expect(h.log(1) == UInt32(Sel.code0) && h.log(2) == UInt32(Sel.data0))
        #expect(h.log(3) & 0x200 == 0, "SYSENTER clears IF")
        #expect(h.log(4) == h["sysenter_entry"], "RDMSR reads back IA32_SYSENTER_EIP")
        #expect(h.read32(GuestLayout.data) == UInt32(Sel.code3), "CS = SYSENTER_CS + 16, RPL 3")
        #expect(h.read32(GuestLayout.data + 4) == UInt32(Sel.data3), "SS = SYSENTER_CS + 24, RPL 3")
        #expect(h.read32(GuestLayout.data + 8) == GuestLayout.stack3Top)
        #expect(h.cpu.sysenterEIP == h["sysenter_entry"])
    }

    @Test("RDMSR/WRMSR of an unknown MSR, RDMSR at ring 3, SYSEXIT at ring 3 and SYSENTER with SYSENTER_CS = 0 raise #GP(0)")
    func msrAndSysenterFaults() throws {
        let h = GuestHarness()
        try h.load("""
                mov esi, r1
                mov ecx, 0xDEAD
            a1: rdmsr
            r1: mov esi, r2
            a2: wrmsr
            r2: mov esi, r3
            a3: sysenter                    ; IA32_SYSENTER_CS is still 0
            r3:
                ENTER_RING3 ring3
            ring3:
                mov esi, r4
                mov ecx, 0x10
            a4: rdmsr
            r4: mov esi, r5
            a5: sysexit
            r5: int 0x81
            \(GuestHarness.recordingHandler("gp_handler"))
            int81:
            done:
                hlt
            """, exporting: ["a1", "a2", "a3", "a4", "a5", "gp_handler", "int81", "done"])
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog == ["a1", "a2", "a3", "a4", "a5"].map { .init(code: 0, eip: h[$0]) })
    }

    @Test("CPUID leaves 0 and 1 describe a family-6 GenuineIntel part with the features the CPU implements",
          arguments: [false, true])
    func cpuidLeaves(localAPIC: Bool) throws {
        let h = GuestHarness()
        h.cpu.hasLocalAPIC = localAPIC
        try h.load("""
                xor eax, eax
                cpuid
                mov [LOG], eax
                mov [LOG+4], ebx
                mov [LOG+8], edx
                mov [LOG+12], ecx
                mov eax, 1
                cpuid
                mov [LOG+16], eax
                mov [LOG+20], ebx
                mov [LOG+24], ecx
                mov [LOG+28], edx
            done:
                hlt
            """, exporting: ["done"])
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.log(0) >= 1, "leaf 1 exists")
        let vendor = h.memory.bytes(at: GuestLayout.log + 4, count: 12)
        #expect(String(decoding: vendor, as: UTF8.self) == "GenuineIntel")
        let signature = h.log(4)
        let family = signature >> 8 & 0xF, model = signature >> 4 & 0xF, stepping = signature & 0xF
        #expect(family == 6)
        // Family 6, model < 3, stepping < 3 tells software that SEP is not really there.
        #expect(!(model < 3 && stepping < 3), "SYSENTER must be usable")
        let edx = h.log(7)
        for (bit, name) in [(0, "FPU"), (3, "PSE"), (4, "TSC"), (5, "MSR"), (8, "CX8"), (11, "SEP"), (13, "PGE"), (15, "CMOV")] {
            #expect(edx & (1 << bit) != 0, "\(name) reported")
        }
        #expect((edx & (1 << 9) != 0) == localAPIC, "APIC bit follows hasLocalAPIC")
        for (bit, name) in [(6, "PAE"), (23, "MMX"), (24, "FXSR"), (25, "SSE"), (26, "SSE2")] {
            #expect(edx & (1 << bit) == 0, "\(name) not implemented, not reported")
        }
        #expect(h.log(6) == 0, "no ECX features")
    }

    @Test("EDX after reset holds the CPUID signature")
    func resetSignature() throws {
        let h = GuestHarness()
        h.cpu.reset()
        let edxAtReset = h.cpu[.edx]
        try h.load("""
                mov eax, 1
                cpuid
            done:
                hlt
            """, exporting: ["done"])
        h.cpu.setSegmentReal(.cs, selector: 0)
        for s in [SegmentRegister.ds, .es, .ss] { h.cpu.setSegmentReal(s, selector: 0) }
        h.cpu.eip = GuestLayout.code
        h.cpu[.esp] = 0x7000
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(edxAtReset == h.cpu[.eax], "SDM Vol. 3 §9.1.4")
    }

    @Test("CMPXCHG8B, BSWAP and CMOVcc give the P6 results")
    func p6IntegerInstructions() throws {
        let h = GuestHarness()
        try h.load("""
                mov dword [DATA], 0x11111111
                mov dword [DATA+4], 0x22222222
                mov eax, 0x11111111
                mov edx, 0x22222222
                mov ebx, 0x33333333
                mov ecx, 0x44444444
                lock cmpxchg8b [DATA]
                setz [LOG]
                xor eax, eax
                xor edx, edx
                cmpxchg8b [DATA]
                setz [LOG+1]
                mov [LOG+4], eax
                mov [LOG+8], edx
                mov esi, 0x12345678
                bswap esi
                mov [LOG+12], esi
                mov eax, 5
                mov ebx, 7
                cmp eax, ebx
                cmovl eax, ebx
                mov ecx, 9
                cmovg ecx, ebx
                mov [LOG+16], eax
                mov [LOG+20], ecx
                mov edx, 0xAAAA5555
                cmp ebx, ebx
                cmove dx, [DATA]
                mov [LOG+24], edx
            done:
                hlt
            """, exporting: ["done"])
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.read8(GuestLayout.log) == 1, "equal: ZF set, ECX:EBX stored")
        #expect(h.read32(GuestLayout.data) == 0x3333_3333 && h.read32(GuestLayout.data + 4) == 0x4444_4444)
        #expect(h.read8(GuestLayout.log + 1) == 0, "different: ZF clear")
        #expect(h.log(1) == 0x3333_3333 && h.log(2) == 0x4444_4444, "EDX:EAX loaded from memory")
        #expect(h.log(3) == 0x7856_3412)
        #expect(h.log(4) == 7, "CMOVL taken")
        #expect(h.log(5) == 9, "CMOVG not taken")
        #expect(h.log(6) == 0xAAAA_3333, "16-bit CMOVE writes only DX")
    }

    @Test("LOCK with a register destination or a non-lockable instruction raises #UD")
    func lockPrefixRules() throws {
        let h = GuestHarness()
        try h.load("""
                mov dword [DATA+16], 5
                mov esi, r1
            a1: lock add eax, ebx
            r1: mov esi, r2
                lock inc dword [DATA+16]        ; fine
                lock xchg [DATA+16], eax        ; fine
            r2: mov esi, r3
            a3: db 0xF0, 0x0F, 0xC7, 0xC8       ; LOCK CMPXCHG8B EAX (register form)
            r3: mov esi, r4
            a4: db 0xF0, 0x89, 0x05             ; LOCK MOV [DATA], EAX
                dd DATA
            r4: mov esi, r5
            a5: db 0xF0, 0x0F, 0xA3, 0x05       ; LOCK BT [DATA], EAX
                dd DATA
            r5:
            done:
                hlt
            \(GuestHarness.recordingHandler("ud_handler", hasErrorCode: false))
            """, exporting: ["a1", "a3", "a4", "a5", "ud_handler", "done"])
        h.setInterruptGate(6, "ud_handler")
        h.cpu[.eax] = 0
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog == ["a1", "a3", "a4", "a5"].map { .init(code: 0, eip: h[$0]) })
        #expect(h.cpu[.eax] == 6, "the locked INC and XCHG ran")
    }

    @Test("EFLAGS.AC and EFLAGS.ID toggle under POPFD, as 486 and CPUID detection expect")
    func acAndIDToggle() throws {
        let h = GuestHarness()
        try h.load("""
                pushfd
                pop eax
                mov ebx, eax
                xor eax, 0x240000               ; flip AC and ID
                push eax
                popfd
                pushfd
                pop ecx
                xor ecx, ebx
            done:
                hlt
            """, exporting: ["done"])
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ecx] == 0x24_0000)
    }

    @Test("LAR, LSL, VERR and VERW report access rights, limits and usability with ZF")
    func accessRightsQueries() throws {
        let h = GuestHarness()
        h.setDescriptor(6, base: 0, limit: 0x12, access: Access.data3, flags: 0x4)     // byte-granular, DPL 3
        h.setDescriptor(7, base: 0, limit: 0x3, access: 0x90 | 0x60, flags: 0xC)       // read-only, 4 KiB units
        try h.load("""
                ENTER_RING3 ring3
            ring3:
                mov ax, 0x33
                lsl ebx, ax
                setz [ss:LOG]
                lar ecx, ax
                mov ax, 0x3B
                lsl edx, ax
                verr ax
                setz [ss:LOG+1]
                verw ax
                setz [ss:LOG+2]
                mov ax, DATA0 | 3               ; DPL 0: invisible to CPL 3
                mov esi, 0x5555
                lsl esi, ax
                setz [ss:LOG+3]
                xor ax, ax
                lar edi, ax
                setz [ss:LOG+4]
                mov ax, TSS0 | 3                ; a TSS of DPL 0
                lsl ebp, ax
                setz [ss:LOG+5]
                int 0x81
            int81:
            done:
                hlt
            """, exporting: ["int81", "done"])
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        let z = h.memory.bytes(at: GuestLayout.log, count: 6)
        #expect(z == [1, 1, 0, 0, 0, 0])
        #expect(h.cpu[.ebx] == 0x12)
        #expect(h.cpu[.ecx] == 0x0040_F300 || h.cpu[.ecx] == 0x0040_F200, "type, DPL, P, D/B; accessed bit may be set")
        #expect(h.cpu[.edx] == 0x3FFF, "granularity applied")
        #expect(h.cpu[.esi] == 0x5555, "unchanged when ZF = 0")
    }
}
