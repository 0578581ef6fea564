// An RTC with a recording IRQ 8 and NMI-mask log, driven through ports 0x70/0x71.

import EmulatorCore
import TestSupport
@testable import Chipset

final class NMIMaskLog {
    var reports: [Bool] = []
}

final class RTCBench {
    let scheduler = Scheduler()
    let irq = RecordingInterruptLine()
    let nmi = NMIMaskLog()
    let rtc: RTC

    /// 2024-02-29 (a Thursday) 23:59:58.
    static let leapDayEvening = RTCDateTime(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 58)
    static let second: UInt64 = 1_000_000_000

    init(start: RTCDateTime = RTCBench.leapDayEvening) {
        let log = nmi
        rtc = RTC(interrupt: irq, scheduler: scheduler, start: .fixed(start)) { log.reports.append($0) }
    }

    func read(_ index: UInt8) -> UInt8 {
        rtc.ioWrite(port: IOPort(0x70), width: .byte, value: UInt32(index))
        return UInt8(rtc.ioRead(port: IOPort(0x71), width: .byte))
    }

    func write(_ index: UInt8, _ value: UInt8) {
        rtc.ioWrite(port: IOPort(0x70), width: .byte, value: UInt32(index))
        rtc.ioWrite(port: IOPort(0x71), width: .byte, value: UInt32(value))
    }

    func advance(by nanoseconds: UInt64) {
        scheduler.advance(to: scheduler.now + nanoseconds)
    }

    func advance(to nanoseconds: UInt64) {
        scheduler.advance(to: VirtualTime(nanoseconds: nanoseconds))
    }

    /// Runs virtual time to `end` as a guest whose IRQ 8 handler reads register C (as Linux's
    /// rtc_cmos interrupt handler does). Returns the virtual times of the handler's runs and the
    /// register C values it read.
    @discardableResult
    func runWithHandler(until end: UInt64) -> [(time: UInt64, c: UInt8)] {
        var runs: [(UInt64, UInt8)] = []
        while let next = scheduler.nextDeadline, next.nanoseconds <= end {
            scheduler.advance(to: next)
            if irq.level { runs.append((scheduler.now.nanoseconds, read(0x0C))) }
        }
        advance(to: end)
        return runs
    }

    struct LinuxTime: Equatable {
        var second, minute, hour, day, month, year: Int
    }

    /// Linux's mc146818_get_time: wait out UIP, read the time bytes, then register B to decide
    /// whether they are BCD and 12-hour.
    func linuxGetTime() -> LinuxTime {
        while read(0x0A) & 0x80 != 0 { advance(by: 1_000_000) }  // mdelay(1)
        var t = LinuxTime(second: Int(read(0x00)), minute: Int(read(0x02)), hour: Int(read(0x04)),
                          day: Int(read(0x07)), month: Int(read(0x08)), year: Int(read(0x09)))
        let century = Int(read(0x32))
        let b = read(0x0B)
        let pm = b & 0x02 == 0 && t.hour & 0x80 != 0
        t.hour &= 0x7F
        func bin(_ v: Int) -> Int { b & 0x04 != 0 ? v : (v >> 4) * 10 + (v & 0x0F) }
        t.second = bin(t.second); t.minute = bin(t.minute); t.hour = bin(t.hour)
        t.day = bin(t.day); t.month = bin(t.month); t.year = bin(century) * 100 + bin(t.year)
        if b & 0x02 == 0 { t.hour = t.hour % 12 + (pm ? 12 : 0) }
        return t
    }

    /// A BIOS setting the clock: SET, the time bytes, then SET cleared with `registerB`.
    func setClock(registerB: UInt8, bytes: [UInt8: UInt8]) {
        write(0x0B, registerB | 0x80)
        for (index, value) in bytes.sorted(by: { $0.key < $1.key }) { write(index, value) }
        write(0x0B, registerB)
    }
}
