// Input events from a frontend thread, handed to the emulation thread between slices.

import Foundation

/// A thread-safe queue a frontend (the SDL window, on its own thread) fills with key and mouse
/// events and the machine's run loop drains into the PS/2 keyboard and mouse on the emulation
/// thread, between CPU slices — so no device is ever touched from the frontend's thread.
///
/// Events keep their order. The queue holds at most `capacity` events; beyond that new events are
/// dropped (a guest that reads no input cannot make the host grow without bound), except that a
/// key release is always kept so that no key stays stuck down in the guest.
public final class HostEventQueue: @unchecked Sendable {
    /// Default bound on queued events.
    public static let defaultCapacity = 4096

    public let capacity: Int
    private let lock = NSLock()
    private var events: [HostEvent] = []
    private var droppedCount = 0

    public init(capacity: Int = HostEventQueue.defaultCapacity) {
        precondition(capacity > 0, "a queue holds at least one event")
        self.capacity = capacity
    }

    /// Queues `event` (any thread). Returns false when it was dropped because the queue is full.
    @discardableResult
    public func push(_ event: HostEvent) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if events.count >= capacity {
            if case .key(let k) = event, !k.isPressed {
                events.append(event)
                return true
            }
            droppedCount += 1
            return false
        }
        events.append(event)
        return true
    }

    /// Whether events are waiting (any thread).
    public var hasPendingEvents: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !events.isEmpty
    }

    /// Events dropped so far because the queue was full.
    public var dropped: Int {
        lock.lock()
        defer { lock.unlock() }
        return droppedCount
    }

    /// Takes everything queued so far, oldest first (the emulation thread).
    public func drain() -> [HostEvent] {
        lock.lock()
        defer { lock.unlock() }
        let out = events
        events.removeAll(keepingCapacity: true)
        return out
    }
}
