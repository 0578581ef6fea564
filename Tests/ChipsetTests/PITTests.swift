import Foundation
import Testing
import EmulatorCore
@testable import Chipset

/// An interrupt line that records when it rose, in virtual time.
private final class TimedLine: InterruptLine {
    let scheduler: Scheduler
    private(set) var level = false
    private(set) var risingEdges: [VirtualTime] = []
    private(set) var fallingEdges = 0

    init(scheduler: Scheduler) { self.scheduler = scheduler }

    func setLevel(_ high: Bool) {
        if high && !level { risingEdges.append(scheduler.now) }
        if !high && level { fallingEdges += 1 }
        level = high
    }

    func clear() {
        risingEdges.removeAll()
        fallingEdges = 0
    }

    /// PIT clock ticks of the rising edges.
    var risingEdgeTicks: [UInt64] { risingEdges.map { PIT.clockTicks(at: $0) } }
}

/// A PIT and port 0x61 on their own scheduler, driven through ports.
private final class PITBench {
    let scheduler: Scheduler
    let irq0: TimedLine
    let pit: PIT
    let portB: SystemControlPortB
    private(set) var speakerStates: [SystemControlPortB.SpeakerState] = []

    init(startingAt start: VirtualTime = .zero) {
        scheduler = Scheduler()
        scheduler.restore(now: start)
        irq0 = TimedLine(scheduler: scheduler)
        pit = PIT(scheduler: scheduler, irq0: irq0)
        var report: ((SystemControlPortB.SpeakerState) -> Void)?
        portB = SystemControlPortB(pit: pit, scheduler: scheduler, speakerChanged: { report?($0) })
        report = { [unowned self] in self.speakerStates.append($0) }
    }

    func outb(_ port: UInt16, _ value: UInt8) {
        if port == 0x61 {
            portB.ioWrite(port: IOPort(port), width: .byte, value: UInt32(value))
        } else {
            pit.ioWrite(port: IOPort(port), width: .byte, value: UInt32(value))
        }
    }

    func inb(_ port: UInt16) -> UInt8 {
        if port == 0x61 { return UInt8(portB.ioRead(port: IOPort(port), width: .byte)) }
        return UInt8(pit.ioRead(port: IOPort(port), width: .byte))
    }

    /// Writes a 16-bit count LSB then MSB.
    func writeCount(channel: Int, _ count: UInt16) {
        outb(0x40 + UInt16(channel), UInt8(count & 0xFF))
        outb(0x40 + UInt16(channel), UInt8(count >> 8))
    }

    /// Reads a 16-bit count (LSB then MSB) from the counter's port.
    func readCount(channel: Int) -> UInt16 {
        let lsb = UInt16(inb(0x40 + UInt16(channel)))
        return lsb | UInt16(inb(0x40 + UInt16(channel))) << 8
    }

    /// Linux `i8253_read`-style: counter latch command, then LSB and MSB.
    func latchedCount(channel: Int) -> UInt16 {
        outb(0x43, UInt8(channel) << 6)
        return readCount(channel: channel)
    }

    /// Runs virtual time up to PIT clock tick `tick`.
    func run(toTick tick: UInt64) { scheduler.advance(to: PIT.time(ofClockTick: tick)) }

    var tick: UInt64 { PIT.clockTicks(at: scheduler.now) }

    var out2: Bool { inb(0x61) & 0x20 != 0 }
}

@Suite("PIT (8254) and port 0x61")
struct PITTests {
    @Test("virtual time and PIT clock ticks convert exactly at 1.193182 MHz")
    func clockConversion() {
        #expect(PIT.clockTicks(at: VirtualTime(nanoseconds: 1_000_000_000)) == 1_193_182)
        #expect(PIT.time(ofClockTick: 1_193_182) == VirtualTime(nanoseconds: 1_000_000_000))
        for tick: UInt64 in [1, 2, 3, 17, 1193, 65_536, 1_193_183, 123_456_789_012] {
            let t = PIT.time(ofClockTick: tick)
            #expect(PIT.clockTicks(at: t) == tick)
            #expect(PIT.clockTicks(at: VirtualTime(nanoseconds: t.nanoseconds - 1)) == tick - 1)
        }
        // Days of guest time do not overflow.
        let week = VirtualTime(nanoseconds: 7 * 86_400 * 1_000_000_000)
        #expect(PIT.clockTicks(at: week) == 7 * 86_400 * 1_193_182)
    }

    @Test("mode 2 as Linux programs it raises IRQ0 HZ times per virtual second, one timer per edge")
    func linuxPeriodicTick() {
        let b = PITBench()
        b.outb(0x43, 0x34)  // counter 0, LSB/MSB, mode 2, binary
        #expect(b.irq0.level)  // OUT goes high on the mode 2 control word
        b.irq0.clear()
        b.writeCount(channel: 0, 1193)  // LATCH for HZ = 1000
        // Loaded on tick 1; the CE reaches 1 on tick 1193 and reloads (OUT rises) on tick 1194.
        #expect(b.scheduler.nextDeadline == PIT.time(ofClockTick: 1194))
        b.scheduler.advance(to: VirtualTime(nanoseconds: 1_000_000_000))
        let ticks = b.irq0.risingEdgeTicks
        #expect(ticks.count == 1000)
        #expect(ticks.first == 1194)
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1 - $0 == 1193 })
        #expect(b.irq0.fallingEdges == 1000)  // each edge is one pulse
        #expect(b.scheduler.nextDeadline == PIT.time(ofClockTick: 1194 + 1000 * 1193))
    }

    @Test("IRQ0 from the PIT reaches the CPU through the PIC as vector 0x20")
    func pitThroughPIC() {
        let scheduler = Scheduler()
        var intr = false
        let pic = PIC(setINTR: { intr = $0 })
        let pit = PIT(scheduler: scheduler, irq0: pic.irq(0))
        func outb(_ port: UInt16, _ value: UInt8) {
            let device: PortIODevice = port < 0x40 ? pic : pit
            device.ioWrite(port: IOPort(port), width: .byte, value: UInt32(value))
        }
        for (port, value) in [(0x20, 0x11), (0x21, 0x20), (0x21, 0x04), (0x21, 0x01), (0x21, 0xFE)] as [(UInt16, UInt8)] {
            outb(port, value)
        }
        outb(0x43, 0x34)
        outb(0x40, 0xA9)
        outb(0x40, 0x04)
        #expect(intr)  // OUT0 rose on the mode 2 control word
        #expect(pic.acknowledgeInterrupt() == 0x20)
        outb(0x20, 0x20)
        #expect(!intr)
        for period in 1...3 {
            scheduler.advance(to: PIT.time(ofClockTick: 1 + UInt64(period) * 1193))
            #expect(intr)
            #expect(pic.acknowledgeInterrupt() == 0x20)
            #expect(!intr)
            outb(0x20, 0x20)
        }
    }

    @Test("mode 3 at the BIOS's 18.2 Hz drives IRQ0 high and low with a rising edge per period")
    func biosSquareWaveOnIRQ0() {
        let b = PITBench()
        b.outb(0x43, 0x36)
        b.writeCount(channel: 0, 0)  // 65536
        b.irq0.clear()
        b.run(toTick: 1 + 32_768 + 5)
        #expect(!b.irq0.level)  // the low half
        b.scheduler.advance(to: VirtualTime(nanoseconds: 1_000_000_000))
        let ticks = b.irq0.risingEdgeTicks
        #expect(ticks.count == 18)
        #expect(ticks.first == 1 + 65_536)
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1 - $0 == 65_536 })
    }

    @Test("mode 0 raises OUT0 once, N+1 clocks after the count is written, and keeps counting")
    func mode0OneShot() {
        let b = PITBench()
        b.outb(0x43, 0x30)
        b.writeCount(channel: 0, 100)
        b.run(toTick: 50)
        #expect(b.latchedCount(channel: 0) == 51)
        b.run(toTick: 100)
        #expect(!b.irq0.level && !b.pit.output(channel: 0))
        b.run(toTick: 101)
        #expect(b.irq0.level)
        #expect(b.irq0.risingEdgeTicks == [101])
        b.run(toTick: 111)
        #expect(b.latchedCount(channel: 0) == 65_526)  // wrapped through zero
        #expect(b.scheduler.nextDeadline == nil)
        b.run(toTick: 500_000)
        #expect(b.irq0.risingEdgeTicks == [101])
        // A new count sets OUT low at once and starts again.
        b.writeCount(channel: 0, 10)
        #expect(!b.irq0.level)
        b.run(toTick: 500_011)
        #expect(b.irq0.risingEdgeTicks == [101, 500_011])
    }

    @Test("mode 0: the first byte of a two-byte count stops counting, the second restarts it")
    func mode0FirstByteInhibits() {
        let b = PITBench()
        b.outb(0x43, 0x30)
        b.writeCount(channel: 0, 100)
        b.run(toTick: 21)
        b.outb(0x40, 0x32)
        b.run(toTick: 300)
        #expect(!b.irq0.level)
        #expect(b.irq0.risingEdgeTicks.isEmpty)
        b.outb(0x40, 0x00)  // count 0x0032 = 50
        b.run(toTick: 350)
        #expect(!b.irq0.level)
        b.run(toTick: 351)
        #expect(b.irq0.risingEdgeTicks == [351])
    }

    @Test("mode 4 as Linux's one-shot clockevent strobes IRQ0 delta+1 clocks after each write")
    func mode4SoftwareStrobe() {
        let b = PITBench()
        b.outb(0x43, 0x38)
        b.irq0.clear()
        b.writeCount(channel: 0, 500)
        b.run(toTick: 501)
        #expect(!b.pit.output(channel: 0))  // the one-clock strobe
        b.run(toTick: 10_000)
        #expect(b.pit.output(channel: 0))
        #expect(b.irq0.risingEdgeTicks == [502])
        b.writeCount(channel: 0, 50)
        b.run(toTick: 200_000)
        #expect(b.irq0.risingEdgeTicks == [502, 10_052])
        #expect(b.irq0.level)
    }

    @Test("the counter latch command holds the count until both bytes are read")
    func counterLatch() {
        let b = PITBench()
        b.outb(0x43, 0x34)
        b.writeCount(channel: 0, 1193)
        b.run(toTick: 101)
        b.outb(0x43, 0x00)
        b.run(toTick: 500)
        #expect(b.readCount(channel: 0) == 1093)
        #expect(b.readCount(channel: 0) == 1193 - 499)  // live again
        b.run(toTick: 600)
        b.outb(0x43, 0x00)
        b.run(toTick: 700)
        b.outb(0x43, 0x00)  // ignored: the first latch is unread
        #expect(b.readCount(channel: 0) == 1193 - 599)
    }

    @Test("read-back latches status and counts of the selected counters")
    func readBack() {
        let b = PITBench()
        b.outb(0x43, 0x34)
        b.outb(0x43, 0xE2)  // read-back: status of counter 0
        #expect(b.inb(0x40) == 0xF4)  // OUT high, null count, RW 3, mode 2, binary
        b.writeCount(channel: 0, 1000)
        b.outb(0x43, 0xE2)
        #expect(b.inb(0x40) == 0xF4)  // not loaded before the next clock
        b.run(toTick: 2)
        b.outb(0x43, 0xC2)  // status and count
        #expect(b.inb(0x40) == 0xB4)
        #expect(b.readCount(channel: 0) == 999)
        b.outb(0x43, 0x74)  // counter 1, mode 2
        b.writeCount(channel: 1, 500)
        b.run(toTick: 10)
        b.outb(0x43, 0xD6)  // counts of counters 0 and 1
        b.run(toTick: 20)
        #expect(b.readCount(channel: 0) == 991)
        #expect(b.readCount(channel: 1) == 493)
        b.outb(0x43, 0xD2)
        b.run(toTick: 30)
        b.outb(0x43, 0xD2)  // ignored while the first is unread
        #expect(b.readCount(channel: 0) == 981)
        // Status of a BCD mode 0 counter 2 with LSB-only access.
        b.outb(0x43, 0x91)
        b.outb(0x43, 0xE8)
        #expect(b.inb(0x42) == 0x51)
    }

    @Test("null count is set by a count write and cleared when a mode 2 period end loads it")
    func nullCountAndNewCountAtPeriodEnd() {
        let b = PITBench()
        b.outb(0x43, 0x34)
        b.writeCount(channel: 0, 100)
        b.irq0.clear()
        b.run(toTick: 50)
        b.writeCount(channel: 0, 200)
        b.outb(0x43, 0xE2)
        #expect(b.inb(0x40) & 0x40 != 0)
        b.run(toTick: 100)
        #expect(b.latchedCount(channel: 0) == 1)  // the old period runs out
        b.run(toTick: 101)
        #expect(b.latchedCount(channel: 0) == 200)
        b.outb(0x43, 0xE2)
        #expect(b.inb(0x40) & 0x40 == 0)
        b.run(toTick: 400)
        #expect(b.irq0.risingEdgeTicks == [101, 301])
    }

    @Test("mode 3 square wave on OUT2 reads through port 0x61 bit 5, (N+1)/2 high and (N-1)/2 low")
    func squareWaveOnOut2() {
        let b = PITBench()
        b.outb(0x43, 0xB6)
        b.writeCount(channel: 2, 5)
        b.outb(0x61, b.inb(0x61) | 0x03)
        var levels: [Bool] = []
        var counts: [UInt16] = []
        for tick in 0...12 {
            b.run(toTick: UInt64(tick))
            levels.append(b.out2)
            counts.append(b.latchedCount(channel: 2))
        }
        #expect(levels == [true, true, true, true, false, false, true, true, true, false, false, true, true])
        // Odd N loads N-1 and steps by two; the count 0 is visible once, at the end of the high half.
        #expect(Array(counts[1...7]) == [4, 2, 0, 4, 2, 4, 2])

        b.outb(0x43, 0xB6)
        b.writeCount(channel: 2, 4)
        let start = b.tick
        var even: [Bool] = []
        for tick in start + 1...start + 8 {
            b.run(toTick: tick)
            even.append(b.out2)
        }
        #expect(even == [true, true, false, false, true, true, false, false])
    }

    @Test("BCD counting counts down in decimal digits, with 0 meaning 10000")
    func bcdCounting() {
        let b = PITBench()
        b.outb(0x43, 0x31)  // counter 0, LSB/MSB, mode 0, BCD
        b.writeCount(channel: 0, 0x1000)
        b.run(toTick: 6)
        #expect(b.latchedCount(channel: 0) == 0x0995)
        b.run(toTick: 1000)
        #expect(!b.irq0.level)
        b.run(toTick: 1001)
        #expect(b.irq0.level)
        b.writeCount(channel: 0, 0x0000)
        b.run(toTick: 1003)
        #expect(b.latchedCount(channel: 0) == 0x9999)
        b.run(toTick: 1002 + 10_000)
        #expect(b.irq0.risingEdgeTicks.last == 1002 + 10_000)
    }

    @Test("GATE low holds a mode 2 count and keeps OUT high; a rising GATE reloads the count")
    func gateInRateGenerator() {
        let b = PITBench()
        b.outb(0x43, 0xB4)  // counter 2, mode 2; GATE2 (port 0x61 bit 0) is low
        b.writeCount(channel: 2, 100)
        b.run(toTick: 50)
        #expect(b.latchedCount(channel: 2) == 100)
        #expect(b.out2)
        b.outb(0x61, 0x01)
        b.run(toTick: 61)
        #expect(b.latchedCount(channel: 2) == 90)
        b.outb(0x61, 0x00)
        b.run(toTick: 200)
        #expect(b.latchedCount(channel: 2) == 90)
        b.outb(0x61, 0x01)
        b.run(toTick: 299)
        #expect(b.out2 && b.latchedCount(channel: 2) == 2)
        b.run(toTick: 300)
        #expect(!b.out2)
        b.run(toTick: 301)
        #expect(b.out2 && b.latchedCount(channel: 2) == 100)
        b.run(toTick: 400)
        #expect(!b.out2)
        b.outb(0x61, 0x00)  // GATE low during the pulse forces OUT high at once
        #expect(b.out2)
    }

    @Test("mode 1 is a one-shot started, and restarted, by a rising GATE")
    func mode1HardwareOneShot() {
        let b = PITBench()
        b.outb(0x43, 0xB2)
        b.writeCount(channel: 2, 10)
        b.run(toTick: 5)
        #expect(b.out2)
        b.outb(0x61, 0x01)
        b.run(toTick: 6)
        #expect(!b.out2)
        b.run(toTick: 15)
        #expect(!b.out2)
        b.run(toTick: 16)
        #expect(b.out2)
        b.outb(0x61, 0x00)
        b.run(toTick: 22)
        b.outb(0x61, 0x01)
        b.run(toTick: 26)
        #expect(!b.out2)
        b.outb(0x61, 0x00)
        b.run(toTick: 28)
        b.outb(0x61, 0x01)  // retrigger in the middle of the pulse
        b.run(toTick: 38)
        #expect(!b.out2)
        b.run(toTick: 39)
        #expect(b.out2)
    }

    @Test("mode 5 strobes OUT once, N+1 clocks after a rising GATE")
    func mode5HardwareStrobe() {
        let b = PITBench()
        b.outb(0x43, 0xBA)
        b.writeCount(channel: 2, 10)
        b.run(toTick: 5)
        b.outb(0x61, 0x01)
        var levels: [Bool] = []
        for tick: UInt64 in 14...18 {
            b.run(toTick: tick)
            levels.append(b.out2)
        }
        #expect(levels == [true, true, false, true, true])
    }

    @Test("LSB-only and MSB-only access modes write and read a single byte")
    func singleByteAccess() {
        let b = PITBench()
        b.outb(0x43, 0x10)  // counter 0, LSB only, mode 0
        b.outb(0x40, 0x80)
        b.run(toTick: 11)
        #expect(b.inb(0x40) == 118)
        #expect(b.inb(0x40) == 118)
        b.outb(0x43, 0x20)  // counter 0, MSB only, mode 0
        b.outb(0x40, 0x02)  // count 0x0200
        b.run(toTick: 12 + 256)
        #expect(b.inb(0x40) == 0x01)
    }

    @Test("Linux's PIT calibration sees OUT2 rise through port 0x61 after the mode 0 count")
    func linuxCalibrationLoop() {
        let b = PITBench()
        b.run(toTick: 1000)
        let latch: UInt16 = 11_931  // CAL_LATCH: 10 ms
        b.outb(0x61, (b.inb(0x61) & ~0x02) | 0x01)
        b.outb(0x43, 0xB0)
        b.outb(0x42, UInt8(latch & 0xFF))
        b.outb(0x42, UInt8(latch >> 8))
        let start = b.scheduler.now
        var polls = 0
        while b.inb(0x61) & 0x20 == 0 && polls < 100_000 {
            b.scheduler.advance(to: b.scheduler.now + 1000)
            polls += 1
        }
        let elapsed = b.scheduler.now.nanoseconds - start.nanoseconds
        #expect(elapsed >= 10_000_000 && elapsed < 10_002_000)
        #expect(b.tick >= 1000 + UInt64(latch) + 1)
    }

    @Test("the refresh bit in port 0x61 flips every 18 PIT clocks, about 15 µs")
    func refreshToggle() {
        let b = PITBench()
        var bits: [Bool] = []
        for tick: UInt64 in [0, 17, 18, 35, 36, 54] {
            b.run(toTick: tick)
            bits.append(b.inb(0x61) & 0x10 != 0)
        }
        #expect(bits == [false, false, true, true, false, true])
        // A BIOS-style delay loop counting flips over 1 ms.
        let start = b.scheduler.now
        var last = b.inb(0x61) & 0x10
        var flips = 0
        while b.scheduler.now.nanoseconds - start.nanoseconds < 1_000_000 {
            b.scheduler.advance(to: b.scheduler.now + 1000)
            let bit = b.inb(0x61) & 0x10
            if bit != last { flips += 1 }
            last = bit
        }
        #expect(flips == 66)
    }

    @Test("port 0x61 keeps bits 0-3, and the speaker callback follows gate, enable and tone")
    func speakerCallback() {
        let b = PITBench()
        b.outb(0x43, 0xB6)
        b.writeCount(channel: 2, 1193)
        #expect(b.speakerStates.last?.toneFrequency == Double(1_193_182) / 1193)
        #expect(b.speakerStates.last?.isSounding == false)
        b.outb(0x61, 0xFF)
        #expect(b.inb(0x61) & 0xCF == 0x0F)
        #expect(b.speakerStates.last?.isSounding == true)
        let count = b.speakerStates.count
        b.outb(0x61, 0x0F)
        #expect(b.speakerStates.count == count)  // unchanged, not reported again
        b.outb(0x61, 0x0C)
        #expect(b.speakerStates.last?.isSounding == false)
        #expect(b.speakerStates.last?.timerGateEnabled == false)
    }

    @Test("stepping a counter clock by clock agrees with jumping, and OUT changes when predicted")
    func closedFormMatchesStepping() {
        for mode in 0...5 {
            for bcd in [false, true] {
                for n: UInt16 in [1, 2, 3, 4, 5, 7, 16] {
                    checkAgainstStepping(mode: mode, bcd: bcd, count: n)
                }
            }
        }
    }

    private func checkAgainstStepping(mode: Int, bcd: Bool, count: UInt16) {
        let triggered = mode == 1 || mode == 5
        func events(_ c: inout PITCounter, at t: UInt64) {
            func write(_ value: UInt16) {
                c.writeCountByte(UInt8(value & 0xFF), at: t)
                c.writeCountByte(UInt8(value >> 8), at: t)
            }
            switch t {
            case 0:
                c.program(mode: mode, access: .word, bcd: bcd, at: t)
                c.setGate(!triggered, at: t)
                write(count)
            case 2: c.setGate(true, at: t)
            case 7: write(5)
            case 13: c.setGate(false, at: t)
            case 17: c.setGate(true, at: t)
            case 30:
                c.program(mode: mode, access: .word, bcd: bcd, at: t)
                c.writeCountByte(3, at: t)
            case 32: c.writeCountByte(0, at: t)
            case 41: if triggered { c.setGate(false, at: t) }
            case 43: if triggered { c.setGate(true, at: t) }
            default: break
            }
        }
        var stepped = PITCounter()
        var jumped = PITCounter()
        let label = "mode \(mode) bcd \(bcd) count \(count)"
        for t: UInt64 in 0...90 {
            stepped.advance(to: t)
            events(&stepped, at: t)
            events(&jumped, at: t)
            var probe = jumped
            probe.advance(to: t)
            #expect(probe == stepped, "\(label) at tick \(t)")
            // The prediction of OUT's next change against a clock-by-clock run.
            let predicted = stepped.nextOutputChange()
            var scratch = stepped
            var actual: (clocks: UInt64, level: Bool)?
            for d: UInt64 in 1...120 {
                scratch.advance(to: t + d)
                if scratch.out != stepped.out {
                    actual = (d, scratch.out)
                    break
                }
            }
            #expect(predicted?.clocks == actual?.clocks && predicted?.level == actual?.level,
                    "\(label) at tick \(t): predicted \(String(describing: predicted)), saw \(String(describing: actual))")
        }
    }

    @Test("save, restore into a new PIT, and both continue with the same edges and counts")
    func saveRestoreRoundTrip() throws {
        let a = PITBench()
        a.outb(0x43, 0x34)
        a.writeCount(channel: 0, 1000)
        a.outb(0x43, 0x71)  // counter 1, mode 0, BCD
        a.writeCount(channel: 1, 0x0500)
        a.outb(0x43, 0xB6)
        a.writeCount(channel: 2, 0x1234)
        a.outb(0x61, 0x03)
        a.scheduler.advance(to: VirtualTime(nanoseconds: 1_234_567))
        a.outb(0x43, 0x40)  // latch counter 1 and read only its LSB
        _ = a.inb(0x41)
        a.outb(0x43, 0xE8)  // status of counter 2, left unread
        a.outb(0x40, 0x99)  // half a new count for counter 0
        let savedPIT = a.pit.saveState()
        let savedPortB = a.portB.saveState()
        let saveTime = a.scheduler.now

        let data = try JSONEncoder().encode(savedPIT)
        let decoded = try JSONDecoder().decode(PIT.SavedState.self, from: data)
        #expect(decoded == savedPIT)

        let b = PITBench(startingAt: saveTime)
        try b.pit.restoreState(decoded)
        try b.portB.restoreState(savedPortB)
        #expect(b.pit.saveState() == savedPIT)
        #expect(b.portB.saveState() == savedPortB)
        #expect(b.irq0.level == a.irq0.level)
        #expect(b.scheduler.nextDeadline == a.scheduler.nextDeadline)
        #expect(b.portB.speakerState == a.portB.speakerState)

        for bench in [a, b] {
            bench.run(toTick: 6_000)
            bench.outb(0x40, 0x01)  // completes counter 0's count: 0x0199
        }
        #expect(a.inb(0x41) == b.inb(0x41))  // the latched MSB
        #expect(a.inb(0x42) == b.inb(0x42))  // the latched status
        for tick: UInt64 in [9_000, 40_000, 123_457] {
            a.run(toTick: tick)
            b.run(toTick: tick)
            #expect(a.readCount(channel: 1) == b.readCount(channel: 1))
            #expect(a.readCount(channel: 2) == b.readCount(channel: 2))
            #expect(a.inb(0x61) == b.inb(0x61))
        }
        #expect(a.irq0.risingEdges.filter { $0 > saveTime } == b.irq0.risingEdges.filter { $0 > saveTime })
        #expect(a.irq0.risingEdges.filter { $0 > saveTime }.count > 100)
        #expect(a.pit.saveState() == b.pit.saveState())
    }

    @Test("a snapshot taken inside a one-clock strobe still delivers that IRQ0 edge after restore")
    func restoreInsideStrobe() throws {
        let a = PITBench()
        a.outb(0x43, 0x34)
        a.writeCount(channel: 0, 10)
        a.irq0.clear()
        a.scheduler.advance(to: PIT.time(ofClockTick: 10) + 100)
        #expect(!a.pit.output(channel: 0) && a.irq0.level)
        let saved = a.pit.saveState()
        let b = PITBench(startingAt: a.scheduler.now)
        try b.pit.restoreState(saved)
        b.irq0.clear()
        a.run(toTick: 30)
        b.run(toTick: 30)
        #expect(a.irq0.risingEdgeTicks == [11, 21])
        #expect(b.irq0.risingEdgeTicks == [11, 21])
    }

    @Test("a corrupt saved state is refused and leaves the PIT unchanged")
    func corruptStateRefused() throws {
        let a = PITBench()
        a.outb(0x43, 0x34)
        a.writeCount(channel: 0, 1000)
        a.run(toTick: 50)
        let saved = a.pit.saveState()

        var badMode = saved
        badMode.counters[0].mode = 7
        var badAccess = saved
        badAccess.counters[1].access = 0
        var badPhase = saved
        badPhase.counters[2].phase = 3
        var badLoaded = saved
        badLoaded.counters[0].loadedCount = 0
        var badCounted = saved
        badCounted.counters[0].counted = 1000
        var badCount = saved
        badCount.counters.removeLast()
        var badHeld = saved
        badHeld.counters[1].bcd = true
        badHeld.counters[1].heldValue = 12_000
        var badRunning = saved
        badRunning.counters[1].phase = 2

        let b = PITBench()
        let before = b.pit.saveState()
        for bad in [badMode, badAccess, badPhase, badLoaded, badCounted, badCount, badHeld, badRunning] {
            #expect(throws: SnapshotStateError.self) { try b.pit.restoreState(bad) }
        }
        #expect(b.pit.saveState() == before)
        #expect(throws: SnapshotStateError.self) {
            try b.portB.restoreState(SystemControlPortB.SavedState(control: 0x30))
        }
    }
}
