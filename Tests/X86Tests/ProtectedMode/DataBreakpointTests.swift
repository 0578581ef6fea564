// Data and I/O breakpoints in DR0–DR3 (SDM Vol. 3 §17.2.4-17.2.5): traps after the access.

import EmulatorCore
import Testing
import X86

@Suite("Data and I/O breakpoints")
struct DataBreakpointTests {
    @Test("a write breakpoint traps after the writing instruction with its DR6 bit; reads do not trigger it")
    func writeBreakpoint() throws {
        let h = GuestHarness()
        try h.load("""
                mov eax, watched
                mov dr1, eax
                mov eax, 0x00D0_0004        ; L1, R/W1 = 01 (write), LEN1 = 11 (4 bytes)
                mov dr7, eax
                xor ecx, ecx
                mov edx, [watched]          ; a read: no trap
                mov dword [watched+2], 7    ; overlaps the watched dword: trap after it
            after:
                inc ecx
                hlt
            db_handler:
                mov ebx, [esp]              ; EIP of the next instruction (trap)
                mov esi, dr6
                inc dword [ss:LOG]
                iretd
            watched:
                dd 0
            """, exporting: ["after", "db_handler"])
        h.setInterruptGate(1, "db_handler")
        let stop = h.run()
        #expect(stop == .halted)
        #expect(h.log(0) == 1, "exactly one trap")
        #expect(h.cpu[.ebx] == h["after"], "trap reported after the instruction")
        #expect(h.cpu[.esi] & 0xF == 0x2, "DR6.B1")
        #expect(h.cpu[.ecx] == 1)
    }

    @Test("a read/write breakpoint also traps on reads")
    func readWriteBreakpoint() throws {
        let h = GuestHarness()
        try h.load("""
                mov eax, watched
                mov dr0, eax
                mov eax, 0x0003_0001        ; L0, R/W0 = 11 (read or write), LEN0 = 00 (1 byte)
                mov dr7, eax
                mov dl, [watched]
            after:
                hlt
            db_handler:
                mov ebx, [esp]
                inc dword [ss:LOG]
                iretd
            watched:
                db 0x5A
            """, exporting: ["after", "db_handler"])
        h.setInterruptGate(1, "db_handler")
        _ = h.run()
        #expect(h.log(0) == 1)
        #expect(h.cpu[.ebx] == h["after"])
        #expect(h.cpu[.edx] & 0xFF == 0x5A)
    }

    @Test("an I/O breakpoint (R/W = 10) traps on the port only with CR4.DE set")
    func ioBreakpoint() throws {
        let h = GuestHarness()
        try h.load("""
                mov eax, 0x80
                mov dr2, eax
                mov eax, 0x0200_0010        ; L2, R/W2 = 10 (I/O), LEN2 = 00
                mov dr7, eax
                mov al, 1
                out 0x80, al                ; CR4.DE clear: no trap
                mov eax, cr4
                or eax, 8                   ; CR4.DE
                mov cr4, eax
                mov al, 2
                out 0x80, al
            after:
                hlt
            db_handler:
                mov ebx, [esp]
                mov esi, dr6
                inc dword [ss:LOG]
                iretd
            """, exporting: ["after", "db_handler"])
        h.setInterruptGate(1, "db_handler")
        _ = h.run()
        #expect(h.log(0) == 1, "only the OUT with CR4.DE set traps")
        #expect(h.cpu[.ebx] == h["after"])
        #expect(h.cpu[.esi] & 0xF == 0x4, "DR6.B2")
    }
}
