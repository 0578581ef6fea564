// A PS/2 mouse with the IntelliMouse wheel extensions: host motion in, packets out to the 8042.

import EmulatorCore

/// Mouse buttons, as the host reports them.
public struct PS2MouseButtons: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let left = PS2MouseButtons(rawValue: 0x01)
    public static let right = PS2MouseButtons(rawValue: 0x02)
    public static let middle = PS2MouseButtons(rawValue: 0x04)
    /// Button 4 ("back"), reported only in IntelliMouse Explorer mode (ID 4).
    public static let side = PS2MouseButtons(rawValue: 0x08)
    /// Button 5 ("forward"), reported only in IntelliMouse Explorer mode (ID 4).
    public static let extra = PS2MouseButtons(rawValue: 0x10)
    static let all: PS2MouseButtons = [.left, .right, .middle, .side, .extra]
}

/// A host mouse event.
public enum PS2MouseEvent: Hashable, Sendable {
    /// Relative motion in screen convention: `dx` positive to the right, `dy` positive downwards
    /// (as SDL reports it). The mouse flips Y for the PS/2 packet, where up is positive.
    case motion(dx: Int, dy: Int)
    /// Wheel detents, positive when rotated away from the user (scroll up), as SDL reports it.
    case wheel(Int)
    case button(PS2MouseButtons, pressed: Bool)
}

/// An IBM PS/2 mouse on the 8042's auxiliary port, with the Microsoft IntelliMouse (ID 3, wheel)
/// and IntelliMouse Explorer (ID 4, wheel and buttons 4/5) extensions. Reached through
/// `PS2Controller.mouse`; the host feeds it `PS2MouseEvent`s on the emulation thread.
///
/// Follows the IBM Keyboard and Auxiliary Device technical reference ("Pointing Device"): stream
/// and remote modes; commands 0xE6/0xE7 scaling 1:1 / 2:1, 0xE8 resolution, 0xE9 status request,
/// 0xEA stream mode, 0xEB read data, 0xEC/0xEE reset/set wrap mode, 0xF0 remote mode, 0xF2 read
/// ID, 0xF3 sample rate (10, 20, 40, 60, 80, 100 or 200; anything else gets 0xFE), 0xF4/0xF5
/// enable/disable reporting, 0xF6 defaults, 0xFE resend, 0xFF reset (0xFA 0xAA 0x00). Sample
/// rates 200, 100, 80 in a row switch to ID 3 (4-byte packets with a wheel byte), then 200, 200,
/// 80 to ID 4, as Microsoft's IntelliMouse specification describes and Linux's psmouse probes.
///
/// Packets: in stream mode with reporting on, a packet is sent when the counters or buttons have
/// changed, at most once per sample period (in virtual time); a mouse holds one packet at a time
/// and keeps counting while the controller has not taken it. Counters are 9-bit two's complement:
/// beyond -256...255 they saturate and the X/Y overflow bit is set; 2:1 scaling applies in stream
/// mode only. The wheel byte saturates at -8...7. Any command but 0xFE clears the counters and
/// drops an unsent packet.
///
/// Not modelled: resolution (host deltas are taken as counts at whatever resolution the guest
/// chose); the second invalid byte's 0xFC error reply; no 0xAA 0x00 is sent at power-on.
public final class PS2Mouse: PS2PortDevice {
    enum Command {
        static let setScaling1to1: UInt8 = 0xE6
        static let setScaling2to1: UInt8 = 0xE7
        static let setResolution: UInt8 = 0xE8
        static let statusRequest: UInt8 = 0xE9
        static let setStreamMode: UInt8 = 0xEA
        static let readData: UInt8 = 0xEB
        static let resetWrapMode: UInt8 = 0xEC
        static let setWrapMode: UInt8 = 0xEE
        static let setRemoteMode: UInt8 = 0xF0
        static let getDeviceID: UInt8 = 0xF2
        static let setSampleRate: UInt8 = 0xF3
        static let enableReporting: UInt8 = 0xF4
        static let disableReporting: UInt8 = 0xF5
        static let setDefaults: UInt8 = 0xF6
        static let resend: UInt8 = 0xFE
        static let reset: UInt8 = 0xFF
        /// The lowest command code: a byte this high in place of an argument is a new command.
        static let lowest: UInt8 = 0xE6
    }

    enum Constants {
        static let validSampleRates: [UInt8] = [10, 20, 40, 60, 80, 100, 200]
        static let defaultSampleRate: UInt8 = 100
        /// 4 counts/mm.
        static let defaultResolution: UInt8 = 2
        /// Host motion is accumulated up to this magnitude (far beyond what a packet can carry).
        static let counterLimit = 1 << 15
        static let maxResponseBytes = 16
        /// Sample rate sequences that switch the device ID (IntelliMouse, IntelliMouse Explorer).
        static let intelliMouseKnock: [UInt8] = [200, 100, 80]
        static let explorerKnock: [UInt8] = [200, 200, 80]
    }

    /// Device IDs answered to 0xF2.
    enum DeviceID {
        static let standard: UInt8 = 0x00
        static let intelliMouse: UInt8 = 0x03
        static let explorer: UInt8 = 0x04
    }

    private let scheduler: Scheduler
    private var sampleTimer: DeviceTimer!
    var outputReady: () -> Void = {}

    /// The ID answered to 0xF2: 0, 3 (wheel) or 4 (wheel and five buttons).
    public internal(set) var deviceID = DeviceID.standard
    public internal(set) var sampleRate = Constants.defaultSampleRate
    /// 0–3: 1, 2, 4 or 8 counts/mm.
    public internal(set) var resolution = Constants.defaultResolution
    public internal(set) var scaling2to1 = false
    public internal(set) var isRemoteMode = false
    public internal(set) var isReportingEnabled = false
    public internal(set) var isWrapMode = false
    /// A command (0xF3 or 0xE8) waiting for its argument.
    var pendingCommand: UInt8?
    /// The last (up to three) sample rates set, for the IntelliMouse knock sequences.
    var rateHistory: [UInt8] = []
    /// Buttons the host holds.
    public internal(set) var buttons: PS2MouseButtons = []
    /// Buttons as last reported in a packet.
    var reportedButtons: PS2MouseButtons = []
    /// Movement counters in PS/2 convention (X right, Y up, Z towards the user).
    var dx = 0, dy = 0, dz = 0
    /// Replies to commands, sent before any packet.
    var responseQueue: [UInt8] = []
    /// The packet being sent (at most one).
    var packetQueue: [UInt8] = []
    /// The last reply or packet, for 0xFE (resend).
    var lastTransmission: [UInt8] = []
    /// When the last stream packet was made, for the sample period.
    var lastSampleTime: VirtualTime?

    init(scheduler: Scheduler) {
        self.scheduler = scheduler
        sampleTimer = DeviceTimer(name: "ps2.mouse.sample", scheduler: scheduler) { [weak self] _ in
            self?.sample()
        }
    }

    deinit { sampleTimer.cancel() }

    /// Power-on state (after BAT): ID 0, stream mode, reporting off, defaults. Held buttons stay
    /// held (they are the physical inputs).
    func reset() {
        deviceID = DeviceID.standard
        isWrapMode = false
        setDefaults()
        rateHistory.removeAll()
        pendingCommand = nil
        responseQueue.removeAll()
        lastTransmission.removeAll()
        lastSampleTime = nil
        reportedButtons = buttons
    }

    /// 0xF6: 100 samples/s, 4 counts/mm, 1:1 scaling, stream mode, reporting off.
    private func setDefaults() {
        sampleRate = Constants.defaultSampleRate
        resolution = Constants.defaultResolution
        scaling2to1 = false
        isRemoteMode = false
        isReportingEnabled = false
        clearCounters()
        sampleTimer.cancel()
    }

    private func clearCounters() {
        dx = 0
        dy = 0
        dz = 0
        packetQueue.removeAll()
    }

    // MARK: - Host input

    public func handle(_ event: PS2MouseEvent) {
        switch event {
        case .motion(let x, let y):
            guard countsMotion else { return }
            dx = Self.accumulate(dx, x)
            dy = Self.accumulate(dy, -y)
        case .wheel(let detents):
            guard countsMotion else { return }
            dz = Self.accumulate(dz, -detents)
        case .button(let b, let pressed):
            if pressed { buttons.formUnion(b) } else { buttons.subtract(b) }
            buttons.formIntersection(.all)
        }
        sample()
    }

    /// Moves the mouse; screen convention (`dy` positive downwards).
    public func move(dx: Int, dy: Int) { handle(.motion(dx: dx, dy: dy)) }
    /// Turns the wheel; positive away from the user (scroll up).
    public func scroll(by detents: Int) { handle(.wheel(detents)) }
    public func setButton(_ button: PS2MouseButtons, pressed: Bool) { handle(.button(button, pressed: pressed)) }
    /// Sets the whole button state at once.
    public func setButtons(_ newButtons: PS2MouseButtons) {
        buttons = newButtons.intersection(.all)
        sample()
    }

    /// In stream mode the counters run only while reporting is on; in remote mode always.
    private var countsMotion: Bool { isRemoteMode || isReportingEnabled }

    private static func accumulate(_ counter: Int, _ delta: Int) -> Int {
        let limit = Constants.counterLimit
        return min(max(counter + max(min(delta, limit), -limit), -limit), limit)
    }

    // MARK: - Packets

    private var isStreaming: Bool { isReportingEnabled && !isRemoteMode && !isWrapMode }

    /// The buttons this packet format can report.
    private var reportableButtons: PS2MouseButtons {
        deviceID == DeviceID.explorer ? .all : [.left, .right, .middle]
    }

    private var hasUnreportedChange: Bool {
        dx != 0 || dy != 0 || (dz != 0 && deviceID != DeviceID.standard)
            || buttons.intersection(reportableButtons) != reportedButtons.intersection(reportableButtons)
    }

    var samplePeriod: UInt64 { 1_000_000_000 / UInt64(sampleRate) }

    /// Makes a stream packet if one is due, or arms the sample timer for when it will be.
    /// `emit: false` (restore) only re-arms.
    private func sample(emit: Bool = true) {
        guard isStreaming, pendingCommand == nil, packetQueue.isEmpty, hasUnreportedChange else {
            sampleTimer.cancel()
            return
        }
        let now = scheduler.now
        if let last = lastSampleTime, now < last + samplePeriod {
            sampleTimer.arm(at: last + samplePeriod)
            return
        }
        guard emit else {
            sampleTimer.arm(at: now)
            return
        }
        sampleTimer.cancel()
        packetQueue = makePacket(scaled: scaling2to1)
        lastTransmission = packetQueue
        lastSampleTime = now
        outputReady()
    }

    func rearmSampleTimer() { sample(emit: false) }

    /// A movement data packet from the counters, which it then clears.
    private func makePacket(scaled: Bool) -> [UInt8] {
        var x = scaled ? Self.scale2to1(dx) : dx
        var y = scaled ? Self.scale2to1(dy) : dy
        let shown = buttons.intersection(reportableButtons)
        var status: UInt8 = 0x08 | (shown.rawValue & 0x07)
        if x > 255 || x < -256 {
            x = min(max(x, -256), 255)
            status |= 0x40
        }
        if y > 255 || y < -256 {
            y = min(max(y, -256), 255)
            status |= 0x80
        }
        if x < 0 { status |= 0x10 }
        if y < 0 { status |= 0x20 }
        var packet = [status, UInt8(truncatingIfNeeded: x), UInt8(truncatingIfNeeded: y)]
        let z = min(max(dz, -8), 7)
        switch deviceID {
        case DeviceID.intelliMouse:
            packet.append(UInt8(truncatingIfNeeded: z))
        case DeviceID.explorer:
            packet.append(UInt8(truncatingIfNeeded: z) & 0x0F | (shown.rawValue & 0x18) << 1)
        default:
            break
        }
        dx = 0
        dy = 0
        dz = 0
        reportedButtons = buttons
        return packet
    }

    /// 2:1 scaling (technical reference): 1→1, 2→1, 3→3, 4→6, 5→9, n≥6→2n, sign kept.
    static func scale2to1(_ v: Int) -> Int {
        let m = abs(v)
        let scaled: Int
        switch m {
        case 0...1: scaled = m
        case 2: scaled = 1
        case 3: scaled = 3
        case 4: scaled = 6
        case 5: scaled = 9
        default: scaled = 2 * m
        }
        return v < 0 ? -scaled : scaled
    }

    /// The three bytes answered to 0xE9.
    private var statusBytes: [UInt8] {
        var b: UInt8 = 0
        if isRemoteMode { b |= 0x40 }
        if isReportingEnabled { b |= 0x20 }
        if scaling2to1 { b |= 0x10 }
        if buttons.contains(.left) { b |= 0x04 }
        if buttons.contains(.middle) { b |= 0x02 }
        if buttons.contains(.right) { b |= 0x01 }
        return [b, resolution, sampleRate]
    }

    // MARK: - PS2PortDevice

    var nextOutputByte: UInt8? {
        if let reply = responseQueue.first { return reply }
        if pendingCommand == nil, let byte = packetQueue.first { return byte }
        return nil
    }

    func outputByteSent() {
        if !responseQueue.isEmpty {
            responseQueue.removeFirst()
        } else if pendingCommand == nil, !packetQueue.isEmpty {
            packetQueue.removeFirst()
            if packetQueue.isEmpty { sample() }
        }
    }

    func receive(_ byte: UInt8) {
        defer {
            sample()
            outputReady()
        }
        if isWrapMode && byte != Command.resetWrapMode && byte != Command.reset {
            reply([byte])
            return
        }
        if let command = pendingCommand {
            pendingCommand = nil
            if byte < Command.lowest {
                argument(byte, for: command)
                return
            }
        }
        execute(byte)
    }

    private func reply(_ bytes: [UInt8]) {
        let room = Constants.maxResponseBytes - responseQueue.count
        responseQueue.append(contentsOf: bytes.prefix(max(room, 0)))
        lastTransmission = bytes
    }

    private func execute(_ command: UInt8) {
        // Any command but resend clears the counters and drops an unsent packet; read data
        // reports the counters first.
        switch command {
        case Command.resend: break
        case Command.readData: packetQueue.removeAll()
        default: clearCounters()
        }
        let ack = PS2Reply.ack
        switch command {
        case Command.reset:
            reset()
            reply([ack, PS2Reply.selfTestPassed, DeviceID.standard])
        case Command.resend:
            let again = lastTransmission
            reply(again)
        case Command.setDefaults:
            setDefaults()
            reply([ack])
        case Command.disableReporting:
            isReportingEnabled = false
            reply([ack])
        case Command.enableReporting:
            isReportingEnabled = true
            reply([ack])
        case Command.setSampleRate, Command.setResolution:
            reply([ack])
            pendingCommand = command
        case Command.getDeviceID:
            reply([ack, deviceID])
        case Command.setRemoteMode:
            isRemoteMode = true
            reply([ack])
        case Command.setWrapMode:
            isWrapMode = true
            reply([ack])
        case Command.resetWrapMode:
            isWrapMode = false
            reply([ack])
        case Command.readData:
            reply([ack] + makePacket(scaled: false))
        case Command.setStreamMode:
            isRemoteMode = false
            reply([ack])
        case Command.statusRequest:
            reply([ack] + statusBytes)
        case Command.setScaling2to1:
            scaling2to1 = true
            reply([ack])
        case Command.setScaling1to1:
            scaling2to1 = false
            reply([ack])
        default:
            reply([PS2Reply.resend])
        }
    }

    private func argument(_ value: UInt8, for command: UInt8) {
        if command == Command.setSampleRate {
            guard Constants.validSampleRates.contains(value) else { return rejectArgument(of: command) }
            sampleRate = value
            rateHistory = Array((rateHistory + [value]).suffix(3))
            if deviceID == DeviceID.standard && rateHistory == Constants.intelliMouseKnock {
                deviceID = DeviceID.intelliMouse
            } else if deviceID == DeviceID.intelliMouse && rateHistory == Constants.explorerKnock {
                deviceID = DeviceID.explorer
            }
        } else {
            guard value <= 3 else { return rejectArgument(of: command) }
            resolution = value
        }
        reply([PS2Reply.ack])
    }

    /// An invalid argument: ask for it again and keep waiting.
    private func rejectArgument(of command: UInt8) {
        reply([PS2Reply.resend])
        pendingCommand = command
    }
}
