import Testing
import EmulatorCore
import TestSupport
@testable import X86

/// BT/BTS/BTR/BTC (register and immediate offsets, register and memory operands), BSF/BSR:
/// 386+ instructions the 80286 conformance data cannot cover.
@Suite("Bit instructions")
struct BitInstructionTests {
    static func run(_ body: String) throws -> CPU {
        let code = try assemble("bits 32\norg 0x1000\n" + body + "\nhlt\n")
        let memory = PhysicalMemory(ramSize: 1 << 20)
        let cpu = CPU(memory: memory, ports: PortIOBus())
        memory.load(code, at: 0x1000)
        cpu.enterFlatProtectedMode()
        cpu[.esp] = 0x8000
        cpu.eip = 0x1000
        #expect(cpu.run(budget: 10_000) == .halted)
        return cpu
    }

    @Test("BTS sets, BTR clears and BTC toggles the addressed bit and CF holds its old value")
    func setResetComplement() throws {
        let cpu = try Self.run("""
            mov eax, 0x0000_00F0
            mov ecx, 4
            bts eax, ecx        ; bit 4 already set: CF=1, unchanged
            setc bl
            btr eax, ecx        ; clears bit 4: CF=1
            setc bh
            btr eax, ecx        ; already clear: CF=0, stays clear
            setc dl
            btc eax, ecx        ; toggles to 1: CF=0
            setc dh
            btc eax, 5          ; immediate form toggles bit 5 (set → clear)
            mov esi, eax
            """)
        #expect(cpu[.esi] == 0x0000_00D0)
        #expect(cpu[.ebx] & 0xFFFF == 0x0101, "BTS CF=1, first BTR CF=1")
        #expect(cpu[.edx] & 0xFFFF == 0x0000, "second BTR CF=0, BTC CF=0")
    }

    @Test("memory bit strings: a register offset selects the dword, negative offsets reach below the operand")
    func memoryBitString() throws {
        let cpu = try Self.run("""
            mov dword [0x2000], 0
            mov dword [0x2004], 0xFFFF_FFFF
            mov dword [0x1FFC], 0
            mov eax, 33
            btr [0x2000], eax   ; clears bit 1 of the dword at 0x2004
            mov eax, -1
            bts [0x2000], eax   ; sets bit 31 of the dword at 0x1FFC
            mov eax, 0
            bts [0x2000], eax
            btc dword [0x2000], 3
            mov esi, [0x2000]
            mov edi, [0x2004]
            mov ebp, [0x1FFC]
            """)
        #expect(cpu[.esi] == 0x9)
        #expect(cpu[.edi] == 0xFFFF_FFFD)
        #expect(cpu[.ebp] == 0x8000_0000)
    }

    @Test("BSF and BSR find the lowest and highest set bit; a zero source sets ZF")
    func scans() throws {
        let cpu = try Self.run("""
            mov eax, 0x0001_8000
            bsf ebx, eax
            bsr ecx, eax
            rep bsf edx, eax    ; F3 0F BC is BSF on a P6 (TZCNT only on later CPUs)
            xor eax, eax
            mov esi, 77
            bsf esi, eax        ; zero: ZF=1
            setz al
            mov edi, eax
            """)
        #expect(cpu[.ebx] == 15 && cpu[.ecx] == 16 && cpu[.edx] == 15)
        #expect(cpu[.edi] == 1)
    }
}
