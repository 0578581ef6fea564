import Testing
import EmulatorCore
@testable import Graphics

@Suite("VGA with hostile guest values")
struct VGAHostileInputTests {
    @Test("DISPI: huge XRES, BPP 7, offsets and banks beyond video RAM are ignored or clipped")
    func dispiValues() {
        let b = VGABench(videoMemorySize: 1 << 20)
        b.placeBARs(framebuffer: DISPITests.lfb, registers: DISPITests.mmio)
        b.dispiWrite(DISPI.Index.xRes, 0xFFFF)
        b.dispiWrite(DISPI.Index.yRes, 0)
        b.dispiWrite(DISPI.Index.bpp, 7)
        #expect(b.dispiRead(DISPI.Index.xRes) == 640 && b.dispiRead(DISPI.Index.yRes) == 480)
        #expect(b.dispiRead(DISPI.Index.bpp) == 8)
        // A mode bigger than 1 MiB of video RAM loses the rows that do not fit.
        b.dispiWrite(DISPI.Index.bpp, 32)
        b.dispiWrite(DISPI.Index.xRes, 2560)
        b.dispiWrite(DISPI.Index.yRes, 1600)
        b.dispiWrite(DISPI.Index.enable, DISPI.Enable.enabled | DISPI.Enable.lfbEnabled)
        #expect(b.dispiRead(DISPI.Index.yRes) == UInt16((1 << 20) / (2560 * 4)))
        _ = b.inb(0x3DA)
        b.outb(0x3C0, 0x20)
        b.dispiWrite(DISPI.Index.xOffset, 0xFFFF)
        b.dispiWrite(DISPI.Index.yOffset, 0xFFFF)
        b.dispiWrite(DISPI.Index.virtWidth, 0xFFFF)
        b.dispiWrite(DISPI.Index.bank, 0xFFFF)
        #expect(b.dispiRead(DISPI.Index.bank) == 15)
        var f = b.frame()
        #expect(f.width == 2560 && f.pixels.allSatisfy { $0 == 0 })
        for bpp: UInt16 in [4, 8, 15, 16, 24, 32] {
            b.dispiWrite(DISPI.Index.enable, 0)
            b.dispiWrite(DISPI.Index.bpp, bpp)
            b.dispiWrite(DISPI.Index.enable, DISPI.Enable.enabled | DISPI.Enable.noClearMem)
            b.dispiWrite(DISPI.Index.yOffset, 0xFFFF)
            b.dispiWrite(DISPI.Index.xOffset, 0xFFF0)
            f = b.frame()
            #expect(f.pixels.count == f.width * f.height)
            b.writeb(0xA_0000 + 0xFFFF, 0xAB)
            b.writel(0xA_0000 + 0x1_0000, 0xFFFF_FFFF)  // past the 64 KiB bank
            _ = b.readl(0xA_0000 + 0x1_FFFE)
        }
        // LFB and BAR2 accesses at every edge.
        b.writel(DISPITests.lfb + (1 << 20) - 2, 0xDEAD_BEEF)
        _ = b.readl(DISPITests.lfb + (1 << 20) - 1)
        for o in stride(from: UInt32(0), to: 0x1000, by: 0x3) {
            _ = b.readl(DISPITests.mmio + o)
            b.writew(DISPITests.mmio + o, 0xFFFF)
        }
        // Unknown DISPI indexes.
        b.dispiWrite(0xFFFF, 0x1234)
        #expect(b.dispiRead(0xFFFF) == 0)
    }

    @Test("VGA: every CRTC, sequencer, graphics and attribute value renders a bounded frame")
    func registerValues() {
        let b = VGABench()
        b.setMode(.mode03)
        var rng: UInt64 = 0x1234_5678
        func next() -> UInt8 {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: rng >> 33)
        }
        for round in 0..<40 {
            b.crtc(0x11, 0x00)
            for i in 0..<0x19 { b.crtc(UInt8(i), round == 0 ? 0xFF : next()) }
            for i in 0..<5 { b.seq(UInt8(i), next()) }
            for i in 0..<9 { b.gc(UInt8(i), next()) }
            _ = b.inb(0x3DA)
            for i in 0..<0x15 { b.outb(0x3C0, UInt8(i)); b.outb(0x3C0, next()) }
            b.outb(0x3C0, 0x20 | next() & 0x1F)
            b.outb(0x3C2, next())
            // Out-of-range indexes.
            b.outb(0x3D4, 0xFF); b.outb(0x3D5, 1); _ = b.inb(0x3D5)
            b.outb(0x3C4, 0xFF); b.outb(0x3C5, 1); _ = b.inb(0x3C5)
            b.outb(0x3CE, 0xFF); b.outb(0x3CF, 1); _ = b.inb(0x3CF)
            for o in stride(from: UInt32(0), to: 0x2_0000, by: 0x1_F01) {
                b.writeb(0xA_0000 + o, next())
                _ = b.readw(0xA_0000 + o)
            }
            let f = b.frame(at: UInt64(round) * 100_000_007)
            #expect(f.width <= VGAScanout.maxWidth && f.height <= VGAScanout.maxHeight)
            #expect(f.pixels.count == f.width * f.height)
            _ = b.vga.textScreen()
        }
    }

    @Test("the CRTC protect bit locks CR00–CR07 except line compare bit 8; the mono CRTC floats in colour addressing")
    func crtcProtect() {
        let b = VGABench()
        b.setMode(.mode03)
        #expect(b.crtcRead(0x11) & 0x80 != 0)
        b.crtc(0x01, 0x27)
        #expect(b.crtcRead(0x01) == 0x4F)
        b.crtc(0x07, 0x00)
        #expect(b.crtcRead(0x07) == 0x0F)
        b.crtc(0x11, 0x0E)
        b.crtc(0x01, 0x27)
        #expect(b.crtcRead(0x01) == 0x27)
        b.outb(0x3B4, 0x01)
        #expect(b.inb(0x3B5) == 0xFF)
        // Mono addressing: the CRTC moves to 0x3B4/0x3B5.
        b.outb(0x3C2, 0x66)
        b.outb(0x3B4, 0x01)
        #expect(b.inb(0x3B5) == 0x27)
        #expect(b.inb(0x3D5) == 0xFF)
    }
}
