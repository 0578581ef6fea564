// SDL scancodes (USB HID usages) to the emulated keyboard's keys.

import CSDL2
import Chipset

/// Maps an SDL scancode — a physical key position, numbered like the USB HID Keyboard/Keypad
/// usage page — to the `PS2Key` at that position on the emulated 105-key PC keyboard (plus the
/// keypad "=", F13–F24, the Japanese keys and Power).
///
/// The PS/2 keyboard turns each key into its scan code set 1/2 sequence itself, including the
/// E0-prefixed keys (right Ctrl/Alt, the Windows and Menu keys, the navigation block, arrows,
/// keypad / and Enter) and the special Print Screen and Pause sequences. Keys with no PC
/// counterpart (media keys, the Mac's extra keys) map to nil and are ignored.
public enum SDLKeyMap {
    /// The key for `scancode`, or nil when the PC keyboard has no such key.
    public static func key(for scancode: SDL_Scancode) -> PS2Key? {
        switch scancode {
        case SDL_SCANCODE_A: return .a
        case SDL_SCANCODE_B: return .b
        case SDL_SCANCODE_C: return .c
        case SDL_SCANCODE_D: return .d
        case SDL_SCANCODE_E: return .e
        case SDL_SCANCODE_F: return .f
        case SDL_SCANCODE_G: return .g
        case SDL_SCANCODE_H: return .h
        case SDL_SCANCODE_I: return .i
        case SDL_SCANCODE_J: return .j
        case SDL_SCANCODE_K: return .k
        case SDL_SCANCODE_L: return .l
        case SDL_SCANCODE_M: return .m
        case SDL_SCANCODE_N: return .n
        case SDL_SCANCODE_O: return .o
        case SDL_SCANCODE_P: return .p
        case SDL_SCANCODE_Q: return .q
        case SDL_SCANCODE_R: return .r
        case SDL_SCANCODE_S: return .s
        case SDL_SCANCODE_T: return .t
        case SDL_SCANCODE_U: return .u
        case SDL_SCANCODE_V: return .v
        case SDL_SCANCODE_W: return .w
        case SDL_SCANCODE_X: return .x
        case SDL_SCANCODE_Y: return .y
        case SDL_SCANCODE_Z: return .z
        case SDL_SCANCODE_1: return .digit1
        case SDL_SCANCODE_2: return .digit2
        case SDL_SCANCODE_3: return .digit3
        case SDL_SCANCODE_4: return .digit4
        case SDL_SCANCODE_5: return .digit5
        case SDL_SCANCODE_6: return .digit6
        case SDL_SCANCODE_7: return .digit7
        case SDL_SCANCODE_8: return .digit8
        case SDL_SCANCODE_9: return .digit9
        case SDL_SCANCODE_0: return .digit0
        case SDL_SCANCODE_RETURN: return .enter
        case SDL_SCANCODE_ESCAPE: return .escape
        case SDL_SCANCODE_BACKSPACE: return .backspace
        case SDL_SCANCODE_TAB: return .tab
        case SDL_SCANCODE_SPACE: return .space
        case SDL_SCANCODE_MINUS: return .minus
        case SDL_SCANCODE_EQUALS: return .equals
        case SDL_SCANCODE_LEFTBRACKET: return .leftBracket
        case SDL_SCANCODE_RIGHTBRACKET: return .rightBracket
        case SDL_SCANCODE_BACKSLASH: return .backslash
        case SDL_SCANCODE_NONUSHASH: return .nonUSHash
        case SDL_SCANCODE_SEMICOLON: return .semicolon
        case SDL_SCANCODE_APOSTROPHE: return .apostrophe
        case SDL_SCANCODE_GRAVE: return .grave
        case SDL_SCANCODE_COMMA: return .comma
        case SDL_SCANCODE_PERIOD: return .period
        case SDL_SCANCODE_SLASH: return .slash
        case SDL_SCANCODE_CAPSLOCK: return .capsLock
        case SDL_SCANCODE_F1: return .f1
        case SDL_SCANCODE_F2: return .f2
        case SDL_SCANCODE_F3: return .f3
        case SDL_SCANCODE_F4: return .f4
        case SDL_SCANCODE_F5: return .f5
        case SDL_SCANCODE_F6: return .f6
        case SDL_SCANCODE_F7: return .f7
        case SDL_SCANCODE_F8: return .f8
        case SDL_SCANCODE_F9: return .f9
        case SDL_SCANCODE_F10: return .f10
        case SDL_SCANCODE_F11: return .f11
        case SDL_SCANCODE_F12: return .f12
        // X11 reports Alt+Print Screen as SysRq: the keyboard makes SysRq of Print Screen itself
        // while Alt is down.
        case SDL_SCANCODE_PRINTSCREEN, SDL_SCANCODE_SYSREQ: return .printScreen
        case SDL_SCANCODE_SCROLLLOCK: return .scrollLock
        case SDL_SCANCODE_PAUSE: return .pause
        case SDL_SCANCODE_INSERT: return .insert
        case SDL_SCANCODE_HOME: return .home
        case SDL_SCANCODE_PAGEUP: return .pageUp
        case SDL_SCANCODE_DELETE: return .delete
        case SDL_SCANCODE_END: return .end
        case SDL_SCANCODE_PAGEDOWN: return .pageDown
        case SDL_SCANCODE_RIGHT: return .right
        case SDL_SCANCODE_LEFT: return .left
        case SDL_SCANCODE_DOWN: return .down
        case SDL_SCANCODE_UP: return .up
        case SDL_SCANCODE_NUMLOCKCLEAR: return .numLock
        case SDL_SCANCODE_KP_DIVIDE: return .keypadDivide
        case SDL_SCANCODE_KP_MULTIPLY: return .keypadMultiply
        case SDL_SCANCODE_KP_MINUS: return .keypadMinus
        case SDL_SCANCODE_KP_PLUS: return .keypadPlus
        case SDL_SCANCODE_KP_ENTER: return .keypadEnter
        case SDL_SCANCODE_KP_1: return .keypad1
        case SDL_SCANCODE_KP_2: return .keypad2
        case SDL_SCANCODE_KP_3: return .keypad3
        case SDL_SCANCODE_KP_4: return .keypad4
        case SDL_SCANCODE_KP_5: return .keypad5
        case SDL_SCANCODE_KP_6: return .keypad6
        case SDL_SCANCODE_KP_7: return .keypad7
        case SDL_SCANCODE_KP_8: return .keypad8
        case SDL_SCANCODE_KP_9: return .keypad9
        case SDL_SCANCODE_KP_0: return .keypad0
        case SDL_SCANCODE_KP_PERIOD: return .keypadPeriod
        case SDL_SCANCODE_NONUSBACKSLASH: return .nonUSBackslash
        // Some X keymaps report the Menu key as SDL's "Menu" rather than "Application".
        case SDL_SCANCODE_APPLICATION, SDL_SCANCODE_MENU: return .application
        case SDL_SCANCODE_POWER: return .power
        case SDL_SCANCODE_KP_EQUALS: return .keypadEquals
        case SDL_SCANCODE_F13: return .f13
        case SDL_SCANCODE_F14: return .f14
        case SDL_SCANCODE_F15: return .f15
        case SDL_SCANCODE_F16: return .f16
        case SDL_SCANCODE_F17: return .f17
        case SDL_SCANCODE_F18: return .f18
        case SDL_SCANCODE_F19: return .f19
        case SDL_SCANCODE_F20: return .f20
        case SDL_SCANCODE_F21: return .f21
        case SDL_SCANCODE_F22: return .f22
        case SDL_SCANCODE_F23: return .f23
        case SDL_SCANCODE_F24: return .f24
        case SDL_SCANCODE_INTERNATIONAL1: return .international1
        case SDL_SCANCODE_INTERNATIONAL2: return .international2
        case SDL_SCANCODE_INTERNATIONAL3: return .international3
        case SDL_SCANCODE_INTERNATIONAL4: return .international4
        case SDL_SCANCODE_INTERNATIONAL5: return .international5
        case SDL_SCANCODE_LCTRL: return .leftControl
        case SDL_SCANCODE_LSHIFT: return .leftShift
        case SDL_SCANCODE_LALT: return .leftAlt
        case SDL_SCANCODE_LGUI: return .leftGUI
        case SDL_SCANCODE_RCTRL: return .rightControl
        case SDL_SCANCODE_RSHIFT: return .rightShift
        case SDL_SCANCODE_RALT: return .rightAlt
        case SDL_SCANCODE_RGUI: return .rightGUI
        default: return nil
        }
    }

    /// Every scancode SDL defines (0 ..< SDL_NUM_SCANCODES).
    public static var allScancodes: [SDL_Scancode] {
        (0..<SDL_NUM_SCANCODES.rawValue).map { SDL_Scancode(rawValue: $0) }
    }
}
