// Privilege-level transitions: interrupt gates from ring 3, call gates, segment loads and
// returns to an outer ring (SDM Vol. 3 §5.5–5.8, §6.12).

import Testing
import X86

@Suite("Privilege levels")
struct PrivilegeTests {
    @Test("INT 0x80 from ring 3 through a DPL-3 trap gate runs on the TSS ring-0 stack and IRET returns")
    func ring3SystemCall() throws {
        let h = GuestHarness()
        try h.load("""
                ENTER_RING3 ring3
            ring3:
                mov ecx, ds                 ; nulled by the IRET to ring 3
                mov ax, DATA3
                mov ds, ax
                mov eax, 0x1234
                int 0x80
            after_int:
                mov [DATA], eax
                mov [DATA+4], esp
                mov ebx, cs
                mov [DATA+8], ebx
                int 0x81
            int80:
                push ebp
                mov ebp, esp
                mov ebx, [ebp+4]
                mov [ss:LOG+0], ebx         ; EIP
                mov ebx, [ebp+8]
                mov [ss:LOG+4], ebx         ; CS
                mov ebx, [ebp+12]
                mov [ss:LOG+8], ebx         ; EFLAGS
                mov ebx, [ebp+16]
                mov [ss:LOG+12], ebx        ; ESP
                mov ebx, [ebp+20]
                mov [ss:LOG+16], ebx        ; SS
                lea ebx, [ebp+4]
                mov [ss:LOG+20], ebx        ; handler ESP at entry
                mov ebx, ss
                mov [ss:LOG+24], ebx
                pushfd
                pop ebx
                mov [ss:LOG+28], ebx        ; trap gate: IF still set
                pop ebp
                inc eax
                iretd
            int81:
                pushfd
                pop ebx
            done:
                hlt
            """, exporting: ["ring3", "after_int", "int80", "int81", "done"])
        h.setInterruptGate(0x80, "int80", dpl: 3, trap: true)
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ecx] == 0, "DS (DPL 0) is nulled by IRET to ring 3")
        #expect(h.log(0) == h["after_int"])
        #expect(h.log(1) == UInt32(Sel.code3))
        #expect(h.log(2) & 0x0003_7FD7 == 0x202, "EFLAGS image: IF set, IOPL 0, no VM/RF/NT")
        #expect(h.log(3) == GuestLayout.stack3Top)
        #expect(h.log(4) == UInt32(Sel.data3))
        #expect(h.log(5) == GuestLayout.tssStack0Top - 20, "frame on the TSS ESP0 stack")
        #expect(h.log(6) == UInt32(Sel.data0), "SS loaded from TSS.SS0")
        #expect(h.log(7) & 0x200 != 0, "a trap gate leaves IF set")
        #expect(h.cpu[.ebx] & 0x200 == 0, "an interrupt gate clears IF")
        #expect(h.read32(GuestLayout.data) == 0x1235, "handler result seen in ring 3")
        #expect(h.read32(GuestLayout.data + 4) == GuestLayout.stack3Top, "ring-3 ESP restored")
        #expect(h.read32(GuestLayout.data + 8) == UInt32(Sel.code3))
        #expect(h.cpu.cpl == 0)
    }

    @Test("INT n from ring 3 to a DPL-0 gate raises #GP(vector * 8 + 2)")
    func intThroughPrivilegedGateFaults() throws {
        let h = GuestHarness()
        try h.load("""
                ENTER_RING3 ring3
            ring3:
            bad:
                int 0x40
                jmp $
            gp_handler:
                pop edx                     ; error code
                pop edi                     ; EIP
                pop ebp                     ; CS
            done:
                hlt
            int40:
                hlt
            """, exporting: ["bad", "gp_handler", "done", "int40"])
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(0x40, "int40", dpl: 0)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.edx] == 0x40 * 8 + 2, "IDT bit set, EXT clear")
        #expect(h.cpu[.edi] == h["bad"])
        #expect(h.cpu[.ebp] == UInt32(Sel.code3))
    }

    @Test("a far CALL through a call gate copies parameters to the ring-0 stack and RETF 8 returns to ring 3")
    func callGateWithParameters() throws {
        let h = GuestHarness()
        try h.load("""
                ENTER_RING3 ring3
            ring3:
                mov ax, DATA3
                mov ds, ax
                mov es, ax
                push dword 0x1111           ; first parameter (higher address)
                push dword 0x2222
                call 0x3B:0                 ; call gate, RPL 3
            after_call:
                mov [DATA], esp
                mov ebx, es
                mov [DATA+4], ebx
                mov ebx, ds
                mov [DATA+8], ebx
                int 0x81
            gate_target:
                mov ecx, 0
            .copy:
                mov eax, [esp+ecx*4]
                mov [ss:LOG+ecx*4], eax
                inc ecx
                cmp ecx, 6
                jb .copy
                mov [ss:LOG+24], esp
                mov eax, cs
                mov [ss:LOG+28], eax
                mov eax, ss
                mov [ss:LOG+32], eax
                mov ax, DATA0               ; DPL 0: must be nulled by the return to ring 3
                mov es, ax
                retf 8
            int81:
            done:
                hlt
            """, exporting: ["ring3", "after_call", "gate_target", "int81", "done"])
        h.setGate(7, selector: Sel.code0, offset: h["gate_target"], access: Access.callGate32 | 0x60, paramCount: 2)
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        let frame = (0..<6).map { h.log($0) }
        #expect(frame == [h["after_call"], UInt32(Sel.code3), 0x2222, 0x1111,
                          GuestLayout.stack3Top - 8, UInt32(Sel.data3)])
        #expect(h.log(6) == GuestLayout.tssStack0Top - 24)
        #expect(h.log(7) == UInt32(Sel.code0))
        #expect(h.log(8) == UInt32(Sel.data0))
        #expect(h.read32(GuestLayout.data) == GuestLayout.stack3Top, "RETF 8 released the parameters")
        #expect(h.read32(GuestLayout.data + 4) == 0, "ES (DPL 0) nulled on return to ring 3")
        #expect(h.read32(GuestLayout.data + 8) == UInt32(Sel.data3), "DS (DPL 3) kept")
    }

    @Test("loading a data segment with DPL below CPL or RPL raises #GP(selector)")
    func dataSegmentPrivilegeChecks() throws {
        let h = GuestHarness()
        try h.load("""
                mov esi, r0
                mov ax, DATA0 | 3
            a0: mov ds, ax                  ; CPL 0, RPL 3 > DPL 0
            r0:
                ENTER_RING3 ring3
            ring3:
                mov esi, r1
                mov ax, DATA0 | 3
            a1: mov es, ax                  ; CPL 3 > DPL 0
            r1: mov esi, r2
                mov ax, DATA0
            a2: mov fs, ax                  ; CPL 3 > DPL 0, RPL 0
            r2: mov esi, r3
                mov ax, DATA0 | 3
            a3: mov ss, ax                  ; SS needs DPL = CPL
            r3: mov esi, r4
                mov ax, DATA3
                mov gs, ax                  ; fine
                mov ebx, gs
            r4: int 0x81
            \(GuestHarness.recordingHandler("gp_handler"))
            int81:
            done:
                hlt
            """, exporting: ["a0", "a1", "a2", "a3", "gp_handler", "int81", "done"])
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog == [
            .init(code: 0x10, eip: h["a0"]), .init(code: 0x10, eip: h["a1"]),
            .init(code: 0x10, eip: h["a2"]), .init(code: 0x10, eip: h["a3"]),
        ])
        #expect(h.cpu[.ebx] == UInt32(Sel.data3))
    }

    @Test("IRET to an outer ring nulls data segment registers the new CPL may not use")
    func outerReturnNullsSegments() throws {
        let h = GuestHarness()
        // A conforming readable code segment of DPL 0 survives the return (SDM IRET pseudocode).
        h.setDescriptor(6, base: 0, limit: 0xFFFFF, access: 0x9E, flags: 0xC)
        try h.load("""
                mov ax, DATA0
                mov ds, ax
                mov ax, DATA3
                mov es, ax
                mov ax, 0x30
                mov fs, ax
                mov ax, DATA0
                mov gs, ax
                ENTER_RING3 ring3
            ring3:
                mov eax, ds
                mov ebx, es
                mov ecx, fs
                mov edx, gs
                mov esi, ok
            bad:
                mov edi, [gs:DATA]          ; null selector: #GP(0)
            ok:
                int 0x81
            \(GuestHarness.recordingHandler("gp_handler"))
            int81:
            done:
                hlt
            """, exporting: ["bad", "gp_handler", "int81", "done"])
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.eax] == 0)
        #expect(h.cpu[.ebx] == UInt32(Sel.data3))
        #expect(h.cpu[.ecx] == 0x30)
        #expect(h.cpu[.edx] == 0)
        #expect(h.faultLog == [.init(code: 0, eip: h["bad"])])
    }

    /// Privileged and IOPL-sensitive instructions, each run at CPL 3 with IOPL 0 and no I/O bitmap.
    static let privileged: [(String, String)] = [
        ("LGDT", "lgdt [0x500]"), ("LIDT", "lidt [0x508]"), ("LLDT", "lldt ax"), ("LTR", "ltr ax"),
        ("MOV CR0", "mov cr0, eax"), ("MOV from CR3", "mov eax, cr3"), ("MOV DR7", "mov dr7, eax"),
        ("CLTS", "clts"), ("INVD", "invd"), ("WBINVD", "wbinvd"), ("INVLPG", "invlpg [0]"),
        ("HLT", "hlt"), ("LMSW", "lmsw ax"), ("RDMSR", "rdmsr"), ("WRMSR", "wrmsr"),
        ("IN", "in al, 0x80"), ("OUT", "out dx, al"), ("INSB", "insb"), ("CLI", "cli"), ("STI", "sti"),
    ]

    @Test("privileged and IOPL-sensitive instructions raise #GP(0) at CPL 3; SGDT, SMSW and STR do not")
    func privilegedInstructionsFaultInRing3() throws {
        let h = GuestHarness()
        let cases = Self.privileged.enumerated().map { i, c in
            "    mov esi, priv_r\(i)\npriv_a\(i): \(c.1)\npriv_r\(i):\n"
        }.joined()
        try h.load("""
                ENTER_RING3 ring3
            ring3:
                mov ax, DATA3
                mov ds, ax
                mov es, ax
                xor eax, eax
                mov dx, 0x80
                mov edi, DATA
            \(cases)
                sgdt [DATA]
                sidt [DATA+8]
                smsw bx
                str cx
                int 0x81
            \(GuestHarness.recordingHandler("gp_handler"))
            int81:
            done:
                hlt
            """, exporting: (0..<Self.privileged.count).map { "priv_a\($0)" } + ["gp_handler", "int81", "done"])
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        let log = h.faultLog
        for (i, c) in Self.privileged.enumerated() {
            #expect(log.contains(.init(code: 0, eip: h["priv_a\(i)"])), "\(c.0) at CPL 3")
        }
        #expect(log.count == Self.privileged.count)
        #expect(h.read16(GuestLayout.data) == 0x7FF && h.read32(GuestLayout.data + 2) == GuestLayout.gdt)
        #expect(h.cpu[.ebx] & 0xFFFF == UInt32(h.cpu.cr0 & 0xFFFF))
        #expect(h.cpu[.ecx] & 0xFFFF == UInt32(Sel.tss0))
    }

    @Test("at CPL 3 with IOPL 0, the TSS I/O bitmap grants individual ports")
    func ioBitmapInRing3() throws {
        let h = GuestHarness()
        let dev = RecordingPorts()
        h.ports.register(dev, ports: 0x60...0x67)
        // I/O map at 0x68: ports 0x60 and 0x61 allowed, everything else denied.
        var t = TSS32()
        t.ioMapBase = 0x68
        h.writeTSS32(at: GuestLayout.tss0, t)
        for i in 0..<0x2001 { h.write8(GuestLayout.tss0 + 0x68 + UInt32(i), 0xFF) }
        h.write8(GuestLayout.tss0 + 0x68 + 0x60 / 8, 0xFC)
        h.setDescriptor(5, base: GuestLayout.tss0, limit: 0x68 + 0x2000, access: Access.tss32, flags: 0)
        try h.load("""
                ENTER_RING3 ring3
            ring3:
                mov esi, r1
            a1: in al, 0x60
            r1: mov esi, r2
            a2: in ax, 0x60                     ; 0x60–0x61
            r2: mov esi, r3
            a3: in ax, 0x61                     ; 0x61–0x62: 0x62 denied
            r3: mov esi, r4
            a4: in eax, 0x60                    ; 0x60–0x63: denied
            r4: int 0x81
            \(GuestHarness.recordingHandler("gp_handler"))
            int81:
            done:
                hlt
            """, exporting: ["a3", "a4", "gp_handler", "int81", "done"])
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog == [.init(code: 0, eip: h["a3"]), .init(code: 0, eip: h["a4"])])
        #expect(dev.accesses.map(\.width) == [1, 2])
    }

    @Test("POPF at CPL 3 silently keeps IOPL and IF; IRET from CPL 0 may change them")
    func popfIgnoresPrivilegedFlags() throws {
        let h = GuestHarness()
        try h.load("""
                ENTER_RING3 ring3, 0x1202       ; IOPL 1, IF set
            ring3:
                pushfd
                pop eax
                mov ebx, eax
                and ebx, ~0x3200                ; try IOPL 0, IF 0
                or ebx, 0x3000                  ; ...and then IOPL 3
                push ebx
                popfd
                pushfd
                pop ecx
                int 0x81
            int81:
            done:
                hlt
            """, exporting: ["int81", "done"])
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.eax] & 0x3200 == 0x1200, "IRET from CPL 0 set IOPL 1 and IF")
        #expect(h.cpu[.ecx] & 0x3200 == 0x1200, "POPF at CPL 3 > IOPL changed neither")
    }

    @Test("call gates check the gate DPL against CPL and RPL, and the target DPL against CPL")
    func callGateChecks() throws {
        let h = GuestHarness()
        h.setDescriptor(9, base: 0, limit: 0xFFFFF, access: 0xDA, flags: 0xC)   // code, DPL 2
        try h.load("""
                ; CPL 0 → ring-2 code through a gate: target DPL 2 > CPL 0
                mov esi, r0
            a0: call 0x40:0
            r0:
                ENTER_RING3 ring3
            ring3:
                mov esi, r1
            a1: call 0x38:0                     ; gate DPL 0 < CPL 3
            r1: mov esi, r2
            a2: jmp 0x43:0                      ; JMP through a gate to inner code: #GP(target)
            r2: int 0x81
            target:
                hlt
            \(GuestHarness.recordingHandler("gp_handler"))
            int81:
            done:
                hlt
            """, exporting: ["a0", "a1", "a2", "target", "gp_handler", "int81", "done"])
        h.setGate(7, selector: Sel.code0, offset: h["target"], access: Access.callGate32)            // DPL 0
        h.setGate(8, selector: 0x48, offset: h["target"], access: Access.callGate32 | 0x60)          // DPL 3 → ring 2
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog == [
            .init(code: 0x48, eip: h["a0"]),
            .init(code: 0x38, eip: h["a1"]),
            .init(code: 0x48, eip: h["a2"]),
        ])
    }

    @Test("a far JMP to conforming code of DPL 0 keeps CPL 3; its RPL becomes 3")
    func conformingCodeKeepsCPL() throws {
        let h = GuestHarness()
        h.setDescriptor(6, base: 0, limit: 0xFFFFF, access: 0x9E, flags: 0xC)   // conforming, DPL 0
        try h.load("""
                ENTER_RING3 ring3
            ring3:
                jmp 0x33:conforming
            conforming:
                mov ebx, cs
                mov esi, r1
            a1: hlt                             ; still CPL 3: #GP(0)
            r1: int 0x81
            \(GuestHarness.recordingHandler("gp_handler"))
            int81:
            done:
                hlt
            """, exporting: ["a1", "gp_handler", "int81", "done"])
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ebx] == 0x33)
        #expect(h.faultLog == [.init(code: 0, eip: h["a1"])])
    }

    @Test("IRET and RETF to ring 3 validate the return CS and SS")
    func outerReturnValidation() throws {
        let h = GuestHarness()
        try h.load("""
                mov esi, r1
                push dword DATA0 | 3            ; SS of DPL 0 for a CPL-3 return
                push dword STACK3_TOP
                push dword 0x202
                push dword CODE3
                push dword ring3
            a1: iretd
            r1: mov esp, STACK0_TOP
                mov esi, r2
                push dword DATA3
                push dword STACK3_TOP
                push dword CODE0 | 3            ; RPL 3 but the code segment has DPL 0
                push dword ring3
            a2: retf
            r2: mov esp, STACK0_TOP
            done:
                hlt
            ring3:
                jmp $
            \(GuestHarness.recordingHandler("gp_handler"))
            """, exporting: ["a1", "a2", "gp_handler", "done"])
        h.setInterruptGate(13, "gp_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog == [.init(code: UInt32(Sel.data0), eip: h["a1"]), .init(code: UInt32(Sel.code0), eip: h["a2"])])
        #expect(h.cpu.cpl == 0)
    }
}
