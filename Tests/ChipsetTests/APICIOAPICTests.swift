import EmulatorCore
import Testing
@testable import Chipset

@Suite("I/O APIC (82093AA)")
struct APICIOAPICTests {
    @Test("IOAPICVER reads 0x00170011; the ID is writable in bits 27:24 and loads the arbitration ID")
    func identificationRegisters() {
        let b = IOAPICBench()
        #expect(b.read(0x01) == 0x0017_0011)
        #expect(b.read(0x00) == 0x0200_0000)
        #expect(b.read(0x02) == 0x0200_0000)
        b.write(0x00, 0xFFFF_FFFF)  // Linux io_apic_get_unique_id writes reg_00.bits.ID
        #expect(b.read(0x00) == 0x0F00_0000)
        b.write(0x00, 0x0500_0000)
        #expect(b.read(0x00) == 0x0500_0000)
        #expect(b.read(0x02) == 0x0500_0000)
        b.write(0x01, 0)  // read-only
        #expect(b.read(0x01) == 0x0017_0011)
        #expect(b.read(0x40) == 0)  // no such register
        #expect(b.ioapic.mmioRead(offset: 0x00, width: .dword) == 0x40)  // IOREGSEL reads back
        #expect(b.ioapic.mmioRead(offset: 0x20, width: .dword) == 0xFFFF_FFFF)  // not decoded
    }

    @Test("every redirection entry powers on masked, and a masked pin sends nothing")
    func powerOnMasked() {
        let b = IOAPICBench()
        for pin in 0..<24 { #expect(b.readEntry(pin) == 0x1_0000) }
        b.ioapic.pin(3).pulse()
        b.ioapic.pin(4).raise()
        #expect(b.messages.isEmpty)
    }

    @Test("redirection entries keep vector, delivery mode, destination mode, polarity, trigger, mask and destination; status bits are read-only")
    func entryFields() {
        let b = IOAPICBench()
        b.writeEntry(5, 0xFFFF_FFFF_FFFF_FFFF)
        #expect(b.readEntry(5) == 0xFF00_0000_0001_AFFF)
        b.writeEntry(5, 0x0300_0000_0000_0000 | RTE.masked | RTE.level | 0x0100 | 0x39)
        #expect(b.readEntry(5) == 0x0300_0000_0001_8139)
    }

    @Test("an edge-triggered pin sends one fixed message per rising edge to the local APIC")
    func edgePin() {
        let b = IOAPICBench()
        b.apic.linuxSetup(lint0: 0x1_0700)
        b.writeEntry(1, RTE.linux(vector: 0x31, level: false, activeLow: false))
        b.ioapic.pin(1).raise()
        #expect(b.messages == [APICMessage(vector: 0x31, deliveryMode: .fixed, logicalDestination: true,
                                           destination: 0x01, levelTriggered: false)])
        #expect(b.apic.intr)
        #expect(b.apic.takeInterrupt() == 0x31)
        b.apic.write(APICReg.eoi, 0)
        #expect(b.apic.eoiBroadcasts.isEmpty)
        b.ioapic.pin(1).raise()  // still high: no edge
        #expect(b.messages.count == 1)
        b.ioapic.pin(1).lower()
        b.ioapic.pin(1).raise()
        #expect(b.messages.count == 2)
        #expect(b.readEntry(1) & (RTE.remoteIRR | RTE.deliveryStatus) == 0)
    }

    @Test("edges on a masked pin are dropped, not held until it is unmasked")
    func maskedEdgeDropped() {
        let b = IOAPICBench()
        b.apic.linuxSetup(lint0: 0x1_0700)
        b.writeEntry(1, RTE.linux(vector: 0x31, level: false, activeLow: false, masked: true))
        b.ioapic.pin(1).pulse()
        b.writeEntry(1, RTE.linux(vector: 0x31, level: false, activeLow: false))
        #expect(b.messages.isEmpty && !b.apic.intr)
    }

    @Test("a level-triggered pin sets Remote IRR; the EOI broadcast clears it and the interrupt comes again while the pin stays asserted")
    func levelPinRemoteIRRAndRedelivery() {
        let b = IOAPICBench()
        b.apic.linuxSetup(lint0: 0x1_0700)
        b.writeEntry(16, RTE.linux(vector: 0x41, level: true, activeLow: true))
        #expect(b.messages.isEmpty)
        b.ioapic.pin(16).raise()
        #expect(b.messages.count == 1 && b.messages[0].levelTriggered)
        #expect(b.readEntry(16) & RTE.remoteIRR != 0)
        #expect(b.apic.bit(APICReg.tmr, 0x41))
        #expect(b.apic.takeInterrupt() == 0x41)
        b.ioapic.pin(16).raise()
        #expect(b.messages.count == 1)  // Remote IRR holds further messages back
        b.apic.write(APICReg.eoi, 0)  // the device has not been serviced yet
        #expect(b.apic.eoiBroadcasts == [0x41])
        #expect(b.messages.count == 2)
        #expect(b.readEntry(16) & RTE.remoteIRR != 0)
        #expect(b.apic.takeInterrupt() == 0x41)
        b.ioapic.pin(16).lower()  // the handler clears the device's interrupt
        b.apic.write(APICReg.eoi, 0)
        #expect(b.readEntry(16) & RTE.remoteIRR == 0)
        #expect(b.messages.count == 2)
        #expect(!b.apic.intr)
        b.ioapic.pin(16).raise()
        #expect(b.messages.count == 3)
    }

    @Test("Linux's EOI for I/O APICs without an EOI register (mask, switch to edge, restore) clears Remote IRR and re-delivers an asserted line")
    func linuxEdgeSwitchEOI() {
        let b = IOAPICBench()
        b.apic.linuxSetup(lint0: 0x1_0700)
        let entry = RTE.linux(vector: 0x41, level: true, activeLow: true)
        b.writeEntry(16, entry)
        b.ioapic.pin(16).raise()
        #expect(b.apic.takeInterrupt() == 0x41)
        #expect(b.readEntry(16) & RTE.remoteIRR != 0)
        // __eoi_ioapic_pin: entry1.masked = true; entry1.is_level = false; write; write entry.
        b.writeEntry(16, (entry | RTE.masked) & ~RTE.level)
        #expect(b.readEntry(16) & RTE.remoteIRR == 0)
        #expect(b.messages.count == 1)
        b.writeEntry(16, entry)
        #expect(b.messages.count == 2)  // still asserted: sent again
        #expect(b.readEntry(16) & RTE.remoteIRR != 0)
    }

    @Test("unmasking a level-triggered pin that is asserted sends its interrupt; level changes while masked have no effect")
    func unmaskAssertedLevelPin() {
        let b = IOAPICBench()
        b.apic.linuxSetup(lint0: 0x1_0700)
        b.writeEntry(9, RTE.linux(vector: 0x39, level: true, activeLow: false, masked: true))
        b.ioapic.pin(9).raise()
        #expect(b.messages.isEmpty)
        #expect(b.readEntry(9) & RTE.remoteIRR == 0)
        b.writeEntry(9, RTE.linux(vector: 0x39, level: true, activeLow: false))
        #expect(b.messages.count == 1)
        #expect(b.apic.takeInterrupt() == 0x39)
    }

    @Test("a message no local APIC accepts leaves Remote IRR clear and is offered again at the next EOI or entry write")
    func unacceptedLevelMessage() {
        let b = IOAPICBench()
        b.apic.linuxSetup(lint0: 0x1_0700)
        var e = RTE.linux(vector: 0x41, level: true, activeLow: true)
        e = (e & ~(0xFF << 56)) | 0x02 << 56  // logical destination 0x02: not CPU 0
        b.writeEntry(16, e)
        b.ioapic.pin(16).raise()
        #expect(b.messages.count == 1)
        #expect(b.readEntry(16) & RTE.remoteIRR == 0)
        #expect(!b.apic.intr)
        b.writeEntry(16, RTE.linux(vector: 0x41, level: true, activeLow: true))  // retarget to CPU 0
        #expect(b.messages.count == 2)
        #expect(b.readEntry(16) & RTE.remoteIRR != 0)
        #expect(b.apic.takeInterrupt() == 0x41)
    }

    @Test("NMI and ExtINT entries: NMI raises the CPU's NMI; ExtINT makes the local APIC run the INTA cycle on the 8259A")
    func nmiAndExtINTEntries() {
        let b = IOAPICBench()
        b.apic.linuxSetup(lint0: 0x1_0700)
        b.writeEntry(3, RTE.linux(vector: 0, level: false, activeLow: false) | 0x400)
        b.ioapic.pin(3).pulse()
        #expect(b.apic.nmiCount == 1)
        // Linux check_timer's "ExtINT through the I/O APIC": pin 0 carries the 8259A's INTR.
        let pic = makeLinuxPIC(driving: b.apic.lapic)
        b.apic.write(APICReg.lvt0, APICBits.masked | APICBits.dmExtINT)
        b.writeEntry(0, RTE.linux(vector: 0x30, level: false, activeLow: false) | 0x700)
        pic.irq(0).raise()
        b.ioapic.pin(0).setLevel(pic.intrOutput)
        #expect(b.apic.intr)
        #expect(b.apic.takeInterrupt() == 0x20)
        #expect(!b.apic.intr)
    }
}
