// Alignment checking: #AC(0) for misaligned data accesses at CPL 3 with CR0.AM and EFLAGS.AC
// (SDM Vol. 3 §6.15, interrupt 17).

import Testing
import X86

@Suite("Alignment check")
struct AlignmentCheckTests {
    @Test("with CR0.AM and EFLAGS.AC, a misaligned dword read at CPL 3 raises #AC(0); aligned ones and ring 0 do not")
    func misalignedUserAccessFaults() throws {
        let h = GuestHarness()
        try h.load("""
                mov eax, cr0
                or eax, 0x40000             ; CR0.AM
                mov cr0, eax
                mov eax, [DATA+1]           ; ring 0: never checked
                ENTER_RING3 ring3
            ring3:
                mov ax, DATA3
                mov ds, ax
                mov eax, [DATA+1]           ; AC clear: no check
                pushfd
                or dword [esp], 0x40000     ; EFLAGS.AC
                popfd
                mov eax, [DATA+4]           ; aligned: fine
                inc ecx
            faulting:
                mov eax, [DATA+2]           ; misaligned dword: #AC
                inc ecx
                int 0x81
            ac_handler:
                mov ebx, [esp]              ; error code
                mov edx, [esp+4]            ; faulting EIP
            done:
                hlt
            int81:
                hlt
            """, exporting: ["ring3", "faulting", "ac_handler", "done", "int81"])
        h.setInterruptGate(17, "ac_handler")
        h.setInterruptGate(0x81, "int81", dpl: 3)
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ecx] == 1, "the misaligned access did not complete")
        #expect(h.cpu[.ebx] == 0, "#AC pushes error code 0")
        #expect(h.cpu[.edx] == h["faulting"], "#AC is a fault: EIP of the access")
    }
}
