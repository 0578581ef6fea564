// The fixed guest programs behind `partita bench cpu`.

import EmulatorCore
import X86
import Foundation
import ArgumentParser

struct CPUWorkload: Sendable {
    struct Result {
        var line: String
        var mips: Double
    }

    var name: String
    /// Builds guest memory for `iterations` and returns the code.
    var code: @Sendable (UInt32) -> [UInt8]
    var baseIterations: Double
    /// Prepares data in memory (buffers, tables) before the run.
    var prepare: @Sendable (PhysicalMemory) -> Void = { _ in }
    /// Checks the final state; returns a failure message or nil.
    var verify: @Sendable (CPU, PhysicalMemory, UInt32) -> String? = { _, _, _ in nil }
    /// Bytes moved per iteration (for a MB/s figure), 0 for none.
    var bytesPerIteration: Double = 0

    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }

    func measure(scale: Double) throws -> Result {
        let iterations = UInt32(max(1, baseIterations * scale))
        let memory = PhysicalMemory(ramSize: 16 << 20)
        let cpu = CPU(memory: memory, ports: PortIOBus())
        prepare(memory)
        memory.load(code(iterations), at: 0x1000)
        cpu.enterFlatProtectedMode()
        cpu[.esp] = 0x8000
        cpu.eip = 0x1000
        let start = DispatchTime.now().uptimeNanoseconds
        var reason = CPUStopReason.budgetExhausted
        while reason == .budgetExhausted { reason = cpu.run(budget: 10_000_000) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if ProcessInfo.processInfo.environment["PARTITA_BENCH_STATS"] != nil { print("blocks built: \(cpu.blockBuilds)") }
        guard reason == .halted else { throw ValidationError("\(name): stopped with \(reason) at eip \(cpu.eip)") }
        if let problem = verify(cpu, memory, iterations) { throw ValidationError("\(name): wrong result: \(problem)") }
        let mips = Double(cpu.instructionsRetired) / seconds / 1e6
        var line = String(format: "%-10@ %8.1f MIPS  (%llu instructions in %.3f s)", name as NSString, mips,
                          cpu.instructionsRetired, seconds)
        if bytesPerIteration > 0 {
            line += String(format: "  %.0f MB/s", bytesPerIteration * Double(iterations) / seconds / 1e6)
        }
        return Result(line: line, mips: mips)
    }

    static let all: [CPUWorkload] = [alu, memory, callRet, repMovsd, crc32]

    static let alu = CPUWorkload(name: "alu", code: { n in
        [0xB9] + le32(n) + [0x01, 0xD8, 0x31, 0xC2, 0x49, 0x75, 0xF9, 0xF4]
    }, baseIterations: 50_000_000, verify: { cpu, _, _ in cpu[.ecx] == 0 ? nil : "ecx \(cpu[.ecx])" })

    static let memory = CPUWorkload(name: "memory", code: { n in
        [0xBE] + le32(0x10_0000) + [0xB9] + le32(n) + [0x8B, 0x06, 0x01, 0xD8, 0x89, 0x06, 0x49, 0x75, 0xF7, 0xF4]
    }, baseIterations: 40_000_000, verify: { cpu, _, _ in cpu[.ecx] == 0 ? nil : "ecx \(cpu[.ecx])" })

    static let callRet = CPUWorkload(name: "call/ret", code: { n in
        [0xB9] + le32(n) + [0xE8] + le32(4) + [0x49, 0x75, 0xF8, 0xF4, 0xC3]
    }, baseIterations: 20_000_000, verify: { cpu, _, _ in cpu[.esp] == 0x8000 ? nil : "esp \(cpu[.esp])" })

    static let repMovsd = CPUWorkload(name: "rep movsd", code: { n in
        [0xBD] + le32(n) + [0xBE] + le32(0x10_0000) + [0xBF] + le32(0x20_0000) + [0xB9] + le32(1024)
            + [0xF3, 0xA5, 0x4D, 0x75, 0xEC, 0xF4]
    }, baseIterations: 50_000, prepare: { m in
        m.load((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) }, at: 0x10_0000)
    }, verify: { _, m, _ in
        m.bytes(at: 0x20_0000, count: 4096) == (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) } ? nil : "copy differs"
    }, bytesPerIteration: 4096)

    static let crcBufferSize = 65536
    static let crcData: [UInt8] = (0..<crcBufferSize).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
    static let crcTable: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static let crc32 = CPUWorkload(name: "crc32", code: { n in
        [0xBD] + le32(n) + [0xBE] + le32(0x10_0000) + [0xB9] + le32(UInt32(crcBufferSize)) + [0xBF] + le32(0x30_0000)
            + [0xB8, 0xFF, 0xFF, 0xFF, 0xFF]
            + [0x0F, 0xB6, 0x1E, 0x30, 0xC3, 0xC1, 0xE8, 0x08, 0x33, 0x04, 0x9F, 0x46, 0x49, 0x75, 0xF1]
            + [0xF7, 0xD0, 0x4D, 0x75, 0xD8, 0xF4]
    }, baseIterations: 100, prepare: { m in
        m.load(crcData, at: 0x10_0000)
        m.load(crcTable.flatMap { le32($0) }, at: 0x30_0000)
    }, verify: { cpu, _, _ in
        var c: UInt32 = 0xFFFF_FFFF
        for b in crcData { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        c = ~c
        return cpu[.eax] == c ? nil : "crc \(String(cpu[.eax], radix: 16)) expected \(String(c, radix: 16))"
    }, bytesPerIteration: Double(crcBufferSize))
}
