// Bytes from a host input thread, handed to the emulation thread between slices.

import Foundation

/// A thread-safe queue a host reader (a terminal, a pipe) fills and the machine's run loop drains
/// into COM1 on the emulation thread, between CPU slices.
public final class HostInputQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var closed = false

    public init() {}

    /// Called from any thread.
    public func push(_ data: [UInt8]) {
        lock.lock()
        bytes += data
        lock.unlock()
    }

    /// Marks the end of input (the reader hit EOF).
    public func close() {
        lock.lock()
        closed = true
        lock.unlock()
    }

    /// Whether bytes are waiting (any thread).
    public var hasPendingInput: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !bytes.isEmpty
    }

    /// Takes everything queued so far (emulation thread).
    func drain() -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        let out = bytes
        bytes.removeAll(keepingCapacity: true)
        return out
    }
}
