// Scan code sets 1 and 2 of each key, and the make/break sequences a keyboard sends for them.

/// One key's make code in scan code sets 1 and 2. Extended keys send 0xE0 before the code in both
/// sets. Break codes follow from the make code: set 1 sets bit 7, set 2 puts 0xF0 before the code.
struct PS2ScanCode: Equatable {
    var set1: UInt8
    var set2: UInt8
    var extended: Bool

    init(_ set1: UInt8, _ set2: UInt8, extended: Bool = false) {
        self.set1 = set1
        self.set2 = set2
        self.extended = extended
    }

    static func e0(_ set1: UInt8, _ set2: UInt8) -> PS2ScanCode { PS2ScanCode(set1, set2, extended: true) }
}

/// The keyboard's modifier keys as they affect the Print Screen and Pause sequences.
struct PS2ModifierState {
    var shift = false
    var control = false
    var alt = false
}

extension PS2Key {
    /// Make code of an ordinary key (IBM PS/2 keyboard technical reference, scan code sets 1 and
    /// 2; Microsoft "Keyboard Scan Code Specification" for the Windows, ACPI, Japanese and F13–F24
    /// keys). Print Screen and Pause have sequences of their own and return nil.
    var scanCode: PS2ScanCode? {
        switch self {
        case .escape: return PS2ScanCode(0x01, 0x76)
        case .f1: return PS2ScanCode(0x3B, 0x05)
        case .f2: return PS2ScanCode(0x3C, 0x06)
        case .f3: return PS2ScanCode(0x3D, 0x04)
        case .f4: return PS2ScanCode(0x3E, 0x0C)
        case .f5: return PS2ScanCode(0x3F, 0x03)
        case .f6: return PS2ScanCode(0x40, 0x0B)
        case .f7: return PS2ScanCode(0x41, 0x83)
        case .f8: return PS2ScanCode(0x42, 0x0A)
        case .f9: return PS2ScanCode(0x43, 0x01)
        case .f10: return PS2ScanCode(0x44, 0x09)
        case .f11: return PS2ScanCode(0x57, 0x78)
        case .f12: return PS2ScanCode(0x58, 0x07)
        case .grave: return PS2ScanCode(0x29, 0x0E)
        case .digit1: return PS2ScanCode(0x02, 0x16)
        case .digit2: return PS2ScanCode(0x03, 0x1E)
        case .digit3: return PS2ScanCode(0x04, 0x26)
        case .digit4: return PS2ScanCode(0x05, 0x25)
        case .digit5: return PS2ScanCode(0x06, 0x2E)
        case .digit6: return PS2ScanCode(0x07, 0x36)
        case .digit7: return PS2ScanCode(0x08, 0x3D)
        case .digit8: return PS2ScanCode(0x09, 0x3E)
        case .digit9: return PS2ScanCode(0x0A, 0x46)
        case .digit0: return PS2ScanCode(0x0B, 0x45)
        case .minus: return PS2ScanCode(0x0C, 0x4E)
        case .equals: return PS2ScanCode(0x0D, 0x55)
        case .backspace: return PS2ScanCode(0x0E, 0x66)
        case .tab: return PS2ScanCode(0x0F, 0x0D)
        case .q: return PS2ScanCode(0x10, 0x15)
        case .w: return PS2ScanCode(0x11, 0x1D)
        case .e: return PS2ScanCode(0x12, 0x24)
        case .r: return PS2ScanCode(0x13, 0x2D)
        case .t: return PS2ScanCode(0x14, 0x2C)
        case .y: return PS2ScanCode(0x15, 0x35)
        case .u: return PS2ScanCode(0x16, 0x3C)
        case .i: return PS2ScanCode(0x17, 0x43)
        case .o: return PS2ScanCode(0x18, 0x44)
        case .p: return PS2ScanCode(0x19, 0x4D)
        case .leftBracket: return PS2ScanCode(0x1A, 0x54)
        case .rightBracket: return PS2ScanCode(0x1B, 0x5B)
        case .backslash, .nonUSHash: return PS2ScanCode(0x2B, 0x5D)
        case .capsLock: return PS2ScanCode(0x3A, 0x58)
        case .a: return PS2ScanCode(0x1E, 0x1C)
        case .s: return PS2ScanCode(0x1F, 0x1B)
        case .d: return PS2ScanCode(0x20, 0x23)
        case .f: return PS2ScanCode(0x21, 0x2B)
        case .g: return PS2ScanCode(0x22, 0x34)
        case .h: return PS2ScanCode(0x23, 0x33)
        case .j: return PS2ScanCode(0x24, 0x3B)
        case .k: return PS2ScanCode(0x25, 0x42)
        case .l: return PS2ScanCode(0x26, 0x4B)
        case .semicolon: return PS2ScanCode(0x27, 0x4C)
        case .apostrophe: return PS2ScanCode(0x28, 0x52)
        case .enter: return PS2ScanCode(0x1C, 0x5A)
        case .leftShift: return PS2ScanCode(0x2A, 0x12)
        case .z: return PS2ScanCode(0x2C, 0x1A)
        case .x: return PS2ScanCode(0x2D, 0x22)
        case .c: return PS2ScanCode(0x2E, 0x21)
        case .v: return PS2ScanCode(0x2F, 0x2A)
        case .b: return PS2ScanCode(0x30, 0x32)
        case .n: return PS2ScanCode(0x31, 0x31)
        case .m: return PS2ScanCode(0x32, 0x3A)
        case .comma: return PS2ScanCode(0x33, 0x41)
        case .period: return PS2ScanCode(0x34, 0x49)
        case .slash: return PS2ScanCode(0x35, 0x4A)
        case .rightShift: return PS2ScanCode(0x36, 0x59)
        case .leftControl: return PS2ScanCode(0x1D, 0x14)
        case .leftGUI: return .e0(0x5B, 0x1F)
        case .leftAlt: return PS2ScanCode(0x38, 0x11)
        case .space: return PS2ScanCode(0x39, 0x29)
        case .rightAlt: return .e0(0x38, 0x11)
        case .rightGUI: return .e0(0x5C, 0x27)
        case .application: return .e0(0x5D, 0x2F)
        case .rightControl: return .e0(0x1D, 0x14)
        case .scrollLock: return PS2ScanCode(0x46, 0x7E)
        case .insert: return .e0(0x52, 0x70)
        case .home: return .e0(0x47, 0x6C)
        case .pageUp: return .e0(0x49, 0x7D)
        case .delete: return .e0(0x53, 0x71)
        case .end: return .e0(0x4F, 0x69)
        case .pageDown: return .e0(0x51, 0x7A)
        case .up: return .e0(0x48, 0x75)
        case .left: return .e0(0x4B, 0x6B)
        case .down: return .e0(0x50, 0x72)
        case .right: return .e0(0x4D, 0x74)
        case .numLock: return PS2ScanCode(0x45, 0x77)
        case .keypadDivide: return .e0(0x35, 0x4A)
        case .keypadMultiply: return PS2ScanCode(0x37, 0x7C)
        case .keypadMinus: return PS2ScanCode(0x4A, 0x7B)
        case .keypadPlus: return PS2ScanCode(0x4E, 0x79)
        case .keypadEnter: return .e0(0x1C, 0x5A)
        case .keypad7: return PS2ScanCode(0x47, 0x6C)
        case .keypad8: return PS2ScanCode(0x48, 0x75)
        case .keypad9: return PS2ScanCode(0x49, 0x7D)
        case .keypad4: return PS2ScanCode(0x4B, 0x6B)
        case .keypad5: return PS2ScanCode(0x4C, 0x73)
        case .keypad6: return PS2ScanCode(0x4D, 0x74)
        case .keypad1: return PS2ScanCode(0x4F, 0x69)
        case .keypad2: return PS2ScanCode(0x50, 0x72)
        case .keypad3: return PS2ScanCode(0x51, 0x7A)
        case .keypad0: return PS2ScanCode(0x52, 0x70)
        case .keypadPeriod: return PS2ScanCode(0x53, 0x71)
        case .nonUSBackslash: return PS2ScanCode(0x56, 0x61)
        case .power: return .e0(0x5E, 0x37)
        case .keypadEquals: return PS2ScanCode(0x59, 0x0F)
        case .f13: return PS2ScanCode(0x64, 0x08)
        case .f14: return PS2ScanCode(0x65, 0x10)
        case .f15: return PS2ScanCode(0x66, 0x18)
        case .f16: return PS2ScanCode(0x67, 0x20)
        case .f17: return PS2ScanCode(0x68, 0x28)
        case .f18: return PS2ScanCode(0x69, 0x30)
        case .f19: return PS2ScanCode(0x6A, 0x38)
        case .f20: return PS2ScanCode(0x6B, 0x40)
        case .f21: return PS2ScanCode(0x6C, 0x48)
        case .f22: return PS2ScanCode(0x6D, 0x50)
        case .f23: return PS2ScanCode(0x6E, 0x57)
        case .f24: return PS2ScanCode(0x76, 0x5F)
        case .international1: return PS2ScanCode(0x73, 0x51)
        case .international2: return PS2ScanCode(0x70, 0x13)
        case .international3: return PS2ScanCode(0x7D, 0x6A)
        case .international4: return PS2ScanCode(0x79, 0x64)
        case .international5: return PS2ScanCode(0x7B, 0x67)
        case .printScreen, .pause: return nil
        }
    }

    /// The bytes the keyboard sends when this key goes down, in scan code set `set` (1 or 2).
    ///
    /// Print Screen sends a "fake" Left Shift make around its code unless Shift or Ctrl is held,
    /// and becomes SysRq (set 1 0x54, set 2 0x84) with Alt held. Pause sends its make and break
    /// together on the press, and becomes Break (E0 46 / E0 7E) with Ctrl held.
    func makeSequence(set: Int, modifiers: PS2ModifierState) -> [UInt8] {
        let set1 = set == 1
        switch self {
        case .printScreen:
            if modifiers.alt { return [set1 ? 0x54 : 0x84] }
            if modifiers.shift || modifiers.control { return set1 ? [0xE0, 0x37] : [0xE0, 0x7C] }
            return set1 ? [0xE0, 0x2A, 0xE0, 0x37] : [0xE0, 0x12, 0xE0, 0x7C]
        case .pause:
            if modifiers.control {
                return set1 ? [0xE0, 0x46, 0xE0, 0xC6] : [0xE0, 0x7E, 0xE0, 0xF0, 0x7E]
            }
            return set1 ? [0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5]
                        : [0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77]
        default:
            guard let code = scanCode else { return [] }
            let byte = set1 ? code.set1 : code.set2
            return code.extended ? [0xE0, byte] : [byte]
        }
    }

    /// The bytes the keyboard sends when this key comes up (none for Pause).
    func breakSequence(set: Int, modifiers: PS2ModifierState) -> [UInt8] {
        let set1 = set == 1
        switch self {
        case .printScreen:
            if modifiers.alt { return set1 ? [0xD4] : [0xF0, 0x84] }
            if modifiers.shift || modifiers.control { return set1 ? [0xE0, 0xB7] : [0xE0, 0xF0, 0x7C] }
            return set1 ? [0xE0, 0xB7, 0xE0, 0xAA] : [0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12]
        case .pause:
            return []
        default:
            guard let code = scanCode else { return [] }
            let prefix: [UInt8] = code.extended ? [0xE0] : []
            return prefix + (set1 ? [code.set1 | 0x80] : [0xF0, code.set2])
        }
    }
}
