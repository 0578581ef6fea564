// Saved state of the PIIX3 ISA bridge: its configuration space and the levels of its inputs.

import EmulatorCore

extension PIIX3ISABridge: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        public var config: PCIConfigSpace.SavedState
        /// The router's inputs in the order the machine wired them.
        public var inputs: [InputState]

        /// One input: a PIRQ wire (`pirq` 0–3) or a shared ISA IRQ wire (`isaIRQ` 0–15).
        public struct InputState: Codable, Equatable, Sendable {
            public var pirq: Int?
            public var isaIRQ: Int?
            public var level: Bool
        }
    }

    public var snapshotSection: String { "pci.00.1.piix3" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(config: config.saveState(),
                   inputs: inputs.map { SavedState.InputState(pirq: $0.pirq, isaIRQ: $0.isaIRQ, level: $0.level) })
    }

    /// Restores the route registers and input levels, then drives every output line whose level
    /// differs from what this bridge drove before.
    public func restoreState(_ state: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: reason)
        }
        if let reason = config.validate(state.config) { throw fail(reason) }
        guard state.inputs.count == inputs.count else {
            throw fail("\(state.inputs.count) interrupt inputs saved but \(inputs.count) wired "
                       + "(a snapshot of another machine configuration?)")
        }
        for (i, (saved, wired)) in zip(state.inputs, inputs).enumerated()
        where saved.pirq != wired.pirq || saved.isaIRQ != wired.isaIRQ {
            throw fail("interrupt input \(i) is wired to another PIRQ or IRQ than saved")
        }
        config.restore(state.config)
        for (saved, wired) in zip(state.inputs, inputs) { wired.level = saved.level }
        update()
    }
}
