import Foundation
import Testing
import EmulatorCore
@testable import Chipset

/// A PIC with its INTR output recorded, driven through ports like Linux's i8259.c does.
private final class PICBench {
    let pic: PIC
    private(set) var intr = false
    private(set) var intrChanges = 0

    init() {
        var setter: ((Bool) -> Void)?
        pic = PIC(setINTR: { setter?($0) })
        setter = { [unowned self] level in
            self.intr = level
            self.intrChanges += 1
        }
    }

    func outb(_ port: UInt16, _ value: UInt8) {
        pic.ioWrite(port: IOPort(port), width: .byte, value: UInt32(value))
    }

    func inb(_ port: UInt16) -> UInt8 {
        UInt8(pic.ioRead(port: IOPort(port), width: .byte))
    }

    /// Linux `init_8259A(0)`: mask everything, ICW1–ICW4 on both chips, then the masks.
    func linuxInit(masterMask: UInt8 = 0xFB, slaveMask: UInt8 = 0xFF, masterICW4: UInt8 = 0x01) {
        outb(0x21, 0xFF)
        outb(0xA1, 0xFF)
        outb(0x20, 0x11)  // ICW1: edge, cascade, ICW4 follows
        outb(0x21, 0x20)  // ICW2: IRQ0-7 at vectors 0x20-0x27
        outb(0x21, 0x04)  // ICW3: slave on IR2
        outb(0x21, masterICW4)  // ICW4: 8086 mode
        outb(0xA0, 0x11)
        outb(0xA1, 0x28)  // IRQ8-15 at vectors 0x28-0x2F
        outb(0xA1, 0x02)  // slave ID 2
        outb(0xA1, 0x01)
        outb(0x21, masterMask)
        outb(0xA1, slaveMask)
    }

    /// Linux `i8259A_irq_real`'s way of reading ISR: OCW3 0x0B, read, back to IRR with 0x0A.
    func isr(slave: Bool = false) -> UInt8 {
        let command: UInt16 = slave ? 0xA0 : 0x20
        outb(command, 0x0B)
        defer { outb(command, 0x0A) }
        return inb(command)
    }

    func irr(slave: Bool = false) -> UInt8 {
        let command: UInt16 = slave ? 0xA0 : 0x20
        outb(command, 0x0A)
        return inb(command)
    }

    /// Linux `mask_and_ack_8259A`'s specific EOIs.
    func linuxEOI(irq: Int) {
        if irq >= 8 {
            outb(0xA0, 0x60 | UInt8(irq & 7))
            outb(0x20, 0x62)
        } else {
            outb(0x20, 0x60 | UInt8(irq))
        }
    }
}

@Suite("PIC (8259A pair)")
struct PICTests {
    @Test("the Linux init sequence sets vector bases 0x20/0x28 and leaves the masks as written")
    func linuxInitialization() {
        let b = PICBench()
        b.linuxInit(masterMask: 0xFA, slaveMask: 0xBF)
        #expect(b.inb(0x21) == 0xFA)
        #expect(b.inb(0xA1) == 0xBF)
        #expect(b.isr() == 0 && b.isr(slave: true) == 0)
        #expect(!b.intr)
        #expect(b.pic.master.vectorBase == 0x20 && b.pic.slave.vectorBase == 0x28)
        #expect(b.pic.master.initStep == .ready && b.pic.slave.initStep == .ready)
    }

    @Test("IRQ0 is delivered, acknowledged as vector 0x20 and ended by a specific EOI")
    func irq0DeliveredAndAcknowledged() {
        let b = PICBench()
        b.linuxInit(masterMask: 0xFA)
        b.pic.irq(0).raise()
        #expect(b.intr)
        #expect(b.irr() & 0x01 != 0)
        #expect(b.pic.acknowledgeInterrupt() == 0x20)
        #expect(!b.intr)
        #expect(b.isr() == 0x01)
        #expect(b.irr() & 0x01 == 0)
        b.pic.irq(0).lower()
        b.linuxEOI(irq: 0)
        #expect(b.isr() == 0)
        #expect(!b.intr)
    }

    @Test("a masked IRQ does not raise INTR until it is unmasked")
    func maskAndUnmask() {
        let b = PICBench()
        b.linuxInit(masterMask: 0xFB)
        b.pic.irq(1).raise()
        #expect(!b.intr)
        #expect(b.irr() & 0x02 != 0)  // still requested, only masked
        b.outb(0x21, 0xF9)
        #expect(b.intr)
        b.outb(0x21, 0xFB)
        #expect(!b.intr)
        b.outb(0x21, 0xF9)
        #expect(b.pic.acknowledgeInterrupt() == 0x21)
    }

    @Test("slave IRQ8 cascades through master IR2 and is acknowledged as vector 0x28")
    func slaveCascade() {
        let b = PICBench()
        b.linuxInit(masterMask: 0xFB, slaveMask: 0xFE)
        b.pic.irq(8).pulse()
        #expect(b.intr)
        #expect(b.pic.acknowledgeInterrupt() == 0x28)
        #expect(b.isr() == 0x04)
        #expect(b.isr(slave: true) == 0x01)
        #expect(!b.intr)
        b.linuxEOI(irq: 8)
        #expect(b.isr() == 0 && b.isr(slave: true) == 0)
        #expect(!b.intr)
    }

    @Test("a device wired to ISA IRQ2 arrives on IRQ9 as on the AT bus")
    func irq2IsIRQ9() {
        let b = PICBench()
        b.linuxInit(masterMask: 0xFB, slaveMask: 0xFD)
        #expect(b.pic.irq(2) === b.pic.irq(9))
        b.pic.irq(2).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x29)
    }

    @Test("a higher-priority IRQ nests over one in service and a lower one waits for the EOI")
    func fullyNestedPriority() {
        let b = PICBench()
        b.linuxInit(masterMask: 0x00)
        b.pic.irq(3).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x23)
        b.pic.irq(5).pulse()
        #expect(!b.intr)  // IR5 is below IR3 in service
        b.pic.irq(1).pulse()
        #expect(b.intr)
        #expect(b.pic.acknowledgeInterrupt() == 0x21)
        #expect(b.isr() == 0x0A)
        b.outb(0x20, 0x20)  // non-specific EOI ends the highest level, IR1
        #expect(b.isr() == 0x08)
        #expect(!b.intr)
        b.outb(0x20, 0x20)
        #expect(b.isr() == 0)
        #expect(b.intr)
        #expect(b.pic.acknowledgeInterrupt() == 0x25)
    }

    @Test("an edge-triggered IRQ stays latched until acknowledged even after its line falls")
    func edgeLatched() {
        let b = PICBench()
        b.linuxInit(masterMask: 0xEB)
        b.pic.irq(4).raise()
        b.pic.irq(4).lower()
        #expect(b.intr)
        #expect(b.pic.acknowledgeInterrupt() == 0x24)
        b.linuxEOI(irq: 4)
        b.pic.irq(4).raise()  // a new edge
        #expect(b.pic.acknowledgeInterrupt() == 0x24)
        b.linuxEOI(irq: 4)
        // The line is still high after this EOI, but in edge mode that is no new request.
        #expect(!b.intr)
    }

    @Test("a level-triggered IRQ (ELCR) stays pending until its line is lowered")
    func levelTriggeredStaysPending() {
        let b = PICBench()
        b.linuxInit(masterMask: 0xFB, slaveMask: 0xFB)
        b.outb(0x4D1, 0x04)  // IRQ10 level-triggered, as a PCI INTx line
        #expect(b.inb(0x4D1) == 0x04)
        b.pic.irq(10).raise()
        #expect(b.pic.acknowledgeInterrupt() == 0x2A)
        #expect(!b.intr)
        b.linuxEOI(irq: 10)
        #expect(b.intr)  // the device has not been serviced yet
        #expect(b.pic.acknowledgeInterrupt() == 0x2A)
        b.pic.irq(10).lower()  // the handler clears the device's interrupt
        b.linuxEOI(irq: 10)
        #expect(!b.intr)
        #expect(b.irr(slave: true) == 0)
    }

    @Test("ICW1 LTIM makes every input of that chip level-triggered")
    func ltimLevelMode() {
        let b = PICBench()
        b.outb(0x20, 0x19)  // ICW1 with LTIM
        b.outb(0x21, 0x20)
        b.outb(0x21, 0x04)
        b.outb(0x21, 0x01)
        b.outb(0x21, 0xF7)
        b.pic.irq(3).raise()
        b.pic.irq(3).lower()
        #expect(!b.intr)
        b.pic.irq(3).raise()
        #expect(b.pic.acknowledgeInterrupt() == 0x23)
        b.outb(0x20, 0x20)
        #expect(b.intr)
    }

    @Test("ELCR keeps IRQ0, 1, 2, 8 and 13 edge-triggered")
    func elcrReservedBits() {
        let b = PICBench()
        b.outb(0x4D0, 0xFF)
        b.outb(0x4D1, 0xFF)
        #expect(b.inb(0x4D0) == 0xF8)
        #expect(b.inb(0x4D1) == 0xDE)
    }

    @Test("a level request that goes away before INTA gives spurious IRQ7 without setting ISR")
    func spuriousIRQ7() {
        let b = PICBench()
        b.linuxInit(masterMask: 0xDB)
        b.outb(0x4D0, 0x20)  // IRQ5 level-triggered
        b.pic.irq(5).raise()
        #expect(b.intr)
        b.pic.irq(5).lower()
        #expect(b.pic.acknowledgeInterrupt() == 0x27)
        #expect(b.isr() == 0)  // Linux: i8259A_irq_real(7) is false, so it is spurious
        #expect(!b.intr)
    }

    @Test("a slave request that goes away gives spurious IRQ15 with master IR2 left in service")
    func spuriousIRQ15() {
        let b = PICBench()
        b.linuxInit(masterMask: 0xFB, slaveMask: 0xF7)
        b.outb(0x4D1, 0x08)  // IRQ11 level-triggered
        b.pic.irq(11).raise()
        #expect(b.intr)
        b.pic.irq(11).lower()
        // The master latched the cascade edge, so it still asks the slave, which has nothing.
        #expect(b.pic.acknowledgeInterrupt() == 0x2F)
        #expect(b.isr(slave: true) == 0)
        #expect(b.isr() == 0x04)
        b.outb(0x20, 0x62)  // the master still needs its EOI
        #expect(b.isr() == 0)
        #expect(!b.intr)
    }

    @Test("with nothing pending an acknowledge answers the master's IR7 vector")
    func acknowledgeWithNothingPending() {
        let b = PICBench()
        b.linuxInit()
        #expect(b.pic.acknowledgeInterrupt() == 0x27)
        #expect(b.isr() == 0)
    }

    @Test("poll mode returns the highest pending level and acknowledges it")
    func pollMode() {
        let b = PICBench()
        b.linuxInit(masterMask: 0x00)
        b.outb(0x20, 0x0C)
        #expect(b.inb(0x20) == 0x00)  // nothing pending
        b.pic.irq(6).pulse()
        b.pic.irq(4).pulse()
        b.outb(0x20, 0x0C)
        #expect(b.inb(0x20) == 0x84)
        #expect(b.isr() == 0x10)
        #expect(b.inb(0x20) == 0x40)  // the poll is over: IRR again
        b.outb(0x20, 0x20)
        b.outb(0x20, 0x0C)
        #expect(b.inb(0x20) == 0x86)
    }

    @Test("OCW3 selects IRR or ISR for command-port reads and IMR is read at the data port")
    func statusReads() {
        let b = PICBench()
        b.linuxInit(masterMask: 0x00)
        b.pic.irq(1).pulse()
        b.pic.irq(3).pulse()
        _ = b.pic.acknowledgeInterrupt()
        b.outb(0x20, 0x0A)
        #expect(b.inb(0x20) == 0x08)
        b.outb(0x20, 0x0B)
        #expect(b.inb(0x20) == 0x02)
        #expect(b.inb(0x20) == 0x02)  // the selection sticks
        b.outb(0x21, 0x5A)
        #expect(b.inb(0x21) == 0x5A)
        // A word read covers both master ports.
        #expect(b.pic.ioRead(port: IOPort(0x20), width: .word) == 0x5A02)
    }

    @Test("auto-EOI leaves ISR clear and rotate-in-auto-EOI makes the served level lowest")
    func autoEOIAndRotation() {
        let b = PICBench()
        b.linuxInit(masterMask: 0x00, masterICW4: 0x03)
        b.pic.irq(1).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x21)
        #expect(b.isr() == 0)
        b.outb(0x20, 0x80)  // rotate in automatic EOI mode (set)
        b.pic.irq(1).pulse()
        b.pic.irq(3).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x21)
        // IR1 is now lowest, so IR3 wins over a new IR1 request.
        b.pic.irq(1).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x23)
        b.outb(0x20, 0x00)  // rotate in automatic EOI mode (clear)
        b.pic.irq(4).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x24)  // IR4 is the highest after IR3 rotated
        #expect(b.pic.acknowledgeInterrupt() == 0x21)  // no rotation: IR1 keeps its place
    }

    @Test("set priority and rotate on EOI change which level wins")
    func specificRotation() {
        let b = PICBench()
        b.linuxInit(masterMask: 0x00)
        b.outb(0x20, 0xC3)  // set priority: IR3 lowest, IR4 highest
        b.pic.irq(1).pulse()
        b.pic.irq(5).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x25)
        b.outb(0x20, 0xA0)  // rotate on non-specific EOI: IR5 becomes lowest, IR6 highest
        #expect(b.isr() == 0)
        b.pic.irq(6).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x26)
        b.outb(0x20, 0xE6)  // rotate on specific EOI of IR6
        b.pic.irq(7).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x27)
        b.outb(0x20, 0x67)
        #expect(b.pic.acknowledgeInterrupt() == 0x21)
    }

    @Test("special mask mode lets lower-priority IRQs in while the in-service level is masked")
    func specialMaskMode() {
        let b = PICBench()
        b.linuxInit(masterMask: 0x00)
        b.pic.irq(1).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x21)
        b.pic.irq(4).pulse()
        #expect(!b.intr)
        b.outb(0x21, 0x02)  // mask the level being served
        b.outb(0x20, 0x68)  // OCW3: set special mask mode
        #expect(b.intr)
        #expect(b.pic.acknowledgeInterrupt() == 0x24)
        b.outb(0x20, 0x20)  // non-specific EOI skips the masked IR1
        #expect(b.isr() == 0x02)
        b.outb(0x20, 0x48)  // reset special mask mode
        b.outb(0x21, 0x00)
        b.outb(0x20, 0x61)
        #expect(b.isr() == 0)
    }

    @Test("special fully nested mode passes a higher slave IRQ while the slave is in service")
    func specialFullyNested() {
        for sfnm in [false, true] {
            let b = PICBench()
            b.linuxInit(masterMask: 0xFB, slaveMask: 0x00, masterICW4: sfnm ? 0x11 : 0x01)
            b.pic.irq(12).pulse()
            #expect(b.pic.acknowledgeInterrupt() == 0x2C)
            b.pic.irq(9).pulse()
            #expect(b.intr == sfnm)
            if sfnm {
                #expect(b.pic.acknowledgeInterrupt() == 0x29)
                #expect(b.isr(slave: true) == 0x12)
            }
        }
    }

    @Test("a second slave request under auto-EOI reaches the master after the first acknowledge")
    func slaveAutoEOIBackToBack() {
        let b = PICBench()
        b.linuxInit(masterMask: 0xFB, slaveMask: 0x00)
        b.outb(0xA0, 0x11)
        b.outb(0xA1, 0x28)
        b.outb(0xA1, 0x02)
        b.outb(0xA1, 0x03)  // slave in auto-EOI
        b.outb(0xA1, 0x00)
        b.pic.irq(9).pulse()
        b.pic.irq(14).pulse()
        #expect(b.pic.acknowledgeInterrupt() == 0x29)
        b.outb(0x20, 0x62)
        #expect(b.intr)
        #expect(b.pic.acknowledgeInterrupt() == 0x2E)
    }

    @Test("ICW1 restarts initialization: IMR and ISR cleared, IRR needs a new edge")
    func reinitialization() {
        let b = PICBench()
        b.linuxInit(masterMask: 0x00)
        b.pic.irq(3).raise()
        _ = b.pic.acknowledgeInterrupt()
        b.pic.irq(5).raise()
        b.outb(0x20, 0x11)
        #expect(b.inb(0x21) == 0x00)
        #expect(b.isr() == 0)
        #expect(b.irr() == 0)  // IR5 is still high but its edge was forgotten
        b.outb(0x21, 0x30)
        b.outb(0x21, 0x04)
        b.outb(0x21, 0x01)
        #expect(!b.intr)
        b.pic.irq(5).lower()
        b.pic.irq(5).raise()
        #expect(b.pic.acknowledgeInterrupt() == 0x35)
    }

    @Test("save, restore into a new PIC, and both behave identically")
    func saveRestoreRoundTrip() throws {
        let a = PICBench()
        a.linuxInit(masterMask: 0x00, slaveMask: 0x00)
        a.outb(0x4D1, 0x20)  // IRQ13 is edge-only; this write is masked to 0
        a.outb(0x4D1, 0x04)
        a.pic.irq(3).pulse()
        #expect(a.pic.acknowledgeInterrupt() == 0x23)
        a.pic.irq(10).raise()
        a.pic.irq(6).pulse()
        a.pic.irq(1).raise()
        a.outb(0x20, 0xC5)  // rotate priorities
        a.outb(0xA0, 0x0B)  // leave the slave reading ISR
        a.outb(0x20, 0x11)  // and the master halfway through its init
        a.outb(0x21, 0x20)

        let saved = a.pic.saveState()
        let data = try JSONEncoder().encode(saved)
        let decoded = try JSONDecoder().decode(PIC.SavedState.self, from: data)
        #expect(decoded == saved)

        let b = PICBench()
        try b.pic.restoreState(decoded)
        #expect(b.pic.saveState() == saved)
        #expect(b.intr == a.intr && b.pic.intrOutput == a.pic.intrOutput)
        #expect(b.intrChanges >= 1)  // restore always drives INTR

        for bench in [a, b] {
            bench.outb(0x21, 0x04)
            bench.outb(0x21, 0x01)
            bench.outb(0x21, 0x00)
            bench.pic.irq(4).pulse()
            bench.pic.irq(1).lower()
            bench.pic.irq(1).raise()
        }
        for _ in 0..<4 {
            #expect(a.pic.acknowledgeInterrupt() == b.pic.acknowledgeInterrupt())
            #expect(a.isr() == b.isr() && a.isr(slave: true) == b.isr(slave: true))
            #expect(a.inb(0xA0) == b.inb(0xA0))
            a.outb(0x20, 0x20)
            b.outb(0x20, 0x20)
        }
        #expect(a.pic.saveState() == b.pic.saveState())
    }

    @Test("a corrupt saved state is refused and leaves the PIC unchanged")
    func corruptStateRefused() {
        let good = PICBench()
        good.linuxInit(masterMask: 0xFA)
        let saved = good.pic.saveState()

        var badStep = saved
        badStep.master.initStep = 9
        var badPriority = saved
        badPriority.slave.lowestPriority = 8
        var badBase = saved
        badBase.master.vectorBase = 0x23
        var badELCR = saved
        badELCR.master.elcr = 0x01
        var badLatch = saved
        badLatch.slave.levelTriggeredMode = true
        badLatch.slave.edgeRequests = 0x10
        var badCascade = saved
        badCascade.master.inputLevels = 0x04

        let b = PICBench()
        b.linuxInit(masterMask: 0x00)
        let before = b.pic.saveState()
        for bad in [badStep, badPriority, badBase, badELCR, badLatch, badCascade] {
            #expect(throws: SnapshotStateError.self) { try b.pic.restoreState(bad) }
        }
        #expect(b.pic.saveState() == before)
    }

    @Test("reset returns to power-on state and keeps the input levels")
    func resetKeepsWiring() {
        let b = PICBench()
        b.linuxInit(masterMask: 0x00)
        b.pic.irq(3).raise()
        #expect(b.intr)
        b.pic.reset()
        #expect(!b.intr)
        #expect(b.inb(0x21) == 0xFF)
        #expect(b.pic.master.inputLevels & 0x08 != 0)
    }
}
