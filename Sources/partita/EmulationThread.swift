// The thread the machine runs on while the SDL window owns the main thread.

import Foundation

/// Runs `body` once on a new thread with a large stack (the interpreter and device code recurse
/// deeper than a secondary thread's default 512 KiB allows), and lets the main thread wait for it.
final class EmulationThread: @unchecked Sendable {
    static let stackSize = 64 << 20
    private let body: () -> Void
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping () -> Void) {
        self.body = body
    }

    func start() {
        let thread = Thread { [self] in
            body()
            done.signal()
        }
        thread.name = "partita-emulation"
        thread.stackSize = Self.stackSize
        thread.start()
    }

    /// Waits until `body` has returned.
    func join() {
        done.wait()
    }
}
