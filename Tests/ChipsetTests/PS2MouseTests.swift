import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

@Suite("PS2Mouse")
struct PS2MouseTests {
    /// Linux's psmouse sets a sample rate as F3 + rate.
    private func setRate(_ b: PS2Bench, _ rate: UInt8) -> [UInt8] { b.mouseCommand(0xF3, rate) }

    @Test("psmouse probe: GETID 0x00, reset gives FA AA 00, IntelliMouse knock gives ID 3, Explorer ID 4")
    func psmouseProbe() {
        let b = PS2Bench()
        b.linuxProbe()
        #expect(b.mouseCommand(0xF2) == [0xFA, 0x00])
        #expect(b.mouseCommand(0xF6) == [0xFA])          // PSMOUSE_CMD_RESET_DIS
        #expect(b.mouseCommand(0xFF) == [0xFA, 0xAA, 0x00])
        // Synaptics "identify" knock (E6, E8 x4, E9) finds a plain mouse: the middle byte is not 0x47.
        let status = b.mouseCommand(0xE6, 0xE8, 0x00, 0xE8, 0x00, 0xE8, 0x00, 0xE8, 0x00, 0xE9)
        #expect(status == [0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x00, 0x00, 100])
        // intellimouse_detect.
        #expect(setRate(b, 200) + setRate(b, 100) + setRate(b, 80) == [0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA])
        #expect(b.mouseCommand(0xF2) == [0xFA, 0x03])
        // im_explorer_detect.
        _ = setRate(b, 200)
        _ = setRate(b, 200)
        _ = setRate(b, 80)
        #expect(b.mouseCommand(0xF2) == [0xFA, 0x04])
        // F6 keeps the ID; only a reset goes back to a plain mouse.
        #expect(b.mouseCommand(0xF6) == [0xFA])
        #expect(b.mouseCommand(0xF2) == [0xFA, 0x04])
        #expect(b.mouseCommand(0xFF) == [0xFA, 0xAA, 0x00])
        #expect(b.mouseCommand(0xF2) == [0xFA, 0x00])
        // The explorer knock alone does nothing on a plain mouse.
        _ = setRate(b, 200)
        _ = setRate(b, 200)
        _ = setRate(b, 80)
        #expect(b.mouseCommand(0xF2) == [0xFA, 0x00])
        #expect(b.irq1.risingEdges == 0)
    }

    @Test("status request reports mode, enable, scaling, buttons, resolution and rate")
    func statusRequest() {
        let b = PS2Bench()
        b.linuxProbe()
        #expect(b.mouseCommand(0xE9) == [0xFA, 0x00, 0x02, 100])
        _ = b.mouseCommand(0xE8, 0x03)
        _ = b.mouseCommand(0xE7)
        _ = setRate(b, 40)
        _ = b.mouseCommand(0xF4)
        b.mouse.setButtons([.left, .right])
        _ = b.serviceInterrupts()
        #expect(b.mouseCommand(0xE9) == [0xFA, 0x35, 0x03, 40])
        _ = b.mouseCommand(0xF0)
        #expect(b.mouseCommand(0xE9)[1] & 0x40 != 0)
        #expect(b.mouseCommand(0xE8, 0x04) == [0xFA, 0xFE])  // resolution 4 does not exist
        #expect(b.mouseCommand(0x02) == [0xFA])              // the argument, sent again
        #expect(b.mouse.resolution == 2)
        #expect(setRate(b, 33) == [0xFA, 0xFE])
        #expect(b.mouseCommand(0x0A) == [0xFA])
        #expect(b.mouse.sampleRate == 10)
        #expect(b.mouseCommand(0xE1) == [0xFE])
    }

    @Test("stream packets arrive on IRQ 12 once reporting is enabled, with sign bits and Y up")
    func streamPackets() {
        let b = PS2Bench()
        b.linuxProbe()
        b.mouse.move(dx: 5, dy: -3)  // reporting is off: nothing is counted
        #expect(b.serviceInterrupts().isEmpty)
        #expect(b.mouseCommand(0xF4) == [0xFA])
        b.mouse.move(dx: 5, dy: -3)  // right and up
        let got = b.serviceInterrupts()
        #expect(got.map(\.byte) == [0x08, 0x05, 0x03])
        #expect(got.allSatisfy { $0.fromAux && $0.irq == 12 })
        b.advance(by: 20_000_000)
        b.mouse.move(dx: -5, dy: 3)  // left and down
        #expect(b.interruptBytes() == [0x38, 0xFB, 0xFD])
        b.advance(by: 20_000_000)
        b.mouse.setButton(.left, pressed: true)
        #expect(b.interruptBytes() == [0x09, 0x00, 0x00])
        b.advance(by: 20_000_000)
        b.mouse.setButtons([.left, .middle, .right])
        #expect(b.interruptBytes() == [0x0F, 0x00, 0x00])
        b.advance(by: 20_000_000)
        b.mouse.setButtons([])
        #expect(b.interruptBytes() == [0x08, 0x00, 0x00])
        #expect(b.irq1.risingEdges == 0)
    }

    @Test("movement beyond 9 bits saturates and sets the overflow bits")
    func overflowAndClamping() {
        let b = PS2Bench()
        b.linuxProbe()
        _ = b.mouseCommand(0xF4)
        b.mouse.move(dx: 300, dy: 1000)  // right 300, down 1000
        #expect(b.interruptBytes() == [0x08 | 0x40 | 0x80 | 0x20, 0xFF, 0x00])  // X 255, Y -256
        b.advance(by: 20_000_000)
        b.mouse.move(dx: -256, dy: -255)
        #expect(b.interruptBytes() == [0x18, 0x00, 0xFF])  // exactly in range: no overflow
    }

    @Test("motion within one sample period is merged into one packet, at most one per period")
    func samplePeriodCoalescing() {
        let b = PS2Bench()
        b.linuxProbe()
        _ = b.mouseCommand(0xF4)
        b.mouse.move(dx: 1, dy: 0)
        b.advance(by: 1_000_000)
        for _ in 0..<5 {
            b.mouse.move(dx: 2, dy: 0)
            b.advance(by: 1_000_000)
        }
        // The first packet went out at once, the other moves waited for the 10 ms period.
        let got = b.serviceInterrupts(for: 20_000_000)
        #expect(got.map(\.byte) == [0x08, 0x01, 0x00, 0x08, 0x0A, 0x00])
        // At 200 samples/s the period is 5 ms.
        _ = setRate(b, 200)
        b.mouse.move(dx: 1, dy: 0)
        let start = b.scheduler.now
        _ = b.serviceInterrupts(for: 1_000_000)
        b.mouse.move(dx: 1, dy: 0)
        #expect(b.interruptBytes(for: 3_000_000).isEmpty)
        #expect(b.interruptBytes(for: 3_000_000) == [0x08, 0x01, 0x00])
        #expect(b.scheduler.now >= start + 5_000_000)
    }

    @Test("IntelliMouse packets carry the wheel in a fourth byte; Explorer adds buttons 4 and 5")
    func wheelPackets() {
        let b = PS2Bench()
        b.linuxProbe()
        for rate: UInt8 in [200, 100, 80] { _ = setRate(b, rate) }
        _ = b.mouseCommand(0xF4)
        b.mouse.scroll(by: 1)  // away from the user: Linux's REL_WHEEL = -(signed char)byte 4 = +1
        #expect(b.interruptBytes() == [0x08, 0x00, 0x00, 0xFF])
        b.advance(by: 20_000_000)
        b.mouse.scroll(by: -20)  // saturates at +7
        #expect(b.interruptBytes() == [0x08, 0x00, 0x00, 0x07])
        b.advance(by: 20_000_000)
        b.mouse.setButton(.side, pressed: true)  // not reportable with ID 3
        #expect(b.interruptBytes().isEmpty)
        for rate: UInt8 in [200, 200, 80] { _ = setRate(b, rate) }
        #expect(b.mouseCommand(0xF2) == [0xFA, 0x04])
        _ = b.mouseCommand(0xF4)
        b.advance(by: 20_000_000)
        b.mouse.scroll(by: 1)
        #expect(b.interruptBytes() == [0x08, 0x00, 0x00, 0x1F])  // Z -1 in bits 3-0, button 4
        b.advance(by: 20_000_000)
        b.mouse.setButtons([.extra])
        #expect(b.interruptBytes() == [0x08, 0x00, 0x00, 0x20])
    }

    @Test("remote mode counts motion and 0xEB reads it as a packet")
    func remoteModeReadData() {
        let b = PS2Bench()
        b.linuxProbe()
        #expect(b.mouseCommand(0xF0) == [0xFA])
        b.mouse.move(dx: 3, dy: 0)
        b.mouse.move(dx: 4, dy: 2)
        #expect(b.serviceInterrupts().isEmpty)
        #expect(b.mouseCommand(0xEB) == [0xFA, 0x28, 0x07, 0xFE])
        #expect(b.mouseCommand(0xEB) == [0xFA, 0x08, 0x00, 0x00])
        #expect(b.mouseCommand(0xEA) == [0xFA])
        #expect(!b.mouse.isRemoteMode)
    }

    @Test("2:1 scaling maps 1,2,3,4,5,6 to 1,1,3,6,9,12 in stream mode")
    func scaling2to1() {
        #expect([1, 2, 3, 4, 5, 6, -4].map(PS2Mouse.scale2to1) == [1, 1, 3, 6, 9, 12, -6])
        let b = PS2Bench()
        b.linuxProbe()
        _ = b.mouseCommand(0xE7)
        _ = b.mouseCommand(0xF4)
        b.mouse.move(dx: 4, dy: -5)
        #expect(b.interruptBytes() == [0x08, 0x06, 0x09])
        _ = b.mouseCommand(0xE6)
        b.advance(by: 20_000_000)
        b.mouse.move(dx: 4, dy: 0)
        #expect(b.interruptBytes() == [0x08, 0x04, 0x00])
    }

    @Test("wrap mode echoes bytes until 0xEC; 0xFE resends the last reply; 0xF5 stops packets")
    func wrapResendDisable() {
        let b = PS2Bench()
        b.linuxProbe()
        #expect(b.mouseCommand(0xEE) == [0xFA])
        #expect(b.mouseCommand(0x12, 0xF2) == [0x12, 0xF2])
        #expect(b.mouseCommand(0xEC) == [0xFA])
        #expect(b.mouseCommand(0xF2) == [0xFA, 0x00])
        #expect(b.mouseCommand(0xFE) == [0xFA, 0x00])
        _ = b.mouseCommand(0xF4)
        _ = b.mouseCommand(0xF5)
        b.mouse.move(dx: 9, dy: 9)
        #expect(b.serviceInterrupts().isEmpty)
    }

    @Test("a command drops an unsent packet, so the reply is not mixed into it")
    func commandDropsPacket() {
        let b = PS2Bench()
        b.linuxProbe()
        _ = b.mouseCommand(0xF4)
        b.mouse.move(dx: 1, dy: 1)
        b.advance(by: PS2Controller.defaultByteTransferTime)
        #expect(b.inb(0x60) == 0x28)  // the first byte is out (Y sign: one count down)
        #expect(b.mouseCommand(0xF5) == [0xFA])  // the rest of the packet is gone
    }
}
