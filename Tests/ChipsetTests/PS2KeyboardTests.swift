import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

@Suite("PS2Keyboard")
struct PS2KeyboardTests {
    @Test("atkbd probe with translation: GETID reads 0xAB 0x41, then F5, LEDs, typematic, F4")
    func atkbdProbeTranslated() {
        let b = PS2Bench()
        b.linuxProbe()
        #expect(b.keyboardCommand(0xF2) == [0xFA, 0xAB, 0x41])  // 0x83 translated, as atkbd expects
        #expect(b.keyboardCommand(0xF5) == [0xFA])
        #expect(!b.keyboard.isScanningEnabled)
        #expect(b.keyboardCommand(0xED, 0x06) == [0xFA, 0xFA])
        #expect(b.keyboard.leds == [.numLock, .capsLock])
        #expect(b.keyboardCommand(0xF3, 0x00) == [0xFA, 0xFA])
        #expect(b.keyboardCommand(0xF4) == [0xFA])
        #expect(b.keyboard.isScanningEnabled)
        #expect(b.keyboardCommand(0xEE) == [0xEE])
        // Every reply came on IRQ 1 from the keyboard side.
        #expect(b.irq12.risingEdges == 0)
    }

    @Test("without translation: GETID reads 0xAB 0x83, the scan code set can be read and set 1 chosen")
    func untranslatedScanCodeSets() {
        let b = PS2Bench()
        b.linuxProbe()
        b.writeCTR(b.readCTR() & ~I8042.xlate)
        #expect(b.keyboardCommand(0xF2) == [0xFA, 0xAB, 0x83])
        #expect(b.keyboardCommand(0xF0, 0x00) == [0xFA, 0xFA, 0x02])
        // Set 3 is not supported: the argument is asked for again (atkbd then stays in set 2).
        #expect(b.keyboardCommand(0xF0, 0x03) == [0xFA, 0xFE])
        #expect(b.keyboardCommand(0xF0, 0x00) == [0xFA, 0xFA, 0x02])
        b.keyboard.press(.rightControl)
        b.keyboard.release(.rightControl)
        #expect(b.interruptBytes() == [0xE0, 0x14, 0xE0, 0xF0, 0x14])
        #expect(b.keyboardCommand(0xF0, 0x01) == [0xFA, 0xFA])
        #expect(b.keyboard.scanCodeSet == 1)
        b.keyboard.press(.a)
        b.keyboard.release(.a)
        #expect(b.interruptBytes() == [0x1E, 0x9E])
        #expect(b.keyboardCommand(0xF0, 0x00) == [0xFA, 0xFA, 0x01])
        // With translation the set number comes back translated (Brouwer: 0x43, 0x41, 0x3F).
        b.writeCTR(b.readCTR() | I8042.xlate)
        #expect(b.keyboardCommand(0xF0, 0x00) == [0xFA, 0xFA, 0x43])
    }

    @Test("key presses arrive on IRQ 1 as translated set 1 codes: letters, Right Ctrl, arrows, keypad /")
    func translatedKeyPresses() {
        let b = PS2Bench()
        b.linuxProbe()
        b.keyboard.press(.a)
        b.keyboard.release(.a)
        #expect(b.interruptBytes() == [0x1E, 0x9E])
        b.keyboard.press(.rightControl)
        b.keyboard.release(.rightControl)
        #expect(b.interruptBytes() == [0xE0, 0x1D, 0xE0, 0x9D])
        b.keyboard.press(.up)
        b.keyboard.release(.up)
        b.keyboard.press(.left)
        b.keyboard.release(.left)
        #expect(b.interruptBytes() == [0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x4B, 0xE0, 0xCB])
        b.keyboard.press(.keypadDivide)
        b.keyboard.release(.keypadDivide)
        b.keyboard.press(.f7)  // set 2 0x83, the one make code above 0x7F
        b.keyboard.release(.f7)
        #expect(b.interruptBytes() == [0xE0, 0x35, 0xE0, 0xB5, 0x41, 0xC1])
    }

    @Test("Pause sends E1 1D 45 E1 9D C5 on press and nothing on release; Ctrl+Pause is Break")
    func pauseKey() {
        let b = PS2Bench()
        b.linuxProbe()
        b.keyboard.press(.pause)
        b.keyboard.release(.pause)
        #expect(b.interruptBytes() == [0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5])
        b.keyboard.press(.leftControl)
        b.keyboard.press(.pause)
        b.keyboard.release(.pause)
        b.keyboard.release(.leftControl)
        #expect(b.interruptBytes() == [0x1D, 0xE0, 0x46, 0xE0, 0xC6, 0x9D])
        // Pause does not repeat.
        b.keyboard.press(.pause)
        #expect(b.interruptBytes(for: 2_000_000_000).count == 6)
    }

    @Test("Print Screen sends its fake shifts, drops them with Shift, and is SysRq with Alt")
    func printScreenKey() {
        let b = PS2Bench()
        b.linuxProbe()
        b.keyboard.press(.printScreen)
        b.keyboard.release(.printScreen)
        #expect(b.interruptBytes() == [0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA])
        b.keyboard.press(.rightShift)
        b.keyboard.press(.printScreen)
        b.keyboard.release(.printScreen)
        b.keyboard.release(.rightShift)
        #expect(b.interruptBytes() == [0x36, 0xE0, 0x37, 0xE0, 0xB7, 0xB6])
        b.keyboard.press(.leftAlt)
        b.keyboard.press(.printScreen)
        b.keyboard.release(.printScreen)
        b.keyboard.release(.leftAlt)
        #expect(b.interruptBytes() == [0x38, 0x54, 0xD4, 0xB8])
    }

    @Test("for every key and modifier state, set 2 through the 8042 translation equals set 1")
    func translationMatchesSet1() {
        let states: [PS2ModifierState] = [
            PS2ModifierState(), PS2ModifierState(shift: true), PS2ModifierState(control: true),
            PS2ModifierState(alt: true),
        ]
        for key in PS2Key.allCases {
            for m in states {
                for make in [true, false] {
                    let set2 = make ? key.makeSequence(set: 2, modifiers: m) : key.breakSequence(set: 2, modifiers: m)
                    let set1 = make ? key.makeSequence(set: 1, modifiers: m) : key.breakSequence(set: 1, modifiers: m)
                    var t = PS2Translator()
                    let translated = set2.compactMap { t.translate($0) }
                    #expect(translated == set1, "\(key) make=\(make)")
                    #expect(!t.breakPending)
                }
            }
        }
    }

    @Test("the translation table is a permutation of 0x01-0x7F and maps overrun 0x00 to 0xFF")
    func translationTableShape() {
        let table = PS2Translator.lowTable
        #expect(table.count == 128)
        #expect(Set(table[1...]) == Set(UInt8(1)...UInt8(0x7F)))
        #expect(PS2Translator.translate(0x00) == 0xFF)
        for byte: UInt8 in [0xAA, 0xE0, 0xE1, 0xEE, 0xFA, 0xFE, 0xAB] {
            #expect(PS2Translator.translate(byte) == byte)
        }
        #expect(PS2Translator.translate(0x83) == 0x41 && PS2Translator.translate(0x84) == 0x54)
    }

    @Test("key codes are USB HID usages (SDL scancodes), and the standard set has 104 keys")
    func keyCodes() {
        #expect(PS2Key.a.rawValue == 0x04 && PS2Key.z.rawValue == 0x1D)
        #expect(PS2Key.digit0.rawValue == 0x27 && PS2Key.enter.rawValue == 0x28)
        #expect(PS2Key.f12.rawValue == 0x45 && PS2Key.pause.rawValue == 0x48)
        #expect(PS2Key.keypadPeriod.rawValue == 0x63 && PS2Key.application.rawValue == 0x65)
        #expect(PS2Key.leftControl.rawValue == 0xE0 && PS2Key.rightGUI.rawValue == 0xE7)
        #expect(PS2Key(rawValue: 0x52) == .up)
        #expect(PS2Key.standard104.count == 104)
        // Distinct set 2 codes for distinct keys (ISO's key left of Enter doubles backslash).
        var seen: [[UInt8]: PS2Key] = [:]
        for key in PS2Key.allCases where key != .nonUSHash {
            let code = key.makeSequence(set: 2, modifiers: PS2ModifierState())
            #expect(seen[code] == nil, "\(key) and \(String(describing: seen[code])) share \(code)")
            seen[code] = key
        }
    }

    @Test("a held key repeats after 500 ms at 10.9/s by default, and at the rate 0xF3 sets")
    func typematicRepeat() {
        let b = PS2Bench()
        b.linuxProbe()
        b.keyboard.press(.a)
        #expect(b.interruptBytes(for: 499_000_000) == [0x1E])
        #expect(b.interruptBytes(for: 2_000_000) == [0x1E])  // first repeat at 500 ms
        // Then one every (8 + 3) * 2 * 4.17 ms = 91.74 ms: 10 more in the next 917.4 ms.
        #expect(b.interruptBytes(for: 917_500_000).count == 10)
        b.keyboard.release(.a)
        #expect(b.interruptBytes(for: 1_000_000_000) == [0x9E])
        // Fastest rate, shortest delay: 250 ms, then 33.36 ms.
        #expect(b.keyboardCommand(0xF3, 0x00) == [0xFA, 0xFA])
        b.keyboard.press(.left)
        #expect(b.interruptBytes(for: 249_000_000) == [0xE0, 0x4B])
        #expect(b.interruptBytes(for: 2_000_000) == [0xE0, 0x4B])
        #expect(b.interruptBytes(for: 33_400_000) == [0xE0, 0x4B])
        // Only the last key pressed repeats; releasing another key does not stop it.
        b.keyboard.press(.b)
        b.keyboard.release(.left)
        let bytes = b.interruptBytes(for: 300_000_000)
        #expect(Array(bytes.prefix(3)) == [0x30, 0xE0, 0xCB])
        #expect(bytes.dropFirst(3).allSatisfy { $0 == 0x30 } && bytes.count > 4)
        b.keyboard.release(.b)
    }

    @Test("the host's own auto-repeat (a second press) and stray releases are ignored")
    func duplicateHostEvents() {
        let b = PS2Bench()
        b.linuxProbe()
        b.keyboard.press(.q)
        b.keyboard.press(.q)
        b.keyboard.release(.q)
        b.keyboard.release(.q)
        b.keyboard.release(.w)
        #expect(b.interruptBytes() == [0x10, 0x90])
    }

    @Test("more key data than the 16-byte buffer holds ends in one overrun code")
    func bufferOverrun() {
        let b = PS2Bench()
        b.linuxProbe()
        _ = b.command(I8042.keyboardDisable)
        let keys: [PS2Key] = [.a, .b, .c, .d, .e, .f, .g, .h, .i, .j, .k, .l, .m, .n, .o, .p, .q, .r, .s, .t]
        for k in keys { b.keyboard.press(k) }
        #expect(b.keyboard.scanQueue.count == 17)
        _ = b.command(I8042.keyboardEnable)
        let got = b.interruptBytes()
        #expect(got.count == 17)
        #expect(got.prefix(3) == [0x1E, 0x30, 0x2E])
        #expect(got.last == 0xFF)  // set 2 overrun 0x00, translated
        // Releasing all 20 at once: eight 2-byte set 2 breaks fit, then the overrun code.
        for k in keys { b.keyboard.release(k) }
        b.keyboard.press(.space)
        let after = b.interruptBytes()
        #expect(after == [0x9E, 0xB0, 0xAE, 0xA0, 0x92, 0xA1, 0xA2, 0xA3, 0xFF])
        // Room again: new keys get through.
        b.keyboard.release(.space)
        #expect(b.interruptBytes() == [0xB9])
    }

    @Test("key data is held back while a command waits for its argument")
    func scanningPausesForArgument() {
        let b = PS2Bench()
        b.linuxProbe()
        #expect(b.keyboardCommand(0xED) == [0xFA])
        b.keyboard.press(.x)
        #expect(b.interruptBytes().isEmpty)
        #expect(b.keyboardCommand(0x01) == [0xFA, 0x2D])
        #expect(b.keyboard.leds == .scrollLock)
        // A command in place of the argument abandons the first one.
        #expect(b.keyboardCommand(0xED, 0xF2) == [0xFA, 0xFA, 0xAB, 0x41])
        #expect(b.keyboard.leds == .scrollLock)
    }

    @Test("0xFE resends the last byte; unknown commands get 0xFE")
    func resendAndUnknown() {
        let b = PS2Bench()
        b.linuxProbe()
        #expect(b.keyboardCommand(0xF2) == [0xFA, 0xAB, 0x41])
        #expect(b.keyboardCommand(0xFE) == [0x41])
        #expect(b.keyboardCommand(0xEF) == [0xFE])
        #expect(b.keyboardCommand(0xF7) == [0xFE])  // set 3 only
    }

    @Test("0xFF resets to set 2, LEDs off, scanning (ACK then BAT 0xAA); 0xF5 stops scanning")
    func resetAndDisable() {
        let b = PS2Bench()
        b.linuxProbe()
        b.writeCTR(b.readCTR() & ~I8042.xlate)
        _ = b.keyboardCommand(0xF0, 0x01)
        _ = b.keyboardCommand(0xED, 0x07)
        #expect(b.keyboardCommand(0xFF) == [0xFA, 0xAA])
        #expect(b.keyboard.scanCodeSet == 2 && b.keyboard.leds.isEmpty && b.keyboard.isScanningEnabled)
        #expect(b.keyboardCommand(0xF5) == [0xFA])
        b.keyboard.press(.z)
        b.keyboard.release(.z)
        #expect(b.interruptBytes().isEmpty)
        #expect(b.keyboardCommand(0xF6) == [0xFA])
        b.keyboard.press(.z)
        #expect(b.interruptBytes() == [0x1A])
    }

    @Test("releaseAllKeys sends the breaks of every held key, in key code order")
    func releaseAllKeys() {
        let b = PS2Bench()
        b.linuxProbe()
        b.keyboard.press(.leftShift)
        b.keyboard.press(.a)
        b.keyboard.press(.up)
        #expect(b.interruptBytes() == [0x2A, 0x1E, 0xE0, 0x48])
        b.keyboard.releaseAllKeys()
        #expect(b.interruptBytes() == [0x9E, 0xE0, 0xC8, 0xAA])  // A (0x04), Up (0x52), LShift (0xE1)
        #expect(!b.keyboard.isPressed(.a) && !b.keyboard.isPressed(.leftShift))
    }

    @Test("a byte written to the keyboard brings the keyboard port out of its disabled state")
    func keyboardWriteEnablesPort() {
        let b = PS2Bench()
        b.linuxProbe()
        _ = b.command(I8042.keyboardDisable)
        #expect(b.keyboardCommand(0xF2) == [0xFA, 0xAB, 0x41])
        #expect(b.readCTR() & I8042.kbdDis == 0)
    }
}
