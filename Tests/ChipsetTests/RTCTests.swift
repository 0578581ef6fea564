import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

@Suite("RTC")
struct RTCTests {
    @Test("a fixed start date reads back in BCD, 24-hour, as a BIOS reads it")
    func fixedStartBCD() {
        let b = RTCBench()
        #expect(b.read(0x00) == 0x58 && b.read(0x02) == 0x59 && b.read(0x04) == 0x23)
        #expect(b.read(0x06) == 0x05)  // Thursday
        #expect(b.read(0x07) == 0x29 && b.read(0x08) == 0x02 && b.read(0x09) == 0x24)
        #expect(b.read(0x32) == 0x20)
        #expect(b.read(0x0A) == 0x26 && b.read(0x0B) == 0x02 && b.read(0x0D) == 0x80)
        #expect(b.linuxGetTime() == .init(second: 58, minute: 59, hour: 23, day: 29, month: 2, year: 2024))
        #expect(b.rtc.dateTime == RTCBench.leapDayEvening)
    }

    @Test("the host clock start gives a plausible current date")
    func hostClockStart() {
        let rtc = RTC(interrupt: RecordingInterruptLine(), scheduler: Scheduler(), start: .hostUTC)
        #expect(rtc.dateTime.year >= 2024)
        let local = RTC(interrupt: RecordingInterruptLine(), scheduler: Scheduler(), start: .hostLocalTime)
        #expect(local.dateTime.year >= 2024)
    }

    @Test("time advances with virtual time across midnight, the leap day and the month")
    func timeAdvances() {
        let b = RTCBench()
        b.advance(by: 2 * RTCBench.second)
        #expect(b.linuxGetTime() == .init(second: 0, minute: 0, hour: 0, day: 1, month: 3, year: 2024))
        #expect(b.read(0x06) == 0x06)  // Friday
        // A year later, minus the leap day: 2025-02-28 23:59:58 is a Friday too.
        b.advance(by: 365 * 86_400 * RTCBench.second - 2 * RTCBench.second)
        #expect(b.rtc.dateTime == RTCDateTime(year: 2025, month: 2, day: 28, hour: 23, minute: 59, second: 58))
        #expect(b.read(0x06) == 0x06)
    }

    @Test("the year carries into the century byte at the end of 2099")
    func centuryCarry() {
        let b = RTCBench(start: RTCDateTime(year: 2099, month: 12, day: 31, hour: 23, minute: 59, second: 59))
        b.advance(by: RTCBench.second)
        #expect(b.read(0x09) == 0x00 && b.read(0x32) == 0x21)
        #expect(b.read(0x08) == 0x01 && b.read(0x07) == 0x01 && b.read(0x04) == 0x00)
        #expect(b.read(0x06) == 0x06)  // 2100-01-01 is a Friday
    }

    @Test("binary mode (register B DM) counts in binary once the time is set in binary")
    func binaryMode() {
        let b = RTCBench()
        b.setClock(registerB: 0x06, bytes: [0x00: 59, 0x02: 59, 0x04: 23, 0x06: 3, 0x07: 31, 0x08: 12,
                                            0x09: 24, 0x32: 20])
        #expect(b.read(0x00) == 59 && b.read(0x04) == 23 && b.read(0x07) == 31)
        b.advance(by: RTCBench.second)
        #expect(b.read(0x00) == 0 && b.read(0x02) == 0 && b.read(0x04) == 0)
        #expect(b.read(0x07) == 1 && b.read(0x08) == 1 && b.read(0x09) == 25 && b.read(0x06) == 4)
        #expect(b.linuxGetTime() == .init(second: 0, minute: 0, hour: 0, day: 1, month: 1, year: 2025))
    }

    @Test("12-hour mode keeps hours 1-12 with PM in bit 7: 11:59:59 PM → 12 AM, 11:59:59 AM → 12 PM")
    func twelveHourMode() {
        let b = RTCBench()
        b.setClock(registerB: 0x00, bytes: [0x00: 0x59, 0x02: 0x59, 0x04: 0x91])
        #expect(b.linuxGetTime().hour == 23)
        b.advance(by: RTCBench.second)
        #expect(b.read(0x04) == 0x12)
        #expect(b.read(0x07) == 0x01 && b.read(0x08) == 0x03)
        b.setClock(registerB: 0x00, bytes: [0x00: 0x59, 0x02: 0x59, 0x04: 0x11])
        b.advance(by: RTCBench.second)
        #expect(b.read(0x04) == 0x92)
        #expect(b.linuxGetTime().hour == 12)
    }

    @Test("UIP is set for the 244 µs before each update, and the seconds change as it clears")
    func updateInProgressWindow() {
        let b = RTCBench()
        // The first update comes 1 s after power-on.
        b.advance(to: RTCBench.second - 244_142)
        #expect(b.read(0x0A) == 0x26)
        b.advance(by: 1)
        #expect(b.read(0x0A) == 0xA6)
        #expect(b.read(0x00) == 0x58)
        b.advance(to: RTCBench.second - 1)
        #expect(b.read(0x0A) & 0x80 != 0)
        b.advance(by: 1)
        #expect(b.read(0x0A) == 0x26)
        #expect(b.read(0x00) == 0x59)
        // Linux waits UIP out and reads the new second.
        b.advance(to: 2 * RTCBench.second - 100_000)
        #expect(b.linuxGetTime().second == 0)
    }

    @Test("SET stops the clock and clears UIE; the time written meanwhile is the new base")
    func setInhibitsUpdates() {
        let b = RTCBench()
        b.write(0x0B, 0x12)
        b.write(0x0B, 0x92)
        #expect(b.read(0x0B) == 0x82)
        b.advance(to: RTCBench.second - 100_000)
        #expect(b.read(0x0A) & 0x80 == 0)  // no UIP while SET
        b.advance(by: 5 * RTCBench.second)
        #expect(b.read(0x00) == 0x58)
        b.write(0x04, 0x12)
        b.write(0x02, 0x34)
        b.write(0x00, 0x56)
        b.write(0x0B, 0x02)
        #expect(b.read(0x00) == 0x56 && b.read(0x02) == 0x34 && b.read(0x04) == 0x12)
        // Updates resume on the divider's phase: the next whole virtual second.
        b.advance(to: 6 * RTCBench.second - 1)
        #expect(b.read(0x00) == 0x56)
        b.advance(by: 1)
        #expect(b.read(0x00) == 0x57)
        #expect(b.rtc.dateTime == RTCDateTime(year: 2024, month: 2, day: 29, hour: 12, minute: 34, second: 57))
    }

    @Test("periodic interrupt at 1024 Hz gives 1024 IRQ 8 edges per virtual second")
    func periodic1024Hz() {
        let b = RTCBench()
        b.write(0x0B, 0x42)  // PIE
        let runs = b.runWithHandler(until: RTCBench.second)
        #expect(b.irq.risingEdges == 1024)
        #expect(runs.count == 1024)
        #expect(runs.allSatisfy { $0.c & 0xC0 == 0xC0 })
        // Edges fall on the 32.768 kHz grid: every 976.5625 µs.
        #expect(runs[0].time == 976_563 && runs[1].time == 1_953_125 && runs.last?.time == RTCBench.second)
    }

    @Test("the periodic rate follows RS: 2 Hz at RS=15, 8192 Hz at RS=3, none at RS=0")
    func periodicRates() {
        for (a, perSecond) in [(0x2F, 2), (0x23, 8192), (0x21, 256), (0x20, 0)] as [(UInt8, Int)] {
            let b = RTCBench()
            b.write(0x0A, a)
            b.write(0x0B, 0x42)
            b.runWithHandler(until: 2 * RTCBench.second)
            #expect(b.irq.risingEdges == 2 * perSecond, "register A 0x\(String(a, radix: 16))")
        }
    }

    @Test("update-ended interrupt once per second, when the seconds change")
    func updateEnded() {
        let b = RTCBench()
        b.write(0x0B, 0x12)  // UIE
        let runs = b.runWithHandler(until: 3 * RTCBench.second + 500_000_000)
        #expect(runs.map(\.time) == [1, 2, 3].map { $0 * RTCBench.second })
        #expect(runs.allSatisfy { $0.c & 0x90 == 0x90 })
        #expect(b.read(0x00) == 0x01)
    }

    @Test("alarm interrupt when hours, minutes and seconds match, with 0xC0-0xFF as don't care")
    func alarm() {
        let b = RTCBench()
        b.write(0x01, 0x05)
        b.write(0x03, 0x00)
        b.write(0x05, 0x00)
        b.write(0x0B, 0x22)  // AIE
        var runs = b.runWithHandler(until: 20 * RTCBench.second)
        #expect(runs.map(\.time) == [7 * RTCBench.second])  // 00:00:05
        #expect(runs.first.map { $0.c & 0xA0 == 0xA0 } == true)
        // Every minute at :30.
        b.write(0x01, 0x30)
        b.write(0x03, 0xFF)
        b.write(0x05, 0xC0)
        runs = b.runWithHandler(until: 200 * RTCBench.second)
        #expect(runs.map(\.time) == [32, 92, 152].map { $0 * RTCBench.second })
    }

    @Test("register C flags are set even when disabled; reading C clears them and lowers IRQ 8")
    func registerCReadClears() {
        let b = RTCBench()
        b.advance(by: 1_500_000_000)
        #expect(!b.irq.level)
        #expect(b.read(0x0C) == 0x50)  // PF | UF, no IRQF
        #expect(b.read(0x0C) == 0x00)
        b.advance(by: 1_000_000)
        b.write(0x0B, 0x42)  // PF already set: IRQF at once
        #expect(b.irq.level)
        #expect(b.rtc.readCMOS(0x0C) == 0xC0)  // the host-side read does not clear
        #expect(b.read(0x0C) == 0xC0)
        #expect(!b.irq.level)
    }

    @Test("divider reset stops the clock; the first update comes 500 ms after it is released")
    func dividerReset() {
        let b = RTCBench()
        b.write(0x0B, 0x42)
        b.write(0x0A, 0x76)  // divider in reset
        b.runWithHandler(until: 3 * RTCBench.second)
        #expect(b.irq.risingEdges == 0 && b.read(0x00) == 0x58)
        b.write(0x0A, 0x26)
        b.write(0x0B, 0x02)
        b.advance(by: 500_000_000 - 244_141 - 1)
        #expect(b.read(0x0A) == 0x26)
        b.advance(by: 1)
        #expect(b.read(0x0A) == 0xA6)
        b.advance(by: 244_141)
        #expect(b.read(0x00) == 0x59)
    }

    @Test("port 0x70 bit 7 masks NMIs, reported through the callback on each change")
    func nmiMask() {
        let b = RTCBench()
        b.rtc.ioWrite(port: IOPort(0x70), width: .byte, value: 0x8F)
        #expect(b.nmi.reports == [true] && b.rtc.nmiMasked)
        b.rtc.ioWrite(port: IOPort(0x71), width: .byte, value: 0x5A)
        #expect(b.rtc.readCMOS(0x0F) == 0x5A)  // bit 7 is not part of the index
        b.rtc.ioWrite(port: IOPort(0x70), width: .byte, value: 0x0F)
        b.rtc.ioWrite(port: IOPort(0x70), width: .byte, value: 0x0E)
        #expect(b.nmi.reports == [true, false] && !b.rtc.nmiMasked)
    }

    @Test("CMOS RAM keeps what is written; registers C and D ignore writes")
    func cmosRAM() {
        let b = RTCBench()
        b.write(0x40, 0xAB)
        b.write(0x7F, 0xCD)
        #expect(b.read(0x40) == 0xAB && b.read(0x7F) == 0xCD)
        b.write(0x0C, 0xFF)
        b.write(0x0D, 0x00)
        #expect(b.read(0x0C) == 0x00 && b.read(0x0D) == 0x80)
        // Invalid time bytes read back as written until the clock advances.
        b.write(0x00, 0x7A)
        #expect(b.read(0x00) == 0x7A)
    }

    @Test("the standard layout holds memory sizes, equipment, drive types, century and the checksum")
    func standardLayout() {
        let b = RTCBench()
        b.rtc.applyStandardLayout(CMOSConfiguration(ramSize: 128 << 20, ramAbove4G: 1 << 30,
                                                    floppyA: .threeInch1440K, hardDiskCount: 1))
        #expect(b.read(0x15) == 0x80 && b.read(0x16) == 0x02)  // 640 KiB
        #expect(b.read(0x17) == 0xFF && b.read(0x18) == 0xFF)  // capped at 64 MiB
        #expect(b.read(0x30) == 0xFF && b.read(0x31) == 0xFF)
        #expect(b.read(0x34) == 0x00 && b.read(0x35) == 0x07)  // 112 MiB / 64 KiB = 0x700
        #expect(b.read(0x5B) == 0x00 && b.read(0x5C) == 0x40 && b.read(0x5D) == 0x00)
        #expect(b.read(0x10) == 0x40)
        #expect(b.read(0x12) == 0xF0 && b.read(0x19) == 47 && b.read(0x1A) == 0)
        #expect(b.read(0x14) == 0x03)  // one floppy, FPU, EGA/VGA
        #expect(b.read(0x32) == 0x20)
        let sum = (0x10...0x2D).reduce(0) { $0 + Int(b.read(UInt8($1))) }
        #expect(sum == 0x3E2)
        #expect(b.read(0x2E) == 0x03 && b.read(0x2F) == 0xE2)

        let small = RTCBench()
        small.rtc.applyStandardLayout(CMOSConfiguration(ramSize: 8 << 20, floppyA: .threeInch1440K,
                                                        floppyB: .fiveInch1200K, hardDiskCount: 2))
        #expect(small.read(0x17) == 0x00 && small.read(0x18) == 0x1C)  // 7168 KiB
        #expect(small.read(0x34) == 0 && small.read(0x35) == 0)
        #expect(small.read(0x10) == 0x42 && small.read(0x12) == 0xFF && small.read(0x1A) == 47)
        #expect(small.read(0x14) == 0x43)
        #expect(UInt16(small.read(0x2E)) << 8 | UInt16(small.read(0x2F)) == small.rtc.computedChecksum)
    }

    @Test("save → new device → restore keeps the clock, CMOS, flags and pending interrupts")
    func saveRestoreRoundTrip() throws {
        let b = RTCBench()
        b.write(0x50, 0x77)
        b.write(0x01, 0x03)
        b.write(0x03, 0xFF)
        b.write(0x05, 0xFF)
        b.write(0x0B, 0x62)  // PIE | AIE
        b.rtc.ioWrite(port: IOPort(0x70), width: .byte, value: 0x80 | 0x10)
        b.advance(by: 2_300_000_000)
        #expect(b.irq.level)
        let saved = b.rtc.saveState()

        let line = RecordingInterruptLine()
        let log = NMIMaskLog()
        let copy = RTC(interrupt: line, scheduler: b.scheduler,
                       start: .fixed(RTCDateTime(year: 1999, month: 1, day: 1))) { log.reports.append($0) }
        try copy.restoreState(saved)
        #expect(copy.saveState() == saved)
        #expect(line.level && log.reports == [true] && copy.nmiMasked)
        #expect(copy.dateTime == b.rtc.dateTime)
        #expect(copy.readCMOS(0x50) == 0x77)
        // Both keep going identically.
        func readC(_ r: RTC) -> UInt8 {
            r.ioWrite(port: IOPort(0x70), width: .byte, value: 0x0C)
            return UInt8(r.ioRead(port: IOPort(0x71), width: .byte))
        }
        #expect(readC(copy) == readC(b.rtc))
        b.advance(by: 1_000_000)
        #expect(line.level && b.irq.level)
        b.advance(by: 10 * RTCBench.second)
        #expect(readC(copy) == readC(b.rtc))
        #expect(copy.saveState() == b.rtc.saveState())
    }

    @Test("a corrupt saved state is refused and leaves the RTC unchanged")
    func corruptStateRefused() {
        let b = RTCBench()
        let good = b.rtc.saveState()
        var shortRAM = good
        shortRAM.ram = [UInt8](repeating: 0, count: 64)
        var badFlags = good
        badFlags.flags = 0x81
        var badIndex = good
        badIndex.index = 0x80
        var uipStored = good
        uipStored.ram[0x0A] = 0xA6
        var negativeTime = good
        negativeTime.syncedAt = -1
        for bad in [shortRAM, badFlags, badIndex, uipStored, negativeTime] {
            let copy = RTC(interrupt: RecordingInterruptLine(), scheduler: b.scheduler,
                           start: .fixed(RTCBench.leapDayEvening))
            let before = copy.saveState()
            #expect(throws: SnapshotStateError.self) { try copy.restoreState(bad) }
            #expect(copy.saveState() == before)
        }
        #expect(RTC.savedStateVersion == 1)
    }

    @Test("reset clears the interrupt enables and flags but keeps the time and CMOS")
    func reset() {
        let b = RTCBench()
        b.write(0x0B, 0x72)
        b.write(0x60, 0x11)
        b.advance(by: RTCBench.second)
        #expect(b.irq.level)
        b.rtc.reset()
        #expect(!b.irq.level)
        #expect(b.read(0x0B) == 0x02 && b.read(0x0C) == 0x00)
        #expect(b.read(0x60) == 0x11 && b.read(0x00) == 0x59)
    }
}
