import Testing
import EmulatorCore
@testable import X86

/// Runs the same random guest code with the decoded-block cache on and off and demands identical
/// architectural results: the pre-decoded fast path must be invisible.
@Suite("Decoded-block cache")
struct DecodedBlockDifferentialTests {
    /// A small deterministic generator (SplitMix64), so failures reproduce from the seed.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
        mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }
    }

    /// Opcodes the decoder handles (plus a few it does not), so most bytes take the fast path.
    static let favoured: [[UInt8]] = [
        [0x01], [0x03], [0x09], [0x0B], [0x11], [0x13], [0x19], [0x1B], [0x21], [0x23], [0x29], [0x2B],
        [0x31], [0x33], [0x39], [0x3B], [0x00], [0x02], [0x04], [0x05], [0x25], [0x3D],
        [0x40], [0x43], [0x48], [0x4E], [0x50], [0x53], [0x58], [0x5B], [0x68], [0x6A],
        [0x80], [0x81], [0x83], [0x84], [0x85], [0x86], [0x87], [0x88], [0x89], [0x8A], [0x8B], [0x8D],
        [0x90], [0x93], [0xA8], [0xA9], [0xB0], [0xB4], [0xB8], [0xBB], [0xC0], [0xC1], [0xD0], [0xD1],
        [0xC6], [0xC7], [0x0F, 0xB6], [0x0F, 0xB7], [0x0F, 0xBE], [0x0F, 0xBF], [0x66], [0x67],
        [0x72], [0x74], [0x75], [0x7C], [0xEB], [0xE8], [0xC3], [0x0F, 0xAF], [0x99], [0xF7], [0xD3],
        // Run by the interpreter inside a block (`DecodedKind.interp`).
        [0x69], [0x6B], [0xF6], [0xFE], [0xFF], [0x8F], [0x98], [0xA1], [0xC9], [0x9C],
        [0x0F, 0x44], [0x0F, 0x95], [0x0F, 0xA4], [0x0F, 0xBA], [0x0F, 0xC8], [0x0F, 0xBC],
        // Group and condition forms with their own handlers (CPU+DecodedGroups.swift).
        [0x0F, 0x42], [0x0F, 0x4F], [0x0F, 0x92], [0x0F, 0x9E], [0xD2], [0xA0], [0xA2], [0xA3],
        [0xF6], [0xF7], [0xFE], [0xFF], [0x69], [0x6B], [0xC9],
    ]

    static func program(seed: UInt64, length: Int) -> [UInt8] {
        var g = Generator(state: seed)
        var code: [UInt8] = []
        while code.count < length {
            if g.next() % 8 == 0 {
                code.append(g.byte())
            } else {
                code += g.pick(favoured)
                // ModR/M biased to registers and small-displacement memory forms.
                let modrm: UInt8 = g.next() % 2 == 0 ? (0xC0 | (g.byte() & 0x3F)) : (g.byte() & 0x7F)
                code.append(modrm)
                for _ in 0..<Int(g.next() % 5) { code.append(g.byte()) }
            }
        }
        return code + [0xF4]
    }

    /// What a run leaves behind (also used by DecodedBlockFlagsTests).
    struct Outcome: Equatable {
        var regs: [UInt32]
        var eip: UInt32
        var eflags: UInt32
        var cr2: UInt32
        var retired: UInt64
        var reason: CPUStopReason
        var memory: [UInt8]
    }

    static func run(_ code: [UInt8], blocks: Bool, realMode: Bool) -> Outcome {
        let mem = PhysicalMemory(ramSize: 1 << 20)
        let cpu = CPU(memory: mem, ports: PortIOBus())
        cpu.decodedBlocksEnabled = blocks
        mem.load(code, at: 0x1000)
        if realMode {
            for s in SegmentRegister.allCases { cpu.setSegmentReal(s, selector: 0) }
            cpu.idtrBase = 0; cpu.idtrLimit = 0x3FF
        } else {
            cpu.enterFlatProtectedMode()
        }
        for (i, r) in CPU.Reg32.allCases.enumerated() {
            cpu[r] = UInt32(0x2000 + i * 0x400)
        }
        cpu[.esp] = 0x8000
        cpu.eip = 0x1000
        var reason = CPUStopReason.budgetExhausted
        var total = 0
        // Uneven slices exercise the budget limit inside blocks.
        for slice in [1, 7, 3, 50, 1, 200] where reason == .budgetExhausted {
            reason = cpu.run(budget: slice)
            total += slice
        }
        return Outcome(regs: CPU.Reg32.allCases.map { cpu[$0] }, eip: cpu.eip, eflags: cpu.eflags, cr2: cpu.cr2,
                       retired: cpu.instructionsRetired, reason: reason,
                       memory: mem.bytes(at: 0, count: 0x9000))
    }

    @Test("random code (flat 32-bit and real mode) gives identical results with and without decoded blocks",
          arguments: [false, true])
    func randomProgramsAgree(realMode: Bool) {
        var mismatches: [UInt64] = []
        #if DEBUG
        let seeds: UInt64 = 40
        #else
        let seeds: UInt64 = 2000
        #endif
        for seed in UInt64(1)...seeds {
            let code = Self.program(seed: seed &* 7919 &+ (realMode ? 1 : 0), length: 96)
            let a = Self.run(code, blocks: true, realMode: realMode)
            let b = Self.run(code, blocks: false, realMode: realMode)
            if a != b { mismatches.append(seed) }
        }
        #expect(mismatches.isEmpty, "seeds whose results differ between the two paths: \(mismatches.prefix(10))")
    }

    @Test("a store into the current block is seen by the next instruction (self-modifying code)")
    func selfModifyingCodeInBlock() throws {
        // mov byte [0x100C], 0x40 ; (0x100C was 0x90 NOP; becomes INC EAX) ; nop... ; hlt
        let code: [UInt8] = [0xC6, 0x05, 0x0C, 0x10, 0x00, 0x00, 0x40,  // mov byte [0x100C], 0x40
                             0x90, 0x90, 0x90, 0x90, 0x90,
                             0x90,  // at 0x100C: patched to INC EAX
                             0xF4]
        for blocks in [true, false] {
            let mem = PhysicalMemory(ramSize: 1 << 20)
            let cpu = CPU(memory: mem, ports: PortIOBus())
            cpu.decodedBlocksEnabled = blocks
            mem.load(code, at: 0x1000)
            cpu.enterFlatProtectedMode()
            cpu[.eax] = 5
            cpu.eip = 0x1000
            // Decode the block once (run to HLT), then restore the NOP and run again.
            #expect(cpu.run(budget: 100) == .halted)
            #expect(cpu[.eax] == 6)
            mem.load([0x90], at: 0x100C)
            cpu.eip = 0x1000
            cpu[.eax] = 5
            cpu.halted = false
            #expect(cpu.run(budget: 100) == .halted)
            #expect(cpu[.eax] == 6, "blocks=\(blocks): the patched instruction must run")
        }
    }
}
