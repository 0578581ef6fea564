import EmulatorCore
import Foundation
import Testing
@testable import Chipset

@Suite("APIC save and restore")
struct APICSavedStateTests {
    /// A local APIC mid-run: Linux setup, a periodic timer, a level vector in service, one
    /// requested, TPR and LDR set, an error collected, LINT0 high.
    private func busyAPIC() -> LocalAPICBench {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: APICBits.masked | APICBits.dmExtINT)
        b.write(APICReg.taskpri, 0x20)
        b.lapic.receive(APICMessage(vector: 0x51, deliveryMode: .fixed, logicalDestination: true,
                                    destination: 0x01, levelTriggered: true))
        #expect(b.takeInterrupt() == 0x51)
        b.lapic.receive(APICMessage(vector: 0x41, deliveryMode: .fixed, logicalDestination: false,
                                    destination: 0, levelTriggered: false))
        b.write(APICReg.icr2, 0x0300_0000)
        b.write(APICReg.icr, 0x46)  // to an absent APIC: Send Accept Error collected
        b.linuxSetupLVTT(clocks: 16 * 1000, oneshot: false, irqen: true)
        b.lapic.lint0.raise()
        b.advance(to: 1_234_567)
        return b
    }

    @Test("a local APIC saved mid-run and restored into a new one reads the same and interrupts at the same times")
    func localAPICRoundTrip() throws {
        let a = busyAPIC()
        let saved = a.lapic.saveState()
        // Through the wire format, as a snapshot would carry it.
        let decoded = try JSONDecoder().decode(LocalAPIC.SavedState.self, from: JSONEncoder().encode(saved))
        #expect(decoded == saved)

        let b = LocalAPICBench()
        b.advance(to: 1_234_567)
        try b.lapic.restoreState(decoded)
        #expect(b.lapic.saveState() == saved)
        #expect(b.scheduler.nextDeadline == a.scheduler.nextDeadline)
        #expect(b.intr == a.intr)
        for offset: UInt32 in [APICReg.taskpri, APICReg.procpri, APICReg.arbpri, APICReg.ldr, APICReg.spiv,
                               APICReg.lvtt, APICReg.lvt0, APICReg.lvterr, APICReg.tmict, APICReg.tmcct,
                               APICReg.tdcr, APICReg.icr, APICReg.icr2] {
            #expect(b.read(offset) == a.read(offset), "register 0x\(String(offset, radix: 16))")
        }
        for i in 0..<8 {
            #expect(b.word(APICReg.isr, i) == a.word(APICReg.isr, i))
            #expect(b.word(APICReg.irr, i) == a.word(APICReg.irr, i))
            #expect(b.word(APICReg.tmr, i) == a.word(APICReg.tmr, i))
        }
        b.write(APICReg.esr, 0)
        #expect(b.read(APICReg.esr) == 0x04)
        // Both run on identically.
        for bench in [a, b] {
            bench.write(APICReg.eoi, 0)  // ends 0x51: a level EOI
            bench.write(APICReg.taskpri, 0)
        }
        #expect(a.eoiBroadcasts == [0x51] && b.eoiBroadcasts == [0x51])
        var times: [[UInt64]] = [[], []]
        for (i, bench) in [a, b].enumerated() {
            while let d = bench.scheduler.nextDeadline, d.nanoseconds <= 2_000_000 {
                bench.advance(to: d.nanoseconds)
                while let v = bench.takeInterrupt() {
                    if v == LinuxVector.localTimer { times[i].append(bench.scheduler.now.nanoseconds) }
                    bench.write(APICReg.eoi, 0)
                }
            }
        }
        #expect(times[0] == times[1] && times[0].count == 5)
    }

    @Test("the timer continues from the restoring scheduler's time, keeping its count and phase")
    func timerIsRelativeToNow() throws {
        let a = busyAPIC()
        let saved = a.lapic.saveState()
        let b = LocalAPICBench()
        // The same 7 ns into a 10 ns bus clock as at the save (the state keeps whole bus clocks).
        b.advance(to: 50_000_007)
        try b.lapic.restoreState(saved)
        #expect(b.read(APICReg.tmcct) == a.read(APICReg.tmcct))
        let aLeft = a.scheduler.nextDeadline!.nanoseconds - 1_234_567
        let bLeft = b.scheduler.nextDeadline!.nanoseconds - 50_000_007
        #expect(aLeft == bLeft)
    }

    @Test("a restored globally disabled APIC unmaps itself and reports it; a relocated one maps at its base")
    func restoreMapping() throws {
        let source = LocalAPICBench()
        #expect(source.lapic.writeMSR(0x1B, value: 0x0008_0900))
        let memory = PhysicalMemory(ramSize: 1 << 20)
        let b = LocalAPICBench(memory: memory)
        var enables: [Bool] = []
        b.lapic.globalEnableChanged = { enables.append($0) }
        try b.lapic.restoreState(source.lapic.saveState())
        #expect(memory.read(GuestPhysicalAddress(0x0008_0030), width: .dword) == 0x0004_0011)
        #expect(memory.read(GuestPhysicalAddress(0xFEE0_0030), width: .dword) == 0xFFFF_FFFF)
        #expect(source.lapic.writeMSR(0x1B, value: 0x0008_0100))
        try b.lapic.restoreState(source.lapic.saveState())
        #expect(memory.read(GuestPhysicalAddress(0x0008_0030), width: .dword) == 0)
        #expect(enables == [false])
    }

    @Test("corrupt local APIC states are refused and leave the device as it was")
    func localAPICCorruptStatesRefused() {
        let a = busyAPIC()
        let good = a.lapic.saveState()
        let corruptions: [(String, (inout LocalAPIC.SavedState) -> Void)] = [
            ("reserved MSR bit", { $0.apicBase |= 1 << 10 }),
            ("BSP flag", { $0.apicBase &= ~0x100 }),
            ("ID bits", { $0.id = 0x1000_0000 }),
            ("TPR", { $0.tpr = 0x100 }),
            ("DFR", { $0.dfr = 0 }),
            ("SVR vector bits 3:0", { $0.svr = 0x1F0 }),
            ("ISR words", { $0.isr = [0, 0, 0] }),
            ("illegal vector in service", { $0.isr[0] = 1 << 3 }),
            ("illegal vector requested", { $0.irr[0] = 1 << 15 }),
            ("ESR bit 4", { $0.pendingErrors = 0x10 }),
            ("ICR delivery status", { $0.icrLow |= 1 << 12 }),
            ("LVT count", { $0.lvt.removeLast() }),
            ("LVT timer reserved bits", { $0.lvt[0] |= 1 << 18 }),
            ("Remote IRR on edge LINT", { $0.lvt[2] = 0x4700 }),
            ("unmasked LVT while software disabled", { $0.svr = 0xFF; $0.lvt[3] = 0x400 }),
            ("DCR", { $0.divideConfiguration = 0x4 }),
            ("count above initial", { $0.timerCurrentCount = $0.timerInitialCount + 1 }),
            ("phase beyond divider", { $0.timerDividerPhase = 16 }),
            ("LINT levels", { $0.lintLevels = [true] }),
        ]
        for (name, corrupt) in corruptions {
            var s = good
            corrupt(&s)
            let b = LocalAPICBench()
            let before = b.lapic.saveState()
            #expect(throws: SnapshotStateError.self, "\(name)") { try b.lapic.restoreState(s) }
            #expect(b.lapic.saveState() == before, "\(name) changed the device")
        }
    }

    @Test("an I/O APIC saved with a level interrupt in flight and restored into a new one carries on identically")
    func ioapicRoundTrip() throws {
        let a = IOAPICBench()
        a.apic.linuxSetup(lint0: 0x1_0700)
        a.write(0x00, 0x0300_0000)
        a.writeEntry(16, RTE.linux(vector: 0x41, level: true, activeLow: true))
        a.writeEntry(1, RTE.linux(vector: 0x31, level: false, activeLow: false))
        a.ioapic.pin(16).raise()
        #expect(a.apic.takeInterrupt() == 0x41)
        _ = a.read(0x21)

        let saved = a.ioapic.saveState()
        let decoded = try JSONDecoder().decode(IOAPIC.SavedState.self, from: JSONEncoder().encode(saved))
        let b = IOAPICBench()
        try b.apic.lapic.restoreState(a.apic.lapic.saveState())
        try b.ioapic.restoreState(decoded)
        #expect(b.ioapic.saveState() == saved)
        #expect(b.messages.isEmpty)  // restoring sends nothing
        #expect(b.ioapic.mmioRead(offset: 0x00, width: .dword) == 0x21)
        #expect(b.read(0x00) == 0x0300_0000 && b.read(0x02) == 0x0300_0000)
        #expect(b.readEntry(16) & RTE.remoteIRR != 0)
        b.apic.write(APICReg.eoi, 0)  // still asserted: sent again after the EOI
        #expect(b.messages.count == 1)
        #expect(b.apic.takeInterrupt() == 0x41)
    }

    @Test("corrupt I/O APIC states are refused and leave the device as it was")
    func ioapicCorruptStatesRefused() {
        let a = IOAPICBench()
        a.writeEntry(16, RTE.linux(vector: 0x41, level: true, activeLow: true))
        let good = a.ioapic.saveState()
        let corruptions: [(String, (inout IOAPIC.SavedState) -> Void)] = [
            ("ID bits", { $0.id = 0x1000_0000 }),
            ("arbitration bits", { $0.arbitrationID = 0xFF }),
            ("entry count", { $0.redirection.removeLast() }),
            ("delivery status", { $0.redirection[3] |= RTE.deliveryStatus }),
            ("reserved entry bits", { $0.redirection[3] |= 1 << 40 }),
            ("Remote IRR on an edge entry", { $0.redirection[3] |= RTE.remoteIRR }),
            ("pin 24", { $0.pinLevels = 1 << 24 }),
        ]
        for (name, corrupt) in corruptions {
            var s = good
            corrupt(&s)
            let b = IOAPICBench()
            let before = b.ioapic.saveState()
            #expect(throws: SnapshotStateError.self, "\(name)") { try b.ioapic.restoreState(s) }
            #expect(b.ioapic.saveState() == before, "\(name) changed the device")
        }
    }
}
