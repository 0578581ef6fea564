// Saved state of the PS/2 keyboard (a part of the controller's "ps2" section).

import EmulatorCore

extension PS2Keyboard {
    /// Version 1 layout (versioned with `PS2Controller.savedStateVersion`).
    public struct SavedState: Codable, Equatable, Sendable {
        /// 1 or 2.
        public var scanCodeSet: Int
        public var isScanningEnabled: Bool
        /// LED bits 2-0 (Caps, Num, Scroll Lock).
        public var leds: UInt8
        /// The 0xF3 argument (bits 6-0).
        public var typematic: UInt8
        /// 0xED, 0xF0 or 0xF3 while its argument is awaited.
        public var pendingCommand: UInt8?
        /// Command replies not yet sent, oldest first.
        public var responseQueue: [UInt8]
        /// Key data not yet sent, oldest first (at most 16 bytes plus an overrun code).
        public var scanQueue: [UInt8]
        /// The last byte sent, for 0xFE.
        public var lastSent: UInt8
        /// Keys held by the host (USB HID usages, ascending).
        public var pressedKeys: [UInt16]
        /// The repeating key, and when it next repeats (ns).
        public var typematicKey: UInt16?
        public var typematicDeadline: UInt64?
    }

    func saveState() -> SavedState {
        SavedState(
            scanCodeSet: scanCodeSet, isScanningEnabled: isScanningEnabled, leds: leds.rawValue,
            typematic: typematic, pendingCommand: pendingCommand,
            responseQueue: responseQueue, scanQueue: scanQueue, lastSent: lastSent,
            pressedKeys: pressedKeys.map(\.rawValue).sorted(),
            typematicKey: typematicKey?.rawValue, typematicDeadline: typematicDeadline?.nanoseconds)
    }

    /// Throws unless `s` is a state this keyboard could be in.
    func check(_ s: SavedState, section: String) throws {
        func check(_ condition: Bool, _ reason: String) throws {
            if !condition { throw SnapshotStateError(section: section, reason: "keyboard: " + reason) }
        }
        try check(s.scanCodeSet == 1 || s.scanCodeSet == 2, "scan code set \(s.scanCodeSet) is not supported")
        try check(s.leds & ~0x07 == 0, "LED bits 0x\(String(s.leds, radix: 16)) do not exist")
        try check(s.typematic & 0x80 == 0, "typematic byte has bit 7 set")
        try check(s.pendingCommand.map { Command.withArgument.contains($0) } ?? true,
                  "command 0x\(String(s.pendingCommand ?? 0, radix: 16)) takes no argument")
        try check(s.responseQueue.count <= Constants.maxResponseBytes, "too many queued replies")
        try check(s.scanQueue.count <= Constants.bufferCapacity + 1, "key data beyond the 16-byte buffer")
        let keys = s.pressedKeys.compactMap(PS2Key.init(rawValue:))
        try check(keys.count == s.pressedKeys.count, "unknown key code among the pressed keys")
        try check(Set(keys).count == keys.count, "a key is pressed twice")
        if let raw = s.typematicKey {
            try check(s.pressedKeys.contains(raw) && raw != PS2Key.pause.rawValue,
                      "the repeating key is not held")
            try check(s.typematicDeadline != nil && s.isScanningEnabled, "a repeating key without a repeat time")
        } else {
            try check(s.typematicDeadline == nil, "a repeat time without a repeating key")
        }
    }

    /// Applies a state that `check` accepted.
    func apply(_ s: SavedState) {
        scanCodeSet = s.scanCodeSet
        isScanningEnabled = s.isScanningEnabled
        leds = PS2KeyboardLEDs(rawValue: s.leds)
        typematic = s.typematic
        pendingCommand = s.pendingCommand
        responseQueue = s.responseQueue
        scanQueue = s.scanQueue
        lastSent = s.lastSent
        pressedKeys = Set(s.pressedKeys.compactMap(PS2Key.init(rawValue:)))
        typematicKey = s.typematicKey.flatMap(PS2Key.init(rawValue:))
        restoreTypematicDeadline(s.typematicDeadline.map { VirtualTime(nanoseconds: $0) })
    }
}
