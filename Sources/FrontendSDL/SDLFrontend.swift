// The SDL2 window: shows the guest's screen, feeds it keyboard and mouse input, plays the speaker.

import CSDL2
import Chipset
import EmulatorCore
import Foundation
import Graphics
import Machine

/// The window frontend. It owns SDL and must run on the main thread (`run()` returns when the
/// emulation thread calls `FrontendLink.finish()`); the machine runs on another thread and is
/// reached only through the `FrontendLink`.
///
/// - Screen: the newest frame is uploaded to a streaming texture and scaled to the window,
///   keeping its aspect ratio (black bars; nearest-neighbour). The window follows the guest's
///   mode size (doubled below 640 pixels wide; frames under 160x100, an adapter no BIOS has set
///   up, leave it alone) until the user resizes it.
/// - Keyboard: SDL scancodes → `PS2Key` (`SDLKeyMap`); SDL's key repeats are dropped, the guest's
///   typematic repeat applies. Keys still down when the window loses focus are released.
/// - Mouse: a click in the window grabs it (relative motion, buttons and wheel go to the PS/2
///   mouse); Ctrl+Alt+G releases it.
/// - Keys for Partita, not the guest: Ctrl+Alt+G release the mouse, Ctrl+Alt+F fullscreen,
///   Ctrl+Alt+S PNG screenshot, Ctrl+Alt+P save a snapshot.
/// - Closing the window asks the emulation thread to end the run, as SIGTERM does.
public final class SDLFrontend {
    /// Hint shown in the title.
    static let keysHelp = "Ctrl+Alt+G release mouse, F fullscreen, S screenshot, P snapshot"

    public let link: FrontendLink
    /// --screenshot's path, used by Ctrl+Alt+S too (else partita-screenshot-N.png).
    public let screenshotPath: String?
    private let window: OpaquePointer
    private let renderer: OpaquePointer
    private var texture: OpaquePointer?
    private var textureWidth: Int32 = 0
    private var textureHeight: Int32 = 0
    private var audio: SpeakerAudio?
    private var seenGeneration: UInt64 = 0
    private var grabbed = false
    private var fullscreen = false
    private var followGuestSize = true
    private var requestedSize: (Int32, Int32) = (0, 0)
    private var pressedKeys: Set<PS2Key> = []
    /// Scancodes of hotkeys whose release must not reach the guest either.
    private var swallowedScancodes: Set<UInt32> = []
    private var status: (message: String, until: UInt64)?
    private var shownTitle = ""

    /// Opens the window (and the audio device when `sound`). Throws when there is no display.
    public init(link: FrontendLink, screenshotPath: String?, sound: Bool = true) throws(SDLError) {
        self.link = link
        self.screenshotPath = screenshotPath
        // Partita handles SIGINT/SIGTERM itself (HostSignals); SDL must not turn them into SDL_QUIT.
        SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1")
        SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "nearest")
        if SDL_Init(UInt32(SDL_INIT_VIDEO)) != 0 {
            throw SDLError("cannot open a window (no display?)", sdlMessage: String(cString: SDL_GetError()))
        }
        // With no usable display SDL 2.26 falls back to its invisible "offscreen" driver: that is
        // no window, unless the user asked for it by name.
        let driver = SDL_GetCurrentVideoDriver().map { String(cString: $0) } ?? ""
        let asked = ProcessInfo.processInfo.environment["SDL_VIDEODRIVER"] ?? ""
        if ["offscreen", "dummy"].contains(driver) && asked != driver {
            SDL_Quit()
            throw SDLError("cannot open a window (no display?)", sdlMessage: "only SDL's \(driver) video driver works here")
        }
        let centered = Int32(bitPattern: 0x2FFF_0000)  // SDL_WINDOWPOS_CENTERED
        guard let w = SDL_CreateWindow("Partita", centered, centered, 720, 400,
                                       SDL_WINDOW_RESIZABLE.rawValue | SDL_WINDOW_ALLOW_HIGHDPI.rawValue) else {
            let message = String(cString: SDL_GetError())
            SDL_Quit()
            throw SDLError("cannot create the window", sdlMessage: message)
        }
        guard let r = SDL_CreateRenderer(w, -1, 0) ?? SDL_CreateRenderer(w, -1, SDL_RENDERER_SOFTWARE.rawValue) else {
            let message = String(cString: SDL_GetError())
            SDL_DestroyWindow(w)
            SDL_Quit()
            throw SDLError("cannot create a renderer for the window", sdlMessage: message)
        }
        window = w
        renderer = r
        requestedSize = (720, 400)
        if sound { audio = SpeakerAudio() }
        updateTitle()
        present()
    }

    deinit {
        audio = nil
        if let texture { SDL_DestroyTexture(texture) }
        SDL_DestroyRenderer(renderer)
        SDL_DestroyWindow(window)
        SDL_Quit()
    }

    /// Runs the window until the emulation thread finishes (main thread).
    public func run() {
        var event = SDL_Event()
        while !link.isFinished {
            var redraw = false
            if SDL_WaitEventTimeout(&event, 8) != 0 {
                redraw = handle(event) || redraw
                while SDL_PollEvent(&event) != 0 { redraw = handle(event) || redraw }
            }
            if let (frame, generation) = link.frames.frame(newerThan: seenGeneration) {
                seenGeneration = generation
                upload(frame)
                redraw = true
            }
            for message in link.takeStatus() { showStatus(message) }
            updateTitle()
            if redraw { present() }
            audio?.update(link.speakerState)
        }
        if grabbed { setGrab(false) }
        SDL_HideWindow(window)
    }

    // MARK: Events

    /// Handles one event; true when the window needs repainting.
    private func handle(_ event: SDL_Event) -> Bool {
        switch event.type {
        case SDL_QUIT.rawValue:
            link.request(.quit)
        case SDL_KEYDOWN.rawValue, SDL_KEYUP.rawValue:
            handleKey(event.key)
        case SDL_MOUSEBUTTONDOWN.rawValue, SDL_MOUSEBUTTONUP.rawValue:
            let pressed = event.type == SDL_MOUSEBUTTONDOWN.rawValue
            if !grabbed {
                if pressed && event.button.button == UInt8(SDL_BUTTON_LEFT) { setGrab(true) }
                return false
            }
            if let button = Self.mouseButton(event.button.button) {
                link.events.push(.mouse(.button(button, pressed: pressed)))
            }
        case SDL_MOUSEMOTION.rawValue:
            if grabbed && (event.motion.xrel != 0 || event.motion.yrel != 0) {
                link.events.push(.mouse(.motion(dx: Int(event.motion.xrel), dy: Int(event.motion.yrel))))
            }
        case SDL_MOUSEWHEEL.rawValue:
            if grabbed && event.wheel.y != 0 {
                let flipped = event.wheel.direction == SDL_MOUSEWHEEL_FLIPPED.rawValue
                link.events.push(.mouse(.wheel(Int(flipped ? -event.wheel.y : event.wheel.y))))
            }
        case SDL_WINDOWEVENT.rawValue:
            switch UInt32(event.window.event) {
            case SDL_WINDOWEVENT_FOCUS_LOST.rawValue:
                releaseAllKeys()
            case SDL_WINDOWEVENT_RESIZED.rawValue:
                if (event.window.data1, event.window.data2) != requestedSize && !fullscreen { followGuestSize = false }
                return true
            case SDL_WINDOWEVENT_EXPOSED.rawValue, SDL_WINDOWEVENT_SIZE_CHANGED.rawValue:
                return true
            default:
                break
            }
        default:
            break
        }
        return false
    }

    private func handleKey(_ key: SDL_KeyboardEvent) {
        // The guest's typematic repeat applies; the host's repeats would double it.
        if key.repeat != 0 { return }
        let scancode = key.keysym.scancode
        let down = key.type == SDL_KEYDOWN.rawValue
        if !down, swallowedScancodes.remove(scancode.rawValue) != nil { return }
        let mods = UInt32(SDL_GetModState().rawValue)
        if down, mods & UInt32(KMOD_CTRL.rawValue) != 0, mods & UInt32(KMOD_ALT.rawValue) != 0,
           hotkey(scancode) {
            swallowedScancodes.insert(scancode.rawValue)
            return
        }
        guard let ps2 = SDLKeyMap.key(for: scancode) else { return }
        if down {
            guard pressedKeys.insert(ps2).inserted else { return }
        } else {
            guard pressedKeys.remove(ps2) != nil else { return }
        }
        link.events.push(.key(PS2KeyEvent(key: ps2, isPressed: down)))
    }

    /// Ctrl+Alt+`scancode`: true when it was one of Partita's keys.
    private func hotkey(_ scancode: SDL_Scancode) -> Bool {
        switch scancode {
        case SDL_SCANCODE_G:
            if grabbed { setGrab(false) }
        case SDL_SCANCODE_F:
            fullscreen.toggle()
            SDL_SetWindowFullscreen(window, fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP.rawValue : 0)
        case SDL_SCANCODE_S:
            writeScreenshot()
        case SDL_SCANCODE_P:
            link.request(.saveSnapshot)
        default:
            return false
        }
        return true
    }

    /// Releases, in the guest, every key still held (focus went elsewhere: the key-up will not come).
    private func releaseAllKeys() {
        for key in pressedKeys { link.events.push(.key(.release(key))) }
        pressedKeys.removeAll()
        swallowedScancodes.removeAll()
    }

    private func setGrab(_ on: Bool) {
        grabbed = on
        if SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE) != 0 {
            // No relative mode (some X servers): confine the pointer and use motion deltas.
            SDL_SetWindowGrab(window, on ? SDL_TRUE : SDL_FALSE)
            SDL_ShowCursor(on ? 0 : 1)
        }
        updateTitle()
    }

    static func mouseButton(_ sdlButton: UInt8) -> PS2MouseButtons? {
        switch Int32(sdlButton) {
        case SDL_BUTTON_LEFT: return .left
        case SDL_BUTTON_MIDDLE: return .middle
        case SDL_BUTTON_RIGHT: return .right
        case SDL_BUTTON_X1: return .side
        case SDL_BUTTON_X2: return .extra
        default: return nil
        }
    }

    // MARK: Screen

    private func upload(_ frame: DisplayFrame) {
        guard frame.width > 0, frame.height > 0 else { return }
        let w = Int32(frame.width), h = Int32(frame.height)
        if texture == nil || w != textureWidth || h != textureHeight {
            if let texture { SDL_DestroyTexture(texture) }
            texture = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_RGB888.rawValue,
                                        Int32(SDL_TEXTUREACCESS_STREAMING.rawValue), w, h)
            textureWidth = w
            textureHeight = h
            SDL_RenderSetLogicalSize(renderer, w, h)
            // A tiny frame is an adapter nobody has programmed yet (no video BIOS): keep the size.
            if followGuestSize && !fullscreen && w >= 160 && h >= 100 {
                let scale: Int32 = w < 640 ? 2 : 1
                requestedSize = (w * scale, h * scale)
                SDL_SetWindowSize(window, w * scale, h * scale)
            }
        }
        guard let texture else { return }
        // SAFETY: the buffer holds width × height UInt32 pixels, exactly one texture of pitch width × 4.
        frame.pixels.withUnsafeBytes { raw in
            _ = SDL_UpdateTexture(texture, nil, raw.baseAddress, w * 4)
        }
    }

    private func present() {
        SDL_SetRenderDrawColor(renderer, 0, 0, 0, 255)
        SDL_RenderClear(renderer)
        if let texture { SDL_RenderCopy(renderer, texture, nil, nil) }
        SDL_RenderPresent(renderer)
    }

    private func writeScreenshot() {
        guard let frame = link.frames.latest else {
            showStatus("no screen yet")
            return
        }
        let path = ScreenshotNaming.path(configured: screenshotPath)
        do {
            let png = try PNGWriter.encode(frame)
            guard FileManager.default.createFile(atPath: path, contents: Data(png)) else {
                showStatus("cannot write the screenshot to \(path)", log: true)
                return
            }
            showStatus("screenshot written to \(path)", log: true)
        } catch {
            showStatus("screenshot failed: \(error)", log: true)
        }
    }

    // MARK: Title

    private func showStatus(_ message: String, log: Bool = false) {
        if log { FileHandle.standardError.write(Data("partita: \(message)\n".utf8)) }
        status = (message, DispatchTime.now().uptimeNanoseconds + 5_000_000_000)
        updateTitle()
    }

    private func updateTitle() {
        var title = grabbed ? "Partita - mouse grabbed (Ctrl+Alt+G releases)"
                            : "Partita - click to grab the mouse; \(Self.keysHelp)"
        if let s = status {
            if DispatchTime.now().uptimeNanoseconds < s.until { title += " - \(s.message)" } else { status = nil }
        }
        if title != shownTitle {
            shownTitle = title
            SDL_SetWindowTitle(window, title)
        }
    }
}
