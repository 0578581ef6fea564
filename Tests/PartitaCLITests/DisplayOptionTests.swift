// partita run --display / --headless: choosing the window, and runs that never need a display.

import Foundation
import Testing

@Suite("partita run --display")
struct DisplayOptionTests {
    /// Runs partita with `environment` (DISPLAY and WAYLAND_DISPLAY removed unless given).
    static func run(_ args: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, stderr: String) {
        guard let exe = RunCommandTests.executable() else {
            Issue.record("the partita executable was not built next to the tests (run `swift build` first)")
            return (-1, "")
        }
        var env = ProcessInfo.processInfo.environment
        env["DISPLAY"] = nil
        env["WAYLAND_DISPLAY"] = nil
        env["SDL_VIDEODRIVER"] = "x11"  // never fall back to a console (KMS/DRM) video driver
        env.merge(extra) { $1 }
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        p.environment = env
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: e, as: UTF8.self))
    }

    /// A ROM that exits at once through isa-debug-exit with status (2 << 1) | 1.
    static func exitingROM() throws -> String {
        try RunCommandTests.romFile("""
                mov al, 2
                out 0xF4, al
            """)
    }

    @Test("an unknown --display value and --headless with --display sdl are one-line errors")
    func badValues() throws {
        let bad = try Self.run(["run", "--display", "vnc", "--bios", "/nonexistent"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad --display 'vnc': use sdl or none"))
        let both = try Self.run(["run", "--headless", "--display", "sdl", "--bios", "/nonexistent"])
        #expect(both.status == 1)
        #expect(both.stderr.contains("--headless contradicts --display sdl"))
    }

    @Test("--display sdl without a display is a one-line error, exit status 1")
    func sdlWithoutDisplay() throws {
        let rom = try Self.exitingROM()
        defer { try? FileManager.default.removeItem(atPath: rom) }
        let r = try Self.run(["run", "--display", "sdl", "--bios", rom, "--serial", "null", "--isa-debug-exit", "--timeout", "30"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("--display sdl: cannot open a window"))
        #expect(r.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "\(r.stderr)")
    }

    @Test("with no display the default is headless: the run needs nothing and says nothing about windows")
    func defaultHeadless() throws {
        let rom = try Self.exitingROM()
        defer { try? FileManager.default.removeItem(atPath: rom) }
        let r = try Self.run(["run", "--bios", rom, "--serial", "null", "--isa-debug-exit", "--timeout", "30"])
        #expect(r.status == 5)
        #expect(!r.stderr.contains("window"))
        let none = try Self.run(["run", "--display", "none", "--bios", rom, "--serial", "null", "--isa-debug-exit", "--timeout", "30"],
                                environment: ["DISPLAY": ":9876"])
        #expect(none.status == 5)
        #expect(none.stderr.isEmpty, "\(none.stderr)")
    }

    @Test("a $DISPLAY that cannot be opened falls back to headless with one line on stderr")
    func fallback() throws {
        let rom = try Self.exitingROM()
        defer { try? FileManager.default.removeItem(atPath: rom) }
        let r = try Self.run(["run", "--bios", rom, "--serial", "null", "--isa-debug-exit", "--timeout", "30"],
                             environment: ["DISPLAY": ":9876"])
        #expect(r.status == 5)
        #expect(r.stderr.contains("partita: no window ("))
        #expect(r.stderr.contains("running headless"))
    }
}
