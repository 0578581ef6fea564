// A VGA on its buses for tests: ports through a PortIOBus, the legacy window and the PCI BARs
// through PhysicalMemory, a manual clock, and the standard mode register tables a BIOS loads.

import EmulatorCore
import Chipset
@testable import Graphics

/// A manually advanced clock (nanoseconds).
final class ManualClock: @unchecked Sendable {
    var now: UInt64 = 0
}

/// One mode's register values, in the order a BIOS programs them (IBM VGA technical reference
/// values for the standard modes).
struct VGAModeTable {
    var misc: UInt8
    var sequencer: [UInt8]  // SR00–SR04
    var crtc: [UInt8]  // CR00–CR18
    var graphics: [UInt8]  // GR00–GR08
    var attribute: [UInt8]  // AR00–AR14

    /// 80×25 text, 9×16 cells, 720×400 (mode 03h).
    static let mode03 = VGAModeTable(
        misc: 0x67,
        sequencer: [0x03, 0x00, 0x03, 0x00, 0x02],
        crtc: [0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
               0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF],
        graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF],
        attribute: [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
                    0x0C, 0x00, 0x0F, 0x08, 0x00])

    /// 320×200, 256 colours, chain-4 (mode 13h).
    static let mode13 = VGAModeTable(
        misc: 0x63,
        sequencer: [0x03, 0x01, 0x0F, 0x00, 0x0E],
        crtc: [0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
               0x9C, 0x8E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF],
        graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF],
        attribute: Array(0x00...0x0F) + [0x41, 0x00, 0x0F, 0x00, 0x00])

    /// 640×480, 16 colours, planar (mode 12h).
    static let mode12 = VGAModeTable(
        misc: 0xE3,
        sequencer: [0x03, 0x01, 0x0F, 0x00, 0x06],
        crtc: [0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
               0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF],
        graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF],
        attribute: [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
                    0x01, 0x00, 0x0F, 0x00, 0x00])

    /// 320×200, 4 colours, CGA interleaved (mode 04h).
    static let mode04 = VGAModeTable(
        misc: 0x63,
        sequencer: [0x03, 0x09, 0x03, 0x00, 0x02],
        crtc: [0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
               0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xA2, 0xFF],
        graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0F, 0x00, 0xFF],
        attribute: [0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                    0x01, 0x00, 0x03, 0x00, 0x00])

    /// 640×200, 2 colours (mode 06h).
    static let mode06 = VGAModeTable(
        misc: 0x63,
        sequencer: [0x03, 0x01, 0x01, 0x00, 0x06],
        crtc: [0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
               0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xC2, 0xFF],
        graphics: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x00, 0xFF],
        attribute: [0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
                    0x01, 0x00, 0x01, 0x00, 0x00])
}

/// The synthetic 8×16 font the tests load into plane 2: every row of every glyph differs, so a
/// wrong glyph, row or font offset shows.
func testGlyphRow(_ code: Int, _ row: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: code &* 7 &+ row &* 29 &+ 0x11)
}

/// A VGA with ports on a PortIOBus, the legacy window mapped in PhysicalMemory and, when
/// `pci` is set, the stdvga PCI function with its BARs placed by a PCIBARMapper.
final class VGABench {
    let clock = ManualClock()
    let vga: VGADevice
    let ports = PortIOBus()
    let memory = PhysicalMemory(ramSize: 1 << 20)
    let function: PCIVGAFunction
    let mapper: PCIBARMapper

    /// - Parameter directFramebuffer: map video RAM into `memory` as RAM pages at BAR0 instead
    ///   of the MMIO linear framebuffer.
    init(videoMemorySize: Int = 16 << 20, directFramebuffer: Bool = false) {
        let clock = self.clock
        vga = VGADevice(videoMemorySize: videoMemorySize, now: { clock.now })
        for r in VGADevice.portRanges { ports.register(vga, ports: r) }
        memory.mapMMIO(vga, base: VGADevice.legacyWindow.base, size: VGADevice.legacyWindow.size)
        function = PCIVGAFunction(vga: vga)
        mapper = PCIBARMapper(memory: memory, ports: ports)
        if directFramebuffer {
            mapper.attach(function, framebufferDirectlyInto: memory)
        } else {
            mapper.attach(function)
        }
    }

    func outb(_ port: UInt16, _ v: UInt8) { ports.write(IOPort(port), width: .byte, value: UInt32(v)) }
    func outw(_ port: UInt16, _ v: UInt16) { ports.write(IOPort(port), width: .word, value: UInt32(v)) }
    func inb(_ port: UInt16) -> UInt8 { UInt8(ports.read(IOPort(port), width: .byte)) }
    func inw(_ port: UInt16) -> UInt16 { UInt16(ports.read(IOPort(port), width: .word)) }
    func writeb(_ a: UInt32, _ v: UInt8) { memory.write(GuestPhysicalAddress(a), width: .byte, value: UInt32(v)) }
    func writew(_ a: UInt32, _ v: UInt16) { memory.write(GuestPhysicalAddress(a), width: .word, value: UInt32(v)) }
    func writel(_ a: UInt32, _ v: UInt32) { memory.write(GuestPhysicalAddress(a), width: .dword, value: v) }
    func readb(_ a: UInt32) -> UInt8 { UInt8(memory.read(GuestPhysicalAddress(a), width: .byte)) }
    func readw(_ a: UInt32) -> UInt16 { UInt16(memory.read(GuestPhysicalAddress(a), width: .word)) }
    func readl(_ a: UInt32) -> UInt32 { memory.read(GuestPhysicalAddress(a), width: .dword) }

    func seq(_ i: UInt8, _ v: UInt8) { outw(0x3C4, UInt16(v) << 8 | UInt16(i)) }
    func gc(_ i: UInt8, _ v: UInt8) { outw(0x3CE, UInt16(v) << 8 | UInt16(i)) }
    func crtc(_ i: UInt8, _ v: UInt8) { outw(0x3D4, UInt16(v) << 8 | UInt16(i)) }
    func crtcRead(_ i: UInt8) -> UInt8 { outb(0x3D4, i); return inb(0x3D5) }

    /// Programs a mode the way the VGA BIOS does: sequencer held in reset, Misc Output, the
    /// sequencer, CRTC (protect bit cleared first), graphics controller, attribute controller
    /// (flip-flop reset through 0x3DA), then the palette source bit to unblank.
    func setMode(_ t: VGAModeTable) {
        outb(0x3C2, t.misc)
        seq(0, 0x01)
        for (i, v) in t.sequencer.enumerated() where i > 0 { seq(UInt8(i), v) }
        seq(0, 0x03)
        crtc(0x11, t.crtc[0x11] & 0x7F)
        for (i, v) in t.crtc.enumerated() { crtc(UInt8(i), v) }
        for (i, v) in t.graphics.enumerated() { gc(UInt8(i), v) }
        _ = inb(0x3DA)
        for (i, v) in t.attribute.enumerated() {
            outb(0x3C0, UInt8(i))
            outb(0x3C0, v)
        }
        outb(0x3C0, 0x20)
    }

    /// Sets DAC entry `index` to 6-bit components.
    func setDAC(_ index: UInt8, _ r: UInt8, _ g: UInt8, _ b: UInt8) {
        outb(0x3C8, index)
        outb(0x3C9, r)
        outb(0x3C9, g)
        outb(0x3C9, b)
    }

    /// Loads `testGlyphRow` for all 256 codes into character map 0 of plane 2, as the BIOS's
    /// font loader does (plane 2 only, sequential addressing at 0xA0000), then restores text
    /// mode's odd/even addressing.
    func loadTestFont() {
        seq(2, 0x04)
        seq(4, 0x07)
        gc(4, 0x02)
        gc(5, 0x00)
        gc(6, 0x04)
        for c in 0..<256 {
            for r in 0..<32 {
                writeb(0xA_0000 + UInt32(c * 32 + r), r < 16 ? testGlyphRow(c, r) : 0)
            }
        }
        seq(2, 0x03)
        seq(4, 0x02)
        gc(4, 0x00)
        gc(5, 0x10)
        gc(6, 0x0E)
    }

    /// DISPI through the ports, as the VGA BIOS and bochs-drm (without BAR2) do.
    func dispiWrite(_ index: UInt16, _ v: UInt16) {
        outw(0x1CE, index)
        outw(0x1CF, v)
    }

    func dispiRead(_ index: UInt16) -> UInt16 {
        outw(0x1CE, index)
        return inw(0x1CF)
    }

    /// PCI configuration as firmware does it: BAR0, BAR2, then Memory Space on.
    func placeBARs(framebuffer: UInt32, registers: UInt32) {
        function.configWrite(offset: 0x10, width: .dword, value: framebuffer)
        function.configWrite(offset: 0x18, width: .dword, value: registers)
        function.configWrite(offset: 0x04, width: .word, value: 0x0002)
    }

    func frame(at t: UInt64 = 0) -> DisplayFrame { vga.renderFrame(atNanoseconds: t) }
}

/// 6-bit DAC component widened as the renderer does.
func widen(_ c: UInt8) -> UInt32 { UInt32(c) << 2 | UInt32(c) >> 4 }

func rgb6(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt32 { widen(r) << 16 | widen(g) << 8 | widen(b) }

/// FNV-1a over the pixels: a stable hash of a frame for golden comparisons.
func frameHash(_ f: DisplayFrame) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for p in f.pixels {
        h = (h ^ UInt64(p)) &* 0x0000_0100_0000_01B3
    }
    return h
}
