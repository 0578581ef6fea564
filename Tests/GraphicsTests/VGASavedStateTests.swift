import Testing
import EmulatorCore
import Chipset
@testable import Graphics

@Suite("VGA saved state")
struct VGASavedStateTests {
    @Test("save → new device → restore → same state, same picture, same text (text mode, mid-DAC write)")
    func roundTripText() throws {
        let b = VGATextModeTests.textBench()
        VGATextModeTests.put(b, row: 3, column: 4, Array("saved".utf8))
        b.outb(0x3C8, 0x20)
        b.outb(0x3C9, 0x11)  // a half-written DAC entry
        _ = b.inb(0x3DA)
        b.outb(0x3C0, 0x31)  // flip-flop now expects data
        _ = b.readb(0xB_8000)  // latches
        let saved = b.vga.saveState()
        let c = VGABench()
        try c.vga.restoreState(saved)
        #expect(c.vga.saveState() == saved)
        #expect(c.vga.textScreen() == b.vga.textScreen())
        #expect(frameHash(c.frame(at: 5)) == frameHash(b.frame(at: 5)))
        // The restored device continues the DAC write and the attribute flip-flop.
        c.outb(0x3C9, 0x22)
        #expect(c.vga.dac[0x20 * 3 + 1] == 0x22)
        c.outb(0x3C0, 0x05)
        #expect(c.vga.attribute[0x11] == 0x05)
        // Video RAM is stored up to its last non-zero byte only.
        #expect(saved.videoMemory.count < 256 * 1024)
    }

    @Test("save → restore of a DISPI mode and the PCI function's BARs (the LFB follows)")
    func roundTripDISPI() throws {
        let b = VGABench()
        b.placeBARs(framebuffer: DISPITests.lfb, registers: DISPITests.mmio)
        DISPITests.setMode(b, 800, 600, 32)
        b.writel(DISPITests.lfb + 4 * 1000, 0x0065_4321)
        b.dispiWrite(DISPI.Index.yOffset, 1)
        let c = VGABench()
        try c.vga.restoreState(b.vga.saveState())
        try c.function.restoreState(b.function.saveState())
        #expect(c.vga.saveState() == b.vga.saveState())
        #expect(c.function.saveState() == b.function.saveState())
        #expect(c.readl(DISPITests.lfb + 4 * 1000) == 0x0065_4321)
        #expect(frameHash(c.frame()) == frameHash(b.frame()))
        #expect(c.frame()[200, 0] == 0x65_4321)
    }

    @Test("restore refuses states no adapter could hold")
    func refusesBadState() {
        let b = VGABench()
        let good = b.vga.saveState()
        var s = good
        s.dispi[3] = 7
        #expect(throws: SnapshotStateError.self) { try b.vga.restoreState(s) }
        s = good
        s.crtc = [0]
        #expect(throws: SnapshotStateError.self) { try b.vga.restoreState(s) }
        s = good
        s.videoMemorySize = 8 << 20
        #expect(throws: SnapshotStateError.self) { try b.vga.restoreState(s) }
        s = good
        s.dacComponent = 3
        #expect(throws: SnapshotStateError.self) { try b.vga.restoreState(s) }
        var p = b.function.saveState()
        p.config.bytes[0] = 0x00  // vendor ID is read-only
        #expect(throws: SnapshotStateError.self) { try b.function.restoreState(p) }
    }
}
