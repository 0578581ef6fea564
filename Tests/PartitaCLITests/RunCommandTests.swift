import Foundation
import Testing
import TestSupport

/// Runs the built `partita` executable the way a user does.
@Suite("partita run (command line)")
struct RunCommandTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `partita` binary next to this test bundle's build products.
    static func executable() -> URL? {
        let runner = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        let products = runner.deletingLastPathComponent()
        for candidate in [products.appendingPathComponent("partita"),
                          products.deletingLastPathComponent().appendingPathComponent("partita"),
                          packageRoot.appendingPathComponent(".build/debug/partita")]
        where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        return nil
    }

    static func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        guard let exe = executable() else {
            Issue.record("the partita executable was not built next to the tests (run `swift build` first)")
            return (-1, "", "")
        }
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func romFile(_ body: String) throws -> String {
        let rom = try assemble("""
            bits 16
            org 0
            start:
            \(body)
            times 0xFFF0-($-$$) db 0
                jmp 0xF000:start
            times 0x10000-($-$$) db 0
            """)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("partita-\(UUID().uuidString).rom").path
        FileManager.default.createFile(atPath: path, contents: Data(rom))
        return path
    }

    @Test("a ROM's debug-console output reaches stdout and its isa-debug-exit value becomes the exit status")
    func debugconAndExitStatus() throws {
        let rom = try Self.romFile("""
                mov al, 'o'
                out 0xE9, al
                mov al, 'k'
                out 0xE9, al
                mov al, 0x10
                out 0xF4, al
            """)
        defer { try? FileManager.default.removeItem(atPath: rom) }
        let r = try Self.run(["run", "--bios", rom, "--serial", "null", "--debugcon", "-", "--isa-debug-exit", "--timeout", "30"])
        #expect(r.status == 0x21)
        #expect(r.stdout == "ok")
    }

    @Test("a triple fault prints the CPU state and exits 3; --timeout exits 124")
    func tripleFaultAndTimeout() throws {
        let tf = try Self.romFile("""
                lidt [cs:z]
                int3
            z: dw 0, 0, 0
            """)
        defer { try? FileManager.default.removeItem(atPath: tf) }
        let r = try Self.run(["run", "--bios", tf, "--serial", "null"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("triple fault") && r.stderr.contains("EIP="))
        let spin = try Self.romFile("""
            spin: jmp spin
            """)
        defer { try? FileManager.default.removeItem(atPath: spin) }
        #expect(try Self.run(["run", "--bios", spin, "--serial", "null", "--timeout", "0.5"]).status == 124)
    }

    @Test("configuration mistakes are one line on stderr and a non-zero exit")
    func clearErrors() throws {
        for args in [["run", "--floppy", "/nonexistent.img"], ["run", "--bios", "/nonexistent.rom"], ["run", "--memory", "12Q", "--bios", "x"],
                     ["run", "--frobnicate"]] {
            let r = try Self.run(args)
            #expect(r.status != 0, "\(args)")
            let lines = r.stderr.split(separator: "\n").filter { !$0.isEmpty }
            #expect(lines.count >= 1 && r.stderr.contains("Error"), "\(args): \(r.stderr)")
        }
    }
}
