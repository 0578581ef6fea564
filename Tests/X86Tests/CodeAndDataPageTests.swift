import Testing
import EmulatorCore
@testable import X86

/// Code and data in the same 4 KiB page: stores next to decoded code must not throw the code
/// away (only stores into the 64-byte lines it was decoded from do), and self-modifying code in
/// those lines is still seen.
@Suite("Decoded blocks: code and data in one page")
struct CodeAndDataPageTests {
    static func machine(_ code: [UInt8]) -> (CPU, PhysicalMemory) {
        let mem = PhysicalMemory(ramSize: 1 << 20)
        let cpu = CPU(memory: mem, ports: PortIOBus())
        mem.load(code, at: 0x1000)
        cpu.enterFlatProtectedMode()
        cpu[.esp] = 0x8000
        cpu.eip = 0x1000
        return (cpu, mem)
    }

    @Test("a loop storing to a counter 0x800 bytes after it, in its own page, keeps its block")
    func storesNextToCodeKeepBlocks() {
        // 0x1000: mov ecx, 10000 ; loop: inc dword [0x1800] ; dec ecx ; jnz loop ; hlt
        let code: [UInt8] = [0xB9, 0x10, 0x27, 0x00, 0x00,
                             0xFF, 0x05, 0x00, 0x18, 0x00, 0x00,
                             0x49, 0x75, 0xF7, 0xF4]
        let (cpu, mem) = Self.machine(code)
        #expect(cpu.run(budget: 100_000) == .halted)
        #expect(mem.read(GuestPhysicalAddress(0x1800), width: .dword) == 10_000)
        #expect(cpu.instructionsRetired == 1 + 3 * 10_000 + 1)
        // One block for the entry, one for the loop body (rebuilt at most a few times, never
        // once per store).
        #expect(cpu.blockBuilds < 10, "\(cpu.blockBuilds) block builds for 10,000 stores next to the code")
    }

    @Test("a store into the line a block was decoded from still replaces the code")
    func storeIntoCodeLineInvalidates() {
        // mov byte [0x1010], 0x40 (NOP -> INC EAX) ; jmp 0x1010 ; ... 0x1010: nop ; hlt
        var code = [UInt8](repeating: 0x90, count: 0x12)
        code.replaceSubrange(0..<7, with: [0xC6, 0x05, 0x10, 0x10, 0x00, 0x00, 0x40])
        code.replaceSubrange(7..<9, with: [0xEB, 0x07])  // jmp +7 -> 0x1010
        code[0x10] = 0x90
        code[0x11] = 0xF4
        let (cpu, mem) = Self.machine(code)
        // Decode 0x1010 first (as a block), then run the store that patches it.
        cpu.eip = 0x1010
        #expect(cpu.run(budget: 10) == .halted)
        #expect(cpu[.eax] == 0)
        cpu.halted = false
        cpu.eip = 0x1000
        #expect(cpu.run(budget: 10) == .halted)
        #expect(cpu[.eax] == 1, "the patched INC EAX must run")
        #expect(mem.read(GuestPhysicalAddress(0x1010), width: .byte) == 0x40)
    }

    @Test("line masks cover exactly the 64-byte lines of a byte range")
    func lineMasks() {
        #expect(PhysicalMemory.lineMask(fromByte: 0, toByte: 0) == 1)
        #expect(PhysicalMemory.lineMask(fromByte: 63, toByte: 64) == 0b11)
        #expect(PhysicalMemory.lineMask(fromByte: 0x800, toByte: 0x803) == 1 << 32)
        #expect(PhysicalMemory.lineMask(fromByte: 0, toByte: 4095) == ~0)
        #expect(PhysicalMemory.lineMask(fromByte: 4032, toByte: 4095) == 1 << 63)
    }
}
