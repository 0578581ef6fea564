import Foundation
import Testing
import Chipset
import EmulatorCore
import Machine
import TestSupport
import X86

/// Boots small firmware images (assembled at test time) on the whole machine.
@Suite("PC machine")
struct PCMachineTests {
    /// A 64 KiB ROM: `body` runs in real mode from F000:0000 with SS=DS=0, SP=0x7000.
    static func rom(_ body: String) throws -> [UInt8] {
        try assemble("""
            bits 16
            org 0
            start:
                cli
                xor ax, ax
                mov ss, ax
                mov ds, ax
                mov sp, 0x7000
            \(body)
            times 0xFFF0-($-$$) db 0
                jmp 0xF000:start
            times 0x10000-($-$$) db 0
            """)
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("partita-\(UUID().uuidString)-\(name)").path
    }

    @Test("firmware prints through COM1 and the debug console, and isa-debug-exit ends the run with (v << 1) | 1")
    func serialDebugconAndExit() throws {
        let serialPath = Self.temporaryPath("com1"), debugPath = Self.temporaryPath("debugcon")
        defer {
            try? FileManager.default.removeItem(atPath: serialPath)
            try? FileManager.default.removeItem(atPath: debugPath)
        }
        var config = MachineConfiguration()
        config.firmware = try Self.rom("""
                mov dx, 0x3FB
                mov al, 0x80        ; DLAB
                out dx, al
                mov dx, 0x3F8
                mov al, 1           ; 115200 baud
                out dx, al
                mov dx, 0x3FB
                mov al, 0x03        ; 8N1
                out dx, al
                mov si, msg
            next:
                mov al, [cs:si]
                test al, al
                jz done
                mov dx, 0x3F8
                out dx, al
                out 0xE9, al
                inc si
                jmp next
            done:
                mov al, 0x21
                out 0xF4, al
                hlt
            msg: db "hello, partita", 10, 0
            """)
        config.serial = .file(serialPath)
        config.debugConsole = .init(port: 0xE9, path: debugPath)
        config.isaDebugExit = true
        let machine = try PCMachine(config)
        let stop = machine.run(wallClockLimit: 20)
        #expect(stop == .debugExit(status: 0x43))
        machine.flushOutputs()
        #expect(try String(contentsOfFile: serialPath, encoding: .utf8) == "hello, partita\n")
        #expect(try String(contentsOfFile: debugPath, encoding: .utf8) == "hello, partita\n")
    }

    @Test("PIT interrupts through the PIC wake HLT and advance virtual time by the programmed period")
    func timerInterruptsWakeHalt() throws {
        var config = MachineConfiguration()
        config.firmware = try Self.rom("""
                mov word [8*4], timer
                mov word [8*4+2], 0xF000
                mov al, 0x11        ; ICW1
                out 0x20, al
                mov al, 0x08        ; ICW2: vectors 8-15 (PC BIOS layout)
                out 0x21, al
                mov al, 0x04
                out 0x21, al
                mov al, 0x01
                out 0x21, al
                mov al, 0xFE        ; only IRQ0
                out 0x21, al
                mov al, 0x34        ; counter 0, lobyte/hibyte, mode 2
                out 0x43, al
                mov ax, 1193        ; 1 ms
                out 0x40, al
                mov al, ah
                out 0x40, al
                mov word [0x500], 0
                sti
            idle:
                hlt
                cmp word [0x500], 10
                jb idle
                mov al, 0
                out 0xF4, al
            timer:
                inc word [0x500]
                mov al, 0x20
                out 0x20, al
                iret
            """)
        config.isaDebugExit = true
        let machine = try PCMachine(config)
        let stop = machine.run(wallClockLimit: 20)
        #expect(stop == .debugExit(status: 1))
        // Writing the mode-2 control word drives OUT0 high at once (a first IRQ0 edge, as on an
        // 8254); the other nine follow one 1193-clock period apart: ~9 ms of virtual time.
        let ms = Double(machine.now.nanoseconds) / 1e6
        #expect(ms >= 8.99 && ms < 9.1, "virtual time \(ms) ms")
    }

    @Test("a guest reset through 0xCF9 restarts the CPU at the reset vector with RAM kept")
    func resetControlRestarts() throws {
        var config = MachineConfiguration()
        config.firmware = try Self.rom("""
                inc word [0x600]
                cmp word [0x600], 3
                je finished
                mov dx, 0xCF9
                mov al, 0x06
                out dx, al
                hlt
            finished:
                mov al, 5
                out 0xF4, al
            """)
        config.isaDebugExit = true
        let machine = try PCMachine(config)
        #expect(machine.run(wallClockLimit: 20) == .debugExit(status: 11))
        #expect(machine.resetCount == 2)
    }

    @Test("a triple fault stops the machine; HLT with interrupts off and nothing armed is reported")
    func fatalStops() throws {
        var config = MachineConfiguration()
        config.firmware = try Self.rom("""
                lidt [cs:empty]
                int3
            empty: dw 0, 0, 0
            """)
        #expect(try PCMachine(config).run(wallClockLimit: 20) == .tripleFault)
        config.firmware = try Self.rom("""
                hlt
            """)
        #expect(try PCMachine(config).run(wallClockLimit: 20) == .haltedForever)
    }

    @Test("bad configurations are refused with a message a user can act on")
    func badConfigurations() {
        var config = MachineConfiguration()
        config.ramSize = 12345
        #expect(throws: ConfigurationError.self) { try PCMachine(config) }
        config = MachineConfiguration()
        config.firmware = [UInt8](repeating: 0, count: 1000)
        do {
            _ = try PCMachine(config)
            Issue.record("a 1000-byte firmware image was accepted")
        } catch {
            #expect("\(error)".contains("64, 128 or 256 KiB"))
        }
    }
}
