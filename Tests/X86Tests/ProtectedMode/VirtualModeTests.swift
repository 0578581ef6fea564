// Virtual-8086 mode: entry by IRET, real-mode addressing, IOPL-sensitive instructions, the I/O
// permission bitmap and CR4.VME interrupt redirection (SDM Vol. 3 ch. 20).

import Testing
import X86

@Suite("Virtual-8086 mode")
struct VirtualModeTests {
    /// Ring-0 code that enters V86 mode at `label` with CS = 0x0800 (so IP = label - 0x8000),
    /// SS:SP = 5000:0100, DS = 3000, ES = 3100, FS = 7, GS = 9 and the given EFLAGS.
    static func enterV86(_ label: String, eflags: UInt32) -> String {
        """
            push dword 0x0009
            push dword 0x0007
            push dword 0x3000
            push dword 0x3100
            push dword 0x5000
            push dword 0x0100
            push dword 0x\(String(eflags, radix: 16))
            push dword 0x0800
            push dword \(label) - 0x8000
            iretd
        """
    }

    /// V86 IP of a label (CS = 0x0800).
    static func ip(_ h: GuestHarness, _ label: String) -> UInt32 { h[label] - 0x8000 }

    /// Ring-0 #GP monitor: stops on the HLT at `done` when ESI = 0xFFFF, otherwise logs the
    /// fault and resumes the V86 task at IP = ESI.
    static let monitor = """
        bits 32
        gp_monitor:
            cmp esi, 0xFFFF
            je done
            jmp gp_record
        done:
            hlt
        \(GuestHarness.recordingHandler("gp_record"))
        """

    /// Installs a 32-bit TSS0 image with an I/O permission bitmap at 0x68 + `redirectionBytes`
    /// in which only `allowed` ports are accessible, and the redirection bitmap (`redirected`
    /// vectors have their bit clear).
    static func installBitmaps(_ h: GuestHarness, allowed: [UInt16], vmeRedirected: [UInt8]? = nil) {
        let redirection: UInt32 = vmeRedirected == nil ? 0 : 32
        let ioBase = 0x68 + redirection
        var t = TSS32()
        t.ioMapBase = UInt16(ioBase)
        h.writeTSS32(at: GuestLayout.tss0, t)
        if let redirected = vmeRedirected {
            for i in 0..<32 { h.write8(GuestLayout.tss0 + 0x68 + UInt32(i), 0xFF) }
            for v in redirected {
                let a = GuestLayout.tss0 + 0x68 + UInt32(v >> 3)
                h.write8(a, h.read8(a) & ~(1 << (v & 7)))
            }
        }
        for i in 0..<0x2001 { h.write8(GuestLayout.tss0 + ioBase + UInt32(i), 0xFF) }
        for p in allowed {
            let a = GuestLayout.tss0 + ioBase + UInt32(p >> 3)
            h.write8(a, h.read8(a) & ~(1 << (p & 7)))
        }
        h.setDescriptor(5, base: GuestLayout.tss0, limit: ioBase + 0x2000, access: Access.tss32, flags: 0)
    }

    @Test("IRET with EFLAGS.VM enters V86 mode with real-mode addressing; INT n at IOPL 3 reaches ring 0 with the V86 frame")
    func enterV86AndInterruptToRing0() throws {
        let h = GuestHarness()
        try h.load("""
                \(Self.enterV86("v86_code", eflags: 0x2_3202))
            bits 16
            v86_code:
                mov word [0x0010], 0xBEEF
                mov ax, [0x0010]
                mov word [es:0x0020], 0xCAFE
                push word 0x1234
                mov bx, ds
                mov cx, 0x4000
                mov ds, cx
                mov word [0x0000], 0x4444
            int_here:
                int 0x30
            bits 32
            int30:
                xor ecx, ecx
            .copy:
                mov edx, [esp+ecx*4]
                mov [ss:LOG+ecx*4], edx
                inc ecx
                cmp ecx, 9
                jb .copy
                mov [ss:LOG+36], esp
                mov edx, ds
                mov [ss:LOG+40], edx
                mov edx, gs
                mov [ss:LOG+44], edx
            done:
                hlt
            """, exporting: ["v86_code", "int_here", "int30", "done"])
        h.setInterruptGate(0x30, "int30", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.read16(0x30010) == 0xBEEF && h.read16(0x31020) == 0xCAFE)
        #expect(h.read16(0x500FE) == 0x1234, "SS:SP = 5000:00FE")
        #expect(h.read16(0x40000) == 0x4444, "DS reloaded the real-mode way")
        #expect(h.cpu[.eax] & 0xFFFF == 0xBEEF && h.cpu[.ebx] & 0xFFFF == 0x3000)
        let frame = (0..<9).map { h.log($0) }
        #expect(frame[0] == Self.ip(h, "int_here") + 2, "EIP after INT")
        #expect(frame[1] == 0x0800)
        #expect(frame[2] & 0x3_3200 == 0x2_3200, "EFLAGS image: VM, IOPL 3, IF")
        #expect(Array(frame[3...]) == [0xFE, 0x5000, 0x3100, 0x4000, 0x7, 0x9], "ESP SS ES DS FS GS")
        #expect(h.log(9) == GuestLayout.tssStack0Top - 36, "nine dwords on the ESP0 stack")
        #expect(h.log(10) == 0 && h.log(11) == 0, "data segments are null in the ring-0 handler")
        #expect(!h.cpu.v86Mode && h.cpu.cpl == 0)
    }

    @Test("INT n in V86 mode with IOPL below 3 raises #GP(0) to the monitor with the full V86 frame")
    func intWithLowIOPLFaults() throws {
        let h = GuestHarness()
        try h.load("""
                \(Self.enterV86("v86_code", eflags: 0x2_0202))
            bits 16
            v86_code:
                mov ax, 0x2a
            int_here:
                int 0x21
                jmp $
            bits 32
            gp_handler:
                xor ecx, ecx
            .copy:
                mov edx, [esp+ecx*4]
                mov [ss:LOG+ecx*4], edx
                inc ecx
                cmp ecx, 10
                jb .copy
            done:
                hlt
            int21:
                hlt
            """, exporting: ["int_here", "gp_handler", "done", "int21"])
        h.setInterruptGate(13, "gp_handler")
        h.setInterruptGate(0x21, "int21", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        let frame = (0..<10).map { h.log($0) }
        #expect(frame[0] == 0, "error code")
        #expect(frame[1] == Self.ip(h, "int_here"), "EIP of the INT instruction")
        #expect(frame[2] == 0x0800)
        #expect(frame[3] & 0x2_3200 == 0x2_0200, "EFLAGS image: VM, IOPL 0, IF")
        #expect(frame[3] & 0x1_0000 != 0, "RF set: #GP is a fault")
        #expect(Array(frame[4...]) == [0x100, 0x5000, 0x3100, 0x3000, 0x7, 0x9])
    }

    @Test("IN/OUT in V86 mode are checked against the TSS I/O bitmap; CLI and STI fault at IOPL 0")
    func ioBitmapAndIOPLSensitiveInstructions() throws {
        let h = GuestHarness()
        let dev = RecordingPorts()
        h.ports.register(dev, ports: 0x80...0x87)
        Self.installBitmaps(h, allowed: [0x80, 0x82, 0x84, 0x85])
        try h.load("""
                \(Self.enterV86("v86_code", eflags: 0x2_0002))
            bits 16
            v86_code:
                mov ax, 0x1234
                mov si, r1 - 0x8000
            a1: out 0x80, al
            r1: mov si, r2 - 0x8000
            a2: in al, 0x81
            r2: mov si, r3 - 0x8000
                mov dx, 0x82
            a3: out dx, ax
            r3: mov si, r4 - 0x8000
                mov dx, 0x84
            a4: in ax, dx
            r4: mov si, r5 - 0x8000
            a5: cli
            r5: mov si, r6 - 0x8000
            a6: sti
            r6: mov si, 0xFFFF
                hlt
            \(Self.monitor)
            """, exporting: ["a2", "a3", "a5", "a6", "gp_monitor", "done"])
        h.setInterruptGate(13, "gp_monitor")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog == ["a2", "a3", "a5", "a6"].map { .init(code: 0, eip: Self.ip(h, $0)) })
        #expect(dev.accesses == [
            .init(port: 0x80, width: 1, write: true, value: 0x34),
            .init(port: 0x84, width: 2, write: false, value: 0),
        ])
    }

    @Test("at IOPL 3, CLI and STI work in V86 mode while I/O is still checked against the bitmap")
    func ioplThreeAllowsCLIButNotIO() throws {
        let h = GuestHarness()
        let dev = RecordingPorts()
        h.ports.register(dev, ports: 0x80...0x87)
        Self.installBitmaps(h, allowed: [0x80])
        try h.load("""
                \(Self.enterV86("v86_code", eflags: 0x2_3202))
            bits 16
            v86_code:
                cli
                pushf
                pop bx
                sti
                pushf
                pop cx
                mov si, r1 - 0x8000
            a1: in al, 0x81
            r1: out 0x80, al
                mov si, 0xFFFF
                hlt
            \(Self.monitor)
            """, exporting: ["a1", "gp_monitor", "done"])
        h.setInterruptGate(13, "gp_monitor")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ebx] & 0x200 == 0, "CLI cleared IF")
        #expect(h.cpu[.ecx] & 0x200 != 0, "STI set IF")
        #expect(h.faultLog == [.init(code: 0, eip: Self.ip(h, "a1"))])
        #expect(dev.accesses.count == 1 && dev.accesses.first?.port == 0x80)
    }

    @Test("with CR4.VME, INT n whose redirection bit is clear goes through the V86 IVT; a set bit still faults")
    func vmeInterruptRedirection() throws {
        let h = GuestHarness()
        Self.installBitmaps(h, allowed: [], vmeRedirected: [0x21])
        try h.load("""
                mov eax, cr4
                or eax, 1
                mov cr4, eax
                \(Self.enterV86("v86_code", eflags: 0xA_0202))
            bits 16
            v86_code:
                mov ax, 0x1111
            a1: int 0x21
                mov [0x0000], ax
                mov si, r2 - 0x8000
            a2: int 0x22
            r2: cli
                pushf
                pop dx
                sti
                pushf
                pop di
                mov si, 0xFFFF
                hlt
            v86_int21:
                push bp
                mov bp, sp
                mov bx, [bp+6]
                mov cx, [bp+4]
                pop bp
                mov ax, 0x2121
                iret
            \(Self.monitor)
            """, exporting: ["v86_code", "a2", "v86_int21", "gp_monitor", "done"])
        h.setInterruptGate(13, "gp_monitor")
        // The V86 task's real-mode IVT entry for INT 21h.
        h.write16(0x21 * 4, UInt16(Self.ip(h, "v86_int21")))
        h.write16(0x21 * 4 + 2, 0x0800)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.read16(0x30000) == 0x2121, "the V86 handler ran and returned")
        #expect(h.cpu[.ebx] & 0x3200 == 0x3200, "pushed FLAGS: IOPL reads 3, IF = VIF")
        #expect(h.cpu[.ecx] & 0xFFFF == 0x0800, "pushed CS")
        #expect(h.faultLog == [.init(code: 0, eip: Self.ip(h, "a2"))])
        #expect(h.cpu[.edx] & 0x3200 == 0x3000, "CLI cleared VIF, seen as IF by PUSHF")
        #expect(h.cpu[.edi] & 0x200 != 0, "STI set VIF")
    }

    @Test("INT3 in V86 mode is not IOPL-sensitive: it goes through a DPL-3 IDT gate even at IOPL 0")
    func int3IsNotIOPLSensitive() throws {
        let h = GuestHarness()
        try h.load("""
                \(Self.enterV86("v86_code", eflags: 0x2_0202))
            bits 16
            v86_code:
            brk:
                int3
                jmp $
            bits 32
            bp_handler:
                mov ebx, [esp]
                mov ecx, [esp+8]
            done:
                hlt
            \(GuestHarness.recordingHandler("gp_handler"))
            """, exporting: ["brk", "bp_handler", "done", "gp_handler"])
        h.setInterruptGate(3, "bp_handler", dpl: 3)
        h.setInterruptGate(13, "gp_handler")
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.faultLog.isEmpty)
        #expect(h.cpu[.ebx] == Self.ip(h, "brk") + 1, "trap: EIP after INT3")
        #expect(h.cpu[.ecx] & 0x2_0000 != 0, "from V86 mode")
    }
}
