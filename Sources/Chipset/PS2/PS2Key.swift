// The keys a host can press on the emulated PS/2 keyboard, named by their USB HID usage.

/// A physical key of the emulated keyboard: the 104-key US layout, the extra keys of ISO (102/105)
/// and Japanese (106/109) boards, the keypad "=", F13–F24 and the ACPI Power key.
///
/// The raw value is the key's USB HID usage ID on the Keyboard/Keypad page (0x07), as listed in the
/// USB "HID Usage Tables", section 10. SDL's `SDL_Scancode` uses the same numbers, so a frontend can
/// map an SDL key event with `PS2Key(rawValue: UInt16(event.key.keysym.scancode))`.
///
/// Keys are positions, not characters: `.a` is the key labelled A on a US board wherever the guest's
/// layout puts its letter. `.nonUSHash` (the ISO key left of Enter) sends the same scan codes as
/// `.backslash`, as on real ISO keyboards.
public enum PS2Key: UInt16, CaseIterable, Sendable, Codable {
    case a = 0x04, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z
    case digit1 = 0x1E, digit2, digit3, digit4, digit5, digit6, digit7, digit8, digit9, digit0
    case enter = 0x28, escape, backspace, tab, space
    case minus = 0x2D, equals, leftBracket, rightBracket, backslash, nonUSHash
    case semicolon = 0x33, apostrophe, grave, comma, period, slash
    case capsLock = 0x39
    case f1 = 0x3A, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12
    case printScreen = 0x46, scrollLock, pause
    case insert = 0x49, home, pageUp, delete, end, pageDown
    case right = 0x4F, left, down, up
    case numLock = 0x53, keypadDivide, keypadMultiply, keypadMinus, keypadPlus, keypadEnter
    case keypad1 = 0x59, keypad2, keypad3, keypad4, keypad5, keypad6, keypad7, keypad8, keypad9
    case keypad0 = 0x62, keypadPeriod
    case nonUSBackslash = 0x64
    /// The Menu (context menu) key.
    case application = 0x65
    /// The ACPI Power key.
    case power = 0x66
    case keypadEquals = 0x67
    case f13 = 0x68, f14, f15, f16, f17, f18, f19, f20, f21, f22, f23, f24
    /// Ro (Japanese), Katakana/Hiragana, Yen, Henkan (convert), Muhenkan (no convert).
    case international1 = 0x87, international2, international3, international4, international5
    case leftControl = 0xE0, leftShift, leftAlt, leftGUI, rightControl, rightShift, rightAlt, rightGUI

    /// The keys of a standard US 104-key keyboard.
    public static let standard104: [PS2Key] = allCases.filter { $0.isOn104KeyBoard }

    var isOn104KeyBoard: Bool {
        switch self {
        case .nonUSHash, .nonUSBackslash, .power, .keypadEquals,
             .f13, .f14, .f15, .f16, .f17, .f18, .f19, .f20, .f21, .f22, .f23, .f24,
             .international1, .international2, .international3, .international4, .international5:
            return false
        default:
            return true
        }
    }

    var isShift: Bool { self == .leftShift || self == .rightShift }
    var isControl: Bool { self == .leftControl || self == .rightControl }
    var isAlt: Bool { self == .leftAlt || self == .rightAlt }
}

/// A host key event for the keyboard: the key went down (`isPressed`) or came up.
public struct PS2KeyEvent: Hashable, Sendable {
    public var key: PS2Key
    public var isPressed: Bool

    public init(key: PS2Key, isPressed: Bool) {
        self.key = key
        self.isPressed = isPressed
    }

    public static func press(_ key: PS2Key) -> PS2KeyEvent { PS2KeyEvent(key: key, isPressed: true) }
    public static func release(_ key: PS2Key) -> PS2KeyEvent { PS2KeyEvent(key: key, isPressed: false) }
}
