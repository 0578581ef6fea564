// A 16550A on COM1 with a recording IRQ 4 and a buffer backend, driven through its ports.

import EmulatorCore
import TestSupport
@testable import Chipset

/// Register offsets as a driver names them (Linux include/uapi/linux/serial_reg.h).
enum UARTReg {
    static let rx: UInt16 = 0, tx: UInt16 = 0, dll: UInt16 = 0, dlm: UInt16 = 1
    static let ier: UInt16 = 1, iir: UInt16 = 2, fcr: UInt16 = 2, lcr: UInt16 = 3
    static let mcr: UInt16 = 4, lsr: UInt16 = 5, msr: UInt16 = 6, scr: UInt16 = 7
}

final class UARTBench {
    let scheduler = Scheduler()
    let irq = RecordingInterruptLine()
    let backend = BufferSerialBackend()
    let uart: UART16550

    init(_ port: UART16550.StandardPort = .com1) {
        uart = UART16550(port, interrupt: irq, scheduler: scheduler, backend: backend)
    }

    func outb(_ offset: UInt16, _ value: UInt8) {
        uart.ioWrite(port: IOPort(uart.base.value + offset), width: .byte, value: UInt32(value))
    }

    func inb(_ offset: UInt16) -> UInt8 {
        UInt8(uart.ioRead(port: IOPort(uart.base.value + offset), width: .byte))
    }

    func advance(by nanoseconds: UInt64) {
        scheduler.advance(to: scheduler.now + nanoseconds)
    }

    /// What Linux's serial8250_do_set_termios does: divisor with DLAB, then the frame format.
    func configure(divisor: UInt16 = 1, lcr: UInt8 = 0x03) {
        outb(UARTReg.lcr, 0x80 | lcr)
        outb(UARTReg.dll, UInt8(divisor & 0xFF))
        outb(UARTReg.dlm, UInt8(divisor >> 8))
        outb(UARTReg.lcr, lcr)
    }

    /// 8N1 at 115200 bd: 10 bits of 8.68 µs.
    static let characterTime: UInt64 = 86_805
}
