import Testing
import EmulatorCore

@Suite("Scheduler")
struct SchedulerTests {
    @Test("timers fire in deadline order, ties in arming order, and time never runs backwards")
    func firesInOrder() {
        let s = Scheduler()
        var fired: [String] = []
        let a = DeviceTimer(name: "a", scheduler: s) { _ in fired.append("a") }
        let b = DeviceTimer(name: "b", scheduler: s) { _ in fired.append("b") }
        let c = DeviceTimer(name: "c", scheduler: s) { _ in fired.append("c") }
        a.arm(at: VirtualTime(nanoseconds: 300))
        b.arm(at: VirtualTime(nanoseconds: 100))
        c.arm(at: VirtualTime(nanoseconds: 300))
        #expect(s.nextDeadline == VirtualTime(nanoseconds: 100))
        s.advance(to: VirtualTime(nanoseconds: 250))
        #expect(fired == ["b"])
        #expect(s.now == VirtualTime(nanoseconds: 250))
        s.advance(to: VirtualTime(nanoseconds: 1000))
        #expect(fired == ["b", "a", "c"])
        s.advance(to: VirtualTime(nanoseconds: 10))
        #expect(s.now == VirtualTime(nanoseconds: 1000))
    }

    @Test("a timer re-armed from its own callback fires again at the new deadline")
    func periodicRearm() {
        let s = Scheduler()
        var ticks = 0
        var t: DeviceTimer!
        t = DeviceTimer(name: "periodic", scheduler: s) { now in
            ticks += 1
            t.arm(at: now + 100)
        }
        t.arm(at: VirtualTime(nanoseconds: 100))
        s.advance(to: VirtualTime(nanoseconds: 1050))
        #expect(ticks == 10)
        #expect(t.deadline == VirtualTime(nanoseconds: 1100))
    }
}
