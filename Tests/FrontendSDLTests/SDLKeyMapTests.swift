// The SDL scancode map: every emulated key reachable, extended (E0) keys where they belong.

import CSDL2
import Testing
@testable import Chipset
@testable import FrontendSDL

@Suite("SDL scancode map")
struct SDLKeyMapTests {
    @Test("every PS2Key is reachable from some SDL scancode")
    func everyKeyReachable() {
        let reached = Set(SDLKeyMap.allScancodes.compactMap(SDLKeyMap.key(for:)))
        let missing = Set(PS2Key.allCases).subtracting(reached)
        #expect(missing.isEmpty, "no scancode reaches \(missing.sorted { $0.rawValue < $1.rawValue })")
    }

    @Test("each key's own HID usage maps back to it (SDL scancodes are HID usages)")
    func usageIdentity() {
        for key in PS2Key.allCases {
            #expect(SDLKeyMap.key(for: SDL_Scancode(rawValue: UInt32(key.rawValue))) == key, "\(key)")
        }
    }

    @Test("only SysRq and Menu are aliases; every other mapped scancode is its key's usage")
    func aliases() {
        for sc in SDLKeyMap.allScancodes {
            guard let key = SDLKeyMap.key(for: sc) else { continue }
            if sc == SDL_SCANCODE_SYSREQ { #expect(key == .printScreen); continue }
            if sc == SDL_SCANCODE_MENU { #expect(key == .application); continue }
            #expect(UInt32(key.rawValue) == sc.rawValue, "scancode \(sc.rawValue) → \(key)")
        }
    }

    @Test("the 105-key board is covered: letters, digits, F-keys, modifiers, keypad")
    func keyboard105() {
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_A) == .a)
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_Z) == .z)
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_0) == .digit0)
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_RETURN) == .enter)
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_F12) == .f12)
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_NONUSBACKSLASH) == .nonUSBackslash)
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_NONUSHASH) == .nonUSHash)
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_KP_5) == .keypad5)
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_NUMLOCKCLEAR) == .numLock)
        for key in PS2Key.standard104 + [.nonUSBackslash] {
            #expect(SDLKeyMap.allScancodes.contains { SDLKeyMap.key(for: $0) == key }, "\(key)")
        }
        // Media keys have no PC scan code here: ignored, not mis-mapped.
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_AUDIOPLAY) == nil)
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_UNKNOWN) == nil)
    }

    /// The set 2 make sequence the keyboard sends for the key SDL reports as `sc`.
    private func set2Make(_ sc: SDL_Scancode) -> [UInt8] {
        SDLKeyMap.key(for: sc)!.makeSequence(set: 2, modifiers: PS2ModifierState())
    }

    private func set1Make(_ sc: SDL_Scancode) -> [UInt8] {
        SDLKeyMap.key(for: sc)!.makeSequence(set: 1, modifiers: PS2ModifierState())
    }

    @Test("right Ctrl/Alt, GUI, Menu, navigation block, arrows, keypad / and Enter send E0 codes")
    func extendedKeys() {
        let e0Set2: [(SDL_Scancode, UInt8)] = [
            (SDL_SCANCODE_RCTRL, 0x14), (SDL_SCANCODE_RALT, 0x11), (SDL_SCANCODE_LGUI, 0x1F),
            (SDL_SCANCODE_RGUI, 0x27), (SDL_SCANCODE_APPLICATION, 0x2F), (SDL_SCANCODE_MENU, 0x2F),
            (SDL_SCANCODE_INSERT, 0x70), (SDL_SCANCODE_HOME, 0x6C), (SDL_SCANCODE_PAGEUP, 0x7D),
            (SDL_SCANCODE_DELETE, 0x71), (SDL_SCANCODE_END, 0x69), (SDL_SCANCODE_PAGEDOWN, 0x7A),
            (SDL_SCANCODE_UP, 0x75), (SDL_SCANCODE_DOWN, 0x72), (SDL_SCANCODE_LEFT, 0x6B),
            (SDL_SCANCODE_RIGHT, 0x74), (SDL_SCANCODE_KP_DIVIDE, 0x4A), (SDL_SCANCODE_KP_ENTER, 0x5A),
            (SDL_SCANCODE_POWER, 0x37),
        ]
        for (sc, code) in e0Set2 {
            #expect(set2Make(sc) == [0xE0, code], "scancode \(sc.rawValue)")
        }
        #expect(set1Make(SDL_SCANCODE_RCTRL) == [0xE0, 0x1D])
        #expect(set1Make(SDL_SCANCODE_KP_ENTER) == [0xE0, 0x1C])
        #expect(set1Make(SDL_SCANCODE_UP) == [0xE0, 0x48])
    }

    @Test("the left-hand and keypad twins of extended keys send plain codes")
    func plainTwins() {
        let plainSet2: [(SDL_Scancode, UInt8)] = [
            (SDL_SCANCODE_LCTRL, 0x14), (SDL_SCANCODE_LALT, 0x11), (SDL_SCANCODE_RETURN, 0x5A),
            (SDL_SCANCODE_SLASH, 0x4A), (SDL_SCANCODE_KP_0, 0x70), (SDL_SCANCODE_KP_7, 0x6C),
            (SDL_SCANCODE_KP_9, 0x7D), (SDL_SCANCODE_KP_PERIOD, 0x71), (SDL_SCANCODE_KP_1, 0x69),
            (SDL_SCANCODE_KP_3, 0x7A), (SDL_SCANCODE_KP_8, 0x75), (SDL_SCANCODE_KP_2, 0x72),
            (SDL_SCANCODE_KP_4, 0x6B), (SDL_SCANCODE_KP_6, 0x74), (SDL_SCANCODE_RSHIFT, 0x59),
        ]
        for (sc, code) in plainSet2 {
            #expect(set2Make(sc) == [code], "scancode \(sc.rawValue)")
        }
    }

    @Test("Print Screen and Pause send their special sequences")
    func printScreenAndPause() {
        #expect(set2Make(SDL_SCANCODE_PRINTSCREEN) == [0xE0, 0x12, 0xE0, 0x7C])
        #expect(set1Make(SDL_SCANCODE_PRINTSCREEN) == [0xE0, 0x2A, 0xE0, 0x37])
        #expect(set2Make(SDL_SCANCODE_PAUSE) == [0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77])
        #expect(set1Make(SDL_SCANCODE_PAUSE) == [0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5])
        var alt = PS2ModifierState()
        alt.alt = true
        #expect(SDLKeyMap.key(for: SDL_SCANCODE_SYSREQ)!.makeSequence(set: 1, modifiers: alt) == [0x54])
    }
}
