// The newest guest frame, handed from the emulation thread to the window's thread under a lock.

import EmulatorCore
import Foundation

/// One slot holding the newest rendered frame. The emulation thread `publish`es (between
/// slices); the window's thread takes it with `frame(newerThan:)` and uploads it. Frames are
/// values (copy-on-write pixel arrays), so a frame handed out stays valid while a newer one is
/// published.
public final class FrameExchange: @unchecked Sendable {
    private let lock = NSLock()
    private var frame: DisplayFrame?
    private var generation: UInt64 = 0

    public init() {}

    /// Makes `frame` the newest frame (emulation thread).
    public func publish(_ frame: DisplayFrame) {
        lock.lock()
        self.frame = frame
        generation &+= 1
        lock.unlock()
    }

    /// The newest frame and its number if it is newer than `seen` (0: none seen yet).
    public func frame(newerThan seen: UInt64) -> (frame: DisplayFrame, generation: UInt64)? {
        lock.lock()
        defer { lock.unlock() }
        guard generation != seen, let frame else { return nil }
        return (frame, generation)
    }

    /// The newest frame, if any was published.
    public var latest: DisplayFrame? {
        lock.lock()
        defer { lock.unlock() }
        return frame
    }
}
