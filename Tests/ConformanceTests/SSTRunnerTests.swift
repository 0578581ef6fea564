// Tests of the single-step runner itself on hand-built tests (independent of the suites' data).

import Conformance
import Testing

private let baseRegisters: [MOORegister: UInt16] = [
    .eax: 0, .ebx: 0x1111, .ecx: 0x2222, .edx: 0x3333, .cs: 0x1000, .ss: 0x2000, .ds: 0x3000, .es: 0x4000,
    .esp: 0x0100, .ebp: 0x0200, .esi: 0x0300, .edi: 0x0400, .eip: 0x0010, .eflags: 0x0002,
]

/// A one-test file whose code `code` sits at 1000:0010.
private func makeTest(code: [UInt8], initial: [MOORegister: UInt16] = [:], initialRAM: [(UInt32, UInt8)] = [],
                      final: [MOORegister: UInt16], finalRAM: [(UInt32, UInt8)] = []) throws -> MOOFile {
    var registers = baseRegisters
    for (r, v) in initial { registers[r] = v }
    let ram = code.enumerated().map { (UInt32(0x10010 + $0.offset), $0.element) } + initialRAM
    var b = MOOBuilder()
    b.chunk("MOO ", MOOBuilder.header(count: 1, cpu: "C286"))
    b.chunk("TEST", MOOBuilder.test(index: 0, name: "hand-built", bytes: code, initial: registers, initialRAM: ram,
                                    final: final, finalRAM: finalRAM))
    return try MOOReader.parse(b.bytes)
}

@Suite("single-step runner")
struct SSTRunnerTests {
    let runner = SSTRunner()

    @Test("a correct expectation passes and registers the final state does not list must be unchanged")
    func passes() throws {
        let file = try makeTest(code: [0xB8, 0x34, 0x12, 0xF4], final: [.eax: 0x1234, .eip: 0x14])
        let context = SSTFileContext(file: file, fileName: "B8.MOO.gz", metadata: nil)
        let r = runner.run(file.tests[0], context: context)
        #expect(r.outcome == .passed, "\(r.report())")
        #expect(r.instructionsRetired == 2)
    }

    @Test("a wrong register value fails with a diff naming the register")
    func registerDiff() throws {
        let file = try makeTest(code: [0xB8, 0x34, 0x12, 0xF4], final: [.eax: 0x4321, .eip: 0x14])
        let context = SSTFileContext(file: file, fileName: "B8.MOO.gz", metadata: nil)
        let r = runner.run(file.tests[0], context: context)
        #expect(r.outcome == .failed)
        #expect(r.mismatches.map(\.location) == [.register("ax")])
        #expect(r.report().contains("ax: expected 0x4321 got 0x1234"))
        #expect(r.report().contains("B8 34 12 F4"))
    }

    @Test("memory bytes either state names are compared; initial bytes the final state omits must be unchanged")
    func memory() throws {
        // mov [0x0040], al ; hlt   with DS = 3000 → physical 0x30040.
        let code: [UInt8] = [0xA2, 0x40, 0x00, 0xF4]
        let good = try makeTest(code: code, initial: [.eax: 0x00AB], initialRAM: [(0x30040, 0x00)], final: [.eip: 0x14],
                                finalRAM: [(0x30040, 0xAB)])
        let ctx = SSTFileContext(file: good, fileName: "A2.MOO.gz", metadata: nil)
        #expect(runner.run(good.tests[0], context: ctx).outcome == .passed)
        let wrongAddress = try makeTest(code: code, initial: [.eax: 0x00AB], initialRAM: [(0x30040, 0x00)],
                                        final: [.eip: 0x14], finalRAM: [(0x30041, 0xAB)])
        let r = runner.run(wrongAddress.tests[0], context: ctx)
        #expect(r.outcome == .failed)
        #expect(Set(r.mismatches.map(\.location)) == [.memory(address: 0x30040), .memory(address: 0x30041)])
        #expect(r.report().contains("ram[0x30040]: expected 0x00 got 0xAB"))
        // The byte the previous test wrote must not leak into the next one.
        #expect(runner.run(good.tests[0], context: ctx).outcome == .passed)
    }

    @Test("undefined flags from metadata are masked; with no entry they are compared")
    func flagMasks() throws {
        // and al, 0x0F ; hlt — AF is undefined after AND. Expect AF set although AND clears it.
        let file = try makeTest(code: [0x24, 0x0F, 0xF4], initial: [.eax: 0x0013],
                                final: [.eax: 0x0003, .eip: 0x13, .eflags: 0x0016])
        let masked = SSTFileContext(file: file, fileName: "24.MOO.gz", metadata: SSTMetadata(
            opcodes: [SSTOpcodeKey(opcode: "24"): SSTOpcodeInfo(status: "normal", flagsMask: 0xFFEF)]))
        #expect(runner.run(file.tests[0], context: masked).outcome == .passed)
        let sdm = SSTFileContext(file: file, fileName: "24.MOO.gz", metadata: nil)
        #expect(runner.run(file.tests[0], context: sdm).outcome == .passed)
        let strict = SSTFileContext(file: file, fileName: "24.MOO.gz", metadata: SSTMetadata())
        let r = runner.run(file.tests[0], context: strict)
        #expect(r.outcome == .failed)
        #expect(r.report().contains("differs in: AF"))
    }

    @Test("FLAGS bits 12-15 are ignored for 80286 captures")
    func highFlagBits() throws {
        let file = try makeTest(code: [0xF4], initial: [.eflags: 0xF002], final: [.eip: 0x11, .eflags: 0x0002])
        let context = SSTFileContext(file: file, fileName: "F4.MOO.gz", metadata: nil)
        #expect(runner.run(file.tests[0], context: context).outcome == .passed)
    }

    @Test("a runaway test stops at the instruction budget and says so")
    func runaway() throws {
        let file = try makeTest(code: [0xEB, 0xFE], final: [.eip: 0x12])  // jmp $
        let context = SSTFileContext(file: file, fileName: "EB.MOO.gz", metadata: nil)
        runner.instructionBudget = 1000
        let r = runner.run(file.tests[0], context: context)
        #expect(r.outcome == .failed)
        #expect(r.stopProblem?.contains("did not reach HLT") == true)
    }

    @Test("an allow-listed 80286 behaviour is verified: LOCK on MOV must raise a precise #UD on the i686")
    func verifiedAllowList() throws {
        // The 80286 ignores LOCK here and executes the MOV; the i686 must raise #UD (LOCK, SDM Vol. 2).
        let file = try makeTest(code: [0xF0, 0xB8, 0x34, 0x12, 0xF4], final: [.eax: 0x1234, .eip: 0x15])
        let strict = SSTFileContext(file: file, fileName: "B8.MOO.gz", metadata: nil, allowList: .empty)
        #expect(runner.run(file.tests[0], context: strict).outcome == .failed)
        let standard = SSTFileContext(file: file, fileName: "B8.MOO.gz", metadata: nil, allowList: .standard)
        let r = runner.run(file.tests[0], context: standard)
        guard case .allowed(let entry) = r.outcome else {
            Issue.record("expected an allowed failure, got \(r.report())")
            return
        }
        #expect(entry.field == .raisesException(6))
        // A lockable form is not covered: lock add [bx],ax runs normally on both.
        #expect(!SSTInstructionShape(bytes: [0xF0, 0x01, 0x07]).lockPrefixFaultsOnI686)
        #expect(SSTInstructionShape(bytes: [0xF0, 0x03, 0x07]).lockPrefixFaultsOnI686)
        #expect(SSTInstructionShape(bytes: [0xF0, 0x80, 0x3F, 0x01]).lockPrefixFaultsOnI686)  // lock cmp
    }

    @Test("the pushed FLAGS image is masked at final SS:SP+4 when EXCP is one byte low (odd SP)")
    func pushedFlagsAddress() throws {
        // int 3 with SS:SP = 2000:0101 → FLAGS image at 0x200FF/0x20100, handler 0500:0000 (HLT).
        var registers = baseRegisters
        registers[.esp] = 0x0101
        registers[.eflags] = 0x0003
        var b = MOOBuilder()
        b.chunk("MOO ", MOOBuilder.header(count: 1, cpu: "C286"))
        b.chunk("TEST", MOOBuilder.test(
            index: 0, name: "int3", bytes: [0xCC, 0xF4], initial: registers,
            initialRAM: [(0x10010, 0xCC), (0x10011, 0xF4), (0x0C, 0x00), (0x0D, 0x00), (0x0E, 0x00), (0x0F, 0x05),
                         (0x5000, 0xF4)],
            final: [.cs: 0x0500, .eip: 0x0001, .esp: 0x00FB],
            // The capture's CF in the image differs (CF is undefined for this made-up opcode entry).
            finalRAM: [(0x200FB, 0x11), (0x200FC, 0x00), (0x200FD, 0x00), (0x200FE, 0x10), (0x200FF, 0x02), (0x20100, 0x00)],
            exception: (3, 0x200FE)))
        let file = try MOOReader.parse(b.bytes)
        let metadata = SSTMetadata(opcodes: [SSTOpcodeKey(opcode: "CC"): SSTOpcodeInfo(status: "normal", flagsMask: 0xFFFE)])
        let context = SSTFileContext(file: file, fileName: "CC.MOO.gz", metadata: metadata, allowList: .empty)
        let r = runner.run(file.tests[0], context: context)
        #expect(r.outcome == .passed, "\(r.report())")
    }

    @Test("revoked tests are skipped")
    func revoked() throws {
        let file = try makeTest(code: [0xF4], final: [.eip: 0x9999])
        let context = SSTFileContext(file: file, fileName: "F4.MOO.gz",
                                     metadata: SSTMetadata(revokedHashes: [file.tests[0].hashHex]))
        #expect(runner.run(file.tests[0], context: context).outcome == .skipped("on the suite's revocation list"))
    }

    @Test("instruction shapes: ModR/M reg, stack-segment use")
    func shapes() {
        let ssOverride = SSTInstructionShape(bytes: [0x36, 0x8B, 0x07, 0xF4])
        #expect(ssOverride.memoryOperandUsesSS && ssOverride.modrmReg == 0)
        #expect(SSTInstructionShape(bytes: [0x8B, 0x46, 0x02]).memoryOperandUsesSS)  // [bp+2]
        #expect(!SSTInstructionShape(bytes: [0x3E, 0x8B, 0x46, 0x02]).memoryOperandUsesSS)  // ds:[bp+2]
        #expect(!SSTInstructionShape(bytes: [0x8B, 0x06, 0x00, 0x10]).memoryOperandUsesSS)  // [1000h]
        #expect(!SSTInstructionShape(bytes: [0x8B, 0xC6]).memoryOperandUsesSS)  // register form
        #expect(SSTInstructionShape(bytes: [0xF0, 0xC9]).usesStackSegment)  // lock leave
        #expect(SSTInstructionShape(bytes: [0xFF, 0x76, 0x00]).accessesStack)  // push [bp+0]
        #expect(!SSTInstructionShape(bytes: [0xFF, 0x07]).accessesStack)  // inc word [bx]
        #expect(SSTInstructionShape(bytes: [0xF6, 0x3F]).opcodeKey == SSTOpcodeKey(opcode: "F6"))
    }

    @Test("SDM undefined-flag fallback covers group members individually")
    func architecturalMasks() {
        #expect(ArchitecturalFlagMasks.undefinedFlags(for: SSTOpcodeKey(opcode: "F6", reg: 6)) == 0x08D5)
        #expect(ArchitecturalFlagMasks.undefinedFlags(for: SSTOpcodeKey(opcode: "F6", reg: 2)) == 0)
        #expect(ArchitecturalFlagMasks.undefinedFlags(for: SSTOpcodeKey(opcode: "00")) == 0)
        #expect(ArchitecturalFlagMasks.undefinedFlags(for: SSTOpcodeKey(opcode: "0FBC")) == 0x0895)
    }
}
