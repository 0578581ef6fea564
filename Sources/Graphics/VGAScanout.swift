// What the CRT controller scans out, decoded from the VGA registers once per frame.

/// The display geometry and memory addressing the CRTC, Sequencer, Graphics Controller and
/// Attribute Controller registers describe (FreeVGA's CRTC and "VGA addressing" pages).
///
/// Memory addressing: the CRTC's address counter starts each frame at the Start Address
/// (CR0C:CR0D), advances one per character clock and by 2 × Offset (CR13) per character row.
/// The memory address it drives depends on the addressing mode: byte mode (CR17 bit 6) uses the
/// counter, word mode shifts it left by one, doubleword mode (CR14 bit 6) by two. Bits 13 and 14
/// can be replaced by the row scan counter's bits 0 and 1 (CR17 bits 0 and 1 clear) — how the
/// CGA modes interleave their scanlines.
///
/// DEVIATION: the VGA also rotates the counter's top bits (MA13/MA15 in word mode, MA12–13 in
/// doubleword mode) into the low address bits, and its CPU side puts odd/even and chain-4 bytes
/// at offsets that match. Here the CPU side stores odd/even bytes at the even offset and chain-4
/// bytes at the offset with bits 1:0 clear, so the scanout shifts without rotating; what the
/// guest sees through both paths agrees, as on QEMU.
///
/// Vertical: Vertical Display End (CR12 + overflow bits) + 1 scanlines; Maximum Scan Line
/// (CR09 bits 4:0) + 1 scanlines per character row; double scan (CR09 bit 7) shows each row
/// scan twice; Line Compare (CR18 + overflow bits) restarts the counter at 0 below that scanline.
struct VGAScanout {
    /// Character clocks per scanline (CR01 + 1).
    var characterClocks: Int
    /// Scanlines of the active picture (Vertical Display End + 1).
    var scanlines: Int
    /// Scanlines per character row (Maximum Scan Line + 1).
    var rowHeight: Int
    var doubleScan: Bool
    var startAddress: Int
    /// Counter units added per character row.
    var rowPitch: Int
    var lineCompare: Int
    /// 0 = byte, 1 = word, 2 = doubleword addressing.
    var addressShift: Int
    /// CR17 bit 0 clear: row scan bit 0 replaces address bit 13.
    var substituteBit13: Bool
    /// CR17 bit 1 clear: row scan bit 1 replaces address bit 14.
    var substituteBit14: Bool
    /// Preset Row Scan (CR08 bits 4:0).
    var presetRowScan: Int

    /// The largest picture rendered; CRTC values beyond it are clipped (a guest cannot make the
    /// host allocate more).
    static let maxWidth = 2048
    static let maxHeight = 2048

    init(crtc: [UInt8]) {
        characterClocks = Int(crtc[0x01]) + 1
        let overflow = Int(crtc[0x07])
        scanlines = (Int(crtc[0x12]) | (overflow & 0x02) << 7 | (overflow & 0x40) << 3) + 1
        rowHeight = Int(crtc[0x09] & 0x1F) + 1
        doubleScan = crtc[0x09] & 0x80 != 0
        startAddress = Int(crtc[0x0C]) << 8 | Int(crtc[0x0D])
        rowPitch = Int(crtc[0x13]) * 2
        lineCompare = Int(crtc[0x18]) | (overflow & 0x10) << 4 | Int(crtc[0x09] & 0x40) << 3
        if crtc[0x14] & 0x40 != 0 {
            addressShift = 2
        } else {
            addressShift = crtc[0x17] & 0x40 != 0 ? 0 : 1
        }
        substituteBit13 = crtc[0x17] & 0x01 == 0
        substituteBit14 = crtc[0x17] & 0x02 == 0
        presetRowScan = Int(crtc[0x08] & 0x1F)
    }

    /// The memory address (a plane offset, 16 bits) for counter value `counter` on row scan
    /// `rowScan`.
    @inline(__always) func memoryAddress(counter: Int, rowScan: Int) -> Int {
        var a = counter << addressShift
        if substituteBit13 { a = (a & ~0x2000) | (rowScan & 1) << 13 }
        if substituteBit14 { a = (a & ~0x4000) | (rowScan & 2) << 13 }
        return a & 0xFFFF
    }

    /// For scanline `line` (0-based, in CRTC scanlines): the counter at the start of its
    /// character row, its row scan, and whether it lies below the line-compare split.
    @inline(__always) func rowStart(scanline line: Int) -> (counter: Int, rowScan: Int, split: Bool) {
        let split = line > lineCompare
        let relative = split ? line - lineCompare - 1 : line
        let scan = (doubleScan ? relative >> 1 : relative) + (split ? 0 : presetRowScan)
        let row = scan / rowHeight
        return ((split ? 0 : startAddress) + row * rowPitch, scan % rowHeight, split)
    }
}
