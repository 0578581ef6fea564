import Testing
import EmulatorCore
import Chipset
@testable import Graphics

@Suite("Bochs VBE (DISPI) and the stdvga PCI function")
struct DISPITests {
    static let lfb: UInt32 = 0xE000_0000
    static let mmio: UInt32 = 0xFEBF_0000

    @Test("PCI identity: 1234:1111 class 03/00/00, BAR0 prefetchable sized to video RAM, BAR2 4 KiB")
    func identity() {
        let b = VGABench()
        let f = b.function
        #expect(f.configRead(offset: 0x00, width: .dword) == 0x1111_1234)
        #expect(f.configRead(offset: 0x08, width: .dword) == 0x0300_0002)
        #expect(f.configRead(offset: 0x2C, width: .dword) == 0x1100_1AF4)
        #expect(f.configRead(offset: 0x3D, width: .byte) == 0)
        // BAR sizing as firmware does it.
        f.configWrite(offset: 0x10, width: .dword, value: 0xFFFF_FFFF)
        #expect(f.configRead(offset: 0x10, width: .dword) == 0xFF00_0008)
        f.configWrite(offset: 0x18, width: .dword, value: 0xFFFF_FFFF)
        #expect(f.configRead(offset: 0x18, width: .dword) == 0xFFFF_F000)
        #expect(f.configRead(offset: 0x14, width: .dword) == 0)
    }

    @Test("DISPI ID negotiation, VIDEO_MEMORY_64K and GETCAPS maxima, as bochs-drm probes them")
    func probe() {
        let b = VGABench()
        #expect(b.dispiRead(DISPI.Index.id) == 0xB0C5)
        b.dispiWrite(DISPI.Index.id, 0xB0C0)
        #expect(b.dispiRead(DISPI.Index.id) == 0xB0C0)
        b.dispiWrite(DISPI.Index.id, 0x1234)
        #expect(b.dispiRead(DISPI.Index.id) == 0xB0C0)
        b.dispiWrite(DISPI.Index.id, 0xB0C5)
        #expect(b.dispiRead(DISPI.Index.videoMemory64K) == 256)
        b.dispiWrite(DISPI.Index.enable, DISPI.Enable.getCaps)
        #expect(b.dispiRead(DISPI.Index.xRes) >= 1920 && b.dispiRead(DISPI.Index.yRes) >= 1200)
        #expect(b.dispiRead(DISPI.Index.bpp) == 32)
        b.dispiWrite(DISPI.Index.enable, 0)
        #expect(b.dispiRead(DISPI.Index.xRes) == 640)
    }

    /// Sets a mode the way bochs-drm's bochs_hw_setmode does.
    static func setMode(_ b: VGABench, _ w: UInt16, _ h: UInt16, _ bpp: UInt16, flags: UInt16 = DISPI.Enable.lfbEnabled) {
        b.dispiWrite(DISPI.Index.enable, 0)
        b.dispiWrite(DISPI.Index.bpp, bpp)
        b.dispiWrite(DISPI.Index.xRes, w)
        b.dispiWrite(DISPI.Index.yRes, h)
        b.dispiWrite(DISPI.Index.bank, 0)
        b.dispiWrite(DISPI.Index.virtWidth, w)
        b.dispiWrite(DISPI.Index.virtHeight, h)
        b.dispiWrite(DISPI.Index.xOffset, 0)
        b.dispiWrite(DISPI.Index.yOffset, 0)
        b.dispiWrite(DISPI.Index.enable, DISPI.Enable.enabled | flags)
        // Unblank as bochs_hw_blank does: reset the flip-flop, palette source on.
        _ = b.inb(0x3DA)
        b.outb(0x3C0, 0x20)
    }

    @Test("800×600×32 through the linear framebuffer at BAR0")
    func lfb32() {
        let b = VGABench()
        b.placeBARs(framebuffer: Self.lfb, registers: Self.mmio)
        Self.setMode(b, 800, 600, 32)
        b.writel(Self.lfb, 0x00FF_0000)
        b.writel(Self.lfb + (599 * 800 + 799) * 4, 0x0012_3456)
        b.writel(Self.lfb + (300 * 800 + 400) * 4, 0xFF00_FF00)
        let f = b.frame()
        #expect(f.width == 800 && f.height == 600)
        #expect(f[0, 0] == 0xFF_0000 && f[799, 599] == 0x12_3456 && f[400, 300] == 0x00_FF00)
        #expect(f.pixels.filter { $0 != 0 }.count == 3)
        #expect(b.readl(Self.lfb + (599 * 800 + 799) * 4) == 0x0012_3456)
        #expect(b.vga.textScreen() == nil)
        // Y_OFFSET pans the visible screen through the virtual one.
        b.dispiWrite(DISPI.Index.yOffset, 300)
        #expect(b.frame()[400, 0] == 0x00_FF00)
    }

    @Test("the LFB follows BAR0 when the guest moves it; the old range stops decoding")
    func lfbFollowsBAR() {
        let b = VGABench()
        b.placeBARs(framebuffer: Self.lfb, registers: Self.mmio)
        Self.setMode(b, 640, 480, 32)
        b.writel(Self.lfb + 4, 0x0011_2233)
        b.function.configWrite(offset: 0x04, width: .word, value: 0)
        b.function.configWrite(offset: 0x10, width: .dword, value: 0xD000_0000)
        b.function.configWrite(offset: 0x04, width: .word, value: 2)
        #expect(b.readl(0xD000_0004) == 0x0011_2233)
        #expect(b.readl(Self.lfb + 4) == 0xFFFF_FFFF)
        b.writel(0xD000_0008, 0x0044_5566)
        #expect(b.frame()[2, 0] == 0x44_5566)
    }

    @Test("direct LFB: video RAM is RAM pages at BAR0, moves with it, and device writes drop decoded code")
    func directFramebuffer() {
        let b = VGABench(directFramebuffer: true)
        var mappingChanges = 0
        b.memory.mappingObservers.append { mappingChanges += 1 }
        b.placeBARs(framebuffer: Self.lfb, registers: Self.mmio)
        #expect(mappingChanges >= 1)
        #expect(b.memory.hostPage(Self.lfb)?.writable == true)
        #expect(b.memory.hostPage(Self.lfb + (16 << 20) - 1)?.pointer == b.vga.vram.bytes + (16 << 20) - 4096)
        Self.setMode(b, 800, 600, 32)
        b.writel(Self.lfb + 8, 0x00AB_CDEF)
        #expect(b.frame()[2, 0] == 0xAB_CDEF)
        // A page of the framebuffer holding decoded code: a write through the banked window (the
        // device's own path) drops that code, as a CPU store would.
        let page = Int(Self.lfb >> 12) + 1
        b.memory.markCodePage(page)
        let generation = b.memory.codeGeneration[page]
        b.writeb(0xA_0000 + 4096 + 17, 0x90)
        #expect(b.memory.codeGeneration[page] == generation &+ 1)
        #expect(b.readb(Self.lfb + 4096 + 17) == 0x90)
        // Moving BAR0: the old range is no longer video RAM, code from both ranges is dropped.
        b.memory.markCodePage(page)
        let before = mappingChanges
        b.function.configWrite(offset: 0x10, width: .dword, value: 0xD000_0000)
        #expect(mappingChanges > before)
        #expect(b.memory.codePage[page] == 0)
        #expect(b.memory.hostPage(Self.lfb) == nil && b.readl(Self.lfb + 8) == 0xFFFF_FFFF)
        #expect(b.readl(0xD000_0008) == 0x00AB_CDEF)
        // Memory Space off unmaps it.
        b.function.configWrite(offset: 0x04, width: .word, value: 0)
        #expect(b.memory.hostPage(0xD000_0000) == nil)
        // DISPI's clear on enable is reported too.
        b.function.configWrite(offset: 0x04, width: .word, value: 2)
        let p2 = Int(0xD000_0000 as UInt32 >> 12) + 5
        b.memory.markCodePage(p2)
        b.dispiWrite(DISPI.Index.enable, 0)
        b.dispiWrite(DISPI.Index.enable, DISPI.Enable.enabled | DISPI.Enable.lfbEnabled)
        #expect(b.memory.codePage[p2] == 0)
        #expect(b.readl(0xD000_0008) == 0)
    }

    @Test("bochs-drm through BAR2: DISPI registers at 0x500 + 2 × index, VGA ports at 0x400")
    func mmioRegisters() {
        let b = VGABench()
        b.placeBARs(framebuffer: Self.lfb, registers: Self.mmio)
        let dispi = Self.mmio + 0x500
        #expect(b.readw(dispi) == 0xB0C5)
        #expect(b.readw(dispi + 2 * 0xA) == 256)
        #expect(b.readl(Self.mmio + 0x600) == 0)  // no QEMU extended registers
        b.writew(dispi + 2 * 4, 0)
        b.writew(dispi + 2 * 3, 16)
        b.writew(dispi + 2 * 1, 1024)
        b.writew(dispi + 2 * 2, 768)
        b.writew(dispi + 2 * 4, DISPI.Enable.enabled | DISPI.Enable.lfbEnabled)
        #expect(b.readw(dispi + 2 * 1) == 1024 && b.readw(dispi + 2 * 3) == 16)
        #expect(b.readw(dispi + 2 * 6) == 1024 && b.readw(dispi + 2 * 7) == 8192)
        // VGA ports: read 0x3DA (0x41A) then write 0x20 to 0x3C0 (0x400).
        _ = b.readb(Self.mmio + 0x41A)
        b.writeb(Self.mmio + 0x400, 0x20)
        #expect(b.readb(Self.mmio + 0x400) == 0x20)
        b.writew(Self.lfb + 2 * 5, 0xF800)  // RGB565 red
        b.writew(Self.lfb + 2 * 6, 0x07E0)  // green
        let f = b.frame()
        #expect(f.width == 1024 && f.height == 768)
        #expect(f[5, 0] == 0xFF_0000 && f[6, 0] == 0x00_FF00)
        // A dword write covers two registers: X_OFFSET and Y_OFFSET.
        b.writel(dispi + 2 * 8, 0x0002_0008)
        #expect(b.dispiRead(DISPI.Index.xOffset) == 8 && b.dispiRead(DISPI.Index.yOffset) == 2)
    }

    @Test("8 bpp through the DAC, written through the banked window at 0xA0000; 8-bit DAC")
    func banked8bpp() {
        let b = VGABench()
        Self.setMode(b, 640, 480, 8, flags: 0)
        b.setDAC(7, 0x10, 0x20, 0x30)
        // Pixel 70000 = (240, 109) lies in bank 1 at offset 70000 − 65536.
        b.dispiWrite(DISPI.Index.bank, 1)
        b.writeb(0xA_0000 + 70_000 - 65_536, 7)
        #expect(b.readb(0xA_0000 + 70_000 - 65_536) == 7)
        b.dispiWrite(DISPI.Index.bank, 0)
        b.writeb(0xA_0000 + 3, 7)
        let f = b.frame()
        #expect(f.width == 640 && f.height == 480)
        #expect(f[3, 0] == rgb6(0x10, 0x20, 0x30))
        #expect(f[70_000 % 640, 70_000 / 640] == rgb6(0x10, 0x20, 0x30))
        #expect(f.pixels.filter { $0 != 0 }.count == 2)
        // With the 8-bit DAC, components are stored and shown unscaled.
        b.dispiWrite(DISPI.Index.enable, DISPI.Enable.enabled | DISPI.Enable.dac8Bit | DISPI.Enable.noClearMem)
        b.setDAC(7, 0x80, 0xC0, 0xFF)
        #expect(b.frame()[3, 0] == 0x80_C0FF)
    }

    @Test("15, 24 bpp formats and VIRT_WIDTH with X_OFFSET panning")
    func otherDepths() {
        let b = VGABench()
        b.placeBARs(framebuffer: Self.lfb, registers: Self.mmio)
        Self.setMode(b, 320, 200, 15)
        b.writew(Self.lfb, 0x7C00)  // red in 5:5:5
        b.writew(Self.lfb + 2, 0x001F)  // blue
        #expect(b.frame()[0, 0] == 0xFF_0000 && b.frame()[1, 0] == 0x00_00FF)
        Self.setMode(b, 320, 200, 24)
        b.writeb(Self.lfb + 3, 0x11); b.writeb(Self.lfb + 4, 0x22); b.writeb(Self.lfb + 5, 0x33)
        #expect(b.frame()[1, 0] == 0x33_2211)
        // A 640-wide virtual screen: pixel (400, 1) shows at (80, 1) with X_OFFSET 320.
        b.dispiWrite(DISPI.Index.virtWidth, 640)
        #expect(b.dispiRead(DISPI.Index.virtWidth) == 640)
        let p = Self.lfb + UInt32(640 * 3 + 400 * 3)
        b.writeb(p, 0xAA); b.writeb(p + 1, 0xBB); b.writeb(p + 2, 0xCC)
        b.dispiWrite(DISPI.Index.xOffset, 320)
        #expect(b.frame()[80, 1] == 0xCC_BBAA)
    }

    @Test("enabling clears video RAM unless NOCLEARMEM; XRES/YRES/BPP are fixed while enabled")
    func enableSemantics() {
        let b = VGABench()
        b.placeBARs(framebuffer: Self.lfb, registers: Self.mmio)
        Self.setMode(b, 640, 480, 32)
        b.writel(Self.lfb, 0x00AB_CDEF)
        b.dispiWrite(DISPI.Index.xRes, 800)
        #expect(b.dispiRead(DISPI.Index.xRes) == 640)
        b.dispiWrite(DISPI.Index.enable, 0)
        b.dispiWrite(DISPI.Index.enable, DISPI.Enable.enabled | DISPI.Enable.lfbEnabled | DISPI.Enable.noClearMem)
        #expect(b.readl(Self.lfb) == 0x00AB_CDEF)
        b.dispiWrite(DISPI.Index.enable, 0)
        b.dispiWrite(DISPI.Index.enable, DISPI.Enable.enabled | DISPI.Enable.lfbEnabled)
        #expect(b.readl(Self.lfb) == 0)
    }

    @Test("Input Status 1 shows vertical retrace and display-disabled edges as virtual time passes")
    func inputStatusRetrace() {
        let b = VGABench()
        b.setMode(.mode03)
        var sawRetrace = false, sawActive = false, sawHBlank = false
        var t: UInt64 = 0
        while t < 20_000_000 {
            b.clock.now = t
            let s = b.inb(0x3DA)
            if s & 0x08 != 0 { sawRetrace = true; #expect(s & 0x01 != 0) }
            if s & 0x09 == 0 { sawActive = true }
            if s & 0x09 == 0x01 { sawHBlank = true }
            t += 3_001
        }
        #expect(sawRetrace && sawActive && sawHBlank)
        // The mono address (0x3BA) floats in colour addressing.
        #expect(b.inb(0x3BA) == 0xFF)
    }
}
