import Testing
import EmulatorCore
@testable import Graphics

@Suite("VGA graphics modes")
struct VGAGraphicsModeTests {
    @Test("mode 13h: chain-4 bytes at 0xA0000 + 320y + x are pixels through the DAC, 320×200")
    func mode13() {
        let b = VGABench()
        b.setMode(.mode13)
        b.setDAC(0x00, 0, 0, 0)
        b.setDAC(0x21, 0x3F, 0x00, 0x00)
        b.setDAC(0x42, 0x00, 0x3F, 0x10)
        b.setDAC(0xFE, 0x01, 0x02, 0x03)
        b.writeb(0xA_0000 + 0, 0x21)
        b.writeb(0xA_0000 + 3 * 320 + 7, 0x42)
        b.writel(0xA_0000 + 199 * 320 + 316, 0xFEFE_FEFE)
        let f = b.frame()
        #expect(f.width == 320 && f.height == 200)
        #expect(f[0, 0] == rgb6(0x3F, 0, 0))
        #expect(f[7, 3] == rgb6(0, 0x3F, 0x10))
        #expect((316..<320).allSatisfy { f[$0, 199] == rgb6(1, 2, 3) })
        #expect(f.pixels.filter { $0 != 0 }.count == 6)
        // Reads come back through chain-4.
        #expect(b.readb(0xA_0000 + 3 * 320 + 7) == 0x42)
        // The Pel Mask is ANDed with every index: 0x42 & 0x0F = 0x02.
        b.setDAC(0x02, 0x3F, 0x3F, 0x3F)
        b.outb(0x3C6, 0x0F)
        #expect(b.frame()[7, 3] == rgb6(0x3F, 0x3F, 0x3F))
    }

    @Test("DAC reads: 0x3C7 sets the read index, components come back in R, G, B order; state reads 3")
    func dacReadBack() {
        let b = VGABench()
        b.setDAC(0x10, 0x01, 0x02, 0x03)
        b.setDAC(0x11, 0x3F, 0x20, 0x00)
        #expect(b.inb(0x3C7) == 0x00)
        b.outb(0x3C7, 0x10)
        #expect(b.inb(0x3C7) == 0x03)
        #expect((0..<6).map { _ in b.inb(0x3C9) } == [0x01, 0x02, 0x03, 0x3F, 0x20, 0x00])
        #expect(b.inb(0x3C8) == 0x12)
        // 6-bit DAC: bits 7:6 are dropped.
        b.setDAC(0x12, 0xFF, 0xC0, 0x41)
        b.outb(0x3C7, 0x12)
        #expect((0..<3).map { _ in b.inb(0x3C9) } == [0x3F, 0x00, 0x01])
    }

    /// Mode 12h with DAC entries for colours 5 and 10 (AR05 = 0x05, AR0A = 0x3A).
    static func mode12Bench() -> VGABench {
        let b = VGABench()
        b.setMode(.mode12)
        b.setDAC(0x05, 0x2A, 0x00, 0x2A)
        b.setDAC(0x3A, 0x15, 0x3F, 0x15)
        b.setDAC(0x07, 0x2A, 0x2A, 0x2A)
        return b
    }

    @Test("mode 12h: write mode 0 with set/reset and bit mask, write mode 2, read modes 0 and 1")
    func mode12PlanarWrites() {
        let b = Self.mode12Bench()
        let magenta = rgb6(0x2A, 0, 0x2A), green = rgb6(0x15, 0x3F, 0x15)
        // Write mode 0, Enable Set/Reset all planes, Set/Reset = 5, Bit Mask = F0.
        b.gc(1, 0x0F)
        b.gc(0, 0x05)
        b.gc(8, 0xF0)
        _ = b.readb(0xA_0000)  // load the latches
        b.writeb(0xA_0000, 0x00)  // the CPU byte is ignored for set/reset planes
        // Write mode 2, Bit Mask = 0F: colour 10 into pixels 4–7, the latches keep 0–3.
        b.gc(1, 0x00)
        b.gc(5, 0x02)
        b.gc(8, 0x0F)
        _ = b.readb(0xA_0000)
        b.writeb(0xA_0000, 0x0A)
        let f = b.frame()
        #expect(f.width == 640 && f.height == 480)
        #expect((0..<4).allSatisfy { f[$0, 0] == magenta })
        #expect((4..<8).allSatisfy { f[$0, 0] == green })
        #expect(f[8, 0] == 0 && f[0, 1] == 0)
        // Read mode 0 through Read Map Select.
        b.gc(5, 0x00)
        let planes = (0..<4).map { p -> UInt8 in
            b.gc(4, UInt8(p))
            return b.readb(0xA_0000)
        }
        #expect(planes == [0xF0, 0x0F, 0xF0, 0x0F])
        // Read mode 1: pixels matching Color Compare read as 1 bits.
        b.gc(5, 0x08)
        b.gc(2, 0x05)
        b.gc(7, 0x0F)
        #expect(b.readb(0xA_0000) == 0xF0)
        b.gc(2, 0x0A)
        #expect(b.readb(0xA_0000) == 0x0F)
        // Color Don't Care = 0: every pixel matches.
        b.gc(7, 0x00)
        #expect(b.readb(0xA_0000) == 0xFF)
    }

    @Test("mode 12h: write mode 1 copies latches, write mode 3 masks set/reset by the rotated byte, XOR")
    func mode12LatchCopyAndWriteMode3() {
        let b = Self.mode12Bench()
        b.gc(5, 0x02)
        b.gc(8, 0xFF)
        b.writeb(0xA_0000, 0x05)  // 8 pixels of colour 5
        // Write mode 1: copy the 4 plane bytes to the next row.
        b.gc(5, 0x01)
        _ = b.readb(0xA_0000)
        b.writeb(0xA_0000 + 80, 0x00)
        // Write mode 3: Set/Reset 7 where (CPU byte rotated right 4) & Bit Mask.
        b.gc(5, 0x03)
        b.gc(0, 0x07)
        b.gc(3, 0x04)  // rotate 4
        _ = b.readb(0xA_0000 + 160)  // latches: the empty row
        b.writeb(0xA_0000 + 160, 0x0F)  // rotated: F0
        // XOR (GR03 bits 4:3 = 11) with the latches in write mode 2.
        b.gc(3, 0x18)
        b.gc(5, 0x02)
        _ = b.readb(0xA_0000)
        b.writeb(0xA_0000 + 240, 0x0F)  // 5 ^ F = A
        let f = b.frame()
        let magenta = rgb6(0x2A, 0, 0x2A), green = rgb6(0x15, 0x3F, 0x15), grey = rgb6(0x2A, 0x2A, 0x2A)
        #expect((0..<8).allSatisfy { f[$0, 1] == magenta })
        #expect((0..<4).allSatisfy { f[$0, 2] == grey } && (4..<8).allSatisfy { f[$0, 2] == 0 })
        #expect((0..<8).allSatisfy { f[$0, 3] == green })
    }

    @Test("map mask limits planes; Color Plane Enable masks pixel bits; palette reaches the DAC")
    func planeEnables() {
        let b = Self.mode12Bench()
        b.seq(2, 0x01)  // plane 0 only
        b.writeb(0xA_0000, 0xFF)
        b.seq(2, 0x04)  // plane 2 only
        b.writeb(0xA_0000, 0xFF)
        b.seq(2, 0x0F)
        #expect(b.frame()[0, 0] == rgb6(0x2A, 0, 0x2A))  // colour 5
        _ = b.inb(0x3DA)
        b.outb(0x3C0, 0x32)
        b.outb(0x3C0, 0x01)  // only plane 0's bit passes: colour 1 = AR01 = 0x01
        b.setDAC(0x01, 0x00, 0x00, 0x3F)
        #expect(b.frame()[0, 0] == rgb6(0, 0, 0x3F))
    }

    @Test("mode X: unchained 256-colour, 320×240, planes chosen by the map mask")
    func modeX() {
        let b = VGABench()
        b.setMode(.mode13)
        // Unchain and switch to 480 scanlines (the usual mode X recipe).
        b.seq(4, 0x06)
        b.crtc(0x14, 0x00)
        b.crtc(0x17, 0xE3)
        b.outb(0x3C2, 0xE3)
        b.crtc(0x11, 0x2C)  // unprotect CR00–CR07
        for (i, v) in [(0x06, 0x0D), (0x07, 0x3E), (0x10, 0xEA), (0x11, 0xAC), (0x12, 0xDF), (0x15, 0xE7), (0x16, 0x06)] {
            b.crtc(UInt8(i), UInt8(v))
        }
        b.setDAC(0x42, 0x3F, 0x3F, 0x00)
        b.setDAC(0x43, 0x00, 0x3F, 0x3F)
        // Pixel (x, y) is in plane x & 3 at offset 80y + x/4.
        b.seq(2, 1 << 1)
        b.writeb(0xA_0000 + 10 * 80 + 1, 0x42)  // (5, 10)
        b.seq(2, 1 << 3)
        b.writeb(0xA_0000 + 239 * 80 + 79, 0x43)  // (319, 239)
        let f = b.frame()
        #expect(f.width == 320 && f.height == 240)
        #expect(f[5, 10] == rgb6(0x3F, 0x3F, 0))
        #expect(f[319, 239] == rgb6(0, 0x3F, 0x3F))
        #expect(f.pixels.filter { $0 != 0 }.count == 2)
        // A page flip through the start address: page 2 at offset 80 × 240.
        b.seq(2, 0x01)
        b.writeb(0xA_0000 + 19_200, 0x42)
        b.crtc(0x0C, UInt8(19_200 >> 8))
        b.crtc(0x0D, UInt8(19_200 & 0xFF))
        let flipped = b.frame()
        #expect(flipped[0, 0] == rgb6(0x3F, 0x3F, 0) && flipped[5, 10] == 0)
    }

    @Test("split screen: below Line Compare the picture restarts at address 0")
    func lineCompareSplit() {
        let b = VGABench()
        b.setMode(.mode13)
        for c in 0..<200 { b.setDAC(UInt8(c), UInt8(c & 0x3F), UInt8(c >> 6), 0) }
        for y in 0..<200 {
            for x in stride(from: 0, to: 320, by: 4) {
                b.writel(0xA_0000 + UInt32(y * 320 + x), UInt32(y) * 0x0101_0101)
            }
        }
        // Start at line 10; split at scanline 199 (line 100 of the 200-line picture).
        b.crtc(0x0C, UInt8((10 * 80) >> 8))
        b.crtc(0x0D, UInt8((10 * 80) & 0xFF))
        b.crtc(0x18, 199)
        b.crtc(0x11, 0x0E)
        b.crtc(0x07, 0x0F)  // clear line compare bit 8
        b.crtc(0x09, 0x01)  // clear line compare bit 9
        let f = b.frame()
        func line(_ y: Int) -> UInt32 { f[0, y] }
        func color(_ v: Int) -> UInt32 { rgb6(UInt8(v & 0x3F), UInt8(v >> 6), 0) }
        #expect(line(0) == color(10))
        #expect(line(99) == color(109))
        #expect(line(100) == color(0))
        #expect(line(101) == color(1))
        #expect(line(199) == color(99))
        // Pel panning with AR10 bit 5 stops at the split.
        b.writeb(0xA_0000 + 10 * 320 + 1, 0xC7)
        b.writeb(0xA_0000 + 1, 0xC7)
        _ = b.inb(0x3DA)
        b.outb(0x3C0, 0x30); b.outb(0x3C0, 0x61)
        b.outb(0x3C0, 0x33); b.outb(0x3C0, 0x02)
        let panned = b.frame()
        #expect(panned[0, 0] == color(0xC7))  // top: shifted by one pixel
        #expect(panned[1, 100] == color(0xC7))  // bottom: not shifted
    }

    @Test("mode 04h: CGA 2-bit pixels, odd scanlines from 0xBA000")
    func mode04() {
        let b = VGABench()
        b.setMode(.mode04)
        b.setDAC(0x13, 0x00, 0x2A, 0x2A)  // AR01
        b.setDAC(0x15, 0x2A, 0x00, 0x2A)  // AR02
        b.setDAC(0x17, 0x2A, 0x2A, 0x2A)  // AR03
        // Line 0, pixels 0–3: colours 1, 2, 3, 0; line 1 (odd bank), pixels 4–7: colour 3.
        b.writeb(0xB_8000, 0b01_10_11_00)
        b.writeb(0xB_A000 + 1, 0xFF)
        // Line 2 starts 80 bytes in.
        b.writeb(0xB_8000 + 80, 0b10_00_00_00)
        let f = b.frame()
        #expect(f.width == 320 && f.height == 200)
        #expect([f[0, 0], f[1, 0], f[2, 0], f[3, 0]] == [rgb6(0, 0x2A, 0x2A), rgb6(0x2A, 0, 0x2A), rgb6(0x2A, 0x2A, 0x2A), 0])
        #expect((4..<8).allSatisfy { f[$0, 1] == rgb6(0x2A, 0x2A, 0x2A) } && f[3, 1] == 0)
        #expect(f[0, 2] == rgb6(0x2A, 0, 0x2A))
    }

    @Test("mode 06h: 640×200 monochrome, one bit per pixel, interleaved banks")
    func mode06() {
        let b = VGABench()
        b.setMode(.mode06)
        b.setDAC(0x17, 0x3F, 0x3F, 0x3F)
        b.writeb(0xB_8000 + 79, 0x81)
        b.writeb(0xB_A000, 0x40)
        let f = b.frame()
        #expect(f.width == 640 && f.height == 200)
        let white = rgb6(0x3F, 0x3F, 0x3F)
        #expect(f[632, 0] == white && f[639, 0] == white && f[633, 0] == 0)
        #expect(f[1, 1] == white)
        #expect(f.pixels.filter { $0 == white }.count == 3)
    }

    @Test("mode 0Dh: 320×200 16-colour planar with double scan")
    func mode0D() {
        let b = VGABench()
        var t = VGAModeTable.mode12
        t.misc = 0x63
        t.sequencer = [0x03, 0x09, 0x0F, 0x00, 0x06]
        t.crtc = [0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                  0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xE3, 0xFF]
        b.setMode(t)
        b.setDAC(0x3F, 0x3F, 0x3F, 0x3F)
        b.gc(5, 0x02)
        b.writeb(0xA_0000 + 40 * 199 + 39, 0x0F)
        let f = b.frame()
        #expect(f.width == 320 && f.height == 200)
        #expect((312..<320).allSatisfy { f[$0, 199] == rgb6(0x3F, 0x3F, 0x3F) })
    }
}
