// The frontend → emulation thread input queue and its delivery to the PS/2 devices.

import Chipset
import Foundation
import Testing
@testable import Machine

@Suite("Host event queue")
struct HostEventQueueTests {
    @Test("events come out in order, once")
    func order() {
        let q = HostEventQueue()
        #expect(!q.hasPendingEvents)
        q.push(.key(.press(.a)))
        q.push(.mouse(.motion(dx: 3, dy: -2)))
        q.push(.key(.release(.a)))
        #expect(q.hasPendingEvents)
        #expect(q.drain() == [.key(.press(.a)), .mouse(.motion(dx: 3, dy: -2)), .key(.release(.a))])
        #expect(q.drain().isEmpty)
        #expect(!q.hasPendingEvents)
    }

    @Test("a full queue drops new events but keeps key releases")
    func bounded() {
        let q = HostEventQueue(capacity: 2)
        #expect(q.push(.key(.press(.a))))
        #expect(q.push(.key(.press(.b))))
        #expect(!q.push(.key(.press(.c))))
        #expect(!q.push(.mouse(.wheel(1))))
        #expect(q.push(.key(.release(.a))))
        #expect(q.dropped == 2)
        #expect(q.drain() == [.key(.press(.a)), .key(.press(.b)), .key(.release(.a))])
    }

    @Test("pushes from many threads all arrive")
    func concurrent() {
        let q = HostEventQueue(capacity: 100_000)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<500 { q.push(.mouse(.motion(dx: t, dy: i))) }
        }
        let events = q.drain()
        #expect(events.count == 4000)
        // Each thread's events stay in its own order.
        for t in 0..<8 {
            let ys = events.compactMap { e -> Int? in
                if case .mouse(.motion(let dx, let dy)) = e, dx == t { return dy }
                return nil
            }
            #expect(ys == Array(0..<500))
        }
    }

    @Test("the machine delivers queued keys to the PS/2 keyboard and mouse events to the mouse")
    func delivery() throws {
        var config = MachineConfiguration()
        config.ramSize = 1 << 20
        // JMP $ everywhere (the reset vector F000:FFF0 is at an even offset): instructions retire.
        config.firmware = (0..<(64 << 10)).map { $0 % 2 == 0 ? 0xEB : 0xFE }
        config.serial = .null
        config.clock = .virtual
        let machine = try PCMachine(config)
        let q = HostEventQueue()
        machine.hostEvents = q
        q.push(.key(.press(.leftShift)))
        q.push(.mouse(.button(.left, pressed: true)))
        _ = machine.run(sliceInstructions: 10, instructionLimit: 20)
        #expect(!q.hasPendingEvents)
        #expect(machine.ps2.keyboard.isPressed(.leftShift))
        #expect(machine.ps2.mouse.buttons == [.left])
        q.push(.key(.release(.leftShift)))
        _ = machine.run(sliceInstructions: 10, instructionLimit: 40)
        #expect(!machine.ps2.keyboard.isPressed(.leftShift))
    }
}
