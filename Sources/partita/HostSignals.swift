// SIGTERM, SIGINT and SIGUSR1 turned into requests the emulation thread acts on between slices.

import Dispatch
import Foundation

/// Catches signals on a dispatch queue and only flags them: the machine belongs to the
/// emulation thread, which polls `take()` at each slice boundary (`PCMachine.betweenSlices`)
/// and stops or saves there — a snapshot is never taken from a signal context or mid-slice.
final class HostSignals: @unchecked Sendable {
    /// What arrived since the last `take()`.
    struct Requests {
        /// The signal asking the run to end (SIGTERM or SIGINT), if any.
        var stopSignal: Int32?
        /// SIGUSR1: save a snapshot now and continue.
        var save = false
    }

    private let lock = NSLock()
    private var pending = Requests()
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "partita.signals")

    /// Starts catching `SIGTERM` and `SIGINT` (when `stop`) and `SIGUSR1` (when `save`).
    func start(stop: Bool, save: Bool) {
        var signals: [Int32] = []
        if stop { signals += [SIGTERM, SIGINT] }
        if save { signals.append(SIGUSR1) }
        for sig in signals {
            // The default action must be off for the dispatch source to see the signal.
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [unowned self] in self.note(sig) }
            source.resume()
            sources.append(source)
        }
    }

    private func note(_ sig: Int32) {
        lock.lock()
        if sig == SIGUSR1 { pending.save = true } else if pending.stopSignal == nil { pending.stopSignal = sig }
        lock.unlock()
    }

    /// Whether something arrived that `take()` would return (any thread).
    var hasPending: Bool {
        lock.lock()
        defer { lock.unlock() }
        return pending.save || pending.stopSignal != nil
    }

    /// Returns and clears what arrived (called on the emulation thread).
    func take() -> Requests {
        lock.lock()
        defer { lock.unlock() }
        let r = pending
        pending = Requests()
        return r
    }
}
