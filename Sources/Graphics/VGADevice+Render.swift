// Turning the adapter's registers and video RAM into a picture: text, CGA, planar, 256-colour
// and DISPI modes.

import EmulatorCore

extension VGADevice {
    /// Blink phases, in nanoseconds of virtual time: the VGA toggles the cursor every 16 frames
    /// and blinking characters every 32 frames (about 0.27 s and 0.53 s at 60 Hz).
    static let cursorBlinkHalfPeriod: UInt64 = 266_666_667
    static let textBlinkHalfPeriod: UInt64 = 533_333_333

    /// Renders the current picture.
    ///
    /// VGA modes, from the registers: the Graphics Controller's Miscellaneous register bit 0
    /// chooses text or graphics; in graphics, GR05's shift mode chooses planar 16-colour
    /// (8 pixels per character clock, bit n of each plane forms pixel 7 − n), the CGA interleave
    /// (bit 5: 2-bit pixels from planes 0/1, then 2/3 for the high bits) or 256-colour (bit 6:
    /// four 8-bit pixels per character clock, planes 0–3 in order). 16-colour values pass the
    /// Color Plane Enable mask and the attribute palette (with Color Select bits 7:4 or 5:4 per
    /// Mode Control bit 7); 256-colour values index the DAC directly. Every DAC index is ANDed
    /// with the Pel Mask. Output sizes follow the CRTC: character clocks × 8 (or 9 in text,
    /// 4 in 256-colour), and display-end scanlines divided by double scan and, in graphics modes
    /// without CGA row interleave, by the repeated row scans (320×200 for mode 13h, 640×480 for
    /// 12h). Horizontal Pel Panning shifts the picture left (by half as many pixels in
    /// 256-colour) and, with Mode Control bit 5, not below the line-compare split.
    ///
    /// DEVIATION: 256-colour pixels skip the attribute palette (which the BIOS sets to identity
    /// in those modes anyway), as QEMU does; blinking in graphics modes is not modelled.
    public func renderFrame(atNanoseconds nanoseconds: UInt64) -> DisplayFrame {
        if isDISPIEnabled { return renderDISPI() }
        let scanout = VGAScanout(crtc: crtc)
        let isText = graphics[6] & 0x01 == 0
        let shift256 = graphics[5] & 0x40 != 0
        let cgaShift = graphics[5] & 0x20 != 0 && !shift256
        let columns = min(scanout.characterClocks, 256)
        let dotsPerClock = isText ? (sequencer[1] & 0x01 != 0 ? 8 : 9) : (shift256 ? 4 : 8)
        var repeatCount = scanout.doubleScan ? 2 : 1
        if !isText && !scanout.substituteBit13 && !scanout.substituteBit14 { repeatCount *= scanout.rowHeight }
        let width = min(columns * dotsPerClock, VGAScanout.maxWidth)
        let height = min(max(scanout.scanlines / repeatCount, 1), VGAScanout.maxHeight)
        var frame = DisplayFrame(width: width, height: height)
        // Palette Address Source clear or Screen Off: the picture is blank.
        if attributeIndex & 0x20 == 0 || sequencer[1] & 0x20 != 0 { return frame }

        let attributeColors = attributeLUT()
        let dacColors = dacLUT()
        let pan = panning(isText: isText, shift256: shift256, dotsPerClock: dotsPerClock)
        // One character clock more than shown, so panning has pixels to shift in.
        var line = [UInt8](repeating: 0, count: (columns + 1) * dotsPerClock)
        let textState = isText ? TextState(device: self, nanoseconds: nanoseconds) : nil
        frame.pixels.withUnsafeMutableBufferPointer { out in
            line.withUnsafeMutableBufferPointer { line in
                for y in 0..<height {
                    let (counter, rowScan, split) = scanout.rowStart(scanline: y * repeatCount)
                    if let textState {
                        drawTextLine(into: line, scanout: scanout, state: textState, counter: counter,
                                     rowScan: rowScan, columns: columns + 1, dots: dotsPerClock)
                    } else {
                        drawGraphicsLine(into: line, scanout: scanout, counter: counter, rowScan: rowScan,
                                         columns: columns + 1, shift256: shift256, cgaShift: cgaShift)
                    }
                    let shift = split && attribute[0x10] & 0x20 != 0 ? 0 : pan
                    let row = out.baseAddress! + y * width
                    if shift256 {
                        for x in 0..<width { row[x] = dacColors[Int(line[x + shift])] }
                    } else {
                        for x in 0..<width { row[x] = attributeColors[Int(line[x + shift] & 0x0F)] }
                    }
                }
            }
        }
        return frame
    }

    /// Pixels the picture moves left by, from Horizontal Pel Panning (AR13): 0–7 in 8-dot
    /// modes, 8 = 0 and 0–7 = 1–8 in 9-dot text, half the value in 256-colour modes.
    private func panning(isText: Bool, shift256: Bool, dotsPerClock: Int) -> Int {
        let p = Int(attribute[0x13] & 0x0F)
        if shift256 { return (p & 7) >> 1 }
        if isText && dotsPerClock == 9 { return p >= 8 ? 0 : p + 1 }
        return p & 7
    }

    /// RGB of each 4-bit attribute value: Color Plane Enable, the palette, Color Select, Pel
    /// Mask, DAC.
    func attributeLUT() -> [UInt32] {
        let dacColors = dacLUT()
        let planeEnable = attribute[0x12] & 0x0F
        let colorSelect = attribute[0x14]
        return (0..<16).map { v in
            var index = attribute[Int(UInt8(v) & planeEnable)]
            if attribute[0x10] & 0x80 != 0 { index = (index & 0x0F) | (colorSelect & 0x03) << 4 }
            index = (index & 0x3F) | (colorSelect & 0x0C) << 4
            return dacColors[Int(index)]
        }
    }

    /// RGB of each DAC index after the Pel Mask; 6-bit components are widened to 8 bits.
    func dacLUT() -> [UInt32] {
        let eightBit = dispiEnable & DISPI.Enable.dac8Bit != 0
        return (0..<256).map { i in
            let e = Int(UInt8(i) & pelMask) * 3
            func widen(_ c: UInt8) -> UInt32 {
                eightBit ? UInt32(c) : UInt32(c & 0x3F) << 2 | UInt32(c & 0x3F) >> 4
            }
            return widen(dac[e]) << 16 | widen(dac[e + 1]) << 8 | widen(dac[e + 2])
        }
    }

    // MARK: Graphics modes

    private func drawGraphicsLine(into line: UnsafeMutableBufferPointer<UInt8>, scanout: VGAScanout, counter: Int,
                                  rowScan: Int, columns: Int, shift256: Bool, cgaShift: Bool) {
        var x = 0
        for c in 0..<columns {
            let planes = vram.planes(at: scanout.memoryAddress(counter: counter + c, rowScan: rowScan))
            let p0 = UInt8(truncatingIfNeeded: planes), p1 = UInt8(truncatingIfNeeded: planes >> 8)
            let p2 = UInt8(truncatingIfNeeded: planes >> 16), p3 = UInt8(truncatingIfNeeded: planes >> 24)
            if shift256 {
                line[x] = p0; line[x + 1] = p1; line[x + 2] = p2; line[x + 3] = p3
                x += 4
            } else if cgaShift {
                // CGA interleave: four 2-bit pixels from plane 0 then four from plane 1, most
                // significant pair first; planes 2 and 3 give bits 3:2 the same way.
                for i in 0..<4 {
                    let s = UInt8(6 - 2 * i)
                    line[x + i] = (p0 >> s) & 3 | ((p2 >> s) & 3) << 2
                    line[x + 4 + i] = (p1 >> s) & 3 | ((p3 >> s) & 3) << 2
                }
                x += 8
            } else {
                for i in 0..<8 {
                    let s = UInt8(7 - i)
                    line[x + i] = (p0 >> s) & 1 | ((p1 >> s) & 1) << 1 | ((p2 >> s) & 1) << 2 | ((p3 >> s) & 1) << 3
                }
                x += 8
            }
        }
    }

    // MARK: Text modes

    /// What a text frame needs beyond the scanout: fonts, cursor and blink state.
    struct TextState {
        /// Plane-2 offsets of character maps A (attribute bit 3 set) and B.
        var fontA: Int
        var fontB: Int
        var cursorAddress: Int
        /// Cursor rows (CR0A/CR0B bits 4:0), nil when the cursor is off or not in its blink phase.
        var cursorRows: ClosedRange<Int>?
        var blinkEnabled: Bool
        var blinkOn: Bool
        var lineGraphics: Bool
        var underlineRow: Int

        init(device d: VGADevice, nanoseconds: UInt64) {
            // Character Map Select (SR03): map A in bits 5,3,2, map B in bits 4,1,0; map n
            // starts at plane-2 offset (n & 3) × 16 KiB + (n >> 2) × 8 KiB.
            let s = Int(d.sequencer[3])
            let mapA = (s >> 2) & 3 | (s >> 3) & 4
            let mapB = s & 3 | (s >> 2) & 4
            fontA = (mapA & 3) << 14 | (mapA >> 2) << 13
            fontB = (mapB & 3) << 14 | (mapB >> 2) << 13
            cursorAddress = Int(d.crtc[0x0E]) << 8 | Int(d.crtc[0x0F])
            let start = Int(d.crtc[0x0A] & 0x1F), end = Int(d.crtc[0x0B] & 0x1F)
            let cursorPhase = (nanoseconds / VGADevice.cursorBlinkHalfPeriod) & 1 == 0
            // The cursor shows from its start row to its end row; start > end shows none.
            cursorRows = d.crtc[0x0A] & 0x20 == 0 && start <= end && cursorPhase ? start...end : nil
            blinkEnabled = d.attribute[0x10] & 0x08 != 0
            blinkOn = (nanoseconds / VGADevice.textBlinkHalfPeriod) & 1 == 0
            lineGraphics = d.attribute[0x10] & 0x04 != 0
            underlineRow = Int(d.crtc[0x14] & 0x1F)
        }
    }

    private func drawTextLine(into line: UnsafeMutableBufferPointer<UInt8>, scanout: VGAScanout, state: TextState,
                              counter: Int, rowScan: Int, columns: Int, dots: Int) {
        var x = 0
        for c in 0..<columns {
            let ma = counter + c
            let planes = vram.planes(at: scanout.memoryAddress(counter: ma, rowScan: rowScan))
            let code = Int(planes & 0xFF)
            let attr = UInt8(truncatingIfNeeded: planes >> 8)
            let font = attr & 0x08 != 0 ? state.fontA : state.fontB
            var glyph = UInt8(truncatingIfNeeded: vram.planes(at: font + code * 32 + rowScan) >> 16)
            var fg = attr & 0x0F
            var bg = attr >> 4
            if state.blinkEnabled {
                // Attribute bit 7 blinks the character instead of brightening the background.
                bg &= 0x07
                if attr & 0x80 != 0 && !state.blinkOn { fg = bg }
            }
            // Underline: attributes with foreground 1 and background 0 (the MDA underline
            // colour) on the Underline Location row.
            if attr & 0x77 == 0x01 && rowScan == state.underlineRow { glyph = 0xFF }
            if ma == state.cursorAddress, let rows = state.cursorRows, rows.contains(rowScan) { glyph = 0xFF }
            for i in 0..<8 { line[x + i] = glyph & (0x80 >> UInt8(i)) != 0 ? fg : bg }
            if dots == 9 {
                // The ninth dot repeats the eighth for the box-drawing codes 0xC0–0xDF when Line
                // Graphics Enable is set; otherwise it is background.
                let extend = state.lineGraphics && (0xC0...0xDF).contains(code)
                line[x + 8] = extend && glyph & 1 != 0 ? fg : bg
            }
            x += dots
        }
    }

    // MARK: DISPI modes

    /// DISPI modes: XRES × YRES from the virtual screen at (X_OFFSET, Y_OFFSET); 8 bpp through
    /// the DAC, 15/16 bpp as 5:5:5 / 5:6:5, 24 and 32 bpp as B, G, R (, x) bytes; 4 bpp as
    /// four planes (VGA planar layout). Pixels past the end of video RAM are black.
    func renderDISPI() -> DisplayFrame {
        let width = Int(dispiXRes), height = Int(dispiYRes)
        var frame = DisplayFrame(width: width, height: height)
        if attributeIndex & 0x20 == 0 { return frame }
        let bpp = Int(dispiBPP)
        let pitch = dispiPitch
        let start = dispiStartOffset
        let size = vram.size
        let src = vram.bytes
        let dacColors = bpp <= 8 ? dacLUT() : []
        let attributeColors = bpp == 4 ? attributeLUT() : []
        frame.pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let rowBase = start + y * pitch
                let row = out.baseAddress! + y * width
                switch bpp {
                case 4:
                    for x in 0..<width {
                        let o = rowBase + x >> 3
                        guard o * 4 + 3 < size else { continue }
                        let planes = UInt32(src[o * 4]) | UInt32(src[o * 4 + 1]) << 8
                            | UInt32(src[o * 4 + 2]) << 16 | UInt32(src[o * 4 + 3]) << 24
                        let s = UInt32(7 - x & 7)
                        let v = (planes >> s) & 1 | (planes >> (s + 7)) & 2 | (planes >> (s + 14)) & 4
                            | (planes >> (s + 21)) & 8
                        row[x] = attributeColors[Int(v)]
                    }
                case 8:
                    for x in 0..<width where rowBase + x < size {
                        row[x] = dacColors[Int(src[rowBase + x])]
                    }
                case 15, 16:
                    for x in 0..<width where rowBase + 2 * x + 1 < size {
                        let v = UInt32(src[rowBase + 2 * x]) | UInt32(src[rowBase + 2 * x + 1]) << 8
                        row[x] = bpp == 15 ? Self.rgb555(v) : Self.rgb565(v)
                    }
                case 24:
                    for x in 0..<width where rowBase + 3 * x + 2 < size {
                        let p = rowBase + 3 * x
                        row[x] = UInt32(src[p + 2]) << 16 | UInt32(src[p + 1]) << 8 | UInt32(src[p])
                    }
                default:
                    for x in 0..<width where rowBase + 4 * x + 3 < size {
                        let p = rowBase + 4 * x
                        row[x] = UInt32(src[p + 2]) << 16 | UInt32(src[p + 1]) << 8 | UInt32(src[p])
                    }
                }
            }
        }
        return frame
    }

    /// Widens 5- and 6-bit components by repeating their top bits (full scale stays full scale).
    @inline(__always) static func rgb565(_ v: UInt32) -> UInt32 {
        let r = (v >> 11) & 0x1F, g = (v >> 5) & 0x3F, b = v & 0x1F
        return (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2)
    }

    @inline(__always) static func rgb555(_ v: UInt32) -> UInt32 {
        let r = (v >> 10) & 0x1F, g = (v >> 5) & 0x1F, b = v & 0x1F
        return (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 | (b << 3 | b >> 2)
    }

    // MARK: Text capture

    /// The characters of a text mode, rows of CR01 + 1 columns from the Start Address, as many
    /// rows as whole character cells fit in the display height; nil in graphics and DISPI modes.
    public func textScreen() -> String? {
        guard !isDISPIEnabled, graphics[6] & 0x01 == 0 else { return nil }
        let scanout = VGAScanout(crtc: crtc)
        let columns = min(scanout.characterClocks, 256)
        let lines = scanout.doubleScan ? scanout.scanlines / 2 : scanout.scanlines
        let rows = min(max(lines / scanout.rowHeight, 1), 256)
        var text: [String] = []
        text.reserveCapacity(rows)
        var codes = [UInt8](repeating: 0, count: columns)
        for r in 0..<rows {
            let counter = scanout.startAddress + r * scanout.rowPitch
            for c in 0..<columns {
                codes[c] = UInt8(truncatingIfNeeded: vram.planes(at: scanout.memoryAddress(counter: counter + c, rowScan: 0)))
            }
            var row = CodePage437.string(codes)
            while row.last == " " { row.removeLast() }
            text.append(row)
        }
        return text.joined(separator: "\n")
    }
}
