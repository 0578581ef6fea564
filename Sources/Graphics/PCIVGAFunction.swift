// The display adapter as a PCI function: QEMU's "stdvga" (1234:1111) with its linear
// framebuffer BAR and MMIO register BAR.

import Chipset
import EmulatorCore

/// The VGA as PCI function 00:02.0, as QEMU presents `-vga std`: vendor 0x1234, device 0x1111,
/// revision 2, class 03/00/00 (VGA-compatible), subsystem 1AF4:1100, no interrupt pin.
///
/// - BAR0: prefetchable memory, the size of video RAM: the linear framebuffer
///   (`linearFramebuffer`).
/// - BAR2: 4 KiB of memory-mapped registers (this object), QEMU's stdvga layout:
///   0x400–0x41F are the VGA ports 0x3C0–0x3DF (byte accesses; wider ones split), 0x500–0x515
///   the DISPI registers 0–0x0A as 16-bit values at 0x500 + 2 × index. Linux's `bochs-drm` uses
///   these when BAR2 exists and the ports otherwise. Everything else in the BAR reads 0 (the
///   QEMU extended registers at 0x600 then read as absent: `bochs-drm` checks their size) and
///   ignores writes.
///
/// Wiring: `bus.register(vgaFunction, device: PCIVGAFunction.device, function: 0)` and
/// `barMapper.attach(vgaFunction)`; the legacy ports and 0xA0000 window of `vga` are claimed
/// separately (see `VGADevice`). The VGA BIOS is not an expansion ROM BAR here (PCIConfigSpace
/// models none): give SeaBIOS the image (Debian's `seabios` package ships
/// /usr/share/seabios/vgabios-stdvga.bin) as the fw_cfg file "pci1234,1111.rom", which its
/// option-ROM scan loads for this function, or map it at 0xC0000 before POST.
///
/// DEVIATION: the legacy VGA ports and memory answer whatever the Command register says, as on
/// QEMU (a real card gates them with I/O Space and Memory Space).
///
/// PERF: `mapFramebufferDirectly(into:)` (through `PCIBARMapper.attach(_:framebufferDirectlyInto:)`)
/// maps video RAM into `PhysicalMemory` as RAM pages wherever BAR0 decodes, so the CPU's soft TLB
/// reaches the framebuffer at RAM speed. The soft TLB is flushed whenever BAR0 moves (a mapping
/// change), decoded code from the old and new pages is dropped, and the device reports its own
/// writes to video RAM (legacy window, DISPI clear, restore) through
/// `PhysicalMemory.deviceWrote`. Without it (`PCIBARMapper.attach(_:)`), the LFB is MMIO
/// (`VGALinearFramebuffer`), one call per access.
public final class PCIVGAFunction: PCIFunction, MMIODevice {
    public static let identity = PCIDeviceIdentity(vendorID: 0x1234, deviceID: 0x1111, revision: 0x02,
                                                   classCode: PCIClassCode(baseClass: 0x03, subclass: 0x00),
                                                   subsystemVendorID: 0x1AF4, subsystemID: 0x1100)
    /// Where QEMU puts it: bus 0, device 2, function 0.
    public static let device = 2
    public static let function = 0
    /// BAR indexes and the register BAR's layout.
    public enum BAR {
        public static let framebuffer = 0
        public static let registers = 2
        public static let registersSize: UInt32 = 0x1000
    }
    enum MMIOOffset {
        static let vgaPorts: UInt32 = 0x400
        static let vgaPortsEnd: UInt32 = 0x420
        static let dispi: UInt32 = 0x500
        static let dispiEnd: UInt32 = 0x500 + 2 * UInt32(DISPI.Index.count)
    }

    public let config: PCIConfigSpace
    public let vga: VGADevice
    public let linearFramebuffer: VGALinearFramebuffer

    public init(vga: VGADevice) {
        self.vga = vga
        linearFramebuffer = VGALinearFramebuffer(vram: vga.vram)
        config = PCIConfigSpace(identity: Self.identity, interruptPin: nil, command: [],
                                commandWriteMask: [.ioSpace, .memorySpace])
        config.defineBAR(BAR.framebuffer, .memory(size: UInt32(vga.vram.size), prefetchable: true))
        config.defineBAR(BAR.registers, .memory(size: BAR.registersSize, prefetchable: false))
    }

    public func reset() { config.reset() }

    /// Keeps video RAM mapped as RAM pages in `memory` wherever BAR0 decodes (instead of the MMIO
    /// `linearFramebuffer`), now and after every change of BAR0.
    public func mapFramebufferDirectly(into memory: PhysicalMemory) {
        config.barObservers.append { [unowned self, unowned memory] index, old, new in
            guard index == BAR.framebuffer else { return }
            moveFramebuffer(in: memory, from: old, to: new)
        }
        moveFramebuffer(in: memory, from: nil, to: config.decodedRegion(BAR.framebuffer))
    }

    private func moveFramebuffer(in memory: PhysicalMemory, from old: PCIBARRegion?, to new: PCIBARRegion?) {
        guard old != new else { return }
        if let old { memory.unmapDeviceMemory(base: old.base) }
        vga.framebufferMapping = nil
        if let new {
            memory.mapDeviceMemory(vga.vram.bytes, base: new.base, size: new.size)
            vga.framebufferMapping = (memory, new.base)
        }
    }

    // MARK: BAR2 registers

    public func mmioRead(offset: UInt32, width: AccessWidth) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<UInt32(width.rawValue) { v |= UInt32(readByte(offset &+ i)) << (8 * i) }
        return v
    }

    public func mmioWrite(offset: UInt32, width: AccessWidth, value: UInt32) {
        if offset >= MMIOOffset.dispi && offset < MMIOOffset.dispiEnd && offset & 1 == 0 && width != .byte {
            // Whole 16-bit registers (a dword covers two).
            for i in stride(from: 0, to: width.rawValue, by: 2) {
                let o = offset &+ UInt32(i)
                guard o < MMIOOffset.dispiEnd else { break }
                vga.writeDISPI(index: UInt16((o - MMIOOffset.dispi) / 2), UInt16(truncatingIfNeeded: value >> (8 * UInt32(i))))
            }
            return
        }
        for i in 0..<UInt32(width.rawValue) { writeByte(offset &+ i, UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }

    private func readByte(_ o: UInt32) -> UInt8 {
        if o >= MMIOOffset.vgaPorts && o < MMIOOffset.vgaPortsEnd {
            return vga.readPortByte(0x3C0 + UInt16(o - MMIOOffset.vgaPorts))
        }
        if o >= MMIOOffset.dispi && o < MMIOOffset.dispiEnd {
            let r = vga.readDISPI(index: UInt16((o - MMIOOffset.dispi) / 2))
            return UInt8(truncatingIfNeeded: o & 1 == 0 ? r : r >> 8)
        }
        return 0
    }

    /// A byte write: VGA ports directly; half of a DISPI register by read-modify-write.
    private func writeByte(_ o: UInt32, _ value: UInt8) {
        if o >= MMIOOffset.vgaPorts && o < MMIOOffset.vgaPortsEnd {
            vga.writePortByte(0x3C0 + UInt16(o - MMIOOffset.vgaPorts), value)
        } else if o >= MMIOOffset.dispi && o < MMIOOffset.dispiEnd {
            let index = UInt16((o - MMIOOffset.dispi) / 2)
            let old = vga.readDISPI(index: index)
            let new = o & 1 == 0 ? (old & 0xFF00) | UInt16(value) : (old & 0x00FF) | UInt16(value) << 8
            vga.writeDISPI(index: index, new)
        }
    }
}
