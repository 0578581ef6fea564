// Self-modifying and cross-modified code: stores into the instruction stream must be seen by the
// next fetch of those bytes (P6 detects them even inside the prefetch queue; SDM Vol. 3 §8.1.3).
// Every test runs with the decoded-block cache on and off.

import Testing
import X86

@Suite("Self-modifying code")
struct SelfModifyingCodeTests {
    static func harness(decodedBlocks: Bool) -> GuestHarness {
        GuestHarness(decodedBlocks: decodedBlocks)
    }

    @Test("a store to the next instruction's bytes changes what executes", arguments: [true, false])
    func patchJustAhead(decodedBlocks: Bool) throws {
        let h = Self.harness(decodedBlocks: decodedBlocks)
        try h.load("""
                mov eax, 1
                mov byte [patch+1], 0x42
            patch:
                mov al, 0x00
                mov byte [patch2], 0x43         ; INC EBX replaces NOP
            patch2:
                nop
            done:
                hlt
            """, exporting: ["done"])
        h.cpu[.ebx] = 7
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.eax] == 0x42)
        #expect(h.cpu[.ebx] == 8)
    }

    @Test("a loop body patched between iterations runs the new code", arguments: [true, false])
    func patchLoopBody(decodedBlocks: Bool) throws {
        let h = Self.harness(decodedBlocks: decodedBlocks)
        try h.load("""
                xor ebx, ebx
                mov ecx, 3
            loop_top:
            body:
                add ebx, 1                      ; 83 C3 ib
                mov byte [body+2], 0x10
                dec ecx
                jnz loop_top
                call far_routine
                call far_routine
            done:
                hlt
            far_routine:                        ; patched from its caller's side between calls
                mov edx, 0x11111111
                mov dword [far_routine+1], 0x22222222
                ret
            """, exporting: ["done"])
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ebx] == 0x21)
        #expect(h.cpu[.edx] == 0x2222_2222)
    }

    @Test("code patched through a different linear alias of its physical page runs the new bytes", arguments: [true, false])
    func patchThroughAlias(decodedBlocks: Bool) throws {
        let h = Self.harness(decodedBlocks: decodedBlocks)
        h.identityMapFirst4MiB()
        try h.load("""
                ENABLE_PAGING
                mov ecx, 2
            again:
                call routine
                add esi, eax
                ; Patch the immediate through the alias at 0x380000 + page offset.
                mov eax, routine
                and eax, 0xFFF
                mov dword [0x380000 + eax + 1], 0x200
                dec ecx
                jnz again
            done:
                hlt
            align 16
            routine:
                mov eax, 0x100
                ret
            """, exporting: ["routine", "done"])
        h.setPTE(0x380000, (h["routine"] & ~0xFFF) | 7)
        h.cpu[.esi] = 0
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.esi] == 0x300)
    }

    @Test("code rewritten by REP MOVSB runs the new bytes", arguments: [true, false])
    func patchWithStringMove(decodedBlocks: Bool) throws {
        let h = Self.harness(decodedBlocks: decodedBlocks)
        try h.load("""
                call routine
                mov ebx, eax
                mov esi, replacement
                mov edi, routine
                mov ecx, replacement_end - replacement
                cld
                rep movsb
                call routine
            done:
                hlt
            routine:
                mov eax, 1
                ret
            replacement:
                mov eax, 2
                ret
            replacement_end:
            """, exporting: ["done"])
        let stop = h.run()
        h.expectHalted(at: "done", stop)
        #expect(h.cpu[.ebx] == 1)
        #expect(h.cpu[.eax] == 2)
    }

    @Test("bytes the host writes into guest memory (DMA, loaders) replace code that already ran", arguments: [true, false])
    func hostWriteInvalidatesCode(decodedBlocks: Bool) throws {
        let h = Self.harness(decodedBlocks: decodedBlocks)
        try h.load("""
            again:
                mov eax, 1
                cmp dword [DATA], 0
                je again                        ; spin until the host sets the flag
            done:
                hlt
            """, exporting: ["again", "done"])
        #expect(h.run(budget: 300) == .budgetExhausted)
        #expect(h.cpu[.eax] == 1)
        // mov eax, 2 — written by the host while the guest spins, then the flag.
        h.memory.load([0xB8, 0x02, 0x00, 0x00, 0x00], at: h["again"])
        h.write32(GuestLayout.data, 1)
        h.expectHalted(at: "done", h.run())
        #expect(h.cpu[.eax] == 2)
    }
}
