import Testing
import EmulatorCore
@testable import Graphics

@Suite("VGA text modes")
struct VGATextModeTests {
    static let blue = rgb6(0x00, 0x00, 0x2A)
    static let white = rgb6(0x3F, 0x3F, 0x3F)

    /// Mode 03h with the test font, DAC entries 1 (blue) and 0x3F (white), and text written to
    /// 0xB8000 as character/attribute pairs.
    static func textBench() -> VGABench {
        let b = VGABench()
        b.setMode(.mode03)
        b.loadTestFont()
        b.setDAC(0x01, 0x00, 0x00, 0x2A)
        b.setDAC(0x3F, 0x3F, 0x3F, 0x3F)
        return b
    }

    static func put(_ b: VGABench, row: Int, column: Int, _ codes: [UInt8], attribute: UInt8 = 0x1F) {
        for (i, c) in codes.enumerated() {
            b.writew(0xB_8000 + UInt32((row * 80 + column + i) * 2), UInt16(attribute) << 8 | UInt16(c))
        }
    }

    @Test("mode 03h: 80×25 of 9×16 cells renders 720×400 and the text reads back with CP437 mapped")
    func mode03TextScreen() {
        let b = Self.textBench()
        Self.put(b, row: 0, column: 0, Array("Hello, VGA".utf8) + [0xC9, 0x01, 0xB0])
        Self.put(b, row: 24, column: 75, Array("end".utf8))
        Self.put(b, row: 2, column: 3, Array("x   ".utf8))
        let expected = ["Hello, VGA╔☺░", "", "   x"] + Array(repeating: "", count: 21) + [String(repeating: " ", count: 75) + "end"]
        #expect(b.vga.textScreen() == expected.joined(separator: "\n"))
        let f = b.frame()
        #expect(f.width == 720 && f.height == 400)
    }

    @Test("glyph rows come from plane 2 at the character map; 9th column is background outside C0–DF")
    func glyphPixels() {
        let b = Self.textBench()
        Self.put(b, row: 1, column: 2, [0x41, 0xC4, 0x42])
        // Cursor away from the cells checked.
        b.crtc(0x0E, 0x07)
        b.crtc(0x0F, 0xCF)
        let f = b.frame()
        for (k, code) in [0x41, 0xC4, 0x42].enumerated() {
            for r in 0..<16 {
                let glyph = testGlyphRow(code, r)
                for i in 0..<8 {
                    let on = glyph & (0x80 >> UInt8(i)) != 0
                    #expect(f[(2 + k) * 9 + i, 16 + r] == (on ? Self.white : Self.blue))
                }
                // Line Graphics Enable (AR10 bit 2) is set in mode 03h: C4 extends its 8th dot.
                let ninth = code == 0xC4 && glyph & 1 != 0
                #expect(f[(2 + k) * 9 + 8, 16 + r] == (ninth ? Self.white : Self.blue))
            }
        }
    }

    @Test("character map select B/A: attribute bit 3 picks map A from SR03")
    func characterMapSelect() {
        let b = Self.textBench()
        // Copy of the font into map 1 (plane 2 offset 0x4000), inverted.
        b.seq(2, 0x04); b.seq(4, 0x07); b.gc(4, 0x02); b.gc(5, 0x00); b.gc(6, 0x04)
        for c in 0..<256 { for r in 0..<16 { b.writeb(0xA_4000 + UInt32(c * 32 + r), ~testGlyphRow(c, r)) } }
        b.seq(2, 0x03); b.seq(4, 0x02); b.gc(4, 0x00); b.gc(5, 0x10); b.gc(6, 0x0E)
        // Map A = 1 (SR03 bits 3:2 = 01), map B = 0.
        b.seq(3, 0x04)
        b.setDAC(0x07, 0x2A, 0x2A, 0x2A)
        b.crtc(0x0E, 0x07)
        Self.put(b, row: 0, column: 0, [0x41], attribute: 0x1F)  // bit 3 set: map A
        Self.put(b, row: 0, column: 1, [0x41], attribute: 0x17)  // bit 3 clear: map B
        let f = b.frame()
        let grey = rgb6(0x2A, 0x2A, 0x2A)
        for r in 0..<16 {
            for i in 0..<8 {
                let bit = UInt8(0x80) >> UInt8(i)
                #expect(f[i, r] == (~testGlyphRow(0x41, r) & bit != 0 ? Self.white : Self.blue))
                #expect(f[9 + i, r] == (testGlyphRow(0x41, r) & bit != 0 ? grey : Self.blue))
            }
        }
    }

    @Test("the cursor covers CR0A–CR0B rows at CR0E:CR0F and blinks; CR0A bit 5 hides it")
    func cursor() {
        let b = Self.textBench()
        Self.put(b, row: 0, column: 5, [0x20])
        b.crtc(0x0E, 0x00)
        b.crtc(0x0F, 0x05)
        func cursorRows(_ f: DisplayFrame) -> [Int] {
            (0..<16).filter { r in (0..<8).allSatisfy { f[5 * 9 + $0, r] == Self.white } }
        }
        #expect(cursorRows(b.frame(at: 0)) == [13, 14])
        #expect(cursorRows(b.frame(at: VGADevice.cursorBlinkHalfPeriod + 1)) == [])
        #expect(cursorRows(b.frame(at: 2 * VGADevice.cursorBlinkHalfPeriod)) == [13, 14])
        b.crtc(0x0A, 0x20 | 0x0D)
        #expect(cursorRows(b.frame(at: 0)) == [])
        b.crtc(0x0A, 0x00)
        b.crtc(0x0B, 0x0F)
        #expect(cursorRows(b.frame(at: 0)) == Array(0...15))
    }

    @Test("attribute bit 7 blinks the foreground with AR10 bit 3, and is a bright background without it")
    func blink() {
        let b = Self.textBench()
        b.crtc(0x0E, 0x07)
        Self.put(b, row: 0, column: 0, [0xDB], attribute: 0x9F)  // full block, blinking white on blue
        let visible = b.frame(at: 0)
        let hidden = b.frame(at: VGADevice.textBlinkHalfPeriod + 1)
        let row = (0..<16).first { testGlyphRow(0xDB, $0) & 0x80 != 0 }!
        #expect(visible[0, row] == Self.white)
        #expect(hidden[0, row] == Self.blue)
        // Blink off: background index 9 (AR09 = 0x39) instead.
        _ = b.inb(0x3DA)
        b.outb(0x3C0, 0x30)
        b.outb(0x3C0, 0x04)
        b.setDAC(0x39, 0x10, 0x20, 0x30)
        let noBlink = b.frame(at: VGADevice.textBlinkHalfPeriod + 1)
        #expect(noBlink[0, row] == Self.white)
        let bgRow = (0..<16).first { testGlyphRow(0xDB, $0) & 0x80 == 0 }!
        #expect(noBlink[0, bgRow] == rgb6(0x10, 0x20, 0x30))
    }

    @Test("underline: foreground 1 on background 0 fills the CR14 row")
    func underline() {
        let b = Self.textBench()
        b.crtc(0x0E, 0x07)
        b.crtc(0x14, 0x0F)
        Self.put(b, row: 0, column: 0, [0x00], attribute: 0x01)
        Self.put(b, row: 0, column: 1, [0x00], attribute: 0x02)
        b.setDAC(0x02, 0x00, 0x2A, 0x00)
        let f = b.frame()
        let green = rgb6(0x00, 0x2A, 0x00)
        // Row 15 of the first cell is solid foreground (the ninth dot stays background, black).
        #expect((0..<8).allSatisfy { f[$0, 15] == Self.blue } && f[8, 15] == 0)
        // Other rows, and the cell whose attribute is not 0x01, show their glyphs.
        for i in 0..<8 {
            let bit = UInt8(0x80) >> UInt8(i)
            #expect(f[i, 14] == (testGlyphRow(0, 14) & bit != 0 ? Self.blue : 0))
            #expect(f[9 + i, 15] == (testGlyphRow(0, 15) & bit != 0 ? green : 0))
        }
    }

    @Test("43- and 50-row text: character height from CR09 and rows from vertical display end")
    func rowCounts() {
        let b = Self.textBench()
        // 8-line cells: 400 / 8 = 50 rows; 350-line display with 8-line cells: 43 rows.
        b.crtc(0x09, 0x47)
        Self.put(b, row: 49, column: 0, Array("last".utf8))
        var lines = b.vga.textScreen()!.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 50 && lines[49] == "last")
        #expect(b.frame().height == 400)
        b.crtc(0x12, 0x5D)  // 350 lines: 0x15D
        lines = b.vga.textScreen()!.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 43)
    }

    @Test("start address scrolls the text and the screen reads nil in graphics modes")
    func startAddressAndGraphics() {
        let b = Self.textBench()
        Self.put(b, row: 1, column: 0, Array("second".utf8))
        b.crtc(0x0C, 0x00)
        b.crtc(0x0D, 80)
        #expect(b.vga.textScreen()!.hasPrefix("second\n"))
        b.setMode(.mode13)
        #expect(b.vga.textScreen() == nil)
    }

    @Test("8-dot clocking (SR01 bit 0) gives 640-wide text; pel panning shifts the picture left")
    func eightDotAndPanning() {
        let b = Self.textBench()
        Self.put(b, row: 0, column: 0, [0x41, 0x42])
        b.crtc(0x0E, 0x07)
        let nine = b.frame()
        // AR13 = 0x08 in 9-dot mode is no shift; 0x00 is one pixel.
        _ = b.inb(0x3DA)
        b.outb(0x3C0, 0x33)
        b.outb(0x3C0, 0x00)
        let panned = b.frame()
        for r in 0..<16 { for x in 0..<20 { #expect(panned[x, r] == nine[x + 1, r]) } }
        b.seq(1, 0x01)
        _ = b.inb(0x3DA)
        b.outb(0x3C0, 0x33)
        b.outb(0x3C0, 0x00)
        let eight = b.frame()
        #expect(eight.width == 640)
        for r in 0..<16 {
            for i in 0..<8 {
                let on = testGlyphRow(0x42, r) & (0x80 >> UInt8(i)) != 0
                #expect(eight[8 + i, r] == (on ? Self.white : Self.blue))
            }
        }
    }

    @Test("screen blanked while the palette address source bit is clear or SR01 screen-off is set")
    func blanking() {
        let b = Self.textBench()
        Self.put(b, row: 0, column: 0, [0xDB])
        #expect(b.frame().pixels.contains(Self.white))
        _ = b.inb(0x3DA)
        b.outb(0x3C0, 0x00)
        #expect(b.frame().pixels.allSatisfy { $0 == 0 })
        _ = b.inb(0x3DA)
        b.outb(0x3C0, 0x20)
        #expect(b.frame().pixels.contains(Self.white))
        b.seq(1, 0x20)
        #expect(b.frame().pixels.allSatisfy { $0 == 0 })
    }
}
