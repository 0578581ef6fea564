// The Bochs VBE (DISPI) registers: mode size and depth, enable, bank, virtual size, panning.

import EmulatorCore

extension VGADevice {
    /// Whether a DISPI mode is on (the VGA registers then no longer decide the picture).
    public var isDISPIEnabled: Bool { dispiEnable & DISPI.Enable.enabled != 0 }

    /// Bytes per scanline of the current DISPI mode (for 4 bpp: bytes per plane).
    var dispiPitch: Int { Self.pitch(width: Int(dispiVirtWidth), bpp: Int(dispiBPP)) }

    static func pitch(width: Int, bpp: Int) -> Int {
        bpp == 4 ? width / 8 : width * ((bpp + 7) / 8)
    }

    /// Byte offset of the top-left visible pixel (for 4 bpp: a plane offset).
    var dispiStartOffset: Int {
        let bpp = Int(dispiBPP)
        let x = Int(dispiXOffset)
        return Int(dispiYOffset) * dispiPitch + (bpp == 4 ? x / 8 : x * ((bpp + 7) / 8))
    }

    /// The register at `dispiIndex`, as a read of 0x1CF returns it.
    func readDISPI() -> UInt16 { readDISPI(index: dispiIndex) }

    func readDISPI(index: UInt16) -> UInt16 {
        let caps = dispiEnable & DISPI.Enable.getCaps != 0
        switch index {
        case DISPI.Index.id: return dispiID
        case DISPI.Index.xRes: return caps ? DISPI.maxXRes : dispiXRes
        case DISPI.Index.yRes: return caps ? DISPI.maxYRes : dispiYRes
        case DISPI.Index.bpp: return caps ? 32 : dispiBPP
        case DISPI.Index.enable: return dispiEnable
        case DISPI.Index.bank: return dispiBank
        case DISPI.Index.virtWidth: return dispiVirtWidth
        case DISPI.Index.virtHeight: return dispiVirtHeight
        case DISPI.Index.xOffset: return dispiXOffset
        case DISPI.Index.yOffset: return dispiYOffset
        case DISPI.Index.videoMemory64K: return UInt16(truncatingIfNeeded: vram.size / DISPI.bankSize)
        default: return 0
        }
    }

    /// A write of 0x1CF to the register at `dispiIndex`.
    func writeDISPI(_ value: UInt16) { writeDISPI(index: dispiIndex, value) }

    /// Values software could not have meant are ignored (the register keeps its value), as
    /// Bochs does: XRES/YRES outside 1…maximum, an unknown BPP, a virtual width that does not
    /// fit video RAM. XRES, YRES and BPP are fixed while a mode is enabled.
    func writeDISPI(index: UInt16, _ value: UInt16) {
        let enabled = isDISPIEnabled
        switch index {
        case DISPI.Index.id:
            if (DISPI.id0...DISPI.id5).contains(value) { dispiID = value }
        case DISPI.Index.xRes:
            if !enabled && (1...DISPI.maxXRes).contains(value) { dispiXRes = value }
        case DISPI.Index.yRes:
            if !enabled && (1...DISPI.maxYRes).contains(value) { dispiYRes = value }
        case DISPI.Index.bpp:
            let bpp = value == 0 ? 8 : value
            if !enabled && DISPI.validBPP.contains(bpp) { dispiBPP = bpp }
        case DISPI.Index.enable:
            let wasEnabled = enabled
            dispiEnable = value & DISPI.Enable.stored
            if isDISPIEnabled && !wasEnabled { startDISPIMode(clear: value & DISPI.Enable.noClearMem == 0) }
        case DISPI.Index.bank:
            // The bank register has as many bits as video RAM has 64 KiB banks.
            dispiBank = value & UInt16(truncatingIfNeeded: vram.size / DISPI.bankSize - 1)
        case DISPI.Index.virtWidth:
            setVirtualWidth(value)
        case DISPI.Index.xOffset:
            dispiXOffset = value
        case DISPI.Index.yOffset:
            dispiYOffset = value
        default:
            // VIRT_HEIGHT is computed from video RAM and VIRT_WIDTH (read-only, as in QEMU);
            // VIDEO_MEMORY_64K is read-only.
            break
        }
    }

    /// Enabling a mode: the virtual screen becomes the visible one, offsets and bank return to
    /// 0, and video RAM is cleared unless NOCLEARMEM was given. A mode larger than video RAM
    /// keeps its width and loses the rows that do not fit (as QEMU shrinks it).
    private func startDISPIMode(clear: Bool) {
        let bytesPerRow = Self.pitch(width: Int(dispiXRes), bpp: Int(dispiBPP))
        let planes = dispiBPP == 4 ? 4 : 1
        let rowsThatFit = bytesPerRow == 0 ? Int(dispiYRes) : vram.size / (bytesPerRow * planes)
        if rowsThatFit < Int(dispiYRes) { dispiYRes = UInt16(max(rowsThatFit, 1)) }
        dispiVirtWidth = dispiXRes
        dispiVirtHeight = UInt16(min(rowsThatFit, 0xFFFF))
        dispiXOffset = 0
        dispiYOffset = 0
        dispiBank = 0
        if clear { clearVideoMemory() }
    }

    private func setVirtualWidth(_ value: UInt16) {
        guard value >= 1 else { return }
        let bytesPerRow = Self.pitch(width: Int(value), bpp: Int(dispiBPP))
        let planes = dispiBPP == 4 ? 4 : 1
        guard bytesPerRow > 0, bytesPerRow * planes * Int(dispiYRes) <= vram.size else { return }
        dispiVirtWidth = value
        dispiVirtHeight = UInt16(min(vram.size / (bytesPerRow * planes), 0xFFFF))
    }

    /// Zeroes video RAM, reporting the write to a direct framebuffer mapping.
    func clearVideoMemory() {
        vram.clear()
        if let m = framebufferMapping { m.memory.deviceWrote(at: m.base, count: vram.size) }
    }
}
