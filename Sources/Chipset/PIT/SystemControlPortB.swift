// Port 0x61, system control port B: PIT counter 2 gate, speaker enable, refresh toggle, OUT2.

import EmulatorCore

/// The PC/AT "system control port B" at 0x61 (PIIX4 NMI Status and Control Register, NMISC).
///
/// Bits: 0 = PIT counter 2 GATE, 1 = speaker data enable (the speaker hears OUT2 AND this bit),
/// 2 and 3 = SERR# / IOCHK# NMI enables (stored only), 4 = refresh toggle (read-only),
/// 5 = OUT2 (read-only), 6 and 7 = IOCHK# / SERR# NMI status (read as 0).
///
/// The refresh bit flips once per DRAM refresh request, every 18 PIT clocks (about 15.1 µs),
/// derived from virtual time; BIOS delay loops count its flips.
///
/// Not modelled: NMI sources (bits 6 and 7 never set), PWM sample playback through the speaker
/// (`speakerChanged` reports tones only).
public final class SystemControlPortB: PortIODevice {
    /// Fixed I/O ranges the machine claims for this device.
    public static let portRanges: [ClosedRange<UInt16>] = [0x61...0x61]
    static let port: UInt16 = 0x61
    /// PIT clocks per refresh-bit flip.
    static let refreshPeriodClocks: UInt64 = 18

    /// What the speaker is being asked to play, for an audio frontend.
    public struct SpeakerState: Equatable, Sendable {
        /// Bit 0: counter 2 counts.
        public var timerGateEnabled: Bool
        /// Bit 1: OUT2 reaches the speaker.
        public var speakerDataEnabled: Bool
        /// OUT2's frequency in Hz while counter 2 runs in mode 2 or 3 with a count, else nil.
        public var toneFrequency: Double?

        public init(timerGateEnabled: Bool, speakerDataEnabled: Bool, toneFrequency: Double?) {
            self.timerGateEnabled = timerGateEnabled
            self.speakerDataEnabled = speakerDataEnabled
            self.toneFrequency = toneFrequency
        }

        /// Silence: gate and speaker data off (the power-on state).
        public static let silent = SpeakerState(timerGateEnabled: false, speakerDataEnabled: false, toneFrequency: nil)

        /// A tone is playing.
        public var isSounding: Bool { timerGateEnabled && speakerDataEnabled && toneFrequency != nil }
    }

    enum Bit {
        static let timer2Gate: UInt8 = 0x01
        static let speakerData: UInt8 = 0x02
        static let writable: UInt8 = 0x0F
        static let refresh: UInt8 = 0x10
        static let out2: UInt8 = 0x20
    }

    let pit: PIT
    let scheduler: Scheduler
    /// Bits 0–3 as last written.
    var control: UInt8 = 0
    private let speakerChanged: ((SpeakerState) -> Void)?
    private var lastSpeakerState: SpeakerState?

    /// - Parameter speakerChanged: called whenever `speakerState` changes.
    public init(pit: PIT, scheduler: Scheduler, speakerChanged: ((SpeakerState) -> Void)? = nil) {
        self.pit = pit
        self.scheduler = scheduler
        self.speakerChanged = speakerChanged
        pit.counter2Changed = { [unowned self] in self.reportSpeaker() }
        pit.setGate(channel: 2, high: false)
    }

    /// Returns to power-on values (all control bits clear).
    public func reset() {
        control = 0
        pit.setGate(channel: 2, high: false)
        reportSpeaker()
    }

    public var speakerState: SpeakerState {
        SpeakerState(
            timerGateEnabled: control & Bit.timer2Gate != 0,
            speakerDataEnabled: control & Bit.speakerData != 0,
            toneFrequency: pit.counter2ToneFrequency)
    }

    func reportSpeaker() {
        let state = speakerState
        guard state != lastSpeakerState else { return }
        lastSpeakerState = state
        speakerChanged?(state)
    }

    // MARK: PortIODevice

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        guard port.value == Self.port else { return width.mask }
        let ticks = PIT.clockTicks(at: scheduler.now)
        var value = control
        if (ticks / Self.refreshPeriodClocks) & 1 != 0 { value |= Bit.refresh }
        if pit.output(channel: 2) { value |= Bit.out2 }
        // A wider access reaches the ports above 0x61, which belong to nobody here.
        return UInt32(value) | (width.mask & ~0xFF)
    }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        guard port.value == Self.port else { return }
        control = UInt8(truncatingIfNeeded: value) & Bit.writable
        pit.setGate(channel: 2, high: control & Bit.timer2Gate != 0)
        reportSpeaker()
    }
}
