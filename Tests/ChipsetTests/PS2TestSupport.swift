// An 8042 with a recording IRQ 1 and IRQ 12, driven through ports 0x60/0x64 the way Linux does.

import EmulatorCore
import TestSupport
@testable import Chipset

/// Controller commands as Linux's i8042.h encodes them: low byte the command, bits 11-8 the
/// number of bytes returned, bits 15-12 the number of data bytes sent.
enum I8042 {
    static let readCTR: UInt16 = 0x0120
    static let writeCTR: UInt16 = 0x1060
    static let selfTest: UInt16 = 0x01AA
    static let keyboardTest: UInt16 = 0x01AB
    static let keyboardDisable: UInt16 = 0x00AD
    static let keyboardEnable: UInt16 = 0x00AE
    static let auxDisable: UInt16 = 0x00A7
    static let auxEnable: UInt16 = 0x00A8
    static let auxTest: UInt16 = 0x01A9
    static let auxSend: UInt16 = 0x10D4
    static let auxLoop: UInt16 = 0x11D3
    static let keyboardLoop: UInt16 = 0x11D2

    // Status and command byte bits.
    static let obf: UInt8 = 0x01, ibf: UInt8 = 0x02, sys: UInt8 = 0x04, a2: UInt8 = 0x08
    static let notLocked: UInt8 = 0x10, auxData: UInt8 = 0x20
    static let kbdInt: UInt8 = 0x01, auxInt: UInt8 = 0x02, kbdDis: UInt8 = 0x10, auxDis: UInt8 = 0x20
    static let xlate: UInt8 = 0x40
}

/// A byte the guest read in its interrupt handler.
struct PS2Received: Equatable, CustomStringConvertible {
    var byte: UInt8
    var fromAux: Bool
    /// The interrupt line that was high when the handler read it.
    var irq: Int

    var description: String {
        "\(fromAux ? "aux" : "kbd") 0x\(String(byte, radix: 16)) (IRQ \(irq))"
    }
}

final class PS2Bench {
    let scheduler: Scheduler
    let irq1 = RecordingInterruptLine()
    let irq12 = RecordingInterruptLine()
    private(set) var a20Changes: [Bool] = []
    private(set) var resetRequests = 0
    var controller: PS2Controller!

    var keyboard: PS2Keyboard { controller.keyboard }
    var mouse: PS2Mouse { controller.mouse }

    init(scheduler: Scheduler = Scheduler(), byteTransferTime: UInt64 = PS2Controller.defaultByteTransferTime) {
        self.scheduler = scheduler
        controller = PS2Controller(
            scheduler: scheduler, keyboardInterrupt: irq1, mouseInterrupt: irq12,
            setA20: { [unowned self] on in a20Changes.append(on) },
            resetCPU: { [unowned self] in resetRequests += 1 },
            byteTransferTime: byteTransferTime)
    }

    func outb(_ port: UInt16, _ value: UInt8) {
        controller.ioWrite(port: IOPort(port), width: .byte, value: UInt32(value))
    }

    func inb(_ port: UInt16) -> UInt8 {
        UInt8(controller.ioRead(port: IOPort(port), width: .byte))
    }

    var status: UInt8 { inb(0x64) }

    func advance(by nanoseconds: UInt64) {
        scheduler.advance(to: scheduler.now + nanoseconds)
    }

    /// `udelay(50)`.
    func udelay50() { advance(by: 50_000) }

    /// i8042_wait_read: poll OBF with udelay(50) between polls, 10000 polls at most.
    func waitRead() -> Bool {
        for _ in 0..<10_000 {
            if status & I8042.obf != 0 { return true }
            udelay50()
        }
        return false
    }

    /// i8042_flush: read while OBF, at most 16 bytes; false if more kept coming.
    @discardableResult
    func flush() -> Bool {
        var count = 0
        while status & I8042.obf != 0 {
            if count >= 16 { return false }
            count += 1
            udelay50()
            _ = inb(0x60)
        }
        return true
    }

    /// __i8042_command: write the command, its parameters, then read its results (nil on timeout
    /// or, for the aux loopback, data that did not come from the aux port).
    func command(_ command: UInt16, _ params: [UInt8] = []) -> [UInt8]? {
        outb(0x64, UInt8(command & 0xFF))
        for p in params.prefix(Int(command >> 12) & 0xF) { outb(0x60, p) }
        var results: [UInt8] = []
        for _ in 0..<(Int(command >> 8) & 0xF) {
            guard waitRead() else { return nil }
            if command == I8042.auxLoop && status & I8042.auxData == 0 { return nil }
            results.append(inb(0x60))
        }
        return results
    }

    func readCTR() -> UInt8 { command(I8042.readCTR)![0] }
    func writeCTR(_ ctr: UInt8) { _ = command(I8042.writeCTR, [ctr]) }

    /// Runs time forward in 10 µs steps for `duration`, acting as the IRQ 1 / IRQ 12 handler
    /// (i8042_interrupt: read status, then data if OBF) whenever a line is high.
    func serviceInterrupts(for duration: UInt64 = 5_000_000) -> [PS2Received] {
        var received: [PS2Received] = []
        let end = scheduler.now + duration
        while scheduler.now < end {
            if irq1.level || irq12.level {
                let line = irq1.level ? 1 : 12
                let s = status
                if s & I8042.obf != 0 {
                    received.append(PS2Received(byte: inb(0x60), fromAux: s & I8042.auxData != 0, irq: line))
                    continue
                }
            }
            advance(by: 10_000)
        }
        return received
    }

    /// The bytes alone.
    func interruptBytes(for duration: UInt64 = 5_000_000) -> [UInt8] {
        serviceInterrupts(for: duration).map(\.byte)
    }

    /// i8042_kbd_write then the replies, as atkbd's ps2_command sees them through IRQ 1.
    func keyboardCommand(_ bytes: UInt8...) -> [UInt8] {
        var replies: [UInt8] = []
        for b in bytes {
            outb(0x60, b)
            replies += interruptBytes(for: 2_000_000)
        }
        return replies
    }

    /// i8042_aux_write (0xD4 then the byte) for each byte, then the replies through IRQ 12.
    func mouseCommand(_ bytes: UInt8...) -> [UInt8] {
        var replies: [UInt8] = []
        for b in bytes {
            _ = command(I8042.auxSend, [b])
            replies += interruptBytes(for: 2_000_000)
        }
        return replies
    }

    /// The i8042 probe up to the point where both ports are enabled with interrupts on, as
    /// i8042_controller_init, i8042_setup_aux and i8042_setup_kbd leave the controller.
    func linuxProbe() {
        _ = flush()
        var ctr = readCTR()
        ctr = (ctr | I8042.kbdDis) & ~I8042.kbdInt
        writeCTR(ctr)
        flush()
        ctr = (ctr & ~I8042.auxDis) | I8042.auxInt
        writeCTR(ctr)
        ctr = (ctr & ~I8042.kbdDis) | I8042.kbdInt
        writeCTR(ctr)
        irq1.clearHistory()
        irq12.clearHistory()
    }
}
