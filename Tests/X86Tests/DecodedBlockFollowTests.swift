import Testing
import EmulatorCore
@testable import X86

/// Blocks that follow a direct CALL/JMP in line, and instructions the interpreter runs inside a
/// block: invalidation, retirement counts and interrupt latency must not change.
@Suite("Decoded blocks: in-line targets")
struct DecodedBlockFollowTests {
    static func machine(_ code: [UInt8], blocks: Bool) -> (CPU, PhysicalMemory) {
        let mem = PhysicalMemory(ramSize: 1 << 20)
        let cpu = CPU(memory: mem, ports: PortIOBus())
        cpu.decodedBlocksEnabled = blocks
        mem.load(code, at: 0x1000)
        cpu.enterFlatProtectedMode()
        cpu[.esp] = 0x8000
        cpu.eip = 0x1000
        return (cpu, mem)
    }

    // 0x1000: call 0x100B ; 0x1005: hlt ; 0x1006..0x100A: nops ; 0x100B: nop (patched) ; inc ecx ; ret
    static let callCode: [UInt8] = [0xE8, 0x06, 0x00, 0x00, 0x00, 0xF4, 0x90, 0x90, 0x90, 0x90, 0x90,
                                    0x90, 0x41, 0xC3]

    @Test("a CALL followed in line builds one block that runs the target")
    func callTargetInBlock() {
        let (cpu, _) = Self.machine(Self.callCode, blocks: true)
        #expect(cpu.run(budget: 100) == .halted)
        #expect(cpu[.ecx] == 1)
        #expect(cpu[.esp] == 0x8000)
        #expect(cpu.eip == 0x1006)
        #expect(cpu.instructionsRetired == 5)  // call, nop, inc, ret, hlt
    }

    @Test("writing a followed CALL target from outside invalidates the block", arguments: [true, false])
    func followedTargetWrittenExternally(blocks: Bool) {
        let (cpu, mem) = Self.machine(Self.callCode, blocks: blocks)
        #expect(cpu.run(budget: 100) == .halted)
        mem.load([0x40], at: 0x100B)  // NOP -> INC EAX at the call target
        cpu.eip = 0x1000
        cpu.halted = false
        #expect(cpu.run(budget: 100) == .halted)
        #expect(cpu[.eax] == 1, "blocks=\(blocks): the patched target must run")
        #expect(cpu[.ecx] == 2)
    }

    @Test("a store into a followed CALL target from the same block is seen", arguments: [true, false])
    func followedTargetWrittenByBlock(blocks: Bool) {
        // mov byte [0x1012], 0x40 ; call 0x1012 ; hlt ; nops ; 0x1012: nop (-> inc eax) ; ret
        let code: [UInt8] = [0xC6, 0x05, 0x12, 0x10, 0x00, 0x00, 0x40,
                             0xE8, 0x06, 0x00, 0x00, 0x00, 0xF4, 0x90, 0x90, 0x90, 0x90, 0x90,
                             0x90, 0xC3]
        let (cpu, mem) = Self.machine(code, blocks: blocks)
        #expect(cpu.run(budget: 100) == .halted)
        #expect(cpu[.eax] == 1)
        // Restore the NOP and run again: the block decoded with INC EAX must be dropped.
        mem.load([0x90], at: 0x1012)
        cpu.eip = 0x1000
        cpu[.eax] = 0
        cpu.halted = false
        #expect(cpu.run(budget: 100) == .halted)
        #expect(cpu[.eax] == 1, "blocks=\(blocks)")
    }

    @Test("a JMP to the next page is not followed and still runs")
    func jumpAcrossPage() {
        // 0x1FF0: jmp 0x2000 ; 0x2000: inc eax ; hlt
        let mem = PhysicalMemory(ramSize: 1 << 20)
        let cpu = CPU(memory: mem, ports: PortIOBus())
        mem.load([0xE9, 0x0B, 0x00, 0x00, 0x00], at: 0x1FF0)
        mem.load([0x40, 0xF4], at: 0x2000)
        cpu.enterFlatProtectedMode()
        cpu[.esp] = 0x8000
        cpu.eip = 0x1FF0
        #expect(cpu.run(budget: 100) == .halted)
        #expect(cpu[.eax] == 1)
        #expect(cpu.instructionsRetired == 3)
    }

    @Test("a loop of interpreted data instructions retires each pass")
    func interpretedLoopRetires() {
        // mov ecx, 1000 ; l: cdq ; imul eax, eax, 3 ; setz bl ; dec ecx ; jnz l ; hlt
        let code: [UInt8] = [0xB9, 0xE8, 0x03, 0x00, 0x00,
                             0x99, 0x6B, 0xC0, 0x03, 0x0F, 0x94, 0xC3, 0x49, 0x75, 0xF6, 0xF4]
        var results: [UInt64] = []
        for blocks in [true, false] {
            let (cpu, _) = Self.machine(code, blocks: blocks)
            cpu[.eax] = 1
            // A budget smaller than the loop: each slice must stop exactly at its budget.
            var reason = CPUStopReason.budgetExhausted
            var slices = 0
            while reason == .budgetExhausted {
                let before = cpu.instructionsRetired
                reason = cpu.run(budget: 37)
                if reason == .budgetExhausted { #expect(cpu.instructionsRetired - before == 37) }
                slices += 1
            }
            #expect(reason == .halted)
            results.append(cpu.instructionsRetired)
            results.append(UInt64(cpu[.eax]))
        }
        #expect(results[0] == 1 + 5 * 1000 + 1)
        #expect(results[0] == results[2] && results[1] == results[3])
    }
}
