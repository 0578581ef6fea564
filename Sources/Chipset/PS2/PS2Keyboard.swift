// A PS/2 (MF II) keyboard: host key events in, scan codes and command replies out to the 8042.

import EmulatorCore

/// The keyboard's three lock indicators, as set by command 0xED.
public struct PS2KeyboardLEDs: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let scrollLock = PS2KeyboardLEDs(rawValue: 0x01)
    public static let numLock = PS2KeyboardLEDs(rawValue: 0x02)
    public static let capsLock = PS2KeyboardLEDs(rawValue: 0x04)
}

/// An IBM PS/2 enhanced (MF II, 101/102-key, here with the Windows keys: 104/105) keyboard on the
/// 8042's keyboard port. Reached through `PS2Controller.keyboard`; the host feeds it `PS2KeyEvent`s
/// on the emulation thread (a frontend queues them there).
///
/// Follows the IBM Keyboard and Auxiliary Device technical reference ("Commands from the System",
/// "Commands to the System", "Typematic", "Scan Code Sets"):
/// - Commands: 0xED set LEDs, 0xEE echo, 0xF0 get/set scan code set, 0xF2 identify (0xAB 0x83),
///   0xF3 typematic rate/delay, 0xF4 enable, 0xF5 default + disable, 0xF6 default + enable,
///   0xFE resend, 0xFF reset (ACK, then BAT passed 0xAA). Anything else gets 0xFE (resend).
/// - While a command waits for its argument the keyboard stops scanning: queued key data is held
///   back until the argument arrives. A command byte (0xED and up) in place of the argument
///   abandons the first command. 0xF0, 0xF4, 0xF5, 0xF6 and 0xFF clear the key data buffer.
/// - A 16-byte key data buffer; a key whose sequence does not fit is replaced by one overrun code
///   (0x00 in set 2, 0xFF in set 1), as the technical reference describes.
/// - Typematic repeat of the last key pressed, in virtual time, at the rate and delay set by 0xF3
///   (default 10.9 characters/s after 500 ms). The host sends presses and releases only; a press
///   of a key already down is ignored (host auto-repeat must not be forwarded).
/// - Scan code sets 1 and 2, including Print Screen (E0 12 E0 7C; E0 7C with Shift or Ctrl held;
///   SysRq 0x84 with Alt held) and Pause (E1 14 77 E1 F0 14 F0 77; Break E0 7E E0 F0 7E with
///   Ctrl held). The 8042's XLAT bit, not the keyboard, turns set 2 into set 1 for most guests.
///
/// Not modelled:
/// - Scan code set 3 and its per-key commands (0xF7–0xFD): 0xF0 0x03 is answered with 0xFE, as
///   keyboards that only support sets 1 and 2 do, so Linux's atkbd stays in set 2.
/// - DEVIATION: the "fake shift" codes (E0 12 / E0 F0 12 in set 2) that real keyboards wrap around
///   the cursor block and keypad "/" depending on Shift and Num Lock are not sent (guests' drivers
///   ignore them); only Print Screen's are.
/// - BAT duration: the 0xAA after a reset follows the ACK one byte time later, not 300–500 ms.
/// - No 0xAA is sent at power-on: the firmware resets the keyboard anyway.
public final class PS2Keyboard: PS2PortDevice {
    enum Command {
        static let setLEDs: UInt8 = 0xED
        static let echo: UInt8 = 0xEE
        static let scanCodeSet: UInt8 = 0xF0
        static let identify: UInt8 = 0xF2
        static let setTypematic: UInt8 = 0xF3
        static let enable: UInt8 = 0xF4
        static let defaultDisable: UInt8 = 0xF5
        static let setDefault: UInt8 = 0xF6
        static let resend: UInt8 = 0xFE
        static let reset: UInt8 = 0xFF
        /// Commands whose next byte is an argument.
        static let withArgument: Set<UInt8> = [setLEDs, scanCodeSet, setTypematic]
        /// The lowest command code: a byte this high in place of an argument is a new command.
        static let lowest: UInt8 = 0xED
    }

    enum Constants {
        /// Key data buffer size (bytes) before the overrun code.
        static let bufferCapacity = 16
        /// Command replies kept waiting at most (a guest that writes commands without reading).
        static let maxResponseBytes = 16
        /// 0xF3 argument after reset: 10.9 characters/s, 500 ms delay.
        static let defaultTypematic: UInt8 = 0x2B
        /// The typematic period unit: period = (8 + A) * 2^B * 4.17 ms (technical reference).
        static let typematicPeriodUnit: UInt64 = 4_170_000
        /// The typematic delay unit: delay = (1 + D) * 250 ms.
        static let typematicDelayUnit: UInt64 = 250_000_000
        static let identification: [UInt8] = [0xAB, 0x83]
    }

    private let scheduler: Scheduler
    private var typematicTimer: DeviceTimer!
    var outputReady: () -> Void = {}

    /// The lock indicators as the guest last set them.
    public internal(set) var leds: PS2KeyboardLEDs = []
    /// The scan code set the keyboard sends (1 or 2).
    public internal(set) var scanCodeSet = 2
    /// Whether the keyboard is scanning (0xF4 / 0xF6 / reset) or disabled (0xF5).
    public internal(set) var isScanningEnabled = true
    /// The last 0xF3 argument: bits 4-0 rate, bits 6-5 delay.
    var typematic = Constants.defaultTypematic
    /// A command waiting for its argument.
    var pendingCommand: UInt8?
    /// Replies to commands, sent before any key data.
    var responseQueue: [UInt8] = []
    /// Key data, oldest first, possibly ending in an overrun code.
    var scanQueue: [UInt8] = []
    /// The last byte sent, for 0xFE (resend).
    var lastSent: UInt8 = PS2Reply.selfTestPassed
    /// Keys the host holds down.
    var pressedKeys: Set<PS2Key> = []
    /// The key that repeats while held: the last one pressed.
    var typematicKey: PS2Key?

    init(scheduler: Scheduler) {
        self.scheduler = scheduler
        typematicTimer = DeviceTimer(name: "ps2.keyboard.typematic", scheduler: scheduler) { [weak self] _ in
            self?.typematicTimerFired()
        }
    }

    deinit { typematicTimer.cancel() }

    /// Power-on state: set 2, scanning, default typematic, LEDs off, nothing queued. The keys the
    /// host holds stay held (they are the physical inputs), but do not repeat.
    func reset() {
        leds = []
        isScanningEnabled = true
        setDefaults()
        pendingCommand = nil
        responseQueue.removeAll()
        scanQueue.removeAll()
        lastSent = PS2Reply.selfTestPassed
    }

    /// Scan code set, typematic rate and delay back to their defaults (0xF5, 0xF6, 0xFF).
    private func setDefaults() {
        scanCodeSet = 2
        typematic = Constants.defaultTypematic
        stopTypematic()
    }

    // MARK: - Host input

    /// A key went down or came up on the host.
    public func handle(_ event: PS2KeyEvent) {
        let key = event.key
        if event.isPressed {
            guard pressedKeys.insert(key).inserted else { return }
            guard isScanningEnabled else { return }
            enqueueKeyData(key.makeSequence(set: scanCodeSet, modifiers: modifiers(excluding: key)))
            if key == .pause {
                stopTypematic()
            } else {
                typematicKey = key
                typematicTimer.arm(at: scheduler.now + typematicDelay)
            }
        } else {
            guard pressedKeys.remove(key) != nil else { return }
            if typematicKey == key { stopTypematic() }
            guard isScanningEnabled else { return }
            enqueueKeyData(key.breakSequence(set: scanCodeSet, modifiers: modifiers(excluding: key)))
        }
    }

    public func press(_ key: PS2Key) { handle(.press(key)) }
    public func release(_ key: PS2Key) { handle(.release(key)) }

    /// Whether the host holds `key` down.
    public func isPressed(_ key: PS2Key) -> Bool { pressedKeys.contains(key) }

    /// Releases every key the host holds (for a frontend that loses input focus), in key code
    /// order so the result is deterministic.
    public func releaseAllKeys() {
        for key in pressedKeys.sorted(by: { $0.rawValue < $1.rawValue }) { release(key) }
    }

    private func modifiers(excluding key: PS2Key) -> PS2ModifierState {
        var m = PS2ModifierState()
        for k in pressedKeys where k != key {
            if k.isShift { m.shift = true }
            if k.isControl { m.control = true }
            if k.isAlt { m.alt = true }
        }
        return m
    }

    /// The code the keyboard puts in its buffer when a key does not fit.
    var overrunCode: UInt8 { scanCodeSet == 1 ? 0xFF : 0x00 }

    private func enqueueKeyData(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if scanQueue.count + bytes.count <= Constants.bufferCapacity {
            scanQueue.append(contentsOf: bytes)
        } else if scanQueue.last != overrunCode {
            // The 17th byte: the key is lost and the system is told so, once.
            scanQueue.append(overrunCode)
        } else {
            return
        }
        outputReady()
    }

    // MARK: - Typematic

    /// Delay before the first repeat, from bits 6-5 of the 0xF3 argument.
    var typematicDelay: UInt64 {
        (1 + UInt64((typematic >> 5) & 3)) * Constants.typematicDelayUnit
    }

    /// Time between repeats, from bits 4-0 of the 0xF3 argument.
    var typematicPeriod: UInt64 {
        let a = UInt64(typematic & 7), b = UInt64((typematic >> 3) & 3)
        return (8 + a) * (1 << b) * Constants.typematicPeriodUnit
    }

    private func stopTypematic() {
        typematicKey = nil
        typematicTimer.cancel()
    }

    private func typematicTimerFired() {
        guard let key = typematicKey, isScanningEnabled else { return }
        enqueueKeyData(key.makeSequence(set: scanCodeSet, modifiers: modifiers(excluding: key)))
        typematicTimer.arm(at: scheduler.now + typematicPeriod)
    }

    var typematicDeadline: VirtualTime? { typematicTimer.deadline }

    func restoreTypematicDeadline(_ deadline: VirtualTime?) {
        typematicTimer.cancel()
        if let deadline { typematicTimer.arm(at: deadline) }
    }

    // MARK: - PS2PortDevice

    var nextOutputByte: UInt8? {
        if let reply = responseQueue.first { return reply }
        // While a command waits for its argument the keyboard is not scanning.
        if pendingCommand == nil, let data = scanQueue.first { return data }
        return nil
    }

    func outputByteSent() {
        if !responseQueue.isEmpty {
            lastSent = responseQueue.removeFirst()
        } else if pendingCommand == nil, !scanQueue.isEmpty {
            lastSent = scanQueue.removeFirst()
        }
    }

    func receive(_ byte: UInt8) {
        if let command = pendingCommand {
            pendingCommand = nil
            if byte < Command.lowest {
                argument(byte, for: command)
                outputReady()
                return
            }
            // A command in place of the argument: the first command is abandoned.
        }
        execute(byte)
        outputReady()
    }

    private func reply(_ bytes: UInt8...) {
        for b in bytes where responseQueue.count < Constants.maxResponseBytes { responseQueue.append(b) }
    }

    private func execute(_ command: UInt8) {
        switch command {
        case Command.setLEDs, Command.setTypematic:
            reply(PS2Reply.ack)
            pendingCommand = command
        case Command.echo:
            reply(Command.echo)
        case Command.scanCodeSet:
            scanQueue.removeAll()
            stopTypematic()
            reply(PS2Reply.ack)
            pendingCommand = command
        case Command.identify:
            reply(PS2Reply.ack, Constants.identification[0], Constants.identification[1])
        case Command.enable:
            scanQueue.removeAll()
            reply(PS2Reply.ack)
            isScanningEnabled = true
        case Command.defaultDisable, Command.setDefault:
            scanQueue.removeAll()
            reply(PS2Reply.ack)
            setDefaults()
            isScanningEnabled = command == Command.setDefault
        case Command.resend:
            responseQueue.insert(lastSent, at: 0)
        case Command.reset:
            responseQueue.removeAll()
            reset()
            reply(PS2Reply.ack, PS2Reply.selfTestPassed)
        default:
            reply(PS2Reply.resend)
        }
    }

    private func argument(_ value: UInt8, for command: UInt8) {
        switch command {
        case Command.setLEDs:
            leds = PS2KeyboardLEDs(rawValue: value & 0x07)
            reply(PS2Reply.ack)
        case Command.setTypematic:
            typematic = value & 0x7F
            reply(PS2Reply.ack)
        default:  // Command.scanCodeSet
            switch value {
            case 0:
                reply(PS2Reply.ack, UInt8(scanCodeSet))
            case 1, 2:
                scanCodeSet = Int(value)
                reply(PS2Reply.ack)
            default:
                // Set 3 (or nonsense): ask for the argument again and keep waiting for it.
                reply(PS2Reply.resend)
                pendingCommand = command
            }
        }
    }
}
