import Foundation
import Testing
import Chipset
import EmulatorCore
import Machine
import TestSupport
import X86

/// The whole platform seen from a 32-bit guest: small multiboot kernels (assembled at test
/// time) that drive the I/O APIC, local APIC, PCI power management and fw_cfg the way an OS does.
@Suite("PC machine platform")
struct PCMachinePlatformTests {
    /// A multiboot (a.out kludge) kernel loaded at 1 MiB; `body` runs in flat 32-bit protected
    /// mode with interrupts off. `exit N` helpers: `out 0xF4` ends the run with (N << 1) | 1.
    static func kernel(_ body: String) throws -> [UInt8] {
        try assemble("""
            bits 32
            org 0x100000
            header:
                dd 0x1BADB002, 0x00010000, -(0x1BADB002 + 0x00010000)
                dd header, header, image_end, bss_end, entry
            entry:
                mov esp, 0x90000
                cmp eax, 0x2BADB002
                jne fail
            \(body)
            fail:
                mov al, 0x7F
                out 0xF4, al
                hlt
            align 8
            image_end:
            bss_end:
            """)
    }

    static func machine(_ kernel: [UInt8]) throws -> PCMachine {
        var config = MachineConfiguration()
        config.ramSize = 16 << 20
        config.kernel = kernel
        config.isaDebugExit = true
        return try PCMachine(config)
    }

    @Test("the PIT's IRQ 0 reaches the CPU through I/O APIC pin 2 and the local APIC, with the 8259A masked")
    func ioapicDeliversTimer() throws {
        let m = try Self.machine(try Self.kernel("""
                lidt [idtr]
                mov al, 0xFF
                out 0x21, al            ; every 8259A input masked
                out 0xA1, al
                mov dword [0xFEE000F0], 0x1FF       ; APIC software enabled
                mov dword [0xFEC00000], 0x10 + 2*2  ; redirection entry of pin 2: vector 0x30
                mov dword [0xFEC00010], 0x30
                mov dword [0xFEC00000], 0x10 + 2*2 + 1
                mov dword [0xFEC00010], 0           ; destination APIC 0
                mov al, 0x34            ; PIT counter 0, mode 2, 1 ms
                out 0x43, al
                mov ax, 1193
                out 0x40, al
                mov al, ah
                out 0x40, al
                sti
            idle:
                hlt
                cmp dword [ticks], 5
                jb idle
                cli
                mov al, 0x21
                out 0xF4, al
            tick:
                inc dword [ticks]
                mov dword [0xFEE000B0], 0   ; EOI
                iret
            ticks: dd 0
            idtr: dw 0x30*8+7
                dd idt
            idt: times 0x30 dq 0
                dw tick - 0x100000 + 0x0000, 0x10, 0x8E00, 0x0010
            """))
        #expect(m.run(wallClockLimit: 20) == .debugExit(status: 0x43))
        let ms = Double(m.now.nanoseconds) / 1e6
        #expect(ms > 3.9 && ms < 6, "virtual time \(ms) ms")
    }

    @Test("a direct boot has the RSDP at 0xE0000 and ACPI S5 through the PIIX4 PM block powers off")
    func acpiPowerOff() throws {
        let m = try Self.machine(try Self.kernel("""
                cmp dword [0xE0000], 'RSD '
                jne fail
                cmp dword [0xE0004], 'PTR '
                jne fail
                mov dx, 0x604           ; PM1a_CNT (PMBA 0x600): SLP_TYP 0 (S5), SLP_EN
                mov ax, 0x2000
                out dx, ax
                jmp fail                ; not reached
            """))
        #expect(m.run(wallClockLimit: 20) == .powerOff)
        #expect(m.acpiTables?["APIC"] != nil)
    }

    @Test("PCI configuration mechanism #1 finds the i440FX and PIIX3, and fw_cfg answers QEMU's signature")
    func pciAndFwCfg() throws {
        let m = try Self.machine(try Self.kernel("""
                mov dx, 0xCF8
                mov eax, 0x80000000     ; 00:00.0 register 0: vendor/device
                out dx, eax
                mov dx, 0xCFC
                in eax, dx
                cmp eax, 0x12378086
                jne fail
                mov dx, 0xCF8
                mov eax, 0x80000800     ; 00:01.0
                out dx, eax
                mov dx, 0xCFC
                in eax, dx
                cmp eax, 0x70008086
                jne fail
                mov dx, 0x510
                xor ax, ax              ; FW_CFG_SIGNATURE
                out dx, ax
                inc dx
                mov ecx, 4
            sig:
                in al, dx
                shl ebx, 8
                mov bl, al
                loop sig
                cmp ebx, 0x51454D55     ; 'Q' 'E' 'M' 'U', first byte shifted highest
                jne fail
                mov al, 0x22
                out 0xF4, al
            """))
        #expect(m.run(wallClockLimit: 20) == .debugExit(status: 0x45))
    }

    /// A guest that sleeps 200 ms on one PIT one-shot (mode 0) and HLT.
    static let sleeper = """
            mov al, 0x11            ; 8259A master: ICW1..4, vectors 0x20-0x27
            out 0x20, al
            mov al, 0x20
            out 0x21, al
            mov al, 0x04
            out 0x21, al
            mov al, 0x01
            out 0x21, al
            mov al, 0x30            ; PIT counter 0, mode 0 (one-shot), lobyte/hibyte
            out 0x43, al
            mov ax, 0xFFFF          ; 65535 clocks ≈ 54.9 ms; four of them
            mov ecx, 4
        again:
            out 0x40, al
            xchg al, ah
            out 0x40, al
            xchg al, ah
            mov al, 0xFE            ; 8259A: only IRQ 0
            out 0x21, al
            lidt [idtr]
            sti
            hlt
            cli
            mov ax, 0xFFFF
            loop again
            mov al, 0x21
            out 0xF4, al
        tick:
            mov al, 0x20
            out 0x20, al
            iret
        idtr: dw 0x20*8+7
            dd idt
        idt: times 0x20 dq 0
            dw tick - 0x100000, 0x10, 0x8E00, 0x0010
        """

    @Test("--clock realtime: a halted guest waits for its timer in host time; virtual skips ahead")
    func realtimeClockWaitsWhenIdle() throws {
        for mode in MachineConfiguration.ClockMode.allCases {
            var config = MachineConfiguration()
            config.ramSize = 16 << 20
            config.kernel = try Self.kernel(Self.sleeper)
            config.isaDebugExit = true
            config.clock = mode
            let m = try PCMachine(config)
            let started = Date()
            #expect(m.run(wallClockLimit: 30) == .debugExit(status: 0x43))
            let wall = Date().timeIntervalSince(started)
            let virtualMs = Double(m.now.nanoseconds) / 1e6
            #expect(virtualMs > 215 && virtualMs < 230, "\(mode): virtual time \(virtualMs) ms")
            if mode == .realtime {
                // A lower bound only: a slow host makes this longer, never shorter.
                #expect(wall >= 0.2, "realtime run took \(wall) s of host time")
            }
        }
    }

    @Test("COM2–COM4 exist at 0x2F8, 0x3E8, 0x2E8 and each writes to its own backend")
    func fourSerialPorts() throws {
        let paths = (2...4).map { n in FileManager.default.temporaryDirectory.appendingPathComponent("partita-\(UUID().uuidString)-com\(n)").path }
        defer { for p in paths { try? FileManager.default.removeItem(atPath: p) } }
        var config = MachineConfiguration()
        config.ramSize = 16 << 20
        config.additionalSerial = paths.map { .file($0) }
        config.isaDebugExit = true
        config.kernel = try Self.kernel("""
                mov dx, 0x2F8           ; each port: 115200 baud, 8N1, as a driver sets it up
                call setup
                mov dx, 0x3E8
                call setup
                mov dx, 0x2E8
                call setup
                mov dx, 0x2F8
                mov al, '2'
                out dx, al
                mov dx, 0x3E8
                mov al, '3'
                out dx, al
                mov dx, 0x2E8
                mov al, '4'
                out dx, al
                mov dx, 0x2FD           ; wait for each transmitter to empty (LSR.TEMT)
                call drain
                mov dx, 0x3ED
                call drain
                mov dx, 0x2ED
                call drain
                mov al, 0x21
                out 0xF4, al
            drain:
                in al, dx
                test al, 0x40
                jz drain
                ret
            setup:
                add dx, 3
                mov al, 0x80            ; LCR: DLAB
                out dx, al
                sub dx, 3
                mov al, 1               ; divisor 1
                out dx, al
                add dx, 3
                mov al, 0x03            ; LCR: 8N1
                out dx, al
                ret
            unused:
                mov al, 0x21
                out 0xF4, al
            """)
        let m = try PCMachine(config)
        #expect(m.run(wallClockLimit: 20) == .debugExit(status: 0x43))
        m.flushOutputs()
        for (n, p) in zip(2...4, paths) {
            let text = try String(contentsOfFile: p, encoding: .utf8)
            #expect(text == "\(n)", "COM\(n) got \(Array(text.utf8))")
        }
    }

    @Test("more than four serial ports, or stdio twice, is a configuration error")
    func serialPortLimits() {
        var config = MachineConfiguration()
        config.additionalSerial = [.null, .null, .null, .null]
        #expect(throws: ConfigurationError.self) { _ = try PCMachine(config) }
        config.additionalSerial = []
        config.serial = .stdio
        config.additionalSerial = [.stdio]
        #expect(throws: ConfigurationError.self) { _ = try PCMachine(config) }
    }

    @Test("--clock realtime: a pending host request (a signal) ends an idle wait at once")
    func hostRequestEndsIdleWait() throws {
        var config = MachineConfiguration()
        config.ramSize = 16 << 20
        config.kernel = try Self.kernel(Self.sleeper)
        config.isaDebugExit = true
        config.clock = .realtime
        let m = try PCMachine(config)
        m.hostRequestPending = { true }
        // The first slice runs to the HLT; the next slice boundary acts on the request.
        m.betweenSlices = { machine in if machine.cpu.instructionsRetired > 0 { machine.stop(.stopped) } }
        #expect(m.run(wallClockLimit: 30) == .stopped)
        // Without the early end the wait would last the PIT's first 55 ms period.
        let ms = Double(m.now.nanoseconds) / 1e6
        #expect(ms < 20, "virtual time \(ms) ms: the idle wait did not end for the host request")
    }
}
