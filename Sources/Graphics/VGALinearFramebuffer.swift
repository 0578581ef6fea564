// The linear framebuffer: all of video RAM as plain bytes behind PCI BAR0.

import EmulatorCore

/// Video RAM as the linear framebuffer decodes it (BAR0 of `PCIVGAFunction`): byte `n` of the
/// BAR is byte `n` of video RAM, whatever mode the adapter is in (as on QEMU's stdvga, where
/// DISPI's LFB_ENABLED only tells software which aperture it uses).
///
/// PERF: every access is an MMIO call; `PCIVGAFunction.mapFramebufferDirectly(into:)` maps
/// video RAM as RAM pages instead (the machine's choice).
public final class VGALinearFramebuffer: MMIODevice {
    public let vram: VideoMemory

    public init(vram: VideoMemory) { self.vram = vram }

    public func mmioRead(offset: UInt32, width: AccessWidth) -> UInt32 {
        let o = Int(offset)
        guard o + width.rawValue <= vram.size else { return width.mask }
        // SAFETY: o + width <= size, checked above.
        let p = UnsafeRawPointer(vram.bytes + o)
        switch width {
        case .byte: return UInt32(p.load(as: UInt8.self))
        case .word: return UInt32(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)))
        case .dword: return UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
        }
    }

    public func mmioWrite(offset: UInt32, width: AccessWidth, value: UInt32) {
        let o = Int(offset)
        guard o + width.rawValue <= vram.size else { return }
        // SAFETY: o + width <= size, checked above.
        let p = UnsafeMutableRawPointer(vram.bytes + o)
        switch width {
        case .byte: p.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        case .word: p.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, as: UInt16.self)
        case .dword: p.storeBytes(of: value.littleEndian, as: UInt32.self)
        }
    }
}
