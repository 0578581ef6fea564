// The emulation thread's half of the window: frames out, speaker state out, requests in.

import EmulatorCore
import Foundation
import Machine

/// Runs on the emulation thread from `PCMachine.betweenSlices`: about 60 times a second it
/// renders the VGA into the `FrontendLink` (only when the picture changed), copies the PC
/// speaker's state for the audio code, and carries out the window's requests (quit, save a
/// snapshot). It is the only code of the window that touches the machine.
public final class DisplayPump {
    /// Nanoseconds between frames (60 Hz).
    public static let framePeriod: UInt64 = 16_666_667

    public let link: FrontendLink
    /// Where Ctrl+Alt+P saves (--snapshot-file, else --save-on-exit's file); nil: nowhere.
    public let snapshotPath: String?
    private var lastFrameAt: UInt64 = 0
    private var lastFrame: DisplayFrame?

    public init(link: FrontendLink, snapshotPath: String?) {
        self.link = link
        self.snapshotPath = snapshotPath
    }

    /// True when the run loop should stop waiting for the guest's next timer: a frame is due or
    /// the window asked for something (any thread that owns the machine; cheap).
    public var isDue: Bool {
        DispatchTime.now().uptimeNanoseconds &- lastFrameAt >= Self.framePeriod || link.hasPendingRequests
    }

    /// Does the per-slice work (emulation thread).
    public func betweenSlices(_ machine: PCMachine) {
        for request in link.takeRequests() {
            switch request {
            case .quit:
                machine.stop(.stopped)
            case .saveSnapshot:
                saveSnapshot(machine)
            }
        }
        let t = DispatchTime.now().uptimeNanoseconds
        guard t &- lastFrameAt >= Self.framePeriod else { return }
        lastFrameAt = t
        link.speakerState = machine.portB.speakerState
        let frame = machine.vga.renderFrame(atNanoseconds: machine.now.nanoseconds)
        if frame != lastFrame {
            lastFrame = frame
            link.frames.publish(frame)
        }
    }

    private func saveSnapshot(_ machine: PCMachine) {
        guard let path = snapshotPath else {
            report("no snapshot file: start with --snapshot-file FILE or --save-on-exit FILE")
            return
        }
        do {
            try machine.saveSnapshot(to: path)
            report("snapshot saved to \(path)")
        } catch {
            report("snapshot failed: \(error)")
        }
    }

    private func report(_ message: String) {
        FileHandle.standardError.write(Data("partita: \(message)\n".utf8))
        link.postStatus(message)
    }
}
