// Saved state of the 8259A pair: both chips' registers, initialization progress and input levels.

import EmulatorCore

extension PIC: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        public var master: ChipState
        public var slave: ChipState

        /// One 8259A. Field meanings follow `Chip8259`.
        public struct ChipState: Codable, Equatable, Sendable {
            public var imr: UInt8
            public var isr: UInt8
            public var edgeRequests: UInt8
            public var inputLevels: UInt8
            public var elcr: UInt8
            public var lowestPriority: UInt8
            public var vectorBase: UInt8
            public var icw3: UInt8
            public var singleMode: Bool
            public var icw4Needed: Bool
            public var levelTriggeredMode: Bool
            public var x86Mode: Bool
            public var autoEOI: Bool
            public var bufferedMode: Bool
            public var bufferedMaster: Bool
            public var specialFullyNested: Bool
            public var rotateOnAutoEOI: Bool
            public var specialMask: Bool
            public var readISR: Bool
            public var pollPending: Bool
            /// 0 = ready, 1–3 = the data port expects ICW2, ICW3 or ICW4.
            public var initStep: Int
        }
    }

    public var snapshotSection: String { "pic" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(master: Self.save(master), slave: Self.save(slave))
    }

    public func restoreState(_ state: SavedState) throws {
        let newMaster = try restoreChip(state.master, isMaster: true)
        let newSlave = try restoreChip(state.slave, isMaster: false)
        // The master's cascade input always follows the slave's INT; a state where it does not
        // would fake or lose an edge on restore.
        let cascadeBit: UInt8 = 1 << UInt8(PIC.cascadeInput)
        guard (newMaster.inputLevels & cascadeBit != 0) == newSlave.interruptOutput else {
            throw SnapshotStateError(
                section: snapshotSection, reason: "master cascade input disagrees with the slave's INT output")
        }
        master = newMaster
        slave = newSlave
        update()
        setINTRUnconditionally()
    }

    private static func save(_ c: Chip8259) -> SavedState.ChipState {
        SavedState.ChipState(
            imr: c.imr, isr: c.isr, edgeRequests: c.edgeRequests, inputLevels: c.inputLevels,
            elcr: c.elcr, lowestPriority: c.lowestPriority, vectorBase: c.vectorBase, icw3: c.icw3,
            singleMode: c.singleMode, icw4Needed: c.icw4Needed,
            levelTriggeredMode: c.levelTriggeredMode, x86Mode: c.x86Mode, autoEOI: c.autoEOI,
            bufferedMode: c.bufferedMode, bufferedMaster: c.bufferedMaster,
            specialFullyNested: c.specialFullyNested, rotateOnAutoEOI: c.rotateOnAutoEOI,
            specialMask: c.specialMask, readISR: c.readISR, pollPending: c.pollPending,
            initStep: c.initStep.rawValue)
    }

    private func restoreChip(_ s: SavedState.ChipState, isMaster: Bool) throws -> Chip8259 {
        let name = isMaster ? "master" : "slave"
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: "\(name) 8259A: \(reason)")
        }
        guard let step = Chip8259.InitStep(rawValue: s.initStep) else {
            throw fail("initialization step \(s.initStep) does not exist")
        }
        guard s.lowestPriority < 8 else { throw fail("priority level \(s.lowestPriority) is not an IR") }
        guard s.vectorBase & 7 == 0 else {
            throw fail("vector base 0x\(String(s.vectorBase, radix: 16)) has IR bits set")
        }
        let elcrMask = isMaster ? PIC.ELCRMask.master : PIC.ELCRMask.slave
        guard s.elcr & ~elcrMask == 0 else {
            throw fail("ELCR 0x\(String(s.elcr, radix: 16)) makes an edge-only IRQ level-triggered")
        }
        let levelMask: UInt8 = s.levelTriggeredMode ? 0xFF : s.elcr
        guard s.edgeRequests & levelMask == 0 else {
            throw fail("edge latches 0x\(String(s.edgeRequests, radix: 16)) on level-triggered inputs")
        }
        var c = Chip8259(isMaster: isMaster)
        c.imr = s.imr
        c.isr = s.isr
        c.elcr = s.elcr
        c.levelTriggeredMode = s.levelTriggeredMode
        c.edgeRequests = s.edgeRequests
        c.inputLevels = s.inputLevels
        c.lowestPriority = s.lowestPriority
        c.vectorBase = s.vectorBase
        c.icw3 = s.icw3
        c.singleMode = s.singleMode
        c.icw4Needed = s.icw4Needed
        c.x86Mode = s.x86Mode
        c.autoEOI = s.autoEOI
        c.bufferedMode = s.bufferedMode
        c.bufferedMaster = s.bufferedMaster
        c.specialFullyNested = s.specialFullyNested
        c.rotateOnAutoEOI = s.rotateOnAutoEOI
        c.specialMask = s.specialMask
        c.readISR = s.readISR
        c.pollPending = s.pollPending
        c.initStep = step
        return c
    }
}
