// The PC speaker through SDL audio: a square wave at PIT counter 2's frequency.

import CSDL2
import Chipset
import Foundation

/// Plays what port 0x61 and PIT counter 2 ask of the PC speaker: a square wave at counter 2's
/// frequency while bits 0 (gate) and 1 (speaker data) are both set and the counter runs in mode
/// 2 or 3, silence otherwise. The emulation thread samples the state between slices (about 60
/// times a second, `DisplayPump`); this type, on the window's thread, keeps SDL's audio queue
/// about 50 ms ahead with samples for the latest state, so a tone starts or stops within a frame
/// or two.
///
/// DEVIATION: tones only — software PWM (toggling bit 1 thousands of times a second to play
/// samples) is not reproduced, since the state is sampled, not every port write.
final class SpeakerAudio {
    static let sampleRate = 44_100
    /// Peak amplitude of the square wave (16-bit signed; about -15 dBFS).
    static let amplitude: Int16 = 6_000
    /// Samples to keep queued.
    static let queueTarget = 2_205
    static let chunk = 512

    private let device: SDL_AudioDeviceID
    private var phase = 0.0
    private var samples = [Int16](repeating: 0, count: SpeakerAudio.chunk)

    /// Opens the default audio device; nil (after one line on standard error) when there is none.
    init?() {
        guard Self.hostMayHaveAudio() else {
            Self.noSound("no sound card or sound server found")
            return nil
        }
        if SDL_InitSubSystem(UInt32(SDL_INIT_AUDIO)) != 0 {
            Self.noSound(String(cString: SDL_GetError()))
            return nil
        }
        var want = SDL_AudioSpec()
        want.freq = Int32(Self.sampleRate)
        want.format = SDL_AudioFormat(AUDIO_S16SYS)
        want.channels = 1
        want.samples = UInt16(Self.chunk)
        var have = SDL_AudioSpec()
        let id = SDL_OpenAudioDevice(nil, 0, &want, &have, 0)
        guard id != 0 else {
            Self.noSound(String(cString: SDL_GetError()))
            SDL_QuitSubSystem(UInt32(SDL_INIT_AUDIO))
            return nil
        }
        device = id
        SDL_PauseAudioDevice(device, 0)
    }

    deinit {
        SDL_CloseAudioDevice(device)
    }

    /// False when there is plainly no audio output — no ALSA card, no PulseAudio or PipeWire
    /// socket, no SDL_AUDIODRIVER — so that ALSA's own error lines do not clutter stderr.
    static func hostMayHaveAudio(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if !(environment["SDL_AUDIODRIVER"] ?? "").isEmpty { return true }
        if let cards = try? String(contentsOfFile: "/proc/asound/cards", encoding: .utf8),
           !cards.contains("no soundcards"), !cards.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return true
        }
        if !(environment["PULSE_SERVER"] ?? "").isEmpty { return true }
        let runtime = environment["XDG_RUNTIME_DIR"] ?? ""
        if !runtime.isEmpty {
            for socket in ["pulse/native", "pipewire-0"] where FileManager.default.fileExists(atPath: runtime + "/" + socket) {
                return true
            }
        }
        #if os(macOS)
        return true
        #else
        return false
        #endif
    }

    private static func noSound(_ why: String) {
        FileHandle.standardError.write(Data("partita: no audio device (\(why)); running without sound\n".utf8))
    }

    /// Tops up the queue with samples for `state` (window thread).
    func update(_ state: SystemControlPortB.SpeakerState) {
        let nyquist = Double(Self.sampleRate) / 2
        let frequency = state.isSounding ? (state.toneFrequency ?? 0) : 0
        let audible = frequency >= 20 && frequency < nyquist
        let step = audible ? frequency / Double(Self.sampleRate) : 0
        while Int(SDL_GetQueuedAudioSize(device)) / 2 < Self.queueTarget {
            for i in 0..<samples.count {
                if audible {
                    samples[i] = phase < 0.5 ? Self.amplitude : -Self.amplitude
                    phase += step
                    if phase >= 1 { phase -= 1 }
                } else {
                    samples[i] = 0
                }
            }
            let ok = samples.withUnsafeBytes { raw in
                SDL_QueueAudio(device, raw.baseAddress, UInt32(raw.count)) == 0
            }
            if !ok { return }
        }
    }
}
