// Test helper: an interrupt line that records every level change.

import EmulatorCore

/// Records the level changes a device drives, for assertions on IRQ edges.
public final class RecordingInterruptLine: InterruptLine {
    public private(set) var level = false
    /// Every level set, in order (including repeats of the same level).
    public private(set) var history: [Bool] = []
    /// Number of low→high transitions seen.
    public private(set) var risingEdges = 0

    public init() {}

    public func setLevel(_ high: Bool) {
        if high && !level { risingEdges += 1 }
        level = high
        history.append(high)
    }

    public func clearHistory() {
        history.removeAll()
        risingEdges = 0
    }
}
