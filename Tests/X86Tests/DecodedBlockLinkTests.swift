import Testing
import EmulatorCore
@testable import X86

/// Block links (a block's way out remembers the block it led to): a link must not outlive the
/// code it leads to, or the mapping of the linear address it was made for.
@Suite("Decoded blocks: links between blocks")
struct DecodedBlockLinkTests {
    /// Flat protected mode with paging: linear 0–1 MiB identity-mapped, linear 0x400000 mapped
    /// to physical 0x5000, where `inc eax; ret` sits; 0x6000 holds `inc ebx; ret`. At 0x1000:
    /// `mov ecx, 3; L: call 0x400000; dec ecx; jnz L; hlt`.
    static func machine(blocks: Bool) -> (CPU, PhysicalMemory) {
        let mem = PhysicalMemory(ramSize: 1 << 20)
        let cpu = CPU(memory: mem, ports: PortIOBus())
        cpu.decodedBlocksEnabled = blocks
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        mem.load(le32(0x3000 | 3) + le32(0x4000 | 3), at: 0x2000)
        mem.load((0..<256).flatMap { le32(UInt32($0) << 12 | 3) }, at: 0x3000)
        mem.load(le32(0x5000 | 3), at: 0x4000)
        mem.load([0x40, 0xC3], at: 0x5000)
        mem.load([0x43, 0xC3], at: 0x6000)
        let rel = UInt32(0x40_0000) &- 0x100A
        mem.load([0xB9, 3, 0, 0, 0, 0xE8] + le32(rel) + [0x49, 0x75, 0xF8, 0xF4], at: 0x1000)
        cpu.enterFlatProtectedMode()
        cpu.cr3 = 0x2000
        cpu.setCR0(cpu.cr0 | 0x8000_0000)
        cpu[.esp] = 0x8000
        cpu.eip = 0x1000
        return (cpu, mem)
    }

    static func runAgain(_ cpu: CPU) {
        cpu.eip = 0x1000
        cpu.halted = false
        #expect(cpu.run(budget: 1_000) == .halted)
    }

    @Test("a call into another page, remapped and invalidated with INVLPG, reaches the new code",
          arguments: [true, false])
    func remappedTarget(blocks: Bool) {
        let (cpu, mem) = Self.machine(blocks: blocks)
        #expect(cpu.run(budget: 1_000) == .halted)
        #expect(cpu[.eax] == 3)
        mem.load([0x03, 0x60, 0x00, 0x00], at: 0x4000)  // PTE -> 0x6000
        cpu.invalidatePage(0x40_0000)
        Self.runAgain(cpu)
        #expect(cpu[.eax] == 3, "blocks=\(blocks): the old target ran through a stale link")
        #expect(cpu[.ebx] == 3)
    }

    @Test("a call target patched from outside runs patched", arguments: [true, false])
    func patchedTarget(blocks: Bool) {
        let (cpu, mem) = Self.machine(blocks: blocks)
        #expect(cpu.run(budget: 1_000) == .halted)
        mem.load([0x43], at: 0x5000)  // inc eax -> inc ebx
        Self.runAgain(cpu)
        #expect(cpu[.eax] == 3, "blocks=\(blocks): the old target ran through a stale link")
        #expect(cpu[.ebx] == 3)
    }
}
