import EmulatorCore
import Testing
import TestSupport
@testable import Chipset

/// A fixed, edge-triggered message to APIC ID 0.
private func fixed(_ vector: UInt8, level: Bool = false) -> APICMessage {
    APICMessage(vector: vector, deliveryMode: .fixed, logicalDestination: false, destination: 0,
                levelTriggered: level)
}

@Suite("Local APIC")
struct APICLocalTests {
    // MARK: Power-on, MSR, enabling

    @Test("IA32_APIC_BASE reads 0xFEE00900 at power-on: default base, global enable, BSP")
    func apicBaseMSRAtPowerOn() {
        let b = LocalAPICBench()
        #expect(b.lapic.readMSR(0x1B) == 0xFEE0_0900)
        #expect(b.lapic.readMSR(0x10) == nil)
        let ap = LocalAPICBench(configuration: .init(apicID: 3, isBootstrapProcessor: false))
        #expect(ap.lapic.readMSR(0x1B) == 0xFEE0_0800)
        #expect(ap.read(APICReg.id) == 0x0300_0000)
    }

    @Test("power-on registers: P6 version 0x00040011, SVR 0xFF, every LVT masked, DFR all ones")
    func powerOnRegisters() {
        let b = LocalAPICBench()
        #expect(b.read(APICReg.lvr) == 0x0004_0011)
        #expect(b.read(APICReg.spiv) == 0xFF)
        for lvt in [APICReg.lvtt, APICReg.lvtpc, APICReg.lvt0, APICReg.lvt1, APICReg.lvterr] {
            #expect(b.read(lvt) == 0x1_0000)
        }
        #expect(b.read(APICReg.dfr) == 0xFFFF_FFFF)
        #expect(b.read(APICReg.id) == 0)
        #expect(b.read(APICReg.taskpri) == 0 && b.read(APICReg.procpri) == 0)
        #expect(b.read(APICReg.tmict) == 0 && b.read(APICReg.tmcct) == 0 && b.read(APICReg.tdcr) == 0)
        #expect(!b.intr)
    }

    @Test("Linux setup_local_APIC enables the APIC with spurious vector 0xFF, flat logical ID 1, ExtINT LINT0 and NMI LINT1, and a clean ESR")
    func linuxSetupLocalAPIC() {
        let b = LocalAPICBench()
        let (before, after) = b.linuxSetup()
        #expect(before == 0 && after == 0)
        #expect(b.read(APICReg.spiv) == 0x1FF)
        #expect(b.lapic.softwareEnabled)
        #expect(b.read(APICReg.ldr) == 0x0100_0000)
        #expect(b.read(APICReg.taskpri) == 0x10)
        #expect(b.read(APICReg.procpri) == 0x10)
        #expect(b.read(APICReg.lvt0) == 0x700)
        #expect(b.read(APICReg.lvt1) == 0x400)
        #expect(b.read(APICReg.lvterr) == 0xFE)
        #expect(b.read(APICReg.lvtt) == 0x1_00EC)
    }

    @Test("the spurious vector's bits 3:0 are hardwired to ones on a P6")
    func spuriousVectorLowBitsHardwired() {
        let b = LocalAPICBench()
        b.write(APICReg.spiv, 0x120)
        #expect(b.read(APICReg.spiv) == 0x12F)
        b.write(APICReg.spiv, 0xFFFF_FFFF)
        #expect(b.read(APICReg.spiv) == 0x3FF)
    }

    @Test("clearing the SVR enable masks every LVT entry and mask bits stay set until re-enabled")
    func softwareDisableMasksLVT() {
        let b = LocalAPICBench()
        b.linuxSetup()
        b.write(APICReg.lvtt, 0x2_00EC)
        b.write(APICReg.spiv, 0xFF)
        #expect(b.read(APICReg.lvt0) == 0x1_0700)
        #expect(b.read(APICReg.lvt1) == 0x1_0400)
        #expect(b.read(APICReg.lvtt) == 0x3_00EC)
        b.write(APICReg.lvt0, 0x700)
        #expect(b.read(APICReg.lvt0) == 0x1_0700)  // cannot unmask while disabled
        b.write(APICReg.spiv, 0x1FF)
        #expect(b.read(APICReg.lvt0) == 0x1_0700)  // enabling does not unmask
        b.write(APICReg.lvt0, 0x700)
        #expect(b.read(APICReg.lvt0) == 0x700)
    }

    @Test("a software-disabled APIC refuses new fixed interrupts but keeps the ones it holds")
    func softwareDisabledRefusesFixed() {
        let b = LocalAPICBench()
        #expect(!b.lapic.receive(fixed(0x31)))
        b.linuxSetup(lint0: 0x1_0700)
        #expect(b.lapic.receive(fixed(0x31)))
        b.write(APICReg.spiv, 0xFF)
        #expect(!b.lapic.receive(fixed(0x32)))
        #expect(b.bit(APICReg.irr, 0x31) && !b.bit(APICReg.irr, 0x32))
        #expect(b.takeInterrupt() == 0x31)
    }

    // MARK: Priorities, acknowledge, EOI

    @Test("a fixed interrupt reaches INTR only while its class is above the task priority")
    func taskPriorityMasksByClass() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.write(APICReg.taskpri, 0)
        #expect(b.lapic.receive(fixed(0x31)))
        #expect(b.bit(APICReg.irr, 0x31))
        #expect(b.intr)
        b.write(APICReg.taskpri, 0x30)  // class 3 blocks class 3
        #expect(!b.intr)
        #expect(b.read(APICReg.procpri) == 0x30)
        #expect(b.read(APICReg.arbpri) == 0x30)
        b.write(APICReg.taskpri, 0x2F)
        #expect(b.intr)
        #expect(b.read(APICReg.arbpri) == 0x30)  // IRRV class 3 is above TPR class 2
        #expect(b.takeInterrupt() == 0x31)
        #expect(!b.intr)
        #expect(b.bit(APICReg.isr, 0x31) && !b.bit(APICReg.irr, 0x31))
        #expect(b.read(APICReg.procpri) == 0x30)  // the in-service class wins over TPR 0x2F
    }

    @Test("nested interrupts: a higher class preempts, EOI ends the highest in service first, and a same-class request waits")
    func eoiOrderingWithNestedISR() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.lapic.receive(fixed(0x31))
        #expect(b.takeInterrupt() == 0x31)
        b.lapic.receive(fixed(0x35))  // same class as the one in service
        #expect(!b.intr)
        b.lapic.receive(fixed(0x41))
        #expect(b.intr)
        #expect(b.takeInterrupt() == 0x41)
        #expect(b.read(APICReg.procpri) == 0x40)
        #expect(b.word(APICReg.isr, 1) == 1 << 17 && b.word(APICReg.isr, 2) == 1 << 1)
        b.write(APICReg.eoi, 0)
        #expect(!b.bit(APICReg.isr, 0x41) && b.bit(APICReg.isr, 0x31))
        #expect(!b.intr)
        b.write(APICReg.eoi, 0)
        #expect(b.intr)
        #expect(b.takeInterrupt() == 0x35)
        b.write(APICReg.eoi, 0)
        #expect((0..<8).allSatisfy { b.word(APICReg.isr, $0) == 0 })
        b.write(APICReg.eoi, 0)  // nothing in service: no effect
        #expect(b.eoiBroadcasts.isEmpty)
    }

    @Test("EOI of a level-triggered vector (TMR set) is broadcast to the I/O APICs; an edge vector's is not")
    func levelEOIBroadcast() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.lapic.receive(fixed(0x51, level: true))
        b.lapic.receive(fixed(0x52))
        #expect(b.bit(APICReg.tmr, 0x51) && !b.bit(APICReg.tmr, 0x52))
        #expect(b.takeInterrupt() == 0x52)
        b.write(APICReg.eoi, 0)
        #expect(b.eoiBroadcasts.isEmpty)
        #expect(b.takeInterrupt() == 0x51)
        b.write(APICReg.eoi, 0)
        #expect(b.eoiBroadcasts == [0x51])
    }

    @Test("an interrupt masked by TPR between INTR and INTA is answered with the spurious vector and leaves ISR alone")
    func spuriousVectorOnAcknowledge() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.write(APICReg.taskpri, 0)
        b.lapic.receive(fixed(0x31))
        #expect(b.intr)
        b.write(APICReg.taskpri, 0x40)
        #expect(b.lapic.acknowledgeInterrupt() == LinuxVector.spurious)
        #expect((0..<8).allSatisfy { b.word(APICReg.isr, $0) == 0 })
        #expect(b.bit(APICReg.irr, 0x31))
        b.write(APICReg.taskpri, 0)
        #expect(b.takeInterrupt() == 0x31)
    }

    // MARK: Timer

    @Test("Linux timer calibration: divide 16 counts 1/16 of the 100 MHz bus per PIT tick, giving lapic_timer_period 400022 at HZ=250 (4773 PIT clocks)")
    func linuxTimerCalibration() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        // calibrate_APIC_clock: periodic, masked, maximal count.
        b.linuxSetupLVTT(clocks: 0xFFFF_FFFF, oneshot: false, irqen: false)
        #expect(b.read(APICReg.tmict) == 0x0FFF_FFFF)
        #expect(b.read(APICReg.tdcr) == 0x3)
        var samples: [UInt32] = []
        let probe = RisingEdgeProbe()
        probe.onRise = { samples.append(b.read(APICReg.tmcct)) }  // lapic_cal_handler
        let pit = PIT(scheduler: b.scheduler, irq0: probe)
        let latch: UInt16 = 4773  // (1193182 + HZ/2) / HZ for HZ = 250
        for (port, value) in [(0x43, 0x34), (0x40, UInt8(latch & 0xFF)), (0x40, UInt8(latch >> 8))] as [(UInt16, UInt8)] {
            pit.ioWrite(port: IOPort(port), width: .byte, value: UInt32(value))
        }
        b.advance(to: 110_000_000)
        // samples[0] is the edge of the mode 2 control word itself; the ticks follow.
        #expect(samples.count >= 27)
        let loops = 25  // LAPIC_CAL_LOOPS = HZ / 10
        let delta = Int64(samples[1]) - Int64(samples[1 + loops])
        let expected = Double(loops) * Double(latch) / 1_193_182 * 100_000_000 / 16
        #expect(abs(Double(delta) - expected) <= 1)
        let period = delta * 16 / Int64(loops)
        #expect(abs(period - 400_022) <= 1)
        #expect(period >= 1_000_000 / 250)  // Linux's "APIC frequency too slow" check passes
        #expect(!b.intr && (0..<8).allSatisfy { b.word(APICReg.irr, $0) == 0 })  // masked: no interrupt
    }

    @Test("a one-shot timer with divide 16 expires after initial count × 16 bus clocks and stays at 0")
    func oneShotExpiry() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.advance(to: 1_234_567)  // bus tick 123456
        b.write(APICReg.tdcr, APICBits.tdrDiv16)
        b.write(APICReg.lvtt, UInt32(LinuxVector.localTimer))
        b.write(APICReg.tmict, 1000)
        #expect(b.read(APICReg.tmcct) == 1000)
        // Expiry at bus tick 123456 + 16000 = 139456, i.e. 1,394,560 ns.
        #expect(b.scheduler.nextDeadline == VirtualTime(nanoseconds: 1_394_560))
        b.advance(to: 1_314_567)
        #expect(b.read(APICReg.tmcct) == 500)
        b.advance(to: 1_394_559)
        #expect(b.read(APICReg.tmcct) == 1)
        #expect(!b.intr)
        b.advance(to: 1_394_560)
        #expect(b.intr)
        #expect(b.read(APICReg.tmcct) == 0)
        #expect(b.scheduler.nextDeadline == nil)
        #expect(b.takeInterrupt() == LinuxVector.localTimer)
        b.write(APICReg.eoi, 0)
        b.advance(to: 10_000_000)
        #expect(!b.intr && b.read(APICReg.tmcct) == 0)
    }

    @Test("a periodic timer interrupts every initial count × divider bus clocks, reloading the count")
    func periodicTimerOverVirtualTime() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.write(APICReg.taskpri, 0)
        b.linuxSetupLVTT(clocks: 16_000, oneshot: false, irqen: true)  // 1000 counts: 160 µs
        var times: [UInt64] = []
        while let d = b.scheduler.nextDeadline, d.nanoseconds <= 10_000_000 {
            b.advance(to: d.nanoseconds)
            if let v = b.takeInterrupt() {
                #expect(v == LinuxVector.localTimer)
                times.append(b.scheduler.now.nanoseconds)
                b.write(APICReg.eoi, 0)
            }
            #expect(b.read(APICReg.tmcct) == 1000)
        }
        #expect(times == (1...62).map { UInt64($0) * 160_000 })
        b.advance(to: 9_960_000)  // a quarter into the 63rd period
        #expect(b.read(APICReg.tmcct) == 750)
    }

    @Test("a masked timer keeps counting without interrupting, and an initial count of 0 stops it")
    func maskedTimerAndStop() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.linuxSetupLVTT(clocks: 1600, oneshot: false, irqen: false)  // 100 counts
        b.advance(to: 1_000_050)
        #expect(!b.intr)
        #expect((0..<8).allSatisfy { b.word(APICReg.irr, $0) == 0 })
        // 1,000,050 ns = bus tick 100005: 62 whole periods of 1600 plus 805 ticks = 50 counts.
        #expect(b.read(APICReg.tmcct) == 50)
        b.write(APICReg.tmict, 0)
        #expect(b.read(APICReg.tmcct) == 0)
        #expect(b.scheduler.nextDeadline == nil)
    }

    @Test("changing the divider mid-count keeps the current count and runs on at the new rate")
    func divideChangeMidCount() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.write(APICReg.tdcr, APICBits.tdrDiv16)
        b.write(APICReg.lvtt, UInt32(LinuxVector.localTimer))
        b.write(APICReg.tmict, 1000)
        b.advance(to: 80_000)  // tick 8000: 500 counts left
        b.write(APICReg.tdcr, 0xB)  // divide by 1
        #expect(b.read(APICReg.tmcct) == 500)
        #expect(b.scheduler.nextDeadline == VirtualTime(nanoseconds: 85_000))
        b.advance(to: 85_000)
        #expect(b.takeInterrupt() == LinuxVector.localTimer)
    }

    @Test("switching a running periodic timer to one-shot lets the current period finish and then stops")
    func periodicToOneShot() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.linuxSetupLVTT(clocks: 16_000, oneshot: false, irqen: true)
        b.advance(to: 200_000)  // one expiry at 160 µs, then 250 counts into the second period
        #expect(b.read(APICReg.tmcct) == 750)
        b.write(APICReg.lvtt, UInt32(LinuxVector.localTimer))
        #expect(b.read(APICReg.tmcct) == 750)
        #expect(b.scheduler.nextDeadline == VirtualTime(nanoseconds: 320_000))
        b.advance(to: 1_000_000)
        #expect(b.read(APICReg.tmcct) == 0)
        #expect(b.scheduler.nextDeadline == nil)
    }

    // MARK: IPIs and errors

    @Test("self IPIs through the ICR: self shorthand, own physical ID, physical broadcast 0xF, all-including-self and logical flat destination")
    func selfIPIs() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.write(APICReg.taskpri, 0)
        b.write(APICReg.icr2, 0)
        b.write(APICReg.icr, APICBits.destSelf | 0x41)
        #expect(b.read(APICReg.icr) & APICBits.icrBusy == 0)  // native_apic_wait_icr_idle returns at once
        #expect(b.read(APICReg.icr) == APICBits.destSelf | 0x41)
        b.write(APICReg.icr, 0x42)  // physical destination 0 = this APIC
        b.write(APICReg.icr, APICBits.destAllIncluding | 0x43)
        b.write(APICReg.icr2, 0x0F00_0000)
        b.write(APICReg.icr, 0x44)
        b.write(APICReg.icr2, 0x0100_0000)
        b.write(APICReg.icr, APICBits.destLogical | 0x45)
        #expect(b.word(APICReg.irr, 2) == 0x3E)
        for v in (0x41...0x45).reversed() {
            #expect(b.takeInterrupt() == UInt8(v))
            b.write(APICReg.eoi, 0)
        }
        b.write(APICReg.esr, 0)
        #expect(b.read(APICReg.esr) == 0)
    }

    @Test("an IPI nobody accepts sets Send Accept Error, reported through the error LVT and the write-then-read ESR")
    func sendAcceptErrorAndESR() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.write(APICReg.taskpri, 0)
        b.write(APICReg.icr2, 0x0100_0000)  // APIC ID 1: no such processor
        b.write(APICReg.icr, 0x46)
        b.write(APICReg.icr, APICBits.destAllButSelf | 0x47)
        #expect(!b.bit(APICReg.irr, 0x46) && !b.bit(APICReg.irr, 0x47))
        #expect(b.read(APICReg.esr) == 0)  // not visible before an ESR write
        #expect(b.takeInterrupt() == LinuxVector.error)  // one error interrupt for the new error
        b.write(APICReg.eoi, 0)
        #expect(!b.intr)
        b.write(APICReg.esr, 0)
        #expect(b.read(APICReg.esr) == 0x04)
        #expect(b.read(APICReg.esr) == 0x04)  // reading does not clear
        b.write(APICReg.esr, 0)
        #expect(b.read(APICReg.esr) == 0)
    }

    @Test("illegal vectors: an ICR vector below 16 sets Send and Receive Illegal Vector; an LVT vector below 16 is not accepted")
    func illegalVectors() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.write(APICReg.taskpri, 0)
        b.write(APICReg.icr, APICBits.destSelf | 0x05)
        #expect(b.word(APICReg.irr, 0) == 0)
        b.write(APICReg.esr, 0)
        #expect(b.read(APICReg.esr) == 0x60)
        #expect(b.takeInterrupt() == LinuxVector.error)
        b.write(APICReg.eoi, 0)
        b.write(APICReg.tdcr, 0xB)
        b.write(APICReg.lvtt, 0x08)
        b.write(APICReg.tmict, 1)
        b.advance(to: 1_000)
        #expect(b.word(APICReg.irr, 0) == 0)
        #expect(b.takeInterrupt() == LinuxVector.error)
        b.write(APICReg.eoi, 0)
        b.write(APICReg.esr, 0)
        #expect(b.read(APICReg.esr) == 0x40)
    }

    @Test("an access to a register P6 does not have (thermal LVT at 0x330) reads 0 and logs Illegal Register Address")
    func illegalRegisterAddress() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        #expect(b.read(0x330) == 0)
        b.write(APICReg.esr, 0)
        #expect(b.read(APICReg.esr) == 0x80)
        b.write(0x3F0, 1)
        b.write(APICReg.esr, 0)
        #expect(b.read(APICReg.esr) == 0x80)
    }

    @Test("NMIs from the ICR (all-including-self, own ID) and from LINT1 in NMI mode, not when LINT1 is masked")
    func nmiDelivery() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.write(APICReg.icr, APICBits.destAllIncluding | APICBits.dmNMI)
        b.write(APICReg.icr, APICBits.dmNMI)
        #expect(b.nmiCount == 2)
        b.lapic.lint1.raise()
        #expect(b.nmiCount == 3)
        b.lapic.lint1.raise()  // no new edge
        b.lapic.lint1.lower()
        b.lapic.lint1.raise()
        #expect(b.nmiCount == 4)
        b.lapic.lint1.lower()
        b.write(APICReg.lvt1, APICBits.masked | APICBits.dmNMI)
        b.lapic.lint1.raise()
        #expect(b.nmiCount == 4)
        #expect(!b.intr)
    }

    @Test("an INIT IPI to itself resets the APIC except its ID and asks for a processor INIT; INIT de-assert does nothing")
    func initIPI() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.write(APICReg.id, 0x0500_0000)
        b.write(APICReg.icr, APICBits.destAllIncluding | APICBits.levelTrigger | APICBits.dmINIT)  // de-assert
        #expect(b.initCount == 0)
        #expect(b.read(APICReg.spiv) == 0x1FF)
        b.write(APICReg.icr, APICBits.destAllIncluding | APICBits.intAssert | APICBits.dmINIT)
        #expect(b.initCount == 1)
        #expect(b.read(APICReg.spiv) == 0xFF)
        #expect(b.read(APICReg.lvt0) == 0x1_0000)
        #expect(b.read(APICReg.id) == 0x0500_0000)
        #expect(b.lapic.readMSR(0x1B) == 0xFEE0_0900)
    }

    @Test("logical destinations: flat model ANDs LDR, cluster model matches the cluster and ANDs the low nibble")
    func logicalDestinationModels() {
        let b = LocalAPICBench()
        b.write(APICReg.ldr, 0x0200_0000)
        #expect(b.lapic.matchesDestination(0x02, logical: true))
        #expect(b.lapic.matchesDestination(0xFF, logical: true))
        #expect(!b.lapic.matchesDestination(0x01, logical: true))
        b.write(APICReg.dfr, 0x0FFF_FFFF)  // cluster model
        #expect(b.read(APICReg.dfr) == 0x0FFF_FFFF)
        b.write(APICReg.ldr, 0x2100_0000)
        #expect(b.lapic.matchesDestination(0x21, logical: true))
        #expect(b.lapic.matchesDestination(0x23, logical: true))
        #expect(b.lapic.matchesDestination(0xF1, logical: true))
        #expect(!b.lapic.matchesDestination(0x31, logical: true))
        #expect(!b.lapic.matchesDestination(0x22, logical: true))
        #expect(b.lapic.matchesDestination(0x00, logical: false))
        #expect(b.lapic.matchesDestination(0x0F, logical: false))
        #expect(!b.lapic.matchesDestination(0x01, logical: false))
    }

    @Test("narrow MMIO accesses read the addressed bytes and merge writes into the register")
    func narrowAccesses() {
        let b = LocalAPICBench()
        #expect(b.lapic.mmioRead(offset: 0x32, width: .byte) == 0x04)
        #expect(b.lapic.mmioRead(offset: 0x30, width: .word) == 0x0011)
        b.lapic.mmioWrite(offset: 0x80, width: .byte, value: 0x25)
        #expect(b.read(APICReg.taskpri) == 0x25)
        #expect(b.lapic.mmioRead(offset: 0x84, width: .dword) == 0)
    }

    // MARK: LINT0 and the 8259A

    @Test("virtual wire: a PIC interrupt through LINT0 in ExtINT mode reaches INTR and is acknowledged by the PIC, bypassing ISR")
    func virtualWireThroughLINT0() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: APICBits.dmExtINT)
        let pic = makeLinuxPIC(driving: b.lapic)
        pic.irq(0).pulse()
        #expect(b.intr)
        #expect(b.takeInterrupt() == 0x20)
        #expect(!b.intr)
        pic.ioWrite(port: IOPort(0x20), width: .byte, value: 0x0B)
        #expect(pic.ioRead(port: IOPort(0x20), width: .byte) == 0x01)  // in service at the PIC
        #expect((0..<8).allSatisfy { b.word(APICReg.isr, $0) == 0 })
        pic.ioWrite(port: IOPort(0x20), width: .byte, value: 0x60)
        // ExtINT goes first even with a fixed vector pending.
        b.write(APICReg.taskpri, 0)
        b.lapic.receive(fixed(0x31))
        pic.irq(0).pulse()
        #expect(b.takeInterrupt() == 0x20)
        #expect(b.takeInterrupt() == 0x31)
    }

    @Test("with LINT0 masked (power-on, or Linux in I/O APIC mode) the PIC's INTR is ignored")
    func maskedLINT0IgnoresPIC() {
        let powerOn = LocalAPICBench()
        let pic0 = makeLinuxPIC(driving: powerOn.lapic)
        pic0.irq(0).pulse()
        #expect(pic0.intrOutput && !powerOn.intr)
        let b = LocalAPICBench()
        b.linuxSetup(lint0: APICBits.masked | APICBits.dmExtINT)
        let pic = makeLinuxPIC(driving: b.lapic)
        pic.irq(0).pulse()
        #expect(pic.intrOutput && !b.intr)
        b.write(APICReg.lvt0, APICBits.dmExtINT)  // unmasking passes the pending request on
        #expect(b.intr)
        #expect(b.takeInterrupt() == 0x20)
    }

    @Test("a level-triggered fixed LINT0 sets Remote IRR until its EOI and requests again while still asserted")
    func levelTriggeredLINT0() {
        let b = LocalAPICBench()
        b.linuxSetup(lint0: 0x1_0700)
        b.write(APICReg.taskpri, 0)
        b.write(APICReg.lvt0, APICBits.levelTrigger | 0x61)
        b.lapic.lint0.raise()
        #expect(b.read(APICReg.lvt0) & APICBits.remoteIRR != 0)
        #expect(b.takeInterrupt() == 0x61)
        b.write(APICReg.eoi, 0)
        #expect(b.intr)  // still asserted: requested again, Remote IRR set again
        #expect(b.read(APICReg.lvt0) & APICBits.remoteIRR != 0)
        #expect(b.takeInterrupt() == 0x61)
        b.lapic.lint0.lower()
        b.write(APICReg.eoi, 0)
        #expect(!b.intr)
        #expect(b.read(APICReg.lvt0) & APICBits.remoteIRR == 0)
        #expect(b.eoiBroadcasts == [0x61, 0x61])
    }

    // MARK: Hardware disable and relocation

    @Test("clearing the global enable removes the registers, passes the PIC straight to INTR and LINT1 to NMI; re-enabling gives power-on state")
    func hardwareDisable() {
        let b = LocalAPICBench()
        var cpuidAPIC: [Bool] = []
        b.lapic.globalEnableChanged = { cpuidAPIC.append($0) }
        b.linuxSetup(lint0: 0x1_0700)
        let pic = makeLinuxPIC(driving: b.lapic)
        #expect(b.lapic.writeMSR(0x1B, value: 0xFEE0_0000))
        #expect(b.lapic.readMSR(0x1B) == 0xFEE0_0100)
        #expect(cpuidAPIC == [false])
        #expect(b.read(APICReg.lvr) == 0xFFFF_FFFF)
        pic.irq(0).pulse()
        #expect(b.intr)
        #expect(b.takeInterrupt() == 0x20)
        #expect(!b.intr)
        b.lapic.lint1.raise()
        #expect(b.nmiCount == 1)
        #expect(!b.lapic.receive(fixed(0x31)))
        #expect(b.lapic.writeMSR(0x1B, value: 0xFEE0_0800))
        #expect(cpuidAPIC == [false, true])
        #expect(b.read(APICReg.spiv) == 0xFF && b.read(APICReg.ldr) == 0)
        pic.ioWrite(port: IOPort(0x20), width: .byte, value: 0x60)
        pic.irq(0).pulse()
        #expect(!b.intr)  // power-on state: LINT0 masked
    }

    @Test("the APIC maps its own window and follows IA32_APIC_BASE relocation and global disable")
    func relocation() {
        let memory = PhysicalMemory(ramSize: 1 << 20)
        let b = LocalAPICBench(memory: memory)
        func read(_ a: UInt32) -> UInt32 { memory.read(GuestPhysicalAddress(a), width: .dword) }
        #expect(read(0xFEE0_0030) == 0x0004_0011)
        memory.write(GuestPhysicalAddress(0xFEE0_0080), width: .dword, value: 0x20)
        #expect(b.read(APICReg.taskpri) == 0x20)
        #expect(b.lapic.writeMSR(0x1B, value: 0x0008_0900))
        #expect(b.lapic.base == 0x0008_0000)
        #expect(read(0xFEE0_0030) == 0xFFFF_FFFF)
        #expect(read(0x0008_0030) == 0x0004_0011)
        #expect(read(0x0008_0080) == 0x20)  // relocation keeps the registers
        #expect(b.lapic.writeMSR(0x1B, value: 0x0008_0100))
        #expect(read(0x0008_0030) == 0)  // RAM again
        #expect(b.lapic.writeMSR(0x1B, value: 0xFEE0_0900))
        #expect(read(0xFEE0_0030) == 0x0004_0011)
    }

    @Test("reset returns to power-on state and the default base, keeping the LINT wires")
    func resetToPowerOn() {
        let memory = PhysicalMemory(ramSize: 1 << 20)
        let b = LocalAPICBench(memory: memory)
        b.linuxSetup()
        b.lapic.lint0.raise()
        #expect(b.intr)
        #expect(b.lapic.writeMSR(0x1B, value: 0x0008_0900))
        b.lapic.reset()
        #expect(!b.intr)
        #expect(b.lapic.readMSR(0x1B) == 0xFEE0_0900)
        #expect(memory.read(GuestPhysicalAddress(0xFEE0_00F0), width: .dword) == 0xFF)
        b.linuxSetup()
        #expect(b.intr)  // LINT0 is still high
    }
}
