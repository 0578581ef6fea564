import Foundation
import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

@Suite("PIIX3 ISA bridge and PIRQ router")
struct PIIX3ISABridgeTests {
    static let router = PCIBench.devfn(1, 0)

    /// Linux arch/x86/pci/irq.c pirq_piix_get: the route register, or 0 when it is not an IRQ.
    static func pirqPIIXGet(_ b: PCIBench, link: Int) -> Int {
        let x = b.conf1Read(devfn: router, reg: link, len: 1)
        return x < 16 ? Int(x) : 0
    }

    /// pirq_piix_set.
    static func pirqPIIXSet(_ b: PCIBench, link: Int, irq: Int) {
        b.conf1Write(devfn: router, reg: link, len: 1, value: UInt32(irq))
    }

    @Test("00:01.0 is a multi-function PIIX3 ISA bridge, 8086:7000 class 06/01, with datasheet power-on values")
    func identity() {
        let b = PCIBench()
        #expect(b.conf1Read(devfn: Self.router, reg: 0x00, len: 4) == 0x7000_8086)
        #expect(b.conf1Read(devfn: Self.router, reg: 0x08, len: 4) >> 8 == 0x06_0100)
        #expect(b.conf1Read(devfn: Self.router, reg: 0x0E, len: 1) == 0x80)
        #expect(b.conf1Read(devfn: Self.router, reg: 0x04, len: 4) == 0x0200_0007)
        #expect(b.conf1Read(devfn: Self.router, reg: 0x60, len: 4) == 0x8080_8080)
        #expect(b.conf1Read(devfn: Self.router, reg: 0x69, len: 1) == 0x02)  // TOM
        #expect(b.conf1Read(devfn: Self.router, reg: 0x4C, len: 4) == 0x0003_004D)  // IORT, XBCS
        b.conf1Write(devfn: Self.router, reg: 0x69, len: 1, value: 0xF2)
        #expect(b.conf1Read(devfn: Self.router, reg: 0x69, len: 1) == 0xF2)
    }

    @Test("Linux's PIIX router reads unrouted links as 0 and gets back the IRQ it set; reserved bits read 0")
    func linuxRouterAccess() {
        let b = PCIBench()
        for link in 0x60...0x63 { #expect(Self.pirqPIIXGet(b, link: link) == 0) }
        Self.pirqPIIXSet(b, link: 0x61, irq: 11)
        #expect(Self.pirqPIIXGet(b, link: 0x61) == 11)
        #expect(b.isa.routedIRQ(pirq: 1) == 11)
        b.conf1Write(devfn: Self.router, reg: 0x62, len: 1, value: 0xFA)  // disabled, bits 6:4 reserved
        #expect(b.conf1Read(devfn: Self.router, reg: 0x62, len: 1) == 0x8A)
        #expect(b.isa.routedIRQ(pirq: 2) == nil)
    }

    @Test("the board swizzle sends INTx# pin p of slot d to PIRQ (d + p - 1) mod 4")
    func swizzle() {
        #expect(PIIX3ISABridge.pirq(device: 1, pin: .intA) == 1)
        #expect(PIIX3ISABridge.pirq(device: 2, pin: .intA) == 2)
        #expect(PIIX3ISABridge.pirq(device: 3, pin: .intA) == 3)
        #expect(PIIX3ISABridge.pirq(device: 4, pin: .intA) == 0)
        #expect(PIIX3ISABridge.pirq(device: 3, pin: .intB) == 0)
        #expect(PIIX3ISABridge.pirq(device: 5, pin: .intD) == 0)
        #expect(PIIX3ISABridge.pirq(device: 31, pin: .intC) == 1)
    }

    @Test("a device's INTA# reaches the PIC input its PIRQ is routed to and follows the level")
    func intxReachesRoutedIRQ() {
        let b = PCIBench()
        let intx = b.device!.config.intx
        intx.raise()  // unrouted: nothing on the ISA side
        #expect(b.irqs.allSatisfy { !$0.level && $0.history.isEmpty })
        #expect(b.ioAPIC[3].level)  // the I/O APIC pin sees PIRQD regardless
        Self.pirqPIIXSet(b, link: 0x63, irq: 11)  // slot 3 INTA# = PIRQD
        #expect(b.irqs[11].level)
        intx.lower()
        #expect(!b.irqs[11].level && !b.ioAPIC[3].level)
        intx.raise()
        #expect(b.irqs[11].history == [true, false, true])
        #expect(b.irqs.enumerated().allSatisfy { $0.offset == 11 || $0.element.history.isEmpty })
    }

    @Test("a shared PIRQ stays asserted until every device on it releases its INTx#")
    func sharedLevel() {
        let b = PCIBench()
        let first = b.isa.intxLine(device: 4, pin: .intA)  // PIRQA
        let second = b.isa.intxLine(device: 3, pin: .intB)  // PIRQA too
        Self.pirqPIIXSet(b, link: 0x60, irq: 10)
        first.raise()
        second.raise()
        first.lower()
        #expect(b.irqs[10].level)
        first.raise()
        first.raise()  // no new edge
        second.lower()
        #expect(b.irqs[10].level)
        first.lower()
        #expect(!b.irqs[10].level)
        #expect(b.irqs[10].history == [true, false])
    }

    @Test("two PIRQs routed to one IRQ are ORed onto it")
    func twoPIRQsOneIRQ() {
        let b = PCIBench()
        let a = b.isa.pirqLine(0), c = b.isa.pirqLine(2)
        Self.pirqPIIXSet(b, link: 0x60, irq: 9)
        Self.pirqPIIXSet(b, link: 0x62, irq: 9)
        a.raise()
        c.raise()
        a.lower()
        #expect(b.irqs[9].level)
        c.lower()
        #expect(!b.irqs[9].level)
        #expect(b.irqs[9].risingEdges == 1)
    }

    @Test("rerouting moves an asserted level to the new IRQ; disabling routing or a reserved IRQ value drops it")
    func rerouting() {
        let b = PCIBench()
        let line = b.isa.pirqLine(1)
        Self.pirqPIIXSet(b, link: 0x61, irq: 5)
        line.raise()
        #expect(b.irqs[5].level)
        Self.pirqPIIXSet(b, link: 0x61, irq: 12)
        #expect(!b.irqs[5].level && b.irqs[12].level)
        for reserved in [0, 1, 2, 8, 13] {
            Self.pirqPIIXSet(b, link: 0x61, irq: reserved)
            #expect(b.irqs.allSatisfy { !$0.level }, "IRQ value \(reserved)")
        }
        Self.pirqPIIXSet(b, link: 0x61, irq: 14)
        #expect(b.irqs[14].level)
        b.conf1Write(devfn: Self.router, reg: 0x61, len: 1, value: 0x8E)
        #expect(!b.irqs[14].level)
        #expect(b.irqs[2].history.isEmpty && b.irqs[8].history.isEmpty && b.irqs[13].history.isEmpty)
    }

    @Test("the SCI shares ISA IRQ 9 with a PIRQ routed there")
    func sciSharesIRQ9() {
        let b = PCIBench()
        let sci = b.isa.isaIRQInput(9)
        let pirq = b.isa.pirqLine(0)
        Self.pirqPIIXSet(b, link: 0x60, irq: 9)
        sci.raise()
        pirq.raise()
        sci.lower()
        #expect(b.irqs[9].level)
        pirq.lower()
        #expect(!b.irqs[9].level)
    }

    @Test("reset disables every route and drops the routed level; the wires keep their levels")
    func resetDropsRoutes() {
        let b = PCIBench()
        let line = b.isa.pirqLine(2)
        Self.pirqPIIXSet(b, link: 0x62, irq: 7)
        line.raise()
        #expect(b.irqs[7].level)
        b.isa.reset()
        #expect(!b.irqs[7].level)
        #expect(b.isa.pirqLevel(2))
        Self.pirqPIIXSet(b, link: 0x62, irq: 7)
        #expect(b.irqs[7].level)
    }

    @Test("save, restore into a new bridge: same routes and input levels, and the PIC inputs are driven to match")
    func saveRestore() throws {
        let a = PCIBench()
        Self.pirqPIIXSet(a, link: 0x63, irq: 11)
        Self.pirqPIIXSet(a, link: 0x60, irq: 5)
        a.device!.config.intx.raise()
        a.conf1Write(devfn: Self.router, reg: 0x4E, len: 2, value: 0x0043)
        let saved = a.isa.saveState()
        let decoded = try JSONDecoder().decode(PIIX3ISABridge.SavedState.self, from: JSONEncoder().encode(saved))

        let b = PCIBench()
        try b.isa.restoreState(decoded)
        #expect(b.isa.saveState() == saved)
        #expect(b.irqs[11].level && !b.irqs[5].level)
        #expect(b.ioAPIC[3].level)
        #expect(b.conf1Read(devfn: Self.router, reg: 0x4E, len: 2) == 0x0043)
        // The restored input belongs to the device in slot 3: lowering it releases IRQ 11.
        b.device!.config.intx.raise()
        b.device!.config.intx.lower()
        #expect(!b.irqs[11].level)
    }

    @Test("a saved bridge with other wiring or reserved route bits is refused and changes nothing")
    func corruptRefused() {
        let good = PCIBench().isa.saveState()
        var reservedBits = good
        reservedBits.config.bytes[0x60] = 0x9B
        var extraInput = good
        extraInput.inputs.append(.init(pirq: 0, isaIRQ: nil, level: true))
        var rewired = good
        rewired.inputs[0].pirq = rewired.inputs[0].pirq.map { ($0 + 1) % 4 }
        rewired.inputs[0].isaIRQ = rewired.inputs[0].isaIRQ.map { $0 == 9 ? 10 : 9 }
        let b = PCIBench()
        Self.pirqPIIXSet(b, link: 0x61, irq: 3)
        let before = b.isa.saveState()
        for bad in [reservedBits, extraInput, rewired] {
            #expect(throws: SnapshotStateError.self) { try b.isa.restoreState(bad) }
        }
        #expect(b.isa.saveState() == before)
    }
}
