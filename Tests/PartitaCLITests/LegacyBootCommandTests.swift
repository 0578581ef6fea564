import Foundation
import Testing
import TestSupport

/// `partita run` without --kernel and --bios: Partita's own BIOS with the legacy disk options.
@Suite("partita run with Partita's BIOS (command line)")
struct LegacyBootCommandTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("partita-\(UUID().uuidString)-\(name)").path
    }

    @Test("with no --kernel and no media the BIOS reports no bootable device on COM1")
    func noBootableDevice() throws {
        let serial = Self.temporaryPath("com1")
        defer { try? FileManager.default.removeItem(atPath: serial) }
        let r = try RunCommandTests.run(["run", "--serial", "file:" + serial, "--clock", "virtual",
                                         "--stop-after", "12000000"])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: serial, encoding: .utf8)
        #expect(text.contains("Partita BIOS"))
        #expect(text.contains("No bootable device."))
    }

    @Test("--floppy boots its boot sector with DL=00h and prints the boot message on COM1")
    func floppyBoots() throws {
        let sector = try assemble("""
            bits 16
            org 0x7C00
                mov al, dl
                add al, '0'
                mov dx, 0x3F8
                out dx, al
                mov al, 0x21
                out 0xF4, al
                hlt
            times 510-($-$$) db 0
            dw 0xAA55
            """)
        let floppy = TemporaryDiskImage(byteCount: 1_474_560) { $0 < 512 ? sector[$0] : 0 }
        let serial = Self.temporaryPath("com1")
        defer { try? FileManager.default.removeItem(atPath: serial) }
        let r = try RunCommandTests.run(["run", "--floppy", floppy.path, "--boot", "a", "--serial", "file:" + serial,
                                         "--isa-debug-exit", "--clock", "virtual", "--timeout", "120"])
        #expect(r.status == 0x43, "\(r.stderr)")
        let text = try String(contentsOfFile: serial, encoding: .utf8)
        #expect(text.contains("Booting from drive 00h"))
        #expect(text.hasSuffix("0"))
    }

    @Test("bad legacy disk options are refused with a message")
    func badOptions() throws {
        let r = try RunCommandTests.run(["run", "--boot", "x"])
        #expect(r.status == 1 && r.stderr.contains("--boot"))
        let odd = TemporaryDiskImage(byteCount: 1000 * 512)
        let r2 = try RunCommandTests.run(["run", "--floppy", odd.path])
        #expect(r2.status == 1 && r2.stderr.contains("floppy"))
        let r3 = try RunCommandTests.run(["run", "--hdb", odd.path])
        #expect(r3.status == 1 && r3.stderr.contains("--hda"))
    }
}
