import Testing
import EmulatorCore
@testable import X86

/// Decoded ops skip the segment checks for flat data and stack segments with base 0
/// (`CPU.flatReads` / `flatWrites`, set by `runBlock`); a segment with a base must still be
/// added, also after a MOV Sreg between two passes of the same block.
private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

@Suite("Decoded blocks: flat segments")
struct DecodedBlockSegmentTests {
    /// Flat protected mode with GDT entries 0x18 (data, base 0) and 0x20 (data, base 0x1000),
    /// both 4 GiB, and `code` at 0x8000.
    static func machine(_ code: [UInt8], blocks: Bool) -> (CPU, PhysicalMemory) {
        let mem = PhysicalMemory(ramSize: 1 << 20)
        let cpu = CPU(memory: mem, ports: PortIOBus())
        cpu.decodedBlocksEnabled = blocks
        mem.load([0xFF, 0xFF, 0, 0, 0, 0x9B, 0xCF, 0,
                  0xFF, 0xFF, 0, 0, 0, 0x93, 0xCF, 0,
                  0xFF, 0xFF, 0x00, 0x10, 0, 0x93, 0xCF, 0], at: 0x610)
        mem.load(code, at: 0x8000)
        cpu.enterFlatProtectedMode()
        cpu.gdtrBase = 0x600
        cpu.gdtrLimit = 0x27
        cpu[.esp] = 0x7000
        cpu.eip = 0x8000
        return (cpu, mem)
    }

    @Test("a loop that switches DS between a base-0 and a based segment reads and writes through each",
          arguments: [true, false])
    func dataSegmentSwitchedInLoop(blocks: Bool) {
        // mov ecx, 3 ; mov edx, 0x20 ; mov esi, 0x18 ; xor ebx, ebx
        // L: mov eax, [0x2000] ; add ebx, eax ; mov [0x2100], ebx ; mov ds, dx ; xchg esi, edx
        //    dec ecx ; jnz L ; hlt
        let code: [UInt8] = [0xB9] + le32(3) + [0xBA] + le32(0x20) + [0xBE] + le32(0x18) + [0x31, 0xDB]
            + [0x8B, 0x05] + le32(0x2000) + [0x01, 0xC3, 0x89, 0x1D] + le32(0x2100)
            + [0x8E, 0xDA, 0x87, 0xD6, 0x49, 0x75, 0xEB, 0xF4]
        let (cpu, mem) = Self.machine(code, blocks: blocks)
        mem.load(le32(5), at: 0x2000)
        mem.load(le32(7), at: 0x3000)
        // Twice: the second run finds the block decoded and linked.
        for _ in 0..<2 {
            cpu.eip = 0x8000
            cpu.halted = false
            cpu.enterFlatProtectedMode()
            cpu.gdtrBase = 0x600
            cpu.gdtrLimit = 0x27
            #expect(cpu.run(budget: 1000) == .halted)
            #expect(cpu[.ebx] == 17, "blocks=\(blocks): the second pass must read DS base 0x1000 + 0x2000")
            #expect(mem.bytes(at: 0x2100, count: 4) == le32(17))
            #expect(mem.bytes(at: 0x3100, count: 4) == le32(12), "blocks=\(blocks): the store through the based DS")
        }
    }

    @Test("PUSH and POP through a based 32-bit SS add the base", arguments: [true, false])
    func basedStack(blocks: Bool) {
        // mov eax, 0x20 ; mov ss, ax ; mov esp, 0x4000 ; push 0x1234567 ; mov edi, [0x4FFC]
        // pop ebx ; hlt
        let code: [UInt8] = [0xB8] + le32(0x20) + [0x8E, 0xD0, 0xBC] + le32(0x4000) + [0x68] + le32(0x123_4567)
            + [0x8B, 0x3D] + le32(0x4FFC) + [0x5B, 0xF4]
        let (cpu, _) = Self.machine(code, blocks: blocks)
        #expect(cpu.run(budget: 1000) == .halted)
        #expect(cpu[.edi] == 0x123_4567, "blocks=\(blocks): the push went to SS base + ESP")
        #expect(cpu[.ebx] == 0x123_4567)
        #expect(cpu[.esp] == 0x4000)
    }
}
