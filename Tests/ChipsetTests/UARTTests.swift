import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

@Suite("UART16550")
struct UARTTests {
    @Test("power-on state: IIR 0x01, LSR 0x60, MSR shows the connected peer's CTS/DSR/DCD")
    func powerOnState() {
        let b = UARTBench()
        #expect(b.inb(UARTReg.iir) == 0x01)
        #expect(b.inb(UARTReg.lsr) == 0x60)
        #expect(b.inb(UARTReg.msr) == 0xB0)
        #expect(b.inb(UARTReg.ier) == 0)
        #expect(b.inb(UARTReg.mcr) == 0)
        #expect(b.uart.ports == 0x3F8...0x3FF)
        #expect(b.uart.snapshotSection == "uart.com1")
        #expect(UART16550.StandardPort.com2.base == IOPort(0x2F8) && UART16550.StandardPort.com2.irq == 3)
        #expect(UART16550.StandardPort.com3.base == IOPort(0x3E8) && UART16550.StandardPort.com3.irq == 4)
        #expect(UART16550.StandardPort.com4.base == IOPort(0x2E8) && UART16550.StandardPort.com4.irq == 3)
    }

    @Test("divisor latch and LCR read back under DLAB, and THR writes reach the backend at once")
    func transmitReachesBackend() {
        let b = UARTBench(.com2)
        b.configure(divisor: 0x0180, lcr: 0x03)
        b.outb(UARTReg.lcr, 0x83)
        #expect(b.inb(UARTReg.dll) == 0x80 && b.inb(UARTReg.dlm) == 0x01)
        b.outb(UARTReg.lcr, 0x03)
        #expect(b.inb(UARTReg.lcr) == 0x03)
        for byte in "Hi\r\n".utf8 {
            #expect(b.inb(UARTReg.lsr) & 0x20 != 0)  // wait_for_xmitr(UART_LSR_THRE)
            b.outb(UARTReg.tx, byte)
        }
        #expect(b.backend.text == "Hi\r\n")
        #expect(b.inb(UARTReg.lsr) & 0x60 == 0x60)  // BOTH_EMPTY
        #expect(b.irq.risingEdges == 0)
    }

    @Test("7-bit words carry only 7 data bits, and a break held by LCR swallows characters")
    func wordLengthAndBreak() {
        let b = UARTBench()
        b.configure(lcr: 0x02)  // 7N1
        b.outb(UARTReg.tx, 0xC1)
        b.outb(UARTReg.lcr, 0x42)  // set break
        b.outb(UARTReg.tx, 0x41)
        b.outb(UARTReg.lcr, 0x02)
        #expect(b.backend.transmitted == [0x41])
    }

    @Test("Linux autoconfig: IER scratch test, loopback MSR 0x90, and IIR bits 0xC0 identify a 16550A")
    func linuxAutoconfig() {
        let b = UARTBench()
        // Scratch test through IER.
        b.outb(UARTReg.ier, 0)
        let scratch2 = b.inb(UARTReg.ier) & 0x0F
        b.outb(UARTReg.ier, 0x0F)
        let scratch3 = b.inb(UARTReg.ier) & 0x0F
        b.outb(UARTReg.ier, 0)
        #expect(scratch2 == 0 && scratch3 == 0x0F)
        // Loopback test: RTS|OUT2 come back as CTS|DCD.
        let saveMCR = b.inb(UARTReg.mcr)
        b.outb(UARTReg.mcr, 0x10 | 0x0A)
        #expect(b.inb(UARTReg.msr) & 0xF0 == 0x90)
        b.outb(UARTReg.mcr, saveMCR)
        // LCR 0xBF + "EFR" write lands in FCR on a 16550A, then FIFO detection.
        b.outb(UARTReg.lcr, 0xBF)
        b.outb(UARTReg.fcr, 0)
        b.outb(UARTReg.lcr, 0)
        b.outb(UARTReg.fcr, 0x01)
        #expect(b.inb(UARTReg.iir) >> 6 == 3)  // PORT_16550A
        // No EFR: with LCR 0xBF, offset 2 reads IIR, which is not 0.
        b.outb(UARTReg.lcr, 0xBF)
        #expect(b.inb(UARTReg.iir) != 0)
        // Not a TI16750: FCR bit 5 never shows in IIR bit 5, with or without DLAB.
        b.outb(UARTReg.lcr, 0)
        b.outb(UARTReg.fcr, 0x21)
        let status1 = b.inb(UARTReg.iir) >> 5
        b.outb(UARTReg.lcr, 0x80)
        b.outb(UARTReg.fcr, 0x21)
        let status2 = b.inb(UARTReg.iir) >> 5
        b.outb(UARTReg.lcr, 0)
        #expect(status1 == 6 && status2 == 6)
        // Not an XScale: IER bit 6 (UUE) does not stick.
        b.outb(UARTReg.ier, 0x40)
        #expect(b.inb(UARTReg.ier) & 0x40 == 0)
        // The startup LSR safety check.
        #expect(b.inb(UARTReg.lsr) != 0xFF)
    }

    @Test("the scratch register holds any byte (8250 vs 16450 probe)")
    func scratchRegister() {
        let b = UARTBench()
        b.outb(UARTReg.scr, 0xA5)
        #expect(b.inb(UARTReg.scr) == 0xA5)
        b.outb(UARTReg.scr, 0x5A)
        #expect(b.inb(UARTReg.scr) == 0x5A)
    }

    @Test("a received byte raises the RX interrupt: IIR 0x04 without FIFOs, 0xC4 with them; reading RBR clears it")
    func receiveInterrupt() {
        for fifo in [false, true] {
            let b = UARTBench()
            b.configure()
            b.outb(UARTReg.fcr, fifo ? 0x01 : 0x00)  // trigger level 1
            b.outb(UARTReg.mcr, 0x0B)  // DTR | RTS | OUT2
            b.outb(UARTReg.ier, 0x05)  // UART_IER_RLSI | UART_IER_RDI
            b.backend.inject([0x41])
            #expect(b.inb(UARTReg.lsr) & 0x01 == 0)  // still being shifted in
            b.advance(by: UARTBench.characterTime)
            #expect(b.irq.level && b.irq.risingEdges == 1)
            #expect(b.inb(UARTReg.iir) == (fifo ? 0xC4 : 0x04))
            #expect(b.inb(UARTReg.lsr) == 0x61)
            #expect(b.inb(UARTReg.rx) == 0x41)
            #expect(b.inb(UARTReg.iir) == (fifo ? 0xC1 : 0x01))
            #expect(!b.irq.level)
        }
    }

    @Test("host bytes enter one character time apart at the programmed baud rate")
    func receivePacing() {
        let b = UARTBench()
        b.configure(divisor: 12)  // 9600 bd: 10 bits = 1.0417 ms
        b.outb(UARTReg.fcr, 0x01)
        b.backend.inject("abc")
        #expect(b.uart.characterTime == 1_041_666)
        b.advance(by: 1_041_665)
        #expect(b.inb(UARTReg.lsr) & 0x01 == 0)
        b.advance(by: 1)
        #expect(b.inb(UARTReg.rx) == UInt8(ascii: "a"))
        #expect(b.inb(UARTReg.lsr) & 0x01 == 0)
        b.advance(by: 2 * 1_041_667)
        #expect(b.inb(UARTReg.rx) == UInt8(ascii: "b"))
        #expect(b.inb(UARTReg.rx) == UInt8(ascii: "c"))
    }

    @Test("the RX data interrupt waits for the FIFO trigger level: 1, 4, 8 or 14 bytes")
    func triggerLevels() {
        for (fcr, level) in [(0x01, 1), (0x41, 4), (0x81, 8), (0xC1, 14)] as [(UInt8, Int)] {
            let b = UARTBench()
            b.configure()
            b.outb(UARTReg.fcr, fcr)
            b.outb(UARTReg.mcr, 0x08)
            b.outb(UARTReg.ier, 0x01)
            b.backend.inject([UInt8](repeating: 0x55, count: level))
            b.advance(by: UInt64(level - 1) * UARTBench.characterTime + 10)
            #expect(b.inb(UARTReg.iir) == 0xC1, "trigger \(level): no interrupt one byte short")
            #expect(!b.irq.level)
            b.advance(by: UARTBench.characterTime)
            #expect(b.inb(UARTReg.iir) == 0xC4, "trigger \(level)")
            #expect(b.irq.level)
            _ = b.inb(UARTReg.rx)  // below the trigger again
            #expect(b.inb(UARTReg.iir) & 0x0F != 0x04)
        }
    }

    @Test("character timeout: IIR 0xCC 4 character times after the last RX activity, cleared by reading RBR")
    func characterTimeout() {
        let b = UARTBench()
        b.configure()
        b.outb(UARTReg.fcr, 0x81)  // trigger 8
        b.outb(UARTReg.mcr, 0x08)
        b.outb(UARTReg.ier, 0x01)
        b.backend.inject([1, 2, 3])
        let c = UARTBench.characterTime
        b.advance(by: 3 * c)  // all three in
        b.advance(by: 4 * c - 10)
        #expect(b.inb(UARTReg.iir) == 0xC1)
        b.advance(by: 10)
        #expect(b.inb(UARTReg.iir) == 0xCC)
        #expect(b.irq.level)
        #expect(b.inb(UARTReg.rx) == 1)
        #expect(b.inb(UARTReg.iir) == 0xC1)
        #expect(!b.irq.level)
        b.advance(by: 4 * c)
        #expect(b.inb(UARTReg.iir) == 0xCC)  // two bytes still waiting
        #expect(b.inb(UARTReg.rx) == 2)
        #expect(b.inb(UARTReg.rx) == 3)
        b.advance(by: 10 * c)
        #expect(b.inb(UARTReg.iir) == 0xC1)
        #expect(b.irq.risingEdges == 2)
    }

    @Test("loopback echoes THR into RBR without reaching the backend, and MSR follows MCR with delta bits")
    func loopback() {
        let b = UARTBench()
        b.configure()
        _ = b.inb(UARTReg.msr)
        b.outb(UARTReg.mcr, 0x10)  // loop, all outputs off
        #expect(b.inb(UARTReg.msr) == 0x0B)  // CTS, DSR, DCD dropped: DCTS, DDSR, DDCD
        b.outb(UARTReg.tx, 0x55)
        #expect(b.inb(UARTReg.lsr) & 0x01 == 0x01)
        #expect(b.inb(UARTReg.rx) == 0x55)
        #expect(b.backend.transmitted.isEmpty)
        b.outb(UARTReg.mcr, 0x10 | 0x01)  // DTR → DSR
        #expect(b.inb(UARTReg.msr) == 0x22)
        #expect(b.inb(UARTReg.msr) == 0x20)  // deltas clear on read
        b.outb(UARTReg.mcr, 0x10 | 0x04)  // OUT1 → RI on; DTR off
        #expect(b.inb(UARTReg.msr) == 0x42)
        b.outb(UARTReg.mcr, 0x10)  // RI falls: TERI
        #expect(b.inb(UARTReg.msr) == 0x04)
        b.outb(UARTReg.mcr, 0x10 | 0x0F)
        #expect(b.inb(UARTReg.msr) & 0xF0 == 0xF0)
        // Host input waits while the receiver is disconnected.
        b.outb(UARTReg.mcr, 0x10)
        b.backend.inject([0x77])
        b.advance(by: 10 * UARTBench.characterTime)
        #expect(b.inb(UARTReg.lsr) & 0x01 == 0)
        b.outb(UARTReg.mcr, 0x00)
        b.advance(by: UARTBench.characterTime)
        #expect(b.inb(UARTReg.rx) == 0x77)
    }

    @Test("the FIFO overruns only on the 17th byte, and 256 loopback bytes leave 16 (Linux size_fifo)")
    func fifoOverrun() {
        let b = UARTBench()
        b.outb(UARTReg.mcr, 0x10)
        b.outb(UARTReg.fcr, 0x07)
        b.configure(divisor: 1)
        for i in 0..<16 { b.outb(UARTReg.tx, UInt8(i)) }
        #expect(b.inb(UARTReg.lsr) & 0x02 == 0)
        for i in 16..<256 { b.outb(UARTReg.tx, UInt8(i)) }
        #expect(b.inb(UARTReg.lsr) & 0x03 == 0x03)
        var count = 0
        while b.inb(UARTReg.lsr) & 0x01 != 0 {
            #expect(b.inb(UARTReg.rx) == UInt8(count))
            count += 1
        }
        #expect(count == 16)
        // Character mode: the second byte overwrites RBR.
        b.outb(UARTReg.fcr, 0x00)
        b.outb(UARTReg.tx, 0x11)
        b.outb(UARTReg.tx, 0x22)
        #expect(b.inb(UARTReg.lsr) & 0x03 == 0x03)
        #expect(b.inb(UARTReg.rx) == 0x22)
    }

    @Test("host input waits while the RX FIFO is full instead of overrunning")
    func hostInputFlowControl() {
        let b = UARTBench()
        b.configure()
        b.outb(UARTReg.fcr, 0x01)
        b.backend.inject([UInt8](0..<40))
        b.advance(by: 40 * UARTBench.characterTime)
        #expect(b.uart.pendingInputCount == 24)
        var received: [UInt8] = []
        for _ in 0..<200 where received.count < 40 {
            while b.inb(UARTReg.lsr) & 0x01 != 0 { received.append(b.inb(UARTReg.rx)) }
            b.advance(by: UARTBench.characterTime)
        }
        #expect(received == [UInt8](0..<40))
        #expect(b.inb(UARTReg.lsr) & 0x02 == 0)
    }

    @Test("FCR clear bits and FIFO mode changes empty the RX FIFO")
    func fifoClear() {
        let b = UARTBench()
        b.outb(UARTReg.mcr, 0x10)
        b.outb(UARTReg.fcr, 0x01)
        b.outb(UARTReg.tx, 1)
        b.outb(UARTReg.tx, 2)
        b.outb(UARTReg.fcr, 0x03)
        #expect(b.inb(UARTReg.lsr) & 0x01 == 0)
        b.outb(UARTReg.tx, 3)
        b.outb(UARTReg.fcr, 0x00)  // serial8250_clear_fifos ends with FCR = 0
        #expect(b.inb(UARTReg.lsr) & 0x01 == 0)
        #expect(b.inb(UARTReg.iir) & 0xC0 == 0)
    }

    @Test("OUT2 gates the IRQ line while IIR still reports the interrupt")
    func out2GatesIRQ() {
        let b = UARTBench()
        b.outb(UARTReg.mcr, 0x03)
        b.outb(UARTReg.ier, 0x02)
        #expect(!b.irq.level)
        b.outb(UARTReg.mcr, 0x0B)
        #expect(b.irq.level)
        b.outb(UARTReg.mcr, 0x03)
        #expect(!b.irq.level)
        #expect(b.inb(UARTReg.iir) == 0x02)
        #expect(b.irq.risingEdges == 1)
    }

    @Test("THRE: enabling ETBEI with THR empty interrupts, reading IIR clears it, re-enabling re-arms it")
    func thrEmptyInterrupt() {
        let b = UARTBench()
        b.configure()
        b.outb(UARTReg.mcr, 0x0B)
        // serial8250_do_startup's UART_BUG_THRE probe.
        b.outb(UARTReg.ier, 0x02)
        let iir1 = b.inb(UARTReg.iir)
        b.outb(UARTReg.ier, 0)
        b.outb(UARTReg.ier, 0x02)
        let iir = b.inb(UARTReg.iir)
        b.outb(UARTReg.ier, 0)
        #expect(iir1 == 0x02 && iir == 0x02)
        #expect(b.irq.risingEdges == 2)
        // The UART_BUG_TXEN probe.
        b.outb(UARTReg.ier, 0x02)
        let lsr = b.inb(UARTReg.lsr)
        let iir2 = b.inb(UARTReg.iir)
        b.outb(UARTReg.ier, 0)
        #expect(!(lsr & 0x40 != 0 && iir2 & 0x01 != 0))
        // Cleared by the IIR read: stays clear while ETBEI stays set and nothing is written.
        b.outb(UARTReg.ier, 0x02)
        #expect(b.inb(UARTReg.iir) == 0x02)
        #expect(b.inb(UARTReg.iir) == 0x01)
        #expect(!b.irq.level)
    }

    @Test("each THR write drops and re-raises the THRE interrupt, giving the edge-triggered PIC a new edge")
    func thrWriteGivesNewEdge() {
        let b = UARTBench()
        b.configure()
        b.outb(UARTReg.mcr, 0x08)
        b.outb(UARTReg.ier, 0x02)
        #expect(b.irq.risingEdges == 1)
        // An ISR that only polls LSR and writes THR, never reading IIR.
        b.outb(UARTReg.tx, 0x31)
        #expect(b.irq.risingEdges == 2 && b.irq.level)
        b.outb(UARTReg.tx, 0x32)
        #expect(b.irq.risingEdges == 3)
        b.outb(UARTReg.ier, 0x00)  // __stop_tx
        #expect(!b.irq.level)
        #expect(b.backend.text == "12")
    }

    @Test("interrupt priority: line status, then RX data, then THRE, then modem status")
    func interruptPriority() {
        let b = UARTBench()
        b.outb(UARTReg.mcr, 0x10 | 0x08)  // loopback, OUT2 (DCD follows it)
        _ = b.inb(UARTReg.msr)
        b.outb(UARTReg.ier, 0x0F)
        b.outb(UARTReg.tx, 0x01)
        b.outb(UARTReg.tx, 0x02)  // overrun in character mode
        b.outb(UARTReg.mcr, 0x10 | 0x08 | 0x02)  // RTS → CTS: DCTS
        #expect(b.inb(UARTReg.iir) == 0x06)
        #expect(b.inb(UARTReg.lsr) & 0x03 == 0x03)
        #expect(b.inb(UARTReg.iir) == 0x04)
        #expect(b.inb(UARTReg.rx) == 0x02)
        #expect(b.inb(UARTReg.iir) == 0x02)
        #expect(b.inb(UARTReg.iir) == 0x00)
        #expect(b.inb(UARTReg.msr) & 0x0F == 0x01)
        #expect(b.inb(UARTReg.iir) == 0x01)
        #expect(!b.irq.level)
    }

    @Test("a break loads one zero byte with BI and FE and raises the line status interrupt")
    func breakReception() {
        let b = UARTBench()
        b.configure()
        b.outb(UARTReg.fcr, 0x01)
        b.outb(UARTReg.mcr, 0x08)
        b.outb(UARTReg.ier, 0x05)
        b.uart.receiveBreak()
        b.backend.inject([0x42])
        b.advance(by: 2 * UARTBench.characterTime)
        #expect(b.inb(UARTReg.iir) == 0xC6)
        #expect(b.inb(UARTReg.lsr) == 0x61 | 0x10 | 0x08 | 0x80)
        #expect(b.inb(UARTReg.iir) == 0xC4)
        #expect(b.inb(UARTReg.rx) == 0)
        #expect(b.inb(UARTReg.lsr) == 0x61)  // the next byte is clean
        #expect(b.inb(UARTReg.rx) == 0x42)
    }

    @Test("modem input changes from the backend raise the modem status interrupt")
    func modemStatusInterrupt() {
        let b = UARTBench()
        b.outb(UARTReg.mcr, 0x08)
        b.outb(UARTReg.ier, 0x08)
        // Ringing starts (a rising RI sets no delta) and the carrier drops (DDCD).
        b.uart.setModemLines([.clearToSend, .dataSetReady, .ringIndicator])
        #expect(b.irq.level)
        #expect(b.inb(UARTReg.iir) == 0x00)
        #expect(b.inb(UARTReg.msr) == 0x78)
        #expect(!b.irq.level)
        // Ringing stops (TERI) and the carrier returns (DDCD).
        b.uart.setModemLines(.connected)
        #expect(b.irq.level)
        #expect(b.inb(UARTReg.msr) == 0xBC)
        #expect(!b.irq.level)
    }

    @Test("word-wide port accesses act as byte cycles on consecutive ports")
    func wideAccess() {
        let b = UARTBench()
        b.uart.ioWrite(port: IOPort(0x3FB), width: .word, value: 0x0B03)
        #expect(b.inb(UARTReg.lcr) == 0x03 && b.inb(UARTReg.mcr) == 0x0B)
        #expect(b.uart.ioRead(port: IOPort(0x3FE), width: .word) & 0xFF00 == 0x0000)
        #expect(b.uart.ioRead(port: IOPort(0x3FF), width: .word) == 0xFF00)
    }

    @Test("reset returns the registers to power-on values but keeps the divisor and SCR")
    func reset() {
        let b = UARTBench()
        b.configure(divisor: 3, lcr: 0x1B)
        b.outb(UARTReg.scr, 0x77)
        b.outb(UARTReg.fcr, 0xC1)
        b.outb(UARTReg.mcr, 0x0B)
        b.outb(UARTReg.ier, 0x0F)
        #expect(b.irq.level)
        b.uart.reset()
        #expect(!b.irq.level)
        #expect(b.inb(UARTReg.iir) == 0x01 && b.inb(UARTReg.lcr) == 0 && b.inb(UARTReg.mcr) == 0)
        #expect(b.inb(UARTReg.scr) == 0x77)
        b.outb(UARTReg.lcr, 0x80)
        #expect(b.inb(UARTReg.dll) == 3)
    }

    @Test("save → new device → restore keeps registers, FIFO contents, pending input and the timeout")
    func saveRestoreRoundTrip() throws {
        let b = UARTBench()
        b.configure(divisor: 2, lcr: 0x1F)
        b.outb(UARTReg.fcr, 0x81)
        b.outb(UARTReg.mcr, 0x0B)
        b.outb(UARTReg.ier, 0x0D)
        b.outb(UARTReg.scr, 0x99)
        b.backend.inject([0x10, 0x11, 0x12, 0x13, 0x14])
        let c = b.uart.characterTime
        b.advance(by: 3 * c + c / 2)  // three in, a fourth on its way
        let saved = b.uart.saveState()
        #expect(saved.receiveFIFO == [0x10, 0x11, 0x12])
        #expect(saved.pendingInput == [0x13, 0x14])

        let line = RecordingInterruptLine()
        let copy = UART16550(.com1, interrupt: line, scheduler: b.scheduler, backend: NullSerialBackend())
        try copy.restoreState(saved)
        #expect(copy.saveState() == saved)
        // Both devices now behave the same: the rest of the input, then the character timeout.
        b.advance(by: 2 * c + 4 * c)
        #expect(line.level && b.irq.level)
        func read(_ u: UART16550, _ offset: UInt16) -> UInt8 {
            UInt8(u.ioRead(port: IOPort(0x3F8 + offset), width: .byte))
        }
        #expect(read(copy, UARTReg.iir) == 0xCC && read(b.uart, UARTReg.iir) == 0xCC)
        for expected: UInt8 in 0x10...0x14 {
            #expect(read(copy, UARTReg.rx) == expected && read(b.uart, UARTReg.rx) == expected)
        }
        #expect(copy.saveState() == b.uart.saveState())
    }

    @Test("a corrupt saved state is refused and leaves the UART unchanged")
    func corruptStateRefused() {
        let b = UARTBench()
        b.outb(UARTReg.fcr, 0x01)
        let good = b.uart.saveState()
        var tooMany = good
        tooMany.receiveFIFO = [UInt8](repeating: 0, count: 17)
        tooMany.receiveErrors = [UInt8](repeating: 0, count: 17)
        var mismatched = good
        mismatched.receiveFIFO = [1, 2]
        mismatched.receiveErrors = [0]
        var badIER = good
        badIER.ier = 0x40
        var characterModeFIFO = good
        characterModeFIFO.fifoEnabled = false
        characterModeFIFO.fifoControl = 0
        characterModeFIFO.receiveFIFO = [1, 2]
        characterModeFIFO.receiveErrors = [0, 0]
        var timeoutWithoutData = good
        timeoutWithoutData.characterTimeoutPending = true
        for bad in [tooMany, mismatched, badIER, characterModeFIFO, timeoutWithoutData] {
            let copy = UART16550(.com1, interrupt: RecordingInterruptLine(), scheduler: b.scheduler)
            let before = copy.saveState()
            #expect(throws: SnapshotStateError.self) { try copy.restoreState(bad) }
            #expect(copy.saveState() == before)
        }
        #expect(UART16550.savedStateVersion == 1)
    }
}
