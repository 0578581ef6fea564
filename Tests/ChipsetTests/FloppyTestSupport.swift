import Foundation
import EmulatorCore
import Storage
import TestSupport
@testable import Chipset

/// The byte at `offset` of the test images: each sector distinct, each byte within it too.
func floppyPattern(_ offset: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: (offset / 512) &* 37 &+ offset &* 11 &+ 5)
}

/// A floppy controller on IRQ 6 and DMA channel 2 of a fresh 8237A pair over 2 MiB of RAM, with
/// a pattern-filled image in drive 0, driven through ports like SeaBIOS and Linux's floppy.c.
final class FloppyBench {
    let scheduler = Scheduler()
    let irq = RecordingInterruptLine()
    let memory = PhysicalMemory(ramSize: 2 << 20)
    let dma: DMAController
    let fdc: FloppyController
    let image: TemporaryDiskImage
    let disk: RawFileBlockDevice

    init(geometry: FloppyGeometry = .m1_44, writeProtected: Bool = false, readOnlyFile: Bool = false,
         image existing: TemporaryDiskImage? = nil) throws {
        dma = DMAController(memory: memory)
        dma.reset()
        dma.configureCascadeAsFirmwareDoes()
        fdc = FloppyController(scheduler: scheduler, interrupt: irq, dma: dma)
        fdc.reset()
        image = existing ?? TemporaryDiskImage(byteCount: Int(geometry.byteCount), pattern: floppyPattern)
        disk = try RawFileBlockDevice(path: image.path, readOnly: readOnlyFile)
        try fdc.insert(disk, drive: 0, writeProtected: writeProtected)
    }

    func outb(_ port: UInt16, _ value: UInt8) { fdc.ioWrite(port: IOPort(port), width: .byte, value: UInt32(value)) }
    func inb(_ port: UInt16) -> UInt8 { UInt8(fdc.ioRead(port: IOPort(port), width: .byte)) }
    var msr: UInt8 { inb(0x3F4) }

    /// Lets virtual time pass (the controller's completions are 20 µs away).
    func settle() { scheduler.advance(to: scheduler.now + 1_000_000) }

    /// Writes a command the way floppy.c's output_byte does: wait for RQM with DIO clear.
    func command(_ bytes: [UInt8]) {
        for b in bytes {
            precondition(msr & 0xC0 == 0x80, "controller not ready for a command byte (MSR \(msr))")
            outb(0x3F5, b)
        }
    }

    /// Reads the result phase like floppy.c's result(): while MSR says RQM + DIO + busy.
    func result() -> [UInt8] {
        var out: [UInt8] = []
        while msr & 0xD0 == 0xD0 && out.count < 16 { out.append(inb(0x3F5)) }
        return out
    }

    /// DOR reset pulse as the BIOS does it (0x08, then 0x0C: DMA gate on, drive 0), then the
    /// interrupt and Linux's four SENSE INTERRUPT STATUS commands.
    @discardableResult
    func resetAndSense() -> [[UInt8]] {
        outb(0x3F2, 0x08)
        outb(0x3F2, 0x0C)
        settle()
        var results: [[UInt8]] = []
        for _ in 0..<4 {
            command([0x08])
            results.append(result())
        }
        return results
    }

    /// Resets, sets 500 kbps (CCR) and SPECIFY as Linux does for a 1.44M drive (DMA mode).
    func initialize(nonDMA: Bool = false, rate: UInt8 = 0) {
        resetAndSense()
        outb(0x3F7, rate)
        command([0x03, 0xCF, nonDMA ? 0x07 : 0x06])
    }

    func seek(drive: UInt8 = 0, head: UInt8 = 0, cylinder: UInt8) -> [UInt8] {
        command([0x0F, head << 2 | drive, cylinder])
        settle()
        command([0x08])
        return result()
    }

    /// SeaBIOS floppy_dma setup on channel 2: mask, flip-flop, address, count, mode, page, unmask.
    func programDMA(address: UInt32, bytes: Int, toMemory: Bool) {
        dma.ioWrite(port: IOPort(0x0A), width: .byte, value: 0x06)
        dma.ioWrite(port: IOPort(0x0C), width: .byte, value: 0)
        dma.ioWrite(port: IOPort(0x04), width: .byte, value: address & 0xFF)
        dma.ioWrite(port: IOPort(0x04), width: .byte, value: (address >> 8) & 0xFF)
        dma.ioWrite(port: IOPort(0x0C), width: .byte, value: 0)
        dma.ioWrite(port: IOPort(0x05), width: .byte, value: UInt32((bytes - 1) & 0xFF))
        dma.ioWrite(port: IOPort(0x05), width: .byte, value: UInt32(((bytes - 1) >> 8) & 0xFF))
        dma.ioWrite(port: IOPort(0x0B), width: .byte, value: toMemory ? 0x46 : 0x4A)
        dma.ioWrite(port: IOPort(0x81), width: .byte, value: (address >> 16) & 0xFF)
        dma.ioWrite(port: IOPort(0x0A), width: .byte, value: 0x02)
    }

    /// A read/write-style command (MFM set): opcode, head/drive, C H R N EOT GPL DTL.
    func rw(_ opcode: UInt8, drive: UInt8 = 0, head: UInt8, c: UInt8, h: UInt8? = nil, r: UInt8,
            n: UInt8 = 2, eot: UInt8 = 18) -> [UInt8] {
        command([opcode, head << 2 | drive, c, h ?? head, r, n, eot, 0x1B, 0xFF])
        settle()
        return result()
    }

    static func lba(_ c: Int, _ h: Int, _ r: Int, spt: Int = 18) -> Int { (c * 2 + h) * spt + r - 1 }
}
