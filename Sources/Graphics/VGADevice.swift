// The PC's display adapter: an IBM VGA register set with Bochs VBE (DISPI) extensions, the way
// QEMU's "stdvga" and Bochs present it.

import EmulatorCore

/// A VGA-compatible display adapter with the Bochs VBE "DISPI" interface (QEMU `-vga std`,
/// Bochs `vbe`): what the SeaBIOS/Bochs VGA BIOS, Linux `vgacon`, `vga16fb`, `bochs-drm` and
/// DOS programs program.
///
/// Wiring (the machine does this):
/// - I/O ports 0x3B0–0x3DF (the VGA registers; the CRTC and Input Status 1 answer at 0x3B4/0x3B5/
///   0x3BA or 0x3D4/0x3D5/0x3DA as Misc Output bit 0 says, the other set floats high) and
///   0x1CE–0x1CF (DISPI index/data, 16-bit): claim `VGADevice.portRanges` for this object.
/// - Memory 0xA0000–0xBFFFF (`VGADevice.legacyWindow`): `memory.mapMMIO(vga, base: 0xA_0000,
///   size: 0x2_0000)`. It must stay MMIO (planar logic, latches); it is not RAM.
/// - `now`: virtual time in nanoseconds (the machine's scheduler clock). It drives Input Status
///   1's retrace bits and nothing else; the device arms no timers and raises no interrupt
///   (the VGA's IRQ 2/9 vertical-retrace interrupt is not modelled; no PC software of interest
///   needs it).
/// - PCI: `PCIVGAFunction` wraps this device as 00:02.0 (1234:1111) with the linear framebuffer
///   (BAR0) and the QEMU stdvga MMIO registers (BAR2).
///
/// Registers, after IBM's VGA technical reference as FreeVGA documents it: Misc Output (0x3C2 write
/// / 0x3CC read), Feature Control, Input Status 0/1, the Sequencer (0x3C4/0x3C5, indexes 0–4),
/// the CRTC (indexes 0–0x18, with the protect bit of 0x11 locking 0–7 except the line-compare
/// bit of 0x07), the Graphics Controller (0x3CE/0x3CF, 0–8), the Attribute Controller (0x3C0
/// index/data flip-flop, reset by reading Input Status 1; 0x3C1 reads), the DAC (0x3C6 pel mask,
/// 0x3C7 read index / state, 0x3C8 write index, 0x3C9 data in R, G, B order, 6-bit components).
///
/// Memory: 256 KiB of planar VGA RAM at the start of `vram` (see `VideoMemory` for the layout),
/// through the Graphics Controller's memory map select, chain-4, odd/even, read modes 0/1, write
/// modes 0–3, set/reset, rotate, logical operation, bit mask and the latches. With DISPI enabled
/// (8 bpp and more) the 64 KiB window at 0xA0000 shows `vram` linearly at BANK × 64 KiB.
///
/// Rendering is derived from the registers, never a BIOS mode number: see `VGADevice+Render`.
///
/// Not modelled: the vertical-retrace interrupt, light pen, the CRTC's horizontal timing beyond
/// the display-end count (sync positions do not move the picture), the CRTC's count-by-2/4
/// clocking, the overscan border (frames show the active area only), the Sequencer's
/// 4-dot/8-dot shift-load variants, the Feature Control outputs, and reads of DAC entries that
/// are half written (components are stored as they arrive).
public final class VGADevice: PortIODevice, MMIODevice, DisplaySource {
    /// The port ranges to claim for this device.
    public static let portRanges: [ClosedRange<UInt16>] = [0x3B0...0x3DF, 0x1CE...0x1CF]
    /// The legacy memory window: base 0xA0000, 128 KiB.
    public static let legacyWindow = (base: UInt32(0xA_0000), size: UInt32(0x2_0000))
    /// The default video RAM: 16 MiB, as QEMU's stdvga.
    public static let defaultVideoMemorySize = 16 << 20

    /// Port numbers.
    enum Port {
        static let crtcIndexMono: UInt16 = 0x3B4
        static let crtcDataMono: UInt16 = 0x3B5
        static let inputStatus1Mono: UInt16 = 0x3BA
        static let attributeIndex: UInt16 = 0x3C0
        static let attributeRead: UInt16 = 0x3C1
        static let miscOutputWrite: UInt16 = 0x3C2
        static let videoSubsystemEnable: UInt16 = 0x3C3
        static let sequencerIndex: UInt16 = 0x3C4
        static let sequencerData: UInt16 = 0x3C5
        static let pelMask: UInt16 = 0x3C6
        static let dacReadIndex: UInt16 = 0x3C7
        static let dacWriteIndex: UInt16 = 0x3C8
        static let dacData: UInt16 = 0x3C9
        static let featureControlRead: UInt16 = 0x3CA
        static let miscOutputRead: UInt16 = 0x3CC
        static let graphicsIndex: UInt16 = 0x3CE
        static let graphicsData: UInt16 = 0x3CF
        static let crtcIndexColor: UInt16 = 0x3D4
        static let crtcDataColor: UInt16 = 0x3D5
        static let inputStatus1Color: UInt16 = 0x3DA
        static let dispiIndex: UInt16 = 0x1CE
        static let dispiData: UInt16 = 0x1CF
    }

    /// Register counts per block.
    enum Count {
        static let sequencer = 5
        static let crtc = 0x19
        static let graphics = 9
        static let attribute = 0x15
    }

    /// Bits the hardware implements in each register (the rest read 0).
    static let sequencerMask: [UInt8] = [0x03, 0x3D, 0x0F, 0x3F, 0x0E]
    static let graphicsMask: [UInt8] = [0x0F, 0x0F, 0x0F, 0x1F, 0x03, 0x7B, 0x0F, 0x0F, 0xFF]
    static let attributeMask: [UInt8] = [UInt8](repeating: 0x3F, count: 16) + [0xEF, 0xFF, 0x3F, 0x0F, 0x0F]

    // MARK: Wiring

    public let vram: VideoMemory
    let now: () -> UInt64
    /// Where video RAM is mapped straight into guest memory (BAR0 with
    /// `PCIVGAFunction.mapFramebufferDirectly`), if it is: writes the device makes to video RAM
    /// itself (the legacy window, DISPI's clear, restore) are reported there so decoded code
    /// taken from the framebuffer is dropped, as a CPU store through the mapping would.
    var framebufferMapping: (memory: PhysicalMemory, base: UInt32)?

    // MARK: Guest-visible state

    /// Miscellaneous Output register: bit 0 I/O address select (1 = CRTC at 0x3Dx), bit 1 RAM
    /// enable, bits 3:2 clock select, bit 5 odd/even page, bits 7:6 sync polarities (which also
    /// tell the monitor the line count: 01 = 400, 10 = 350, 11 = 480).
    var misc: UInt8 = 0
    /// Feature Control (written at 0x3BA/0x3DA, read at 0x3CA): stored only.
    var featureControl: UInt8 = 0
    /// Video Subsystem Enable (0x3C3): stored only.
    var videoSubsystemEnable: UInt8 = 1
    var sequencerIndex: UInt8 = 0
    /// Sequencer registers 0–4: Reset, Clocking Mode, Map Mask, Character Map Select, Memory Mode.
    var sequencer = [UInt8](repeating: 0, count: Count.sequencer)
    var crtcIndex: UInt8 = 0
    /// CRT Controller registers 0x00–0x18.
    var crtc = [UInt8](repeating: 0, count: Count.crtc)
    var graphicsIndex: UInt8 = 0
    /// Graphics Controller registers 0–8: Set/Reset, Enable Set/Reset, Color Compare, Data
    /// Rotate, Read Map Select, Graphics Mode, Miscellaneous, Color Don't Care, Bit Mask.
    var graphics = [UInt8](repeating: 0, count: Count.graphics)
    /// Attribute Controller address register: index in bits 4:0, Palette Address Source in bit 5
    /// (0 = the CPU owns the palette and the screen is blanked).
    var attributeIndex: UInt8 = 0
    /// The 0x3C0 flip-flop: false = the next write is an index, true = data.
    var attributeFlipFlop = false
    /// Attribute registers 0x00–0x0F palette, 0x10 Mode Control, 0x11 Overscan, 0x12 Color Plane
    /// Enable, 0x13 Horizontal Pel Panning, 0x14 Color Select.
    var attribute = [UInt8](repeating: 0, count: Count.attribute)
    /// The DAC's 256 entries, R, G, B each (6 bits; 8 with DISPI's 8-bit DAC).
    var dac = [UInt8](repeating: 0, count: 768)
    var dacWriteIndex: UInt8 = 0
    var dacReadIndex: UInt8 = 0
    /// Which component (0 R, 1 G, 2 B) the next 0x3C9 access is.
    var dacComponent: UInt8 = 0
    /// The last index written was 0x3C7 (the DAC State register reads 3, else 0).
    var dacReading = false
    /// Pel Mask (0x3C6), ANDed with every DAC index on the way out.
    var pelMask: UInt8 = 0xFF
    /// The four latches, plane 0 in bits 7:0, loaded by every read of video memory.
    var latches: UInt32 = 0

    // DISPI (Bochs VBE) registers.
    var dispiIndex: UInt16 = 0
    var dispiID: UInt16 = DISPI.id5
    var dispiXRes: UInt16 = 640
    var dispiYRes: UInt16 = 480
    var dispiBPP: UInt16 = 8
    /// ENABLE as written (ENABLED, GETCAPS, 8BIT_DAC, LFB_ENABLED, NOCLEARMEM).
    var dispiEnable: UInt16 = 0
    var dispiBank: UInt16 = 0
    var dispiVirtWidth: UInt16 = 640
    var dispiVirtHeight: UInt16 = 0
    var dispiXOffset: UInt16 = 0
    var dispiYOffset: UInt16 = 0

    /// - Parameters:
    ///   - videoMemorySize: bytes of video RAM (a power of two, 1–256 MiB; BAR0's size).
    ///   - now: virtual time in nanoseconds.
    public init(videoMemorySize: Int = VGADevice.defaultVideoMemorySize, now: @escaping () -> UInt64) {
        precondition(videoMemorySize >= 1 << 20, "the adapter needs at least 1 MiB of video RAM")
        vram = VideoMemory(size: videoMemorySize)
        self.now = now
        dispiVirtHeight = UInt16(min(videoMemorySize / 640, 0xFFFF))
    }

    /// Power-on state: registers cleared (the BIOS programs a mode), DAC black, DISPI disabled.
    /// Video RAM keeps its contents, as it does across a reset on a real card.
    public func reset() {
        misc = 0
        featureControl = 0
        videoSubsystemEnable = 1
        sequencerIndex = 0
        sequencer = [UInt8](repeating: 0, count: Count.sequencer)
        crtcIndex = 0
        crtc = [UInt8](repeating: 0, count: Count.crtc)
        graphicsIndex = 0
        graphics = [UInt8](repeating: 0, count: Count.graphics)
        attributeIndex = 0
        attributeFlipFlop = false
        attribute = [UInt8](repeating: 0, count: Count.attribute)
        dac = [UInt8](repeating: 0, count: 768)
        dacWriteIndex = 0
        dacReadIndex = 0
        dacComponent = 0
        dacReading = false
        pelMask = 0xFF
        latches = 0
        dispiIndex = 0
        dispiID = DISPI.id5
        dispiXRes = 640
        dispiYRes = 480
        dispiBPP = 8
        dispiEnable = 0
        dispiBank = 0
        dispiVirtWidth = 640
        dispiVirtHeight = UInt16(min(vram.size / 640, 0xFFFF))
        dispiXOffset = 0
        dispiYOffset = 0
    }

    // MARK: Port I/O

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        let p = port.value
        if p == Port.dispiIndex || p == Port.dispiData {
            // 16-bit registers; a byte read gives the low byte of the register.
            let v = p == Port.dispiIndex ? dispiIndex : readDISPI()
            return UInt32(v) & width.mask
        }
        var value: UInt32 = 0
        for i in 0..<width.rawValue {
            value |= UInt32(readPortByte(p &+ UInt16(i))) << (8 * UInt32(i))
        }
        return value
    }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        let p = port.value
        if p == Port.dispiIndex || p == Port.dispiData {
            let v = UInt16(truncatingIfNeeded: value)
            if p == Port.dispiIndex { dispiIndex = v } else { writeDISPI(v) }
            return
        }
        for i in 0..<width.rawValue {
            writePortByte(p &+ UInt16(i), UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))))
        }
    }

    /// Whether `port` belongs to the CRTC block that Misc Output bit 0 does not select (0x3Bx
    /// in colour addressing, 0x3Dx in mono): those ports float.
    private func isDeselected(_ port: UInt16) -> Bool {
        let color = misc & 0x01 != 0
        if (0x3B0...0x3BF).contains(port) { return color }
        if (0x3D0...0x3DF).contains(port) { return !color }
        return false
    }

    /// A byte read of a VGA register port (0x3B0–0x3DF), as the VGA's own registers answer.
    public func readPortByte(_ port: UInt16) -> UInt8 {
        if isDeselected(port) { return 0xFF }
        switch port {
        case Port.crtcIndexMono, Port.crtcIndexColor:
            return crtcIndex
        case Port.crtcDataMono, Port.crtcDataColor:
            return crtcIndex < Count.crtc ? crtc[Int(crtcIndex)] : 0
        case Port.inputStatus1Mono, Port.inputStatus1Color:
            attributeFlipFlop = false
            return inputStatus1()
        case Port.attributeIndex:
            return attributeIndex
        case Port.attributeRead:
            let i = Int(attributeIndex & 0x1F)
            return i < Count.attribute ? attribute[i] : 0
        case Port.miscOutputWrite:
            // Input Status 0: no retrace interrupt pending, switch sense 0.
            return 0
        case Port.videoSubsystemEnable:
            return videoSubsystemEnable
        case Port.sequencerIndex:
            return sequencerIndex
        case Port.sequencerData:
            return sequencerIndex < Count.sequencer ? sequencer[Int(sequencerIndex)] : 0
        case Port.pelMask:
            return pelMask
        case Port.dacReadIndex:
            // DAC State: 3 after a read index was set, 0 after a write index.
            return dacReading ? 0x03 : 0x00
        case Port.dacWriteIndex:
            return dacWriteIndex
        case Port.dacData:
            let v = dac[Int(dacReadIndex) * 3 + Int(dacComponent)]
            advanceDAC(&dacReadIndex)
            return v
        case Port.featureControlRead:
            return featureControl
        case Port.miscOutputRead:
            return misc
        case Port.graphicsIndex:
            return graphicsIndex
        case Port.graphicsData:
            return graphicsIndex < Count.graphics ? graphics[Int(graphicsIndex)] : 0
        default:
            return 0xFF
        }
    }

    /// A byte write of a VGA register port (0x3B0–0x3DF).
    public func writePortByte(_ port: UInt16, _ value: UInt8) {
        if isDeselected(port) { return }
        switch port {
        case Port.crtcIndexMono, Port.crtcIndexColor:
            crtcIndex = value
        case Port.crtcDataMono, Port.crtcDataColor:
            writeCRTC(index: Int(crtcIndex), value)
        case Port.inputStatus1Mono, Port.inputStatus1Color:
            featureControl = value
        case Port.attributeIndex:
            if attributeFlipFlop {
                let i = Int(attributeIndex & 0x1F)
                if i < Count.attribute { attribute[i] = value & Self.attributeMask[i] }
            } else {
                attributeIndex = value & 0x3F
            }
            attributeFlipFlop.toggle()
        case Port.miscOutputWrite:
            misc = value
        case Port.videoSubsystemEnable:
            videoSubsystemEnable = value & 0x01
        case Port.sequencerIndex:
            sequencerIndex = value
        case Port.sequencerData:
            let i = Int(sequencerIndex)
            if i < Count.sequencer { sequencer[i] = value & Self.sequencerMask[i] }
        case Port.pelMask:
            pelMask = value
        case Port.dacReadIndex:
            dacReadIndex = value
            dacComponent = 0
            dacReading = true
        case Port.dacWriteIndex:
            dacWriteIndex = value
            dacComponent = 0
            dacReading = false
        case Port.dacData:
            let componentMask: UInt8 = dispiEnable & DISPI.Enable.dac8Bit != 0 ? 0xFF : 0x3F
            dac[Int(dacWriteIndex) * 3 + Int(dacComponent)] = value & componentMask
            advanceDAC(&dacWriteIndex)
        case Port.graphicsIndex:
            graphicsIndex = value
        case Port.graphicsData:
            let i = Int(graphicsIndex)
            if i < Count.graphics { graphics[i] = value & Self.graphicsMask[i] }
        default:
            break
        }
    }

    /// Steps the DAC component; after blue the index moves to the next entry (wrapping at 255).
    private func advanceDAC(_ index: inout UInt8) {
        dacComponent += 1
        if dacComponent == 3 {
            dacComponent = 0
            index &+= 1
        }
    }

    /// CRTC writes: with the protect bit (0x11 bit 7) set, registers 0–7 ignore writes except
    /// the line-compare bit 8 in Overflow (0x07 bit 4), as the VGA reference specifies.
    private func writeCRTC(index: Int, _ value: UInt8) {
        guard index < Count.crtc else { return }
        if index <= 7 && crtc[0x11] & 0x80 != 0 {
            if index == 7 { crtc[7] = (crtc[7] & ~0x10) | (value & 0x10) }
            return
        }
        crtc[index] = value
    }

    // MARK: Input Status 1 and the refresh clock

    /// Input Status 1: bit 0 "display disabled" (in horizontal or vertical blanking), bit 3
    /// vertical retrace. Derived from `now` so polling loops see both edges: the frame rate
    /// follows the sync polarities in Misc Output (400- and 350-line modes at 70 Hz, 480-line
    /// modes and DISPI modes at 60 Hz), with the standard total line counts (449 / 525).
    func inputStatus1() -> UInt8 {
        let t = now()
        let seventyHertz = !isDISPIEnabled && misc & 0xC0 != 0xC0
        let totalLines: UInt64 = seventyHertz ? 449 : 525
        let activeLines: UInt64 = seventyHertz ? 400 : 480
        let frame: UInt64 = seventyHertz ? 14_268_000 : 16_683_000
        let lineTime = frame / totalLines
        let inFrame = t % frame
        let line = inFrame / lineTime
        let inLine = inFrame % lineTime
        var status: UInt8 = 0
        // Vertical retrace: two lines, a dozen lines after the active area (as VGA timings put it).
        if line >= activeLines + 10 && line < activeLines + 12 { status |= 0x08 }
        // Horizontal blanking is the last fifth of each line.
        if line >= activeLines || inLine >= lineTime * 4 / 5 { status |= 0x01 }
        return status
    }
}
