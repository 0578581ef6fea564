// Unit tests of the MOO container reader, gzip reading and suite metadata parsing.

import Conformance
import Foundation
import Testing

/// Package root: Tests/ConformanceTests/<file> is three levels below it.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let sharedTestData = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")

private func sampleFile(unknownChunks: Bool = false) -> [UInt8] {
    var b = MOOBuilder()
    b.chunk("MOO ", MOOBuilder.header(count: 2, cpu: "C286"))
    b.chunk("META", MOOBuilder.meta(opcode: 0xB8, mnemonic: "mov", count: 2))
    if unknownChunks { b.chunk("ZZZZ") { $0.bytes += [9, 9, 9] } }
    b.chunk("TEST", MOOBuilder.test(
        index: 0, name: "mov ax,1234h", bytes: [0xB8, 0x34, 0x12, 0xF4],
        initial: [.eax: 0, .ebx: 1, .ecx: 2, .edx: 3, .cs: 0x100, .ss: 0x200, .ds: 0x300, .es: 0x400,
                  .esp: 0x100, .ebp: 5, .esi: 6, .edi: 7, .eip: 0x10, .eflags: 0x0002],
        initialRAM: [(0x1010, 0xB8), (0x1011, 0x34), (0x1012, 0x12), (0x1013, 0xF4)],
        final: [.eax: 0x1234, .eip: 0x14], finalRAM: []))
    b.chunk("TEST") { t in
        t.u32(1)
        if unknownChunks { t.chunk("XTRA") { $0.u32(7) } }
        t.chunk("NAME", MOOBuilder.lengthPrefixed(Array("int 3".utf8)))
        t.chunk("BYTS", MOOBuilder.lengthPrefixed([0xCC]))
        t.chunk("INIT") { s in
            s.chunk("REGS", MOOBuilder.regs([.eax: 0xFFFF, .eflags: 0xF002]))
            if unknownChunks { s.chunk("NOPE") { $0.u8(1) } }
            s.chunk("RAM ", MOOBuilder.ram([(0xC, 0x00), (0xD, 0x20)]))
            s.chunk("QUEU", MOOBuilder.lengthPrefixed([0xCC, 0x90]))
        }
        t.chunk("FINA") { s in
            s.chunk("REGS", MOOBuilder.regs([.eip: 0x2000, .eflags: 0x0002]))
            s.chunk("RMSK", MOOBuilder.regs([.eflags: 0x0FD5]))
            s.chunk("RAM ", MOOBuilder.ram([(0x5FE, 0x02)]))
        }
        t.chunk("EXCP") { $0.u8(3); $0.u32(0x5FE) }
        t.chunk("HASH") { $0.bytes += [UInt8](repeating: 0xAB, count: 20) }
    }
    return b.bytes
}

@Suite("MOO reader")
struct MOOReaderTests {
    @Test("parses header, META and every TEST sub-chunk of the 16-bit form")
    func parsesSixteenBitForm() throws {
        let file = try MOOReader.parse(sampleFile())
        #expect(file.header.cpuID == "C286")
        #expect(file.header.testCount == 2)
        #expect(file.metadata?.mnemonic == "mov")
        #expect(file.metadata?.opcode == 0xB8)
        #expect(file.tests.count == 2)

        let t0 = file.tests[0]
        #expect(t0.name == "mov ax,1234h")
        #expect(t0.bytes == [0xB8, 0x34, 0x12, 0xF4])
        #expect(t0.initial.registers.width == .bits16)
        #expect(t0.initial.registers[.cs] == 0x100)
        #expect(t0.initial.registers[.eflags] == 2)
        #expect(t0.initial.registers[.fs] == nil)
        #expect(t0.initial.ram.count == 4)
        #expect(t0.final.registers.registers == [.eax, .eip])
        #expect(t0.final.registers[.eax] == 0x1234)
        #expect(t0.exception == nil)
        #expect(t0.hashHex == "000102030405060708090a0b0c0d0e0f10111213")

        let t1 = file.tests[1]
        #expect(t1.index == 1)
        #expect(t1.initial.queue == [0xCC, 0x90])
        #expect(t1.final.registerMasks?[.eflags] == 0x0FD5)
        #expect(t1.exception == MOOException(vector: 3, flagsAddress: 0x5FE))
        #expect(t1.final.ram == [MOOMemoryByte(address: 0x5FE, value: 2)])
        #expect(t1.hashHex == String(repeating: "ab", count: 20))
    }

    @Test("skips unknown chunk ids at every level")
    func skipsUnknownChunks() throws {
        let plain = try MOOReader.parse(sampleFile())
        let extended = try MOOReader.parse(sampleFile(unknownChunks: true))
        #expect(plain == extended)
    }

    @Test("parses the 32-bit form: RG32, RM32 and EA32")
    func parsesThirtyTwoBitForm() throws {
        var b = MOOBuilder()
        b.chunk("MOO ", MOOBuilder.header(count: 1, cpu: "386E"))
        b.chunk("RM32", MOOBuilder.rg32([.eflags: 0xFFFF_F7FF]))
        b.chunk("TEST") { t in
            t.u32(0)
            t.chunk("INIT") { s in
                s.chunk("RG32", MOOBuilder.rg32([.cr0: 0x7FFE_FFF0, .eax: 0xDEAD_BEEF, .fs: 0x1234, .dr7: 0x400]))
                s.chunk("EA32") { e in
                    e.u8(1); e.u16(0xF7EC); e.u32(0xF7EC0); e.u32(0xFFFF); e.u32(0x61); e.u32(0xF7F21); e.u32(0xF7F21)
                }
                s.chunk("RAM ", MOOBuilder.ram([]))
            }
            t.chunk("FINA") { s in s.chunk("RG32", MOOBuilder.rg32([.eip: 4])) }
        }
        let file = try MOOReader.parse(b.bytes)
        #expect(file.header.cpuID == "386E")
        #expect(file.metadata == nil)
        #expect(file.registerMasks?[.eflags] == 0xFFFF_F7FF)
        let t = try #require(file.tests.first)
        #expect(t.initial.registers.width == .bits32)
        #expect(t.initial.registers[.eax] == 0xDEAD_BEEF)
        #expect(t.initial.registers[.fs] == 0x1234)
        #expect(t.initial.registers[.dr7] == 0x400)
        #expect(t.initial.registers[.cr0] == 0x7FFE_FFF0)
        #expect(t.initial.effectiveAddress?.segmentName == "ss")
        #expect(t.initial.effectiveAddress?.linearAddress == 0xF7F21)
        #expect(t.final.registers[.eip] == 4)
        #expect(t.name == "" && t.bytes.isEmpty && t.hash.isEmpty)
    }

    @Test("every truncation of a valid file throws or yields fewer tests, never traps")
    func truncationNeverTraps() {
        let full = sampleFile(unknownChunks: true)
        for length in 0..<full.count {
            do {
                let file = try MOOReader.parse(Array(full[0..<length]))
                // Cutting exactly at a chunk boundary leaves a shorter but valid file.
                #expect(file.tests.count < 2, "prefix of \(length) bytes parsed as complete")
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test("a chunk length past the end of the data is reported as an overrun")
    func chunkOverrun() {
        var bytes = sampleFile()
        // The META chunk's length field sits after the 8 + 12 byte header chunk and its own id.
        let lengthOffset = 8 + 12 + 4
        bytes[lengthOffset + 3] = 0x7F
        #expect(throws: MOOError.self) { try MOOReader.parse(bytes) }
        do {
            _ = try MOOReader.parse(bytes)
        } catch {
            guard case .chunkOverrun(let chunk, _, _, _) = error else {
                Issue.record("expected chunkOverrun, got \(error)")
                return
            }
            #expect(chunk == "META")
        }
    }

    @Test("a RAM entry count larger than its chunk throws before allocating")
    func hugeRAMCount() {
        var b = MOOBuilder()
        b.chunk("MOO ", MOOBuilder.header(count: 1, cpu: "C286"))
        b.chunk("TEST") { t in
            t.u32(0)
            t.chunk("INIT") { s in
                s.chunk("REGS", MOOBuilder.regs([.eax: 1]))
                s.chunk("RAM ") { $0.u32(0xFFFF_FFFF); $0.u32(0); $0.u8(0) }
            }
            t.chunk("FINA") { s in s.chunk("REGS", MOOBuilder.regs([:])) }
        }
        #expect {
            try MOOReader.parse(b.bytes)
        } throws: { error in
            guard let e = error as? MOOError, case .truncated = e else { return false }
            return true
        }
    }

    @Test("register chunks shorter than their bitmask claims are truncation errors")
    func shortRegisterChunk() {
        var b = MOOBuilder()
        b.chunk("MOO ", MOOBuilder.header(count: 1, cpu: "C286"))
        b.chunk("TEST") { t in
            t.u32(0)
            t.chunk("INIT") { s in s.chunk("REGS") { $0.u16(0x3FFF); $0.u16(1) } }
            t.chunk("FINA") { s in s.chunk("REGS", MOOBuilder.regs([:])) }
        }
        #expect(throws: MOOError.self) { try MOOReader.parse(b.bytes) }
    }

    @Test("a test without INIT or FINA is rejected with the chunk's name")
    func missingState() {
        var b = MOOBuilder()
        b.chunk("MOO ", MOOBuilder.header(count: 1, cpu: "C286"))
        b.chunk("TEST") { t in
            t.u32(4)
            t.chunk("INIT") { s in s.chunk("REGS", MOOBuilder.regs([.eax: 1])) }
        }
        #expect(throws: MOOError.missingChunk("FINA", context: "test #4")) { try MOOReader.parse(b.bytes) }
    }

    @Test("data that does not start with a MOO chunk is not a MOO file")
    func notMOO() {
        var b = MOOBuilder()
        b.chunk("RIFF") { $0.u32(0) }
        #expect(throws: MOOError.notMOO(foundChunk: "RIFF")) { try MOOReader.parse(b.bytes) }
        #expect(throws: MOOError.self) { try MOOReader.parse([]) }
    }
}

@Suite("gzip files")
struct GzipFileTests {
    @Test("compress and decompress round-trip; plain data passes through")
    func roundTrip() throws {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 3) }
        let gz = GzipFile.compress(data)
        #expect(gz.count < data.count)
        #expect(try GzipFile.decompress(gz) == data)
        #expect(try GzipFile.decompress([1, 2, 3]) == [1, 2, 3])
    }

    @Test("truncated gzip data is reported, in memory and on disk")
    func truncated() throws {
        let data = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let gz = GzipFile.compress(data)
        let cut = Array(gz[0..<(gz.count / 2)])
        #expect(throws: GzipFileError.self) { try GzipFile.decompress(cut) }

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("partita-truncated-\(getpid()).gz")
        try Data(cut).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect {
            try GzipFile.read(path: url.path)
        } throws: { error in
            guard let e = error as? GzipFileError, case .corrupt = e else { return false }
            return true
        }
    }

    @Test("reads whole gzip and plain files; a missing file says so")
    func files() throws {
        let dir = FileManager.default.temporaryDirectory
        let gzURL = dir.appendingPathComponent("partita-ok-\(getpid()).gz")
        let plainURL = dir.appendingPathComponent("partita-ok-\(getpid()).bin")
        let data = Array("hello, MOO".utf8)
        try Data(GzipFile.compress(data)).write(to: gzURL)
        try Data(data).write(to: plainURL)
        defer {
            try? FileManager.default.removeItem(at: gzURL)
            try? FileManager.default.removeItem(at: plainURL)
        }
        #expect(try GzipFile.read(path: gzURL.path) == data)
        #expect(try GzipFile.read(path: plainURL.path) == data)
        #expect(throws: GzipFileError.notFound(path: "/nonexistent/x.gz")) { try GzipFile.read(path: "/nonexistent/x.gz") }
        #expect(throws: GzipFileError.isDirectory(path: dir.path)) { try GzipFile.read(path: dir.path) }
    }
}

@Suite("suite metadata")
struct SSTMetadataTests {
    @Test("file names map to opcode keys, with the ModR/M reg for group files")
    func opcodeKeys() {
        #expect(SSTOpcodeKey(fileName: "F6.7.MOO.gz") == SSTOpcodeKey(opcode: "F6", reg: 7))
        #expect(SSTOpcodeKey(fileName: "/x/y/00.MOO.gz") == SSTOpcodeKey(opcode: "00"))
        #expect(SSTOpcodeKey(fileName: "0F01.3.moo") == SSTOpcodeKey(opcode: "0F01", reg: 3))
        #expect(SSTOpcodeKey(fileName: "metadata.json") == nil)
        #expect(SSTOpcodeKey(fileName: "F6.9.MOO.gz") == nil)
        #expect(SSTOpcodeKey(rawOpcode: 0xF6).description == "F6")
        #expect(SSTOpcodeKey(rawOpcode: 0x0F01).description == "0F01")
        #expect(SSTOpcodeKey(opcode: "80", reg: 1) < SSTOpcodeKey(opcode: "81"))
    }

    @Test("metadata.json entries, per-reg entries and flags masks are read")
    func parsesMetadata() throws {
        let json = """
        {"cpu": "286", "opcodes": {
          "08": {"status": "normal", "arch": "86", "flags": ".....a..", "flags-mask": 65519},
          "F6": {"reg": {"0": {"status": "normal", "arch": "86"},
                         "7": {"status": "normal", "arch": "86", "flags": "o..szapc", "flags-mask": 63274}}},
          "0F": {"status": "extension", "arch": "286"}
        }}
        """
        let m = try SSTMetadata.parse(json: Array(json.utf8))
        #expect(m.cpu == "286")
        #expect(m.info(for: SSTOpcodeKey(opcode: "08"))?.flagsMask == 0xFFEF)
        #expect(m.info(for: SSTOpcodeKey(opcode: "08", reg: 3))?.flagsMask == 0xFFEF)
        #expect(m.info(for: SSTOpcodeKey(opcode: "F6", reg: 7))?.flagsMask == 63274)
        #expect(m.info(for: SSTOpcodeKey(opcode: "F6", reg: 0))?.flagsMask == nil)
        #expect(m.info(for: SSTOpcodeKey(opcode: "F6", reg: 3)) == nil)
        #expect(m.info(for: SSTOpcodeKey(opcode: "0F"))?.status == "extension")
        #expect(throws: SSTMetadataError.self) { try SSTMetadata.parse(json: Array("[1,2]".utf8)) }
        #expect(throws: SSTMetadataError.self) { try SSTMetadata.parse(json: Array("{".utf8)) }
    }

    @Test("revocation lists ignore comments and blank lines")
    func revocationList() {
        let text = "# Revocation list.\n\n626BE5084B331080EB08256C12A62D24AFDF2A03  # bad\n  abc \n"
        #expect(SSTMetadata.parseRevocationList(text) == ["626be5084b331080eb08256c12a62d24afdf2a03", "abc"])
    }

    @Test("the real 80286 metadata and first test file parse as documented")
    func realData() throws {
        let folder = sharedTestData.appendingPathComponent("sst80286").path
        guard FileManager.default.fileExists(atPath: folder) else {
            print("skipped: ../shared/testdata/sst80286 not found")
            return
        }
        let m = try #require(try SSTMetadata.discover(inFolder: folder))
        #expect(m.info(for: SSTOpcodeKey(opcode: "F6", reg: 7))?.flagsMask == 63274)
        #expect(m.info(for: SSTOpcodeKey(opcode: "D4"))?.flagsMask == 63470)
        let file = try MOOFile.load(path: folder + "/00.MOO.gz")
        #expect(file.header.cpuID == "C286")
        #expect(file.tests.count == 1000)
        #expect(file.tests[0].name == "add [bx+0Eh],bl")
        #expect(file.tests[0].bytes == [0x00, 0x5F, 0x0E, 0xF4])
        #expect(file.tests[0].hashHex == "626be5084b331080eb08256c12a62d24afdf2a03")
        #expect(file.tests[0].final.registers.registers == [.eip, .eflags])
    }
}
