// CPU accesses to the legacy window 0xA0000–0xBFFFF: memory map select, chain-4, odd/even,
// the latches, read modes 0/1 and write modes 0–3; the DISPI banked window.

import EmulatorCore

extension VGADevice {
    public func mmioRead(offset: UInt32, width: AccessWidth) -> UInt32 {
        // The VGA is an 8-bit memory device as far as the latches go: wider accesses are byte
        // cycles, low byte first (each one reloads the latches, as on the ISA/PCI bus).
        if width == .byte { return UInt32(readWindowByte(offset)) }
        var v: UInt32 = 0
        for i in 0..<width.rawValue {
            v |= UInt32(readWindowByte(offset &+ UInt32(i))) << (8 * UInt32(i))
        }
        return v
    }

    public func mmioWrite(offset: UInt32, width: AccessWidth, value: UInt32) {
        if width == .byte {
            writeWindowByte(offset, UInt8(truncatingIfNeeded: value))
            return
        }
        for i in 0..<width.rawValue {
            writeWindowByte(offset &+ UInt32(i), UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))))
        }
    }

    /// The address inside the window the Graphics Controller's memory map select (GR06 bits 3:2)
    /// decodes for window offset `offset`, or nil when that part of 0xA0000–0xBFFFF is not
    /// decoded: 0 = A0000–BFFFF (128 KiB), 1 = A0000–AFFFF, 2 = B0000–B7FFF, 3 = B8000–BFFFF.
    @inline(__always) private func windowAddress(_ offset: UInt32) -> Int? {
        let o = Int(offset)
        switch (graphics[6] >> 2) & 3 {
        case 0: return o < 0x2_0000 ? o : nil
        case 1: return o < 0x1_0000 ? o : nil
        case 2: return o >= 0x1_0000 && o < 0x1_8000 ? o - 0x1_0000 : nil
        default: return o >= 0x1_8000 && o < 0x2_0000 ? o - 0x1_8000 : nil
        }
    }

    /// DISPI modes of 8 bpp and more show video RAM linearly through a 64 KiB bank at 0xA0000.
    @inline(__always) private var dispiLinearWindow: Bool { isDISPIEnabled && dispiBPP != 4 }

    /// Plane offsets wrap at 64 KiB per plane in VGA modes; the DISPI 4-bpp mode reaches the
    /// planes of all video RAM through BANK.
    @inline(__always) private func planeOffset(_ a: Int) -> Int {
        if isDISPIEnabled {
            return (a + Int(dispiBank) * DISPI.bankSize) & (vram.size / 4 - 1)
        }
        return a & 0xFFFF
    }

    func readWindowByte(_ offset: UInt32) -> UInt8 {
        if dispiLinearWindow {
            guard offset < DISPI.bankSize else { return 0xFF }
            return vram.byte(at: Int(dispiBank) * DISPI.bankSize + Int(offset))
        }
        guard let a = windowAddress(offset) else { return 0xFF }
        let plane: Int
        let o: Int
        if sequencer[4] & 0x08 != 0 {
            // Chain-4: address bits 1:0 pick the plane, the rest the offset in it.
            plane = a & 3
            o = planeOffset(a & ~3)
        } else if graphics[5] & 0x10 != 0 {
            // Odd/even reads: address bit 0 picks plane 0/1 (or 2/3 with Read Map Select bit 1).
            plane = Int(graphics[4] & 2) | (a & 1)
            o = planeOffset(a & ~1)
        } else {
            plane = Int(graphics[4] & 3)
            o = planeOffset(a)
        }
        latches = loadPlanes(o)
        if graphics[5] & 0x08 == 0 {
            return UInt8(truncatingIfNeeded: latches >> (8 * UInt32(plane)))
        }
        // Read mode 1: bit n is 1 where every plane that Color Don't Care includes matches
        // Color Compare.
        let compare = Self.expandPlanes(graphics[2])
        let care = Self.expandPlanes(graphics[7])
        let differ = (latches ^ compare) & care
        let any = differ | (differ >> 8) | (differ >> 16) | (differ >> 24)
        return ~UInt8(truncatingIfNeeded: any)
    }

    func writeWindowByte(_ offset: UInt32, _ value: UInt8) {
        if dispiLinearWindow {
            guard offset < DISPI.bankSize else { return }
            let i = Int(dispiBank) * DISPI.bankSize + Int(offset)
            if i < vram.size {
                vram.bytes[i] = value
                if let m = framebufferMapping { m.memory.deviceWrote(at: m.base &+ UInt32(i), count: 1) }
            }
            return
        }
        guard let a = windowAddress(offset) else { return }
        let mapMask = sequencer[2] & 0x0F
        let planes: UInt8
        let o: Int
        if sequencer[4] & 0x08 != 0 {
            planes = mapMask & (1 << UInt8(a & 3))
            o = planeOffset(a & ~3)
        } else if sequencer[4] & 0x04 == 0 {
            // Odd/even writes: even addresses reach planes 0 and 2, odd ones 1 and 3.
            planes = mapMask & (a & 1 == 0 ? 0b0101 : 0b1010)
            o = planeOffset(a & ~1)
        } else {
            planes = mapMask
            o = planeOffset(a)
        }
        guard planes != 0 else { return }
        let data = writeData(value)
        let p = vram.bytes + (o << 2)
        // SAFETY: o < vram.size / 4, so o * 4 + 3 < vram.size.
        if planes & 1 != 0 { p[0] = UInt8(truncatingIfNeeded: data) }
        if planes & 2 != 0 { p[1] = UInt8(truncatingIfNeeded: data >> 8) }
        if planes & 4 != 0 { p[2] = UInt8(truncatingIfNeeded: data >> 16) }
        if planes & 8 != 0 { p[3] = UInt8(truncatingIfNeeded: data >> 24) }
        if let m = framebufferMapping { m.memory.deviceWrote(at: m.base &+ UInt32(o << 2), count: 4) }
    }

    /// The four plane bytes at plane offset `o` (already bounded by `planeOffset`).
    @inline(__always) private func loadPlanes(_ o: Int) -> UInt32 {
        // SAFETY: o < vram.size / 4.
        UInt32(littleEndian: UnsafeRawPointer(vram.bytes + (o << 2)).load(as: UInt32.self))
    }

    /// The Graphics Controller's write path for a CPU byte: the four plane bytes to store
    /// (plane 0 in bits 7:0) under write mode GR05 bits 1:0.
    @inline(__always) private func writeData(_ value: UInt8) -> UInt32 {
        let mode = graphics[5] & 3
        if mode == 1 { return latches }  // Write mode 1: the latches, unchanged.
        var bitMask = graphics[8]
        var data: UInt32
        switch mode {
        case 0:
            // Rotate, then Set/Reset for the planes Enable Set/Reset selects.
            let v = Self.rotate(value, graphics[3] & 7)
            let enable = Self.expandPlanes(graphics[1])
            data = (UInt32(v) &* 0x0101_0101 & ~enable) | (Self.expandPlanes(graphics[0]) & enable)
        case 2:
            // Bits 3:0 of the CPU byte fill planes 0–3.
            data = Self.expandPlanes(value)
        default:
            // Write mode 3: the rotated CPU byte ANDed with Bit Mask is the mask; Set/Reset
            // is the data.
            bitMask &= Self.rotate(value, graphics[3] & 7)
            data = Self.expandPlanes(graphics[0])
        }
        switch (graphics[3] >> 3) & 3 {
        case 1: data &= latches
        case 2: data |= latches
        case 3: data ^= latches
        default: break
        }
        let m = UInt32(bitMask) &* 0x0101_0101
        return (data & m) | (latches & ~m)
    }

    @inline(__always) static func rotate(_ v: UInt8, _ count: UInt8) -> UInt8 {
        count == 0 ? v : (v >> count) | (v << (8 - count))
    }

    /// Bits 3:0 of `bits` as four all-ones or all-zero plane bytes.
    @inline(__always) static func expandPlanes(_ bits: UInt8) -> UInt32 {
        (UInt32(bits & 1) &* 0xFF) | (UInt32((bits >> 1) & 1) &* 0xFF00)
            | (UInt32((bits >> 2) & 1) &* 0xFF_0000) | (UInt32((bits >> 3) & 1) &* 0xFF00_0000)
    }
}
