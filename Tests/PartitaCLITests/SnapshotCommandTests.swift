import Foundation
import Testing
import TestSupport

/// `partita run --save-on-exit / --restore / --stop-after` and `partita snapshot info` across
/// processes, the way a user (or a CI script) drives them.
@Suite("partita snapshots (command line)")
struct SnapshotCommandTests {
    /// A multiboot guest with the PIT (IRQ 0 through the 8259A) ticking, RTC and PM-timer reads,
    /// and HLT every eighth loop; data lives on its own page.
    static func kernelFile() throws -> String {
        let image = try assemble("""
            bits 32
            org 0x100000
            header:
                dd 0x1BADB002, 0x00010000, -(0x1BADB002 + 0x00010000)
                dd header, header, image_end, bss_end, entry
            entry:
                mov esp, 0x90000
                lidt [idtr]
                mov al, 0x11                ; 8259A: vectors 0x30 (master), 0x38 (slave)
                out 0x20, al
                out 0xA0, al
                mov al, 0x30
                out 0x21, al
                mov al, 0x38
                out 0xA1, al
                mov al, 4
                out 0x21, al
                mov al, 2
                out 0xA1, al
                mov al, 1
                out 0x21, al
                out 0xA1, al
                mov al, 0xFE                ; only IRQ 0
                out 0x21, al
                mov al, 0x34                ; PIT counter 0, mode 2, ~100 µs
                out 0x43, al
                mov al, 119
                out 0x40, al
                xor al, al
                out 0x40, al
                sti
            main:
                inc dword [0x200000]
                xor eax, eax
                out 0x70, al
                in al, 0x71
                add [0x200004], eax
                mov dx, 0x608
                in eax, dx
                xor [0x200008], eax
                test dword [0x200000], 7
                jnz main
                hlt
                jmp main
            tick:
                inc dword [0x20000C]
                mov al, 0x20
                out 0x20, al
                iret
            idtr: dw 0x31*8-1
                dd idt
            idt: times 0x30 dq 0
                dw tick - 0x100000, 0x10, 0x8E00, 0x0010
            align 8
            image_end:
            bss_end:
            """)
        let path = tmp("kernel.bin")
        FileManager.default.createFile(atPath: path, contents: Data(image))
        return path
    }

    static func tmp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("partita-\(UUID().uuidString)-\(name)").path
    }

    /// The `section …` and `ram …` lines of `snapshot info --hashes`.
    static func stateLines(_ path: String) throws -> [String] {
        let r = try RunCommandTests.run(["snapshot", "info", "--hashes", path])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("section ") || $0.hasPrefix("ram ") }
    }

    @Test("N+M straight equals N, save, restore in a new process, M: every section and RAM identical")
    func determinismAcrossProcesses() throws {
        let kernel = try Self.kernelFile()
        let straight = Self.tmp("straight.psnap"), middle = Self.tmp("middle.psnap"), resumed = Self.tmp("resumed.psnap")
        defer { for p in [kernel, straight, middle, resumed] { try? FileManager.default.removeItem(atPath: p) } }
        let common = ["run", "--kernel", kernel, "--clock", "virtual", "--serial", "null", "--rtc-start", "2024-01-31T12:00:00"]
        let a = try RunCommandTests.run(common + ["--stop-after", "2000000", "--save-on-exit", straight])
        #expect(a.status == 0, "\(a.stderr)")
        let b = try RunCommandTests.run(common + ["--stop-after", "700000", "--save-on-exit", middle])
        #expect(b.status == 0, "\(b.stderr)")
        let c = try RunCommandTests.run(["run", "--restore", middle, "--serial", "null", "--stop-after", "2000000",
                                         "--save-on-exit", resumed])
        #expect(c.status == 0, "\(c.stderr)")
        let x = try Self.stateLines(straight), y = try Self.stateLines(resumed)
        #expect(x.count > 10)
        #expect(x == y)
        let info = try RunCommandTests.run(["snapshot", "info", straight])
        #expect(info.stdout.contains("\"clock\" : \"virtual\"") && info.stdout.contains("\"kernel\""))
    }

    @Test("truncated, corrupt and newer-format snapshots, and --restore with --kernel, are one-line errors")
    func restoreErrors() throws {
        let kernel = try Self.kernelFile()
        let good = Self.tmp("good.psnap")
        defer { for p in [kernel, good] { try? FileManager.default.removeItem(atPath: p) } }
        let a = try RunCommandTests.run(["run", "--kernel", kernel, "--clock", "virtual", "--serial", "null",
                                         "--stop-after", "50000", "--save-on-exit", good])
        #expect(a.status == 0, "\(a.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        var cases: [(String, Data, String)] = [("truncated", bytes.prefix(bytes.count - 100), "truncated")]
        var corrupt = bytes
        corrupt[corrupt.count - 60] ^= 0xFF
        cases.append(("corrupt", corrupt, "checksum"))
        var newer = bytes
        newer[8] = 9  // format version
        cases.append(("newer", newer, "newer"))
        for (name, data, expected) in cases {
            let path = Self.tmp(name + ".psnap")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try data.write(to: URL(fileURLWithPath: path))
            for args in [["run", "--restore", path, "--serial", "null"], ["snapshot", "info", "--hashes", path]] {
                let r = try RunCommandTests.run(args)
                #expect(r.status != 0, "\(name): \(args[0]) succeeded")
                let lines = r.stderr.split(separator: "\n")
                #expect(lines.count == 1 && r.stderr.contains(expected), "\(name): \(r.stderr)")
            }
        }
        let r = try RunCommandTests.run(["run", "--restore", good, "--kernel", kernel])
        #expect(r.status != 0 && r.stderr.contains("--kernel cannot be combined with --restore"), "\(r.stderr)")
    }
}
