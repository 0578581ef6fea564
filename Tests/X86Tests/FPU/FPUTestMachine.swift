// A real-mode test machine for x87 programs, plus a tiny assembler for the encodings the tests use.

import EmulatorCore
@testable import X86

/// One CPU with 1 MiB of RAM in real mode (CS = DS = ES = SS = 0). Programs are loaded at
/// `codeAddress` and run until HLT; faults vector through the real-mode IVT, whose entries all
/// point at one-byte HLT stubs at `handlerBase + vector`.
final class FPUTestMachine {
    let memory = PhysicalMemory(ramSize: 1 << 20)
    let cpu: CPU
    static let codeAddress: UInt32 = 0x1000
    static let dataAddress: UInt32 = 0x2000
    static let handlerBase: UInt32 = 0x3000

    init() {
        cpu = CPU(memory: memory, ports: PortIOBus())
        for s in [SegmentRegister.cs, .ds, .es, .ss] { cpu.setSegmentReal(s, selector: 0) }
        cpu[.esp] = 0x8000
        for v in 0..<32 {
            let handler = Self.handlerBase + UInt32(v)
            memory.ram[Int(handler)] = 0xF4
            memory.ram[v * 4] = UInt8(truncatingIfNeeded: handler)
            memory.ram[v * 4 + 1] = UInt8(truncatingIfNeeded: handler >> 8)
            memory.ram[v * 4 + 2] = 0
            memory.ram[v * 4 + 3] = 0
        }
    }

    /// Loads `code` followed by HLT and runs it. Returns the vector of the fault that stopped it,
    /// or nil when the program reached its own HLT.
    @discardableResult
    func run(_ code: [UInt8], budget: Int = 100_000) -> Int? {
        memory.load(code + [0xF4], at: Self.codeAddress)
        cpu.eip = Self.codeAddress
        cpu.halted = false
        _ = cpu.run(budget: budget)
        let stop = Int(cpu.eip) - 1
        if stop >= Int(Self.handlerBase) && stop < Int(Self.handlerBase) + 32 {
            return stop - Int(Self.handlerBase)
        }
        return nil
    }

    func write80(_ v: X87Float, at address: UInt32) { memory.load(v.bytes, at: address) }
    func read80(at address: UInt32) -> X87Float { X87Float(bytes: memory.bytes(at: address, count: 10)) }

    func write16(_ v: UInt16, at a: UInt32) { memory.load([UInt8(v & 0xFF), UInt8(v >> 8)], at: a) }
    func write32(_ v: UInt32, at a: UInt32) { memory.load((0..<4).map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) }, at: a) }
    func write64(_ v: UInt64, at a: UInt32) { memory.load((0..<8).map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) }, at: a) }
    func read16(at a: UInt32) -> UInt16 { memory.bytes(at: a, count: 2).enumerated().reduce(0) { $0 | UInt16($1.1) << ($1.0 * 8) } }
    func read32(at a: UInt32) -> UInt32 { memory.bytes(at: a, count: 4).enumerated().reduce(0) { $0 | UInt32($1.1) << ($1.0 * 8) } }
    func read64(at a: UInt32) -> UInt64 { memory.bytes(at: a, count: 8).enumerated().reduce(0) { $0 | UInt64($1.1) << ($1.0 * 8) } }
}

/// x87 encodings with 16-bit direct addressing ([disp16], ModR/M mod = 00, r/m = 110).
enum X87Asm {
    static func mem(_ opcode: UInt8, _ reg: UInt8, _ address: UInt32) -> [UInt8] {
        [opcode, reg << 3 | 0o006, UInt8(address & 0xFF), UInt8((address >> 8) & 0xFF)]
    }
    static func reg(_ opcode: UInt8, _ modrm: UInt8) -> [UInt8] { [opcode, modrm] }

    static func fninit() -> [UInt8] { [0xDB, 0xE3] }
    static func fnclex() -> [UInt8] { [0xDB, 0xE2] }
    static func fldcw(_ a: UInt32) -> [UInt8] { mem(0xD9, 5, a) }
    static func fnstcw(_ a: UInt32) -> [UInt8] { mem(0xD9, 7, a) }
    static func fnstswAX() -> [UInt8] { [0xDF, 0xE0] }
    static func fnstsw(_ a: UInt32) -> [UInt8] { mem(0xDD, 7, a) }
    static func fld80(_ a: UInt32) -> [UInt8] { mem(0xDB, 5, a) }
    static func fstp80(_ a: UInt32) -> [UInt8] { mem(0xDB, 7, a) }
    static func fld32(_ a: UInt32) -> [UInt8] { mem(0xD9, 0, a) }
    static func fld64(_ a: UInt32) -> [UInt8] { mem(0xDD, 0, a) }
    static func fst32(_ a: UInt32) -> [UInt8] { mem(0xD9, 2, a) }
    static func fstp32(_ a: UInt32) -> [UInt8] { mem(0xD9, 3, a) }
    static func fstp64(_ a: UInt32) -> [UInt8] { mem(0xDD, 3, a) }
    static func fild16(_ a: UInt32) -> [UInt8] { mem(0xDF, 0, a) }
    static func fild32(_ a: UInt32) -> [UInt8] { mem(0xDB, 0, a) }
    static func fild64(_ a: UInt32) -> [UInt8] { mem(0xDF, 5, a) }
    static func fistp16(_ a: UInt32) -> [UInt8] { mem(0xDF, 3, a) }
    static func fistp32(_ a: UInt32) -> [UInt8] { mem(0xDB, 3, a) }
    static func fistp64(_ a: UInt32) -> [UInt8] { mem(0xDF, 7, a) }
    static func fbld(_ a: UInt32) -> [UInt8] { mem(0xDF, 4, a) }
    static func fbstp(_ a: UInt32) -> [UInt8] { mem(0xDF, 6, a) }
    static func fnstenv(_ a: UInt32) -> [UInt8] { mem(0xD9, 6, a) }
    static func fldenv(_ a: UInt32) -> [UInt8] { mem(0xD9, 4, a) }
    static func fnsave(_ a: UInt32) -> [UInt8] { mem(0xDD, 6, a) }
    static func frstor(_ a: UInt32) -> [UInt8] { mem(0xDD, 4, a) }
    static let fld1: [UInt8] = [0xD9, 0xE8]
    static let fldpi: [UInt8] = [0xD9, 0xEB]
    static let fldz: [UInt8] = [0xD9, 0xEE]
    static let faddp: [UInt8] = [0xDE, 0xC1]
    static let fsubp: [UInt8] = [0xDE, 0xE9]
    static let fmulp: [UInt8] = [0xDE, 0xC9]
    static let fdivp: [UInt8] = [0xDE, 0xF9]
    static let fsqrt: [UInt8] = [0xD9, 0xFA]
    static let frndint: [UInt8] = [0xD9, 0xFC]
    static let fprem1: [UInt8] = [0xD9, 0xF5]
    static let fxam: [UInt8] = [0xD9, 0xE5]
    static let fwait: [UInt8] = [0x9B]
    static let sahf: [UInt8] = [0x9E]
}
