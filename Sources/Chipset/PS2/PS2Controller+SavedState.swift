// Saved state of the 8042 and the keyboard and mouse behind it: one "ps2" section.

import EmulatorCore

extension PS2Controller: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        /// The 32 bytes of controller RAM; byte 0 is the command byte.
        public var ram: [UInt8]
        /// The output buffer, whether it is unread, and whether it came from the aux port.
        public var outputBuffer: UInt8
        public var outputBufferFull: Bool
        public var outputFromAux: Bool
        /// Status A2.
        public var lastWriteWasCommand: Bool
        /// A command waiting for its data byte (0x60–0x7F, 0xD1–0xD4).
        public var pendingCommand: UInt8?
        /// Output port bits 3-0 (bit 0 always 1).
        public var outputPort: UInt8
        /// XLAT swallowed a 0xF0 and will set bit 7 of the next keyboard byte.
        public var translationBreakPending: Bool
        /// The port (0 keyboard, 1 aux) whose byte is crossing the cable, and when it arrives (ns).
        public var transferSource: Int?
        public var transferDeadline: UInt64?
        /// The port served last (0 or 1).
        public var lastTransferSource: Int
        public var keyboard: PS2Keyboard.SavedState
        public var mouse: PS2Mouse.SavedState
    }

    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(
            ram: ram, outputBuffer: outputBuffer, outputBufferFull: outputBufferFull,
            outputFromAux: outputFromAux, lastWriteWasCommand: lastWriteWasCommand,
            pendingCommand: pendingCommand, outputPort: outputPort,
            translationBreakPending: translator.breakPending,
            transferSource: transferSource?.rawValue, transferDeadline: transferDeadline?.nanoseconds,
            lastTransferSource: lastTransferSource.rawValue,
            keyboard: keyboard.saveState(), mouse: mouse.saveState())
    }

    /// Restores the controller and both devices, or throws and changes nothing. Does not call
    /// `setA20`: the machine restores its gate itself (`a20GateEnabled` tells the saved bit).
    public func restoreState(_ s: SavedState) throws {
        func check(_ condition: Bool, _ reason: String) throws {
            if !condition { throw SnapshotStateError(section: snapshotSection, reason: reason) }
        }
        try check(s.ram.count == Constants.ramSize, "controller RAM has \(s.ram.count) bytes, not 32")
        try check(s.outputBufferFull || !s.outputFromAux, "aux data flag set on an empty output buffer")
        try check(s.pendingCommand.map(Command.takesData) ?? true,
                  "command 0x\(String(s.pendingCommand ?? 0, radix: 16)) takes no data byte")
        try check(s.outputPort & ~Constants.OutputPort.writable == 0
                  && s.outputPort & Constants.OutputPort.reset != 0, "impossible output port bits")
        let source = s.transferSource.flatMap(PS2Port.init(rawValue:))
        try check(source != nil || s.transferSource == nil, "transfer from port \(s.transferSource ?? 0)")
        try check((source == nil) == (s.transferDeadline == nil), "transfer without a deadline, or the reverse")
        try check(!(s.outputBufferFull && source != nil), "a transfer into a full output buffer")
        guard let last = PS2Port(rawValue: s.lastTransferSource) else {
            throw SnapshotStateError(section: snapshotSection,
                                     reason: "last transfer from port \(s.lastTransferSource)")
        }
        try keyboard.check(s.keyboard, section: snapshotSection)
        try mouse.check(s.mouse, section: snapshotSection)

        ram = s.ram
        outputBuffer = s.outputBuffer
        outputBufferFull = s.outputBufferFull
        outputFromAux = s.outputFromAux
        lastWriteWasCommand = s.lastWriteWasCommand
        pendingCommand = s.pendingCommand
        outputPort = s.outputPort
        translator = PS2Translator(breakPending: s.translationBreakPending)
        lastTransferSource = last
        restoreTransfer(source: source, deadline: s.transferDeadline.map { VirtualTime(nanoseconds: $0) })
        keyboard.apply(s.keyboard)
        mouse.apply(s.mouse)
        driveInterruptsUnconditionally()
        // A consistent state already has its transfer under way; this only catches up otherwise.
        startTransferIfPossible()
    }
}
