// The 8042 keyboard controller of a PC/AT with a PS/2 keyboard and mouse on its two ports.

import EmulatorCore

/// The PC keyboard controller: an Intel 8042 (8742) running the IBM PC/AT / PS/2 controller
/// firmware, with a `PS2Keyboard` on its keyboard port and a `PS2Mouse` on its auxiliary port.
///
/// Ports: data 0x60, status (read) / command (write) 0x64. Interrupts: `keyboardInterrupt` (ISA
/// IRQ 1) and `mouseInterrupt` (IRQ 12). Outputs: the A20 gate and the CPU reset line, through the
/// injected `setA20` and `resetCPU` closures.
///
/// Follows the IBM PC/AT and PS/2 technical references ("Keyboard Controller"): the status
/// register (OBF, IBF, SYS, A2, INH, AUXB, TIMEOUT, PARITY), the controller command byte at RAM
/// address 0 (interrupt enables, system flag, port disables, XLAT translation), commands 0x20–0x3F /
/// 0x60–0x7F (read/write RAM), 0xA7/0xA8/0xA9 (aux disable/enable/test), 0xAA (self test: 0x55),
/// 0xAB (keyboard interface test), 0xAD/0xAE (keyboard disable/enable), 0xC0 (input port), 0xD0/
/// 0xD1 (output port: bit 0 CPU reset when cleared, bit 1 A20), 0xD2/0xD3 (write keyboard/aux
/// output buffer), 0xD4 (write to aux device), 0xDD/0xDF (A20 off/on, as HP Vectra compatible
/// firmware has), 0xF0–0xFF (pulse output lines: bit 0 clear resets the CPU). Unknown commands
/// are ignored.
///
/// Interrupts: IRQ 1 is high while the output buffer holds keyboard-port data (or a controller
/// reply) and command byte bit 0 is set; IRQ 12 likewise for aux data and bit 1. Each is lowered
/// when the guest reads port 0x60, so every byte gives the rising edge Linux's i8042 expects.
///
/// Data from the devices: a byte moves from a device into the output buffer `byteTransferTime`
/// after the buffer is free and the port's clock is enabled (command byte bits 4/5), the ports
/// taking turns when both have data. With XLAT set, keyboard bytes are translated from scan code
/// set 2 to set 1 (`PS2Translator`). Controller replies and 0xD2/0xD3 bytes go into the output
/// buffer at once, replacing whatever was there (the real firmware overwrites it too, which is why
/// drivers disable the ports around commands); they are not translated.
///
/// Not modelled / deviations:
/// - DEVIATION: IBF never reads 1: a byte written to 0x60 or 0x64 is taken at once.
/// - DEVIATION: a device byte crosses the cable in `byteTransferTime` (default 25 µs, not the
///   ~1 ms of a 10–16.7 kHz PS/2 clock). Virtual time charges an IN like any instruction, so real
///   software's counted polling loops (written for ~1 µs ISA port reads) would otherwise time out.
/// - DEVIATION: writing output port bit 0 as 0 (0xD1) resets the CPU and the bit reads back 1; on
///   real hardware the line would stay asserted, holding the CPU in reset.
/// - Writing a byte to the keyboard clears command byte bit 4 (keyboard disable): sending needs
///   the keyboard clock, and A. Brouwer's "Keyboard scancodes" notes on 0xAD say any keyboard
///   command enables the keyboard again (not checked against a firmware listing). 0xD4 does not
///   touch bit 5.
/// - Timeout and parity errors (the devices are always present and error-free), the keyboard lock
///   (INH always reads 1: not inhibited), passwords (0xA4–0xA6), 0xC1/0xC2 input port polling,
///   0xE0 test inputs, active PS/2 multiplexing (the 0xD3 loopback echoes every byte, so Linux
///   finds no multiplexer).
/// - `reset()` does not call `setA20`: the machine opens its A20 gate itself on reset, and the
///   output port's A20 bit reads 1 after reset to match.
public final class PS2Controller: BytePortDevice {
    /// The data port.
    public static let dataPort: UInt16 = 0x60
    /// The status (read) and command (write) port.
    public static let commandPort: UInt16 = 0x64
    /// Fixed I/O ranges the machine claims for this device (0x61 is port B, not ours).
    public static let portRanges: [ClosedRange<UInt16>] = [0x60...0x60, 0x64...0x64]
    /// ISA IRQs conventionally wired to the keyboard and aux ports.
    public static let keyboardIRQ = 1
    public static let mouseIRQ = 12
    /// Default time for a byte to cross from a device into the output buffer.
    public static let defaultByteTransferTime: UInt64 = 25_000

    /// Status register bits (port 0x64, read).
    struct Status: OptionSet {
        let rawValue: UInt8
        /// Output Buffer Full: port 0x60 has a byte for the CPU.
        static let outputBufferFull = Status(rawValue: 0x01)
        /// Input Buffer Full: the controller has not yet taken the last byte written.
        static let inputBufferFull = Status(rawValue: 0x02)
        /// System flag (command byte bit 2; set by self test).
        static let system = Status(rawValue: 0x04)
        /// A2: the last write was to the command port (1) or the data port (0).
        static let command = Status(rawValue: 0x08)
        /// Inhibit switch: 1 = keyboard not locked.
        static let notInhibited = Status(rawValue: 0x10)
        /// AUXB: the output buffer holds data from the aux device.
        static let auxData = Status(rawValue: 0x20)
        static let timeout = Status(rawValue: 0x40)
        static let parityError = Status(rawValue: 0x80)
    }

    /// The controller command byte (RAM address 0; read with 0x20, written with 0x60).
    struct CommandByte: OptionSet {
        let rawValue: UInt8
        /// Interrupt (IRQ 1) on keyboard output buffer full.
        static let keyboardInterrupt = CommandByte(rawValue: 0x01)
        /// Interrupt (IRQ 12) on aux output buffer full.
        static let auxInterrupt = CommandByte(rawValue: 0x02)
        /// System flag, shown in status bit 2.
        static let system = CommandByte(rawValue: 0x04)
        /// Ignore the keyboard lock switch (AT).
        static let ignoreInhibit = CommandByte(rawValue: 0x08)
        /// Keyboard clock held low: the keyboard cannot send.
        static let keyboardDisabled = CommandByte(rawValue: 0x10)
        /// Aux clock held low: the mouse cannot send.
        static let auxDisabled = CommandByte(rawValue: 0x20)
        /// XLAT: translate keyboard scan codes from set 2 to set 1.
        static let translate = CommandByte(rawValue: 0x40)
    }

    /// Controller commands (written to 0x64).
    enum Command {
        static let readRAM: ClosedRange<UInt8> = 0x20...0x3F
        static let writeRAM: ClosedRange<UInt8> = 0x60...0x7F
        static let disableAux: UInt8 = 0xA7
        static let enableAux: UInt8 = 0xA8
        static let testAux: UInt8 = 0xA9
        static let selfTest: UInt8 = 0xAA
        static let testKeyboard: UInt8 = 0xAB
        static let disableKeyboard: UInt8 = 0xAD
        static let enableKeyboard: UInt8 = 0xAE
        static let readInputPort: UInt8 = 0xC0
        static let readOutputPort: UInt8 = 0xD0
        static let writeOutputPort: UInt8 = 0xD1
        static let writeKeyboardOutput: UInt8 = 0xD2
        static let writeAuxOutput: UInt8 = 0xD3
        static let writeAux: UInt8 = 0xD4
        static let disableA20: UInt8 = 0xDD
        static let enableA20: UInt8 = 0xDF
        static let pulseOutputPort: ClosedRange<UInt8> = 0xF0...0xFF
        /// Commands followed by a byte on the data port.
        static func takesData(_ c: UInt8) -> Bool {
            writeRAM.contains(c) || (writeOutputPort...writeAux).contains(c)
        }
    }

    enum Constants {
        static let ramSize = 32
        /// Command byte after power-on: keyboard interrupt on, aux port disabled, translation on,
        /// system flag clear (firmware sets it once POST is done).
        static let powerOnCommandByte: CommandByte = [.keyboardInterrupt, .auxDisabled, .translate]
        /// Output port after power-on: reset line inactive (1), A20 open.
        static let powerOnOutputPort: UInt8 = 0x03
        /// Input port: keyboard not locked (7), colour display (6 = 0), no manufacturing jumper
        /// (5), 512 KiB on the system board (4).
        static let inputPort: UInt8 = 0xB0
        static let selfTestPassed: UInt8 = 0x55
        static let interfaceTestPassed: UInt8 = 0x00
        enum OutputPort {
            static let reset: UInt8 = 0x01
            static let a20: UInt8 = 0x02
            /// Bits the guest may set through 0xD1 (bits 7-4 are driven by the controller).
            static let writable: UInt8 = 0x0F
            static let keyboardOutputFull: UInt8 = 0x10
            static let auxOutputFull: UInt8 = 0x20
            /// Keyboard clock and data lines, idle high.
            static let keyboardLines: UInt8 = 0xC0
        }
    }

    public let keyboard: PS2Keyboard
    public let mouse: PS2Mouse
    public let byteTransferTime: UInt64
    public let snapshotSection = "ps2"

    private let scheduler: Scheduler
    private let keyboardInterrupt: InterruptLine
    private let mouseInterrupt: InterruptLine
    private let setA20: (Bool) -> Void
    private let resetCPU: () -> Void
    private var transferTimer: DeviceTimer!

    // MARK: State

    /// Internal RAM; byte 0 is the command byte.
    var ram = [UInt8](repeating: 0, count: Constants.ramSize)
    /// The output buffer (port 0x60, read) and whether it holds unread data.
    var outputBuffer: UInt8 = 0
    var outputBufferFull = false
    /// The unread byte came from the aux port (status AUXB).
    var outputFromAux = false
    /// Status A2: the last write went to port 0x64.
    var lastWriteWasCommand = false
    /// A command waiting for its data byte on port 0x60.
    var pendingCommand: UInt8?
    /// Output port bits 3-0 (bit 0 CPU reset, active low; bit 1 A20 gate).
    var outputPort = Constants.powerOnOutputPort
    var translator = PS2Translator()
    /// The port whose byte is crossing the cable, if any (`transferTimer` runs meanwhile).
    var transferSource: PS2Port?
    /// The port served last, so both take turns when both have data.
    var lastTransferSource = PS2Port.aux
    private var keyboardIRQLevel = false
    private var mouseIRQLevel = false

    /// - Parameters:
    ///   - scheduler: virtual time, for byte transfers, typematic repeat and mouse sampling.
    ///   - keyboardInterrupt: the line to route to ISA IRQ 1.
    ///   - mouseInterrupt: the line to route to ISA IRQ 12.
    ///   - setA20: called with the new state when the output port's A20 bit changes.
    ///   - resetCPU: called when the guest pulses the reset line (0xFE, 0xD1 with bit 0 clear).
    ///   - byteTransferTime: nanoseconds for a device byte to reach the output buffer.
    public init(scheduler: Scheduler, keyboardInterrupt: InterruptLine, mouseInterrupt: InterruptLine,
                setA20: @escaping (Bool) -> Void, resetCPU: @escaping () -> Void,
                byteTransferTime: UInt64 = PS2Controller.defaultByteTransferTime) {
        self.scheduler = scheduler
        self.keyboardInterrupt = keyboardInterrupt
        self.mouseInterrupt = mouseInterrupt
        self.setA20 = setA20
        self.resetCPU = resetCPU
        self.byteTransferTime = byteTransferTime
        keyboard = PS2Keyboard(scheduler: scheduler)
        mouse = PS2Mouse(scheduler: scheduler)
        transferTimer = DeviceTimer(name: "ps2.transfer", scheduler: scheduler) { [weak self] _ in
            self?.transferCompleted()
        }
        keyboard.outputReady = { [weak self] in self?.startTransferIfPossible() }
        mouse.outputReady = { [weak self] in self?.startTransferIfPossible() }
        commandByte = Constants.powerOnCommandByte
    }

    deinit { transferTimer.cancel() }

    /// Power-on state for the controller and both devices. Keys and buttons the host holds stay
    /// held. The A20 bit reads 1 again but `setA20` is not called (see the type's notes).
    public func reset() {
        ram = [UInt8](repeating: 0, count: Constants.ramSize)
        commandByte = Constants.powerOnCommandByte
        outputBuffer = 0
        outputBufferFull = false
        outputFromAux = false
        lastWriteWasCommand = false
        pendingCommand = nil
        outputPort = Constants.powerOnOutputPort
        translator = PS2Translator()
        transferSource = nil
        lastTransferSource = .aux
        transferTimer.cancel()
        keyboard.reset()
        mouse.reset()
        updateInterrupts()
    }

    var commandByte: CommandByte {
        get { CommandByte(rawValue: ram[0]) }
        set { ram[0] = newValue.rawValue }
    }

    /// Whether the output port holds the A20 gate open.
    public var a20GateEnabled: Bool { outputPort & Constants.OutputPort.a20 != 0 }

    // MARK: - Port I/O

    public func readPortByte(_ port: UInt16) -> UInt8 {
        switch port {
        case Self.dataPort: return readData()
        case Self.commandPort: return status.rawValue
        default: return 0xFF
        }
    }

    public func writePortByte(_ port: UInt16, _ value: UInt8) {
        switch port {
        case Self.dataPort: writeData(value)
        case Self.commandPort: writeCommand(value)
        default: break
        }
    }

    var status: Status {
        var s: Status = [.notInhibited]
        if outputBufferFull { s.insert(.outputBufferFull) }
        if outputBufferFull && outputFromAux { s.insert(.auxData) }
        if commandByte.contains(.system) { s.insert(.system) }
        if lastWriteWasCommand { s.insert(.command) }
        return s
    }

    private func readData() -> UInt8 {
        if outputBufferFull {
            outputBufferFull = false
            outputFromAux = false
            updateInterrupts()
            startTransferIfPossible()
        }
        // The output register keeps its value: a second read returns the same byte.
        return outputBuffer
    }

    private func writeData(_ value: UInt8) {
        lastWriteWasCommand = false
        guard let command = pendingCommand else {
            // Data with no command pending goes to the keyboard. Sending needs the clock, so the
            // keyboard port comes out of its disabled state (see the type's notes).
            commandByte.remove(.keyboardDisabled)
            keyboard.receive(value)
            startTransferIfPossible()
            return
        }
        pendingCommand = nil
        switch command {
        case Command.writeOutputPort:
            writeOutputPort(value)
        case Command.writeKeyboardOutput:
            loadOutputBuffer(value, fromAux: false)
        case Command.writeAuxOutput:
            loadOutputBuffer(value, fromAux: true)
        case Command.writeAux:
            mouse.receive(value)
        default:  // Command.writeRAM
            ram[Int(command - Command.writeRAM.lowerBound)] = value
            if command == Command.writeRAM.lowerBound {
                updateInterrupts()
                startTransferIfPossible()
            }
        }
    }

    private func writeCommand(_ command: UInt8) {
        lastWriteWasCommand = true
        pendingCommand = nil
        if Command.takesData(command) {
            pendingCommand = command
            return
        }
        switch command {
        case Command.readRAM:
            loadOutputBuffer(ram[Int(command - Command.readRAM.lowerBound)], fromAux: false)
        case Command.disableAux:
            commandByte.insert(.auxDisabled)
        case Command.enableAux:
            commandByte.remove(.auxDisabled)
            startTransferIfPossible()
        case Command.testAux, Command.testKeyboard:
            loadOutputBuffer(Constants.interfaceTestPassed, fromAux: false)
        case Command.selfTest:
            commandByte.insert(.system)
            loadOutputBuffer(Constants.selfTestPassed, fromAux: false)
        case Command.disableKeyboard:
            commandByte.insert(.keyboardDisabled)
        case Command.enableKeyboard:
            commandByte.remove(.keyboardDisabled)
            startTransferIfPossible()
        case Command.readInputPort:
            loadOutputBuffer(Constants.inputPort, fromAux: false)
        case Command.readOutputPort:
            loadOutputBuffer(outputPortValue, fromAux: false)
        case Command.disableA20:
            setA20Gate(false)
        case Command.enableA20:
            setA20Gate(true)
        case Command.pulseOutputPort:
            // Bits 3-0 clear select the lines pulsed low for ~6 µs. Only the reset line has a
            // lasting effect; a pulsed A20 line comes straight back.
            if command & Constants.OutputPort.reset == 0 { resetCPU() }
        default:
            break
        }
    }

    // MARK: - Output port

    /// The output port as 0xD0 reads it.
    var outputPortValue: UInt8 {
        var v = outputPort & Constants.OutputPort.writable | Constants.OutputPort.keyboardLines
        if keyboardIRQLevel { v |= Constants.OutputPort.keyboardOutputFull }
        if mouseIRQLevel { v |= Constants.OutputPort.auxOutputFull }
        return v
    }

    private func writeOutputPort(_ value: UInt8) {
        let wasEnabled = a20GateEnabled
        // DEVIATION: the reset line springs back (see the type's notes).
        outputPort = value & Constants.OutputPort.writable | Constants.OutputPort.reset
        if a20GateEnabled != wasEnabled { setA20(a20GateEnabled) }
        if value & Constants.OutputPort.reset == 0 { resetCPU() }
    }

    /// 0xDD / 0xDF: the A20 bit alone.
    private func setA20Gate(_ enabled: Bool) {
        guard enabled != a20GateEnabled else { return }
        if enabled {
            outputPort |= Constants.OutputPort.a20
        } else {
            outputPort &= ~Constants.OutputPort.a20
        }
        setA20(enabled)
    }

    // MARK: - Output buffer and interrupts

    /// Puts a byte in the output buffer (replacing an unread one) and raises the port's IRQ.
    private func loadOutputBuffer(_ byte: UInt8, fromAux: Bool) {
        outputBuffer = byte
        outputBufferFull = true
        outputFromAux = fromAux
        updateInterrupts()
    }

    private func updateInterrupts() {
        let cb = commandByte
        let keyboardLevel = outputBufferFull && !outputFromAux && cb.contains(.keyboardInterrupt)
        let mouseLevel = outputBufferFull && outputFromAux && cb.contains(.auxInterrupt)
        if keyboardLevel != keyboardIRQLevel {
            keyboardIRQLevel = keyboardLevel
            keyboardInterrupt.setLevel(keyboardLevel)
        }
        if mouseLevel != mouseIRQLevel {
            mouseIRQLevel = mouseLevel
            mouseInterrupt.setLevel(mouseLevel)
        }
    }

    /// Drives both lines to the state's levels whatever was driven before (snapshot restore).
    func driveInterruptsUnconditionally() {
        let cb = commandByte
        keyboardIRQLevel = outputBufferFull && !outputFromAux && cb.contains(.keyboardInterrupt)
        mouseIRQLevel = outputBufferFull && outputFromAux && cb.contains(.auxInterrupt)
        keyboardInterrupt.setLevel(keyboardIRQLevel)
        mouseInterrupt.setLevel(mouseIRQLevel)
    }

    // MARK: - Device transfers

    private func device(_ port: PS2Port) -> PS2PortDevice {
        port == .keyboard ? keyboard : mouse
    }

    private func clockEnabled(_ port: PS2Port) -> Bool {
        !commandByte.contains(port == .keyboard ? .keyboardDisabled : .auxDisabled)
    }

    private func ready(_ port: PS2Port) -> Bool {
        clockEnabled(port) && device(port).nextOutputByte != nil
    }

    /// Starts clocking in a device byte if the output buffer is free and a port has one to send.
    func startTransferIfPossible() {
        guard !outputBufferFull, transferSource == nil else { return }
        let keyboardReady = ready(.keyboard), auxReady = ready(.aux)
        let source: PS2Port
        switch (keyboardReady, auxReady) {
        case (true, true): source = lastTransferSource == .keyboard ? .aux : .keyboard
        case (true, false): source = .keyboard
        case (false, true): source = .aux
        case (false, false): return
        }
        transferSource = source
        transferTimer.arm(at: scheduler.now + byteTransferTime)
    }

    private func transferCompleted() {
        guard let source = transferSource else { return }
        transferSource = nil
        // Meanwhile the port may have been inhibited, the buffer filled by a controller reply, or
        // the device may have dropped the byte; then it is simply sent later (or never).
        if !outputBufferFull, clockEnabled(source), let byte = device(source).nextOutputByte {
            device(source).outputByteSent()
            lastTransferSource = source
            if source == .aux {
                loadOutputBuffer(byte, fromAux: true)
            } else if !commandByte.contains(.translate) {
                loadOutputBuffer(byte, fromAux: false)
            } else if let translated = translator.translate(byte) {
                loadOutputBuffer(translated, fromAux: false)
            }
        }
        startTransferIfPossible()
    }

    var transferDeadline: VirtualTime? { transferTimer.deadline }

    func restoreTransfer(source: PS2Port?, deadline: VirtualTime?) {
        transferTimer.cancel()
        transferSource = source
        if source != nil, let deadline { transferTimer.arm(at: deadline) }
    }
}
