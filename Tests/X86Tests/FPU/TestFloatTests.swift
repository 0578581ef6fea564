// Berkeley TestFloat x87 vectors run through guest x87 programs on the CPU.

import CZlib
import EmulatorCore
import Foundation
import Testing
@testable import X86

/// Runs every file in ../shared/testdata/testfloat-x87 (see its README.md): each vector is
/// written to guest memory and a small real-mode program (FNINIT; FLDCW; load operands; the
/// operation; store; FNSTSW AX; HLT) runs on the CPU. The result bits and the five IEEE flags
/// (IE ZE OE UE PE; DE and SF are not modelled by TestFloat) must match.
///
/// Debug builds run every 64th vector unless PARTITA_FULL_CONFORMANCE=1; release builds run all.
@Suite("TestFloat x87 conformance")
struct TestFloatTests {
    static var directory: String {
        // <root>/Tests/X86Tests/FPU/TestFloatTests.swift -> <root>/../shared/testdata/testfloat-x87
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("../shared/testdata/testfloat-x87").standardized.path
    }

    static var sampleStride: Int {
        if ProcessInfo.processInfo.environment["PARTITA_FULL_CONFORMANCE"] == "1" { return 1 }
        #if DEBUG
        return 64
        #else
        return 1
        #endif
    }

    @Test("TestFloat vectors pass through the x87 instruction paths")
    func testFloatVectors() throws {
        let dir = Self.directory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            print("skipped: ../shared/testdata/testfloat-x87 not found")
            return
        }
        let files = names.filter { $0.hasSuffix(".txt.gz") }.sorted()
        #expect(!files.isEmpty, "no .txt.gz files in \(dir)")
        let stride = Self.sampleStride
        print("TestFloat x87: \(files.count) files, " + (stride == 1 ? "all vectors" : "every \(stride)th vector (set PARTITA_FULL_CONFORMANCE=1 or build release for all)"))
        var totalRun = 0, totalFailed = 0
        for name in files {
            guard let spec = TestFloatFile(name: name) else {
                Issue.record("unrecognised TestFloat file name \(name)")
                continue
            }
            let outcome = try runFile(dir + "/" + name, spec, stride: stride)
            totalRun += outcome.run
            totalFailed += outcome.failures.count
            print("  \(name): \(outcome.run - outcome.failures.count)/\(outcome.run) passed")
            for f in outcome.failures.prefix(5) { print("    FAIL \(f)") }
            let failed = outcome.failures.count
            #expect(failed == 0, "\(name): \(failed) of \(outcome.run) vectors failed; first: \(outcome.failures.first ?? "")")
            #expect(outcome.run > 0, "\(name): no vectors read")
        }
        print("TestFloat x87 total: \(totalRun - totalFailed)/\(totalRun) passed")
    }

    private func runFile(_ path: String, _ spec: TestFloatFile, stride: Int) throws -> (run: Int, failures: [String]) {
        guard let gz = gzopen(path, "rb") else {
            Issue.record("cannot open \(path)")
            return (0, [])
        }
        defer { gzclose(gz) }
        let machine = FPUTestMachine()
        let program = spec.program()
        machine.memory.load(program + [0xF4], at: FPUTestMachine.codeAddress)
        machine.write16(spec.controlWord, at: TestFloatFile.cwAddress)
        var line = [CChar](repeating: 0, count: 512)
        var index = 0, run = 0
        var failures: [String] = []
        while line.withUnsafeMutableBufferPointer({ gzgets(gz, $0.baseAddress, Int32($0.count)) }) != nil {
            defer { index += 1 }
            if index % stride != 0 { continue }
            let fields = line.withUnsafeBufferPointer { TestFloatFile.hexFields($0) }
            guard fields.count == spec.operandCount + 2 else {
                if fields.isEmpty { continue }
                failures.append("line \(index + 1): \(fields.count) fields")
                continue
            }
            run += 1
            if let failure = runVector(machine, spec, fields, programLength: program.count) {
                failures.append("line \(index + 1): \(failure)")
            }
        }
        return (run, failures)
    }

    /// Writes the operands, runs the program and compares; returns a description of a mismatch.
    private func runVector(_ machine: FPUTestMachine, _ spec: TestFloatFile, _ fields: [(UInt64, UInt16)],
                           programLength: Int) -> String? {
        let ram = machine.memory.ram
        func store(_ v: (UInt64, UInt16), _ address: UInt32) {
            for i in 0..<8 { ram[Int(address) + i] = UInt8(truncatingIfNeeded: v.0 >> (8 * UInt64(i))) }
            ram[Int(address) + 8] = UInt8(truncatingIfNeeded: v.1)
            ram[Int(address) + 9] = UInt8(truncatingIfNeeded: v.1 >> 8)
        }
        store(fields[0], TestFloatFile.aAddress)
        if spec.operandCount == 2 { store(fields[1], TestFloatFile.bAddress) }
        for i in 0..<10 { ram[Int(TestFloatFile.resultAddress) + i] = 0xA5 }
        machine.cpu.eip = FPUTestMachine.codeAddress
        machine.cpu.halted = false
        _ = machine.cpu.run(budget: 10_000)
        guard machine.cpu.eip == FPUTestMachine.codeAddress + UInt32(programLength) + 1 else {
            return "program did not finish (eip \(String(machine.cpu.eip, radix: 16)))"
        }
        let sw = UInt16(truncatingIfNeeded: machine.cpu[.eax])
        let expected = fields[spec.operandCount]
        let expectedFlags = UInt8(truncatingIfNeeded: fields[spec.operandCount + 1].0)
        var got: (UInt64, UInt16) = (0, 0)
        switch spec.result {
        case .extended:
            got.0 = (0..<8).reduce(0) { $0 | UInt64(ram[Int(TestFloatFile.resultAddress) + $1]) << (8 * UInt64($1)) }
            got.1 = UInt16(ram[Int(TestFloatFile.resultAddress) + 8]) | UInt16(ram[Int(TestFloatFile.resultAddress) + 9]) << 8
        case .bytes(let n):
            got.0 = (0..<n).reduce(0) { $0 | UInt64(ram[Int(TestFloatFile.resultAddress) + $1]) << (8 * UInt64($1)) }
        case .boolean:
            got.0 = spec.compare(machine.cpu.eflags, sw) ? 1 : 0
        }
        // TestFloat flags: 0x01 PE, 0x02 UE, 0x04 OE, 0x08 ZE, 0x10 IE.
        var flags: UInt8 = 0
        if sw & FPUState.SW.pe != 0 { flags |= 0x01 }
        if sw & FPUState.SW.ue != 0 { flags |= 0x02 }
        if sw & FPUState.SW.oe != 0 { flags |= 0x04 }
        if sw & FPUState.SW.ze != 0 { flags |= 0x08 }
        if sw & FPUState.SW.ie != 0 { flags |= 0x10 }
        if got.0 == expected.0 && got.1 == expected.1 && flags == expectedFlags { return nil }
        let operands = fields[0..<spec.operandCount].map { TestFloatFile.hex($0) }.joined(separator: " ")
        return "\(operands): got \(TestFloatFile.hex(got)) flags \(String(flags, radix: 16)), "
            + "expected \(TestFloatFile.hex(expected)) flags \(String(expectedFlags, radix: 16))"
    }
}

/// What one TestFloat file tests, parsed from its name (README.md of the data set).
struct TestFloatFile {
    enum ResultKind { case extended, bytes(Int), boolean }

    static let cwAddress: UInt32 = 0x2000
    static let aAddress: UInt32 = 0x2010
    static let bAddress: UInt32 = 0x2020
    static let resultAddress: UInt32 = 0x2030

    var operation: String
    var controlWord: UInt16
    var operandCount: Int
    var result: ResultKind

    init?(name: String) {
        let parts = name.replacingOccurrences(of: ".txt.gz", with: "").split(separator: ".").map(String.init)
        guard parts.count >= 2 else { return nil }
        operation = parts[0]
        // RC: nearest 00, down 01, up 10, toward zero 11; PC: single 00, double 10, extended 11.
        let rc: UInt16
        switch parts[1] {
        case "rnear_even": rc = 0
        case "rmin": rc = 1
        case "rmax": rc = 2
        case "rminMag": rc = 3
        default: return nil
        }
        var pc: UInt16 = 3
        if parts.count > 2 {
            switch parts[2] {
            case "p32": pc = 0
            case "p64": pc = 2
            default: pc = 3
            }
        }
        controlWord = 0x007F | pc << 8 | rc << 10
        switch operation {
        case "extF80_add", "extF80_sub", "extF80_mul", "extF80_div", "extF80_rem":
            operandCount = 2; result = .extended
        case "extF80_sqrt", "extF80_roundToInt", "i32_to_extF80", "i64_to_extF80", "f32_to_extF80", "f64_to_extF80":
            operandCount = 1; result = .extended
        case "extF80_to_i32", "extF80_to_f32": operandCount = 1; result = .bytes(4)
        case "extF80_to_i64", "extF80_to_f64": operandCount = 1; result = .bytes(8)
        case "extF80_eq", "extF80_eq_signaling", "extF80_le", "extF80_lt", "extF80_lt_quiet":
            operandCount = 2; result = .boolean
        default: return nil
        }
    }

    /// The guest program (without the final HLT).
    func program() -> [UInt8] {
        typealias A = X87Asm
        let a = Self.aAddress, b = Self.bAddress, r = Self.resultAddress
        var p = A.fninit() + A.fldcw(Self.cwAddress)
        switch operation {
        case "extF80_add": p += A.fld80(a) + A.fld80(b) + A.faddp + A.fstp80(r)
        case "extF80_sub": p += A.fld80(a) + A.fld80(b) + A.fsubp + A.fstp80(r)
        case "extF80_mul": p += A.fld80(a) + A.fld80(b) + A.fmulp + A.fstp80(r)
        case "extF80_div": p += A.fld80(a) + A.fld80(b) + A.fdivp + A.fstp80(r)
        case "extF80_rem":
            // FPREM1 is partial: repeat while C2 (= PF after SAHF) says "incomplete".
            p += A.fld80(b) + A.fld80(a) + A.fprem1 + A.fnstswAX() + A.sahf + [0x7A, 0xF9]
            p += A.fstp80(r) + [0xDD, 0xD8]
        case "extF80_sqrt": p += A.fld80(a) + A.fsqrt + A.fstp80(r)
        case "extF80_roundToInt": p += A.fld80(a) + A.frndint + A.fstp80(r)
        case "i32_to_extF80": p += A.fild32(a) + A.fstp80(r)
        case "i64_to_extF80": p += A.fild64(a) + A.fstp80(r)
        case "f32_to_extF80": p += A.fld32(a) + A.fstp80(r)
        case "f64_to_extF80": p += A.fld64(a) + A.fstp80(r)
        case "extF80_to_i32": p += A.fld80(a) + A.fistp32(r)
        case "extF80_to_i64": p += A.fld80(a) + A.fistp64(r)
        case "extF80_to_f32": p += A.fld80(a) + A.fstp32(r)
        case "extF80_to_f64": p += A.fld80(a) + A.fstp64(r)
        // Comparisons of a with b: ST(0) = a, ST(1) = b. Quiet predicates use FUCOM*, signaling
        // ones FCOM*; both the EFLAGS (FCOMIP/FUCOMIP) and the C3/C2/C0 (FCOMPP/FUCOMPP) paths.
        case "extF80_eq": p += A.fld80(b) + A.fld80(a) + [0xDF, 0xE9, 0xDD, 0xD8]  // FUCOMIP; FSTP ST(0)
        case "extF80_eq_signaling", "extF80_lt": p += A.fld80(b) + A.fld80(a) + [0xDF, 0xF1, 0xDD, 0xD8]  // FCOMIP
        case "extF80_le": p += A.fld80(b) + A.fld80(a) + [0xDE, 0xD9]  // FCOMPP
        case "extF80_lt_quiet": p += A.fld80(b) + A.fld80(a) + [0xDA, 0xE9]  // FUCOMPP
        default: break
        }
        return p + A.fnstswAX()
    }

    /// The boolean result of a comparison program.
    func compare(_ eflags: UInt32, _ sw: UInt16) -> Bool {
        let zf = eflags & Flags.zf != 0, pf = eflags & Flags.pf != 0, cf = eflags & Flags.cf != 0
        let c3 = sw & FPUState.SW.c3 != 0, c2 = sw & FPUState.SW.c2 != 0, c0 = sw & FPUState.SW.c0 != 0
        switch operation {
        case "extF80_eq", "extF80_eq_signaling": return zf && !pf
        case "extF80_lt": return cf && !pf
        case "extF80_le": return (c0 || c3) && !c2
        default: return c0 && !c2  // lt_quiet
        }
    }

    /// Hex fields of one line: up to 20 digits each, as (low 64 bits, high 16 bits).
    static func hexFields(_ line: UnsafeBufferPointer<CChar>) -> [(UInt64, UInt16)] {
        var fields: [(UInt64, UInt16)] = []
        var lo: UInt64 = 0, hi: UInt16 = 0, digits = 0
        for c in line {
            let v: UInt64
            switch UInt8(bitPattern: c) {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt64(UInt8(bitPattern: c) - UInt8(ascii: "0"))
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = UInt64(UInt8(bitPattern: c) - UInt8(ascii: "A") + 10)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = UInt64(UInt8(bitPattern: c) - UInt8(ascii: "a") + 10)
            default:
                if digits > 0 { fields.append((lo, hi)) }
                lo = 0; hi = 0; digits = 0
                if c == 0 { return fields }
                continue
            }
            hi = hi << 4 | UInt16(lo >> 60)
            lo = lo << 4 | v
            digits += 1
        }
        if digits > 0 { fields.append((lo, hi)) }
        return fields
    }

    static func hex(_ v: (UInt64, UInt16)) -> String {
        let low = String(v.0, radix: 16)
        if v.1 == 0 { return low }
        return String(v.1, radix: 16) + String(repeating: "0", count: 16 - low.count) + low
    }
}
