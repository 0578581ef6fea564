import Foundation
import Testing
import Chipset
import EmulatorCore
import Machine
import Snapshot
import TestSupport
import X86

/// Whole-machine snapshots: coverage of every device, determinism across save → restore, and
/// clear errors for files that cannot be restored.
@Suite("PC machine snapshots")
struct PCMachineSnapshotTests {
    /// A guest with live state everywhere: the PIT (through the I/O APIC) and the local APIC
    /// timer interrupt it, it writes COM1 with the FIFO on, reads the RTC, the PIT counter and
    /// the PM timer, and halts every eighth loop so virtual time skips ahead.
    static func busyKernel() throws -> [UInt8] {
        try PCMachinePlatformTests.kernel("""
                lidt [idtr]
                mov al, 0xFF
                out 0x21, al                        ; 8259A masked: the I/O APIC delivers
                out 0xA1, al
                mov dword [0xFEE000F0], 0x1FF       ; APIC software enabled
                mov dword [0xFEE003E0], 0xB         ; timer divide by 1
                mov dword [0xFEE00320], 0x20031     ; periodic, vector 0x31
                mov dword [0xFEE00380], 70000
                mov dword [0xFEC00000], 0x10 + 2*2  ; pin 2 (IRQ 0): vector 0x30
                mov dword [0xFEC00010], 0x30
                mov dword [0xFEC00000], 0x10 + 2*2 + 1
                mov dword [0xFEC00010], 0
                mov al, 0x34                        ; PIT counter 0, mode 2, ~100 µs
                out 0x43, al
                mov ax, 119
                out 0x40, al
                mov al, ah
                out 0x40, al
                mov dx, 0x3FB                       ; UART: 115200 baud, 8N1, FIFO on
                mov al, 0x80
                out dx, al
                mov dx, 0x3F8
                mov al, 1
                out dx, al
                inc dx
                xor al, al
                out dx, al
                mov dx, 0x3FB
                mov al, 0x03
                out dx, al
                mov dx, 0x3FA
                mov al, 0x07
                out dx, al
                sti
            main:
                inc dword [loops]
                mov eax, [loops]
                and al, 0x3F
                add al, 0x30
                mov dx, 0x3F8
                out dx, al
                xor eax, eax
                out 0x70, al                        ; RTC seconds
                in al, 0x71
                add [sums], eax
                xor eax, eax
                out 0x43, al                        ; latch PIT counter 0
                in al, 0x40
                mov bl, al
                in al, 0x40
                mov bh, al
                movzx ebx, bx
                add [sums + 4], ebx
                mov dx, 0x608                       ; PM timer
                in eax, dx
                xor [sums + 8], eax
                test dword [loops], 7
                jnz main
                hlt
                jmp main
            pit_isr:
                inc dword [pitTicks]
                mov dword [0xFEE000B0], 0
                iret
            apic_isr:
                inc dword [apicTicks]
                mov dword [0xFEE000B0], 0
                iret
            ; Data on its own page: stores into a code page make the CPU rebuild decoded blocks.
            loops equ 0x200000
            pitTicks equ 0x200004
            apicTicks equ 0x200008
            sums equ 0x20000C
            idtr: dw 0x32*8-1
                dd idt
            idt: times 0x30 dq 0
                dw pit_isr - 0x100000, 0x10, 0x8E00, 0x0010
                dw apic_isr - 0x100000, 0x10, 0x8E00, 0x0010
            """)
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("partita-\(UUID().uuidString)-\(name)").path
    }

    static func fastOptions() -> SnapshotWriteOptions {
        var o = SnapshotWriteOptions()
        o.syncToDisk = false
        o.created = Date(timeIntervalSince1970: 0)
        return o
    }

    /// Sections and RAM CRC of a snapshot file, for comparing machine states.
    static func contents(_ path: String) throws -> (sections: [SnapshotSection], ram: String) {
        let reader = try SnapshotReader(path: path)
        var ram = [UInt8](repeating: 0, count: Int(reader.manifest.ramSize))
        let sections = try ram.withUnsafeMutableBytes { try reader.read(ramInto: $0) }
        return (sections, ContentHash.crc32(ram))
    }

    @Test("every device the machine creates saves its state or is listed as stateless, and every claimed port is registered")
    func everyDeviceIsCovered() throws {
        var config = MachineConfiguration()
        config.ramSize = 4 << 20
        config.firmware = [UInt8](repeating: 0xF4, count: 64 << 10)
        config.debugConsole = .init(port: 0xE9, path: "")
        config.isaDebugExit = true
        config.fwCfg = true
        config.hyperV = true
        let m = try PCMachine(config)
        var names = Set<String>()
        for d in m.devices {
            #expect(names.insert(d.name).inserted, "device name \(d.name) used twice")
            let saves = d.object is any Snapshottable
            let exempt = PCMachine.devicesWithoutSection[d.name] != nil
            #expect(saves || exempt, "\(d.name) (\(type(of: d.object))) has no saved state and is not listed as stateless")
            #expect(!(saves && exempt), "\(d.name) saves its state but is also listed as stateless")
        }
        for p in 0...0xFFFF where m.ports.isClaimed(IOPort(UInt16(p))) {
            #expect(m.devices.contains { $0.ports.contains { $0.contains(UInt16(p)) } },
                    "port 0x\(String(p, radix: 16)) is claimed by a device missing from the registry")
        }
        // Sanity: the machine's serial ports, interrupt controllers and CPU are all there.
        for name in ["cpu", "lapic", "ioapic", "pic", "pit", "com1", "com4", "fw_cfg", "a20", "port92", "portcf9",
                     "hyperv.partition", "hyperv.vp0", "hyperv.synic0", "vmbus"] {
            #expect(names.contains(name), "\(name) missing from the registry")
        }
    }

    @Test("N+M instructions straight equal N, save, restore into a fresh machine, M: CPU, RAM and every section")
    func determinismAcrossRestore() throws {
        let kernel = try Self.busyKernel()
        func machine() throws -> PCMachine {
            var config = MachineConfiguration()
            config.ramSize = 16 << 20
            config.kernel = kernel
            config.isaDebugExit = true
            config.clock = .virtual
            // The guest reads the RTC: both machines must start it at the same time.
            config.rtcStart = .fixed(RTCDateTime(year: 2024, month: 1, day: 31, hour: 12))
            return try PCMachine(config)
        }
        let n: UInt64 = 400_000, m: UInt64 = 600_000
        let straight = try machine()
        #expect(straight.run(wallClockLimit: 60, instructionLimit: n + m) == .instructionLimit)
        #expect(straight.cpu.instructionsRetired == n + m)

        let first = try machine()
        #expect(first.run(wallClockLimit: 60, instructionLimit: n) == .instructionLimit)
        #expect(first.cpu.instructionsRetired == n)
        let middle = Self.temporaryPath("middle.psnap")
        defer { try? FileManager.default.removeItem(atPath: middle) }
        try first.saveSnapshot(to: middle, options: Self.fastOptions())

        let restored = try PCMachine.restore(from: middle)
        #expect(restored.cpu.saveState() == first.cpu.saveState())
        #expect(restored.now == first.now)
        #expect(restored.run(wallClockLimit: 60, instructionLimit: n + m) == .instructionLimit)

        #expect(restored.cpu.saveState() == straight.cpu.saveState())
        #expect(restored.now == straight.now)
        let a = Self.temporaryPath("straight.psnap"), b = Self.temporaryPath("restored.psnap")
        defer {
            try? FileManager.default.removeItem(atPath: a)
            try? FileManager.default.removeItem(atPath: b)
        }
        try straight.saveSnapshot(to: a, options: Self.fastOptions())
        try restored.saveSnapshot(to: b, options: Self.fastOptions())
        let (sa, ra) = try Self.contents(a)
        let (sb, rb) = try Self.contents(b)
        #expect(ra == rb, "RAM differs")
        #expect(sa.map(\.name) == sb.map(\.name))
        for (x, y) in zip(sa, sb) where x != y {
            Issue.record("section \(x.name) differs:\n\(String(decoding: x.payload, as: UTF8.self))\n\(String(decoding: y.payload, as: UTF8.self))")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)),
                "equal states and equal options give byte-identical files")
    }

    /// A saved busy machine and its file contents, for the error tests to tamper with.
    static func savedMachine(fwCfg: Bool = true) throws -> (path: String, manifest: SnapshotManifest, sections: [SnapshotSection], ram: [UInt8]) {
        var config = MachineConfiguration()
        config.ramSize = 4 << 20
        config.kernel = try busyKernel()
        config.fwCfg = fwCfg
        let m = try PCMachine(config)
        _ = m.run(instructionLimit: 20_000)
        let path = temporaryPath("base.psnap")
        try m.saveSnapshot(to: path, options: fastOptions())
        let reader = try SnapshotReader(path: path)
        var ram = [UInt8](repeating: 0, count: Int(reader.manifest.ramSize))
        let sections = try ram.withUnsafeMutableBytes { try reader.read(ramInto: $0) }
        return (path, reader.manifest, sections, ram)
    }

    static func rewrite(_ base: (path: String, manifest: SnapshotManifest, sections: [SnapshotSection], ram: [UInt8]),
                        configuration: JSONValue? = nil, sections: [SnapshotSection]? = nil) throws -> String {
        let path = temporaryPath("tampered.psnap")
        try SnapshotFile.write(to: path, configuration: configuration ?? base.manifest.configuration,
                               partitaVersion: "test", sections: sections ?? base.sections, ram: base.ram,
                               options: fastOptions())
        return path
    }

    static func restoreError(_ path: String) -> String? {
        do {
            _ = try PCMachine.restore(from: path)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("a section for a device the configuration lacks, an unknown section and newer versions are one-line errors")
    func restoreErrors() throws {
        let base = try Self.savedMachine()
        defer { try? FileManager.default.removeItem(atPath: base.path) }
        #expect(Self.restoreError(base.path) == nil)

        guard case .object(var config) = base.manifest.configuration else {
            Issue.record("configuration is not an object")
            return
        }
        config["fwCfg"] = .bool(false)
        let noFwCfg = try Self.rewrite(base, configuration: .object(config))
        let e1 = Self.restoreError(noFwCfg)
        #expect(e1?.contains("fw_cfg") == true && e1?.contains("\n") == false, "\(e1 ?? "no error")")

        let unknown = try Self.rewrite(base, sections: base.sections + [SnapshotSection(name: "sound-blaster", version: 1, payload: [1])])
        let e2 = Self.restoreError(unknown)
        #expect(e2?.contains("\"sound-blaster\"") == true, "\(e2 ?? "no error")")

        let newerSection = try Self.rewrite(base, sections: base.sections.map {
            var s = $0
            if s.name == "pit" { s.version = 99 }
            return s
        })
        let e3 = Self.restoreError(newerSection)
        #expect(e3?.contains("pit") == true && e3?.contains("newer") == true, "\(e3 ?? "no error")")

        var newerConfig = config
        newerConfig["fwCfg"] = .bool(true)
        newerConfig["version"] = .integer(7)
        let newer = try Self.rewrite(base, configuration: .object(newerConfig))
        let e4 = Self.restoreError(newer)
        #expect(e4?.contains("version 7 is newer") == true, "\(e4 ?? "no error")")

        // A missing section leaves that device at power-on (ARCHITECTURE.md): the rest restores.
        let noRTC = try Self.rewrite(base, sections: base.sections.filter { $0.name != "rtc" })
        #expect(Self.restoreError(noRTC) == nil)

        // Truncated and corrupted files.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: base.path))
        let truncated = Self.temporaryPath("truncated.psnap")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect(Self.restoreError(truncated)?.contains("truncated") == true)
        var corrupt = bytes
        corrupt[corrupt.count - 40] ^= 0x55
        let corrupted = Self.temporaryPath("corrupt.psnap")
        try corrupt.write(to: URL(fileURLWithPath: corrupted))
        #expect(Self.restoreError(corrupted)?.contains("checksum") == true)
        for p in [noFwCfg, unknown, newerSection, newer, noRTC, truncated, corrupted] {
            try? FileManager.default.removeItem(atPath: p)
        }
    }
}
