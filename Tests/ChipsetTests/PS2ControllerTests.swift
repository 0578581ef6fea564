import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

@Suite("PS2Controller (8042)")
struct PS2ControllerTests {
    @Test("power-on: status shows only 'not inhibited', command byte 0x61, ports 0x60 and 0x64")
    func powerOnState() {
        let b = PS2Bench()
        #expect(b.status == I8042.notLocked)
        #expect(PS2Controller.portRanges == [0x60...0x60, 0x64...0x64])
        #expect(PS2Controller.keyboardIRQ == 1 && PS2Controller.mouseIRQ == 12)
        #expect(b.controller.snapshotSection == "ps2")
        #expect(b.readCTR() == I8042.xlate | I8042.auxDis | I8042.kbdInt)
        // A2 remembers that the last write went to the command port.
        #expect(b.status & I8042.a2 != 0)
        b.outb(0x64, 0x60)
        b.outb(0x60, 0x61)
        #expect(b.status & I8042.a2 == 0)
        #expect(b.controller.a20GateEnabled)
    }

    @Test("Linux i8042 controller probe: flush, stable CTR, self test 0x55 sets SYS, keyboard test 0x00")
    func linuxControllerProbe() {
        let b = PS2Bench()
        #expect(b.flush())
        let first = b.readCTR(), second = b.readCTR()
        #expect(first == second)
        #expect(b.status & I8042.sys == 0)
        #expect(b.command(I8042.selfTest) == [0x55])
        #expect(b.status & I8042.sys != 0)
        #expect(b.readCTR() & 0x04 != 0)
        #expect(b.command(I8042.keyboardTest) == [0x00])
        #expect(b.status & I8042.notLocked != 0)  // no "Keylock active" warning
        // i8042_controller_init: keyboard port off while probing, XLATE kept.
        let ctr = (first | I8042.kbdDis) & ~I8042.kbdInt
        b.writeCTR(ctr)
        #expect(b.readCTR() == ctr)
        #expect(b.flush())
    }

    @Test("Linux aux detection: loopback 0x5A, A7/A8 toggle CTR bit 5, no multiplexer, IRQ 12 delivered")
    func linuxAuxDetection() {
        let b = PS2Bench()
        b.flush()
        // i8042_check_aux: internal loopback comes back from the aux side.
        #expect(b.command(I8042.auxLoop, [0x5A]) == [0x5A])
        // i8042_toggle_aux(false) / (true), verified through the CTR.
        #expect(b.command(I8042.auxDisable) == [])
        #expect(b.readCTR() & I8042.auxDis != 0)
        #expect(b.command(I8042.auxEnable) == [])
        #expect(b.readCTR() & I8042.auxDis == 0)
        // i8042_set_mux_mode: a real multiplexer would answer the third byte with its version.
        #expect(b.command(I8042.auxLoop, [0xF0]) == [0xF0])
        #expect(b.command(I8042.auxLoop, [0x56]) == [0x56])
        #expect(b.command(I8042.auxLoop, [0xA4]) == [0xA4])  // same byte: not a MUX
        // IRQ delivery test: AUX port enabled with its interrupt, loop 0xA5 without reading.
        var ctr = b.readCTR()
        ctr = (ctr & ~I8042.auxDis) | I8042.auxInt
        b.writeCTR(ctr)
        b.irq12.clearHistory()
        b.outb(0x64, 0xD3)
        b.outb(0x60, 0xA5)
        #expect(b.irq12.risingEdges == 1 && b.irq12.level)
        #expect(!b.irq1.level)
        let got = b.serviceInterrupts(for: 100_000)
        #expect(got == [PS2Received(byte: 0xA5, fromAux: true, irq: 12)])
        #expect(!b.irq12.level)
        // Disable the interface again.
        b.writeCTR((ctr | I8042.auxDis) & ~I8042.auxInt)
        #expect(b.readCTR() & I8042.auxDis != 0)
        #expect(b.command(I8042.auxTest) == [0x00])
    }

    @Test("IRQ 1 rises when keyboard data fills the output buffer and falls when port 0x60 is read")
    func keyboardInterruptEdges() {
        let b = PS2Bench()
        b.linuxProbe()
        b.keyboard.press(.a)
        #expect(!b.irq1.level)  // the byte is still on the cable
        b.advance(by: PS2Controller.defaultByteTransferTime)
        #expect(b.irq1.level && b.irq1.risingEdges == 1)
        #expect(b.status & (I8042.obf | I8042.auxData) == I8042.obf)
        #expect(b.inb(0x60) == 0x1E)
        #expect(!b.irq1.level && b.status & I8042.obf == 0)
        // An extended key: one edge per byte.
        b.irq1.clearHistory()
        b.keyboard.press(.rightControl)
        #expect(b.serviceInterrupts() == [
            PS2Received(byte: 0xE0, fromAux: false, irq: 1), PS2Received(byte: 0x1D, fromAux: false, irq: 1),
        ])
        #expect(b.irq1.risingEdges == 2)
        #expect(!b.irq12.level && b.irq12.risingEdges == 0)
    }

    @Test("with interrupts off in the command byte the data is polled, and no IRQ is raised")
    func pollingWithoutInterrupts() {
        let b = PS2Bench()
        b.linuxProbe()
        let ctr = b.readCTR() & ~(I8042.kbdInt | I8042.auxInt)
        b.writeCTR(ctr)
        b.irq1.clearHistory()
        b.keyboard.press(.b)
        #expect(b.waitRead())
        #expect(b.inb(0x60) == 0x30)
        #expect(b.irq1.risingEdges == 0)
        // Turning the interrupt on with data waiting raises the line.
        b.keyboard.release(.b)
        #expect(b.waitRead())
        b.writeCTR(ctr | I8042.kbdInt)
        #expect(b.irq1.risingEdges == 1 && b.irq1.level)
        #expect(b.inb(0x60) == 0xB0)
        #expect(!b.irq1.level)
    }

    @Test("a second read of port 0x60 returns the same byte and the next byte arrives later")
    func doubleReadKeepsByte() {
        let b = PS2Bench()
        b.linuxProbe()
        b.keyboard.press(.up)
        #expect(b.waitRead())
        #expect(b.inb(0x60) == 0xE0)
        #expect(b.inb(0x60) == 0xE0)  // the output register keeps its value
        #expect(b.status & I8042.obf == 0)
        #expect(b.waitRead())
        #expect(b.inb(0x60) == 0x48)
    }

    @Test("keyboard and mouse take turns in the output buffer, tagged by AUXB and their own IRQ")
    func outputBufferArbitration() {
        let b = PS2Bench()
        b.linuxProbe()
        #expect(b.mouseCommand(0xF4) == [0xFA])
        b.keyboard.press(.rightControl)  // E0 1D
        b.mouse.move(dx: 1, dy: 0)       // 08 01 00
        let got = b.serviceInterrupts()
        let keyboardBytes = got.filter { !$0.fromAux }, mouseBytes = got.filter(\.fromAux)
        #expect(keyboardBytes.map(\.byte) == [0xE0, 0x1D] && keyboardBytes.allSatisfy { $0.irq == 1 })
        #expect(mouseBytes.map(\.byte) == [0x08, 0x01, 0x00] && mouseBytes.allSatisfy { $0.irq == 12 })
        // Both had data at once, so they alternated.
        #expect(got.map(\.fromAux).prefix(4) == [false, true, false, true])
    }

    @Test("a disabled keyboard port holds key data until 0xAE, and 0xAD sets command byte bit 4")
    func keyboardPortDisable() {
        let b = PS2Bench()
        b.linuxProbe()
        #expect(b.command(I8042.keyboardDisable) == [])
        #expect(b.readCTR() & I8042.kbdDis != 0)
        b.keyboard.press(.c)
        #expect(b.serviceInterrupts().isEmpty)
        #expect(b.command(I8042.keyboardEnable) == [])
        #expect(b.readCTR() & I8042.kbdDis == 0)
        #expect(b.interruptBytes() == [0x2E])
    }

    @Test("a disabled aux port holds mouse data until it is enabled again")
    func auxPortDisable() {
        let b = PS2Bench()
        b.linuxProbe()
        _ = b.command(I8042.auxDisable)
        _ = b.command(I8042.auxSend, [0xF2])
        #expect(b.serviceInterrupts().isEmpty)
        _ = b.command(I8042.auxEnable)
        #expect(b.interruptBytes() == [0xFA, 0x00])
    }

    @Test("a controller reply replaces an unread device byte, as the 8042 firmware does")
    func replyOverwritesOutputBuffer() {
        let b = PS2Bench()
        b.linuxProbe()
        b.keyboard.press(.d)
        #expect(b.waitRead())
        #expect(b.command(I8042.readCTR)?.count == 1)
        #expect(b.status & I8042.obf == 0)
        b.keyboard.release(.d)
        #expect(b.interruptBytes() == [0xA0])  // the make code was lost, the break arrives
    }

    @Test("0xD2 and 0xD3 put a byte in the output buffer as keyboard (untranslated) or aux data")
    func writeOutputBufferCommands() {
        let b = PS2Bench()
        b.linuxProbe()
        b.outb(0x64, 0xD2)
        b.outb(0x60, 0x1C)  // would translate to 0x1E; D2 data is not translated
        #expect(b.serviceInterrupts() == [PS2Received(byte: 0x1C, fromAux: false, irq: 1)])
        b.outb(0x64, 0xD3)
        b.outb(0x60, 0x77)
        #expect(b.serviceInterrupts() == [PS2Received(byte: 0x77, fromAux: true, irq: 12)])
        #expect(b.command(I8042.keyboardLoop, [0x42]) == [0x42])
    }

    @Test("controller RAM: 0x20-0x3F read and 0x60-0x7F write, byte 0 being the command byte")
    func controllerRAM() {
        let b = PS2Bench()
        b.outb(0x64, 0x65)
        b.outb(0x60, 0x5A)
        #expect(b.command(0x0125) == [0x5A])
        #expect(b.command(0x0121) == [0x00])
        b.outb(0x64, 0x60)
        b.outb(0x60, 0x47)
        #expect(b.readCTR() == 0x47)
        #expect(b.command(0x01C0) == [0xB0])  // input port: not locked, no jumper, 512 KiB
    }

    @Test("A20 through the output port (0xD0/0xD1), as Linux's boot code and BIOSes do it")
    func a20ThroughOutputPort() {
        let b = PS2Bench()
        // Read-modify-write: clear bit 1.
        let port = b.command(0x01D0)![0]
        #expect(port & 0x03 == 0x03)
        b.outb(0x64, 0xD1)
        b.outb(0x60, port & ~0x02)
        #expect(b.a20Changes == [false] && !b.controller.a20GateEnabled)
        #expect(b.command(0x01D0)![0] & 0x02 == 0)
        // arch/x86/boot/a20.c enable_a20_kbc: D1, DF, then the 0xFF null command.
        b.outb(0x64, 0xD1)
        b.outb(0x60, 0xDF)
        b.outb(0x64, 0xFF)
        #expect(b.a20Changes == [false, true] && b.controller.a20GateEnabled)
        #expect(b.resetRequests == 0)
        // Writing the same state again is no change.
        b.outb(0x64, 0xD1)
        b.outb(0x60, 0xDF)
        #expect(b.a20Changes == [false, true])
    }

    @Test("A20 through commands 0xDD and 0xDF")
    func a20ThroughCommands() {
        let b = PS2Bench()
        b.outb(0x64, 0xDD)
        #expect(b.a20Changes == [false] && b.command(0x01D0)![0] & 0x02 == 0)
        b.outb(0x64, 0xDD)
        #expect(b.a20Changes == [false])
        b.outb(0x64, 0xDF)
        #expect(b.a20Changes == [false, true] && b.command(0x01D0)![0] & 0x02 != 0)
    }

    @Test("0xFE pulses the CPU reset line, as does an output port write with bit 0 clear")
    func resetCPU() {
        let b = PS2Bench()
        b.outb(0x64, 0xFE)
        #expect(b.resetRequests == 1)
        b.outb(0x64, 0xF0)  // pulses bits 3-0, including reset
        #expect(b.resetRequests == 2)
        b.outb(0x64, 0xFD)  // pulses only the A20 line: no lasting effect
        b.outb(0x64, 0xFF)
        #expect(b.resetRequests == 2 && b.a20Changes.isEmpty)
        b.outb(0x64, 0xD1)
        b.outb(0x60, 0x02)  // A20 on, reset asserted
        #expect(b.resetRequests == 3)
        #expect(b.command(0x01D0)![0] & 0x01 == 0x01)  // the line springs back
    }

    @Test("output port bits 4 and 5 show the IRQ 1 / IRQ 12 outputs")
    func outputPortIRQBits() {
        let b = PS2Bench()
        b.writeCTR(0x00)  // interrupts off: the D0 reply itself raises nothing
        #expect(b.command(0x01D0)![0] & 0x30 == 0)
        b.writeCTR(I8042.kbdInt | I8042.auxInt)
        b.outb(0x64, 0xD3)
        b.outb(0x60, 0x01)
        // The D0 reply replaces the aux byte; the value is taken while IRQ 12 is still high.
        #expect(b.command(0x01D0)![0] & 0x30 == 0x20)
    }

    @Test("reset() returns to power-on state and lowers the interrupt lines")
    func resetToPowerOn() {
        let b = PS2Bench()
        b.linuxProbe()
        _ = b.command(I8042.selfTest)
        b.outb(0x64, 0xDD)
        b.keyboard.press(.e)
        b.advance(by: 1_000_000)
        #expect(b.irq1.level)
        b.controller.reset()
        #expect(!b.irq1.level && b.status == I8042.notLocked)
        #expect(b.readCTR() == 0x61)
        #expect(b.controller.a20GateEnabled)
        #expect(b.keyboard.isPressed(.e))  // the host still holds it
        #expect(b.serviceInterrupts().isEmpty)
    }

    @Test("offsets other than 0x60 and 0x64 read 0xFF and ignore writes")
    func otherPortAccesses() {
        let b = PS2Bench()
        #expect(b.controller.readPortByte(0x61) == 0xFF)
        b.controller.writePortByte(0x62, 0x12)
        #expect(b.status == I8042.notLocked)
    }
}
