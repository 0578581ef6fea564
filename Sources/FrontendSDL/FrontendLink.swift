// What the window's thread and the emulation thread share: input, frames, requests, status.

import Chipset
import Foundation
import Machine

/// The only state the SDL window (main thread) and the machine (emulation thread) share. Input
/// goes to the machine through `events`, frames come back through `frames`; everything else here
/// is a few flags under a lock. The window never touches the machine: it asks, through
/// `request(_:)`, and the emulation thread acts between slices (`DisplayPump`).
public final class FrontendLink: @unchecked Sendable {
    /// Something only the emulation thread can do.
    public enum Request: Sendable, Equatable {
        /// End the run (the window was closed), as SIGTERM would.
        case quit
        /// Save a snapshot and continue (Ctrl+Alt+P).
        case saveSnapshot
    }

    public let events = HostEventQueue()
    public let frames = FrameExchange()
    private let lock = NSLock()
    private var requests: [Request] = []
    private var statusMessages: [String] = []
    private var speaker = SystemControlPortB.SpeakerState.silent
    private var finished = false

    public init() {}

    /// Asks the emulation thread to do `request` at its next slice boundary (window thread).
    public func request(_ request: Request) {
        lock.lock()
        requests.append(request)
        lock.unlock()
    }

    /// The requests made since the last call (emulation thread).
    public func takeRequests() -> [Request] {
        lock.lock()
        defer { lock.unlock() }
        let out = requests
        requests.removeAll()
        return out
    }

    /// Whether a request is waiting (any thread).
    public var hasPendingRequests: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !requests.isEmpty
    }

    /// A message for the user, shown in the window title (emulation thread).
    public func postStatus(_ message: String) {
        lock.lock()
        statusMessages.append(message)
        lock.unlock()
    }

    /// Messages posted since the last call (window thread).
    public func takeStatus() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        let out = statusMessages
        statusMessages.removeAll()
        return out
    }

    /// What the PC speaker plays now (set by the emulation thread, read by the audio code).
    public var speakerState: SystemControlPortB.SpeakerState {
        get {
            lock.lock()
            defer { lock.unlock() }
            return speaker
        }
        set {
            lock.lock()
            speaker = newValue
            lock.unlock()
        }
    }

    /// Marks the run as over (emulation thread, after `PCMachine.run` returns): the window closes.
    public func finish() {
        lock.lock()
        finished = true
        lock.unlock()
    }

    public var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }
}
