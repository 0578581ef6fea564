// The PIIX3 IDE function: configuration, legacy port decode and SFF-8038i bus-master DMA,
// driven through I/O ports and guest memory the way ata_piix/libata's BMDMA helpers do.

import Foundation
import EmulatorCore
import Storage
import TestSupport
import Testing
@testable import Chipset

/// The IDE function on an I/O bus with 2 MiB of RAM, BAR4 mapped by a `PCIBARMapper`, a disk
/// as primary master and a CD-ROM as secondary master.
final class IDEBench {
    let ports = PortIOBus()
    let memory = PhysicalMemory(ramSize: 2 << 20)
    let irq14 = RecordingInterruptLine()
    let irq15 = RecordingInterruptLine()
    let image: TemporaryDiskImage
    let iso: TemporaryDiskImage
    let ide: PIIX3IDEFunction
    let mapper: PCIBARMapper
    static let bmBase: UInt16 = 0xC040

    init(image: TemporaryDiskImage? = nil, iso: TemporaryDiskImage? = nil, readOnly: Bool = false) throws {
        self.image = image ?? TemporaryDiskImage(byteCount: 1024 * 512) { UInt8(truncatingIfNeeded: ($0 / 512) &* 11 &+ $0 % 512) }
        self.iso = iso ?? TemporaryDiskImage(byteCount: 40 * 2048) { UInt8(truncatingIfNeeded: ($0 / 2048) &* 5 &+ $0 % 2048) }
        let disk = ATADisk(device: try RawFileBlockDevice(path: self.image.path, readOnly: readOnly), serial: "QM1")
        let cd = ATAPIDevice(cdrom: SCSICDROM(medium: try RawFileBlockDevice(path: self.iso.path, readOnly: true)), serial: "CD1")
        ide = PIIX3IDEFunction(memory: memory, primaryInterrupt: irq14, secondaryInterrupt: irq15,
                               primaryMaster: disk, secondaryMaster: cd)
        mapper = PCIBARMapper(memory: memory, ports: ports)
        mapper.attach(ide.config, bar: PIIX3IDEFunction.busMasterBAR, to: .io(ide))
        for r in PIIX3IDEFunction.legacyPortRanges { ports.register(ide, ports: r) }
    }

    func enable() { ide.configureAsFirmware(busMasterBase: Self.bmBase) }

    func outb(_ port: UInt16, _ v: UInt8) { ports.write(IOPort(port), width: .byte, value: UInt32(v)) }
    func inb(_ port: UInt16) -> UInt8 { UInt8(ports.read(IOPort(port), width: .byte)) }
    func outl(_ port: UInt16, _ v: UInt32) { ports.write(IOPort(port), width: .dword, value: v) }
    func inl(_ port: UInt16) -> UInt32 { ports.read(IOPort(port), width: .dword) }
    func inw(_ port: UInt16) -> UInt16 { UInt16(ports.read(IOPort(port), width: .word)) }

    func bm(_ channel: Int, _ offset: UInt16) -> UInt16 { Self.bmBase + UInt16(channel * 8) + offset }

    /// Writes a PRD table at `table`: (address, byte count, end of table) entries.
    func writePRD(at table: UInt32, _ entries: [(UInt32, UInt32, Bool)]) {
        for (i, e) in entries.enumerated() {
            let a = table + UInt32(8 * i)
            memory.write(GuestPhysicalAddress(a), width: .dword, value: e.0)
            memory.write(GuestPhysicalAddress(a + 4), width: .dword, value: (e.1 & 0xFFFF) | (e.2 ? 0x8000_0000 : 0))
        }
    }

    /// ata_bmdma_setup + ata_sff_exec_command + ata_bmdma_start for a 28-bit DMA command on the
    /// primary master.
    func dma(_ command: UInt8, lba: UInt32, count: UInt8, table: UInt32, toMemory: Bool) {
        outl(bm(0, 4), table)
        outb(bm(0, 0), toMemory ? 0x08 : 0x00)
        outb(bm(0, 2), inb(bm(0, 2)) | 0x06)
        outb(0x1F2, count)
        outb(0x1F3, UInt8(lba & 0xFF)); outb(0x1F4, UInt8((lba >> 8) & 0xFF)); outb(0x1F5, UInt8((lba >> 16) & 0xFF))
        outb(0x1F6, 0xE0 | UInt8((lba >> 24) & 0x0F))
        outb(0x1F7, command)
        outb(bm(0, 0), (toMemory ? 0x08 : 0x00) | 0x01)
    }

    /// ata_bmdma_stop: clear Start.
    func stop(_ channel: Int = 0) { outb(bm(channel, 0), inb(bm(channel, 0)) & ~0x01) }
}

@Suite("PIIX3 IDE function")
struct PIIX3IDETests {
    @Test("8086:7010, class 01/01/80, BAR0–3 unimplemented, BAR4 a 16-byte I/O BAR, IDETIM 0 at power-on")
    func identity() throws {
        let b = try IDEBench()
        let f = b.ide
        #expect(f.configRead(offset: 0, width: .dword) == 0x7010_8086)
        #expect(f.configRead(offset: 8, width: .dword) == 0x0101_8000)
        for bar in 0..<4 {
            f.configWrite(offset: 0x10 + 4 * bar, width: .dword, value: 0xFFFF_FFFF)
            #expect(f.configRead(offset: 0x10 + 4 * bar, width: .dword) == 0)
        }
        f.configWrite(offset: 0x20, width: .dword, value: 0xFFFF_FFFF)
        #expect(f.configRead(offset: 0x20, width: .dword) == 0xFFFF_FFF1)
        #expect(f.configRead(offset: 0x3D, width: .byte) == 0, "no INTx pin: legacy IRQs")
        #expect(f.configRead(offset: 0x40, width: .dword) == 0)
        f.configWrite(offset: 0x04, width: .word, value: 0xFFFF)
        #expect(f.configRead(offset: 0x04, width: .word) == 0x0005, "I/O space and bus master only")
    }

    @Test("legacy ports decode only with I/O Space and the channel's IDETIM decode bit")
    func decode() throws {
        let b = try IDEBench()
        #expect(b.inb(0x1F7) == 0xFF && b.inb(0x177) == 0xFF)
        b.ide.configWrite(offset: 0x04, width: .word, value: 0x0001)
        b.ide.configWrite(offset: 0x40, width: .word, value: 0x8000)
        #expect(b.inb(0x1F7) == 0x50 && b.inb(0x3F6) == 0x50)
        #expect(b.inb(0x177) == 0xFF, "secondary still off")
        b.ide.configWrite(offset: 0x42, width: .word, value: 0x8000)
        #expect(b.inb(0x177) == 0x00 && b.inb(0x174) == 0x14 && b.inb(0x175) == 0xEB)
        b.ide.configWrite(offset: 0x04, width: .word, value: 0x0000)
        #expect(b.inb(0x1F7) == 0xFF)
        #expect(!b.ports.isClaimed(IOPort(IDEBench.bmBase)))
        b.enable()
        #expect(b.ports.isClaimed(IOPort(IDEBench.bmBase)) && b.ports.isClaimed(IOPort(IDEBench.bmBase + 15)))
        #expect(b.inb(b.bm(0, 2)) == 0x00 && b.inb(b.bm(0, 0)) == 0x00)
    }

    @Test("PIO through the legacy ports raises IRQ 14 and sets the bus master's Interrupt bit (write 1 to clear)")
    func pioInterrupt() throws {
        let b = try IDEBench()
        b.enable()
        b.outb(0x1F6, 0xE0); b.outb(0x1F2, 1); b.outb(0x1F3, 9); b.outb(0x1F4, 0); b.outb(0x1F5, 0)
        b.outb(0x1F7, 0x20)
        #expect(b.irq14.level && b.inb(b.bm(0, 2)) & 0x04 != 0)
        #expect(b.inb(0x1F7) == 0x58 && !b.irq14.level)
        var bytes: [UInt8] = []
        for _ in 0..<128 {
            let v = b.inl(0x1F0)
            bytes += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
        }
        #expect(bytes == b.image.bytes(at: 9 * 512, count: 512))
        b.outb(b.bm(0, 2), 0x04)
        #expect(b.inb(b.bm(0, 2)) & 0x04 == 0)
        #expect(!b.irq15.level)
    }

    @Test("READ DMA through a two-entry PRD table: memory filled, IRQ 14, Interrupt set, Active clear at EOT")
    func dmaRead() throws {
        let b = try IDEBench()
        b.enable()
        b.writePRD(at: 0x1000, [(0x10000, 1024, false), (0x23000, 1024, true)])
        b.dma(0xC8, lba: 100, count: 4, table: 0x1000, toMemory: true)
        #expect(b.irq14.level)
        #expect(b.inb(b.bm(0, 2)) & 0x07 == 0x04, "Interrupt, no Error, not Active")
        #expect(b.inb(0x1F7) == 0x50)
        b.stop()
        #expect(b.memory.bytes(at: 0x10000, count: 1024) == b.image.bytes(at: 100 * 512, count: 1024))
        #expect(b.memory.bytes(at: 0x23000, count: 1024) == b.image.bytes(at: 102 * 512, count: 1024))
    }

    @Test("WRITE DMA: guest memory reaches the image; a PRD table longer than the transfer leaves Active set")
    func dmaWrite() throws {
        let b = try IDEBench()
        b.enable()
        let data = (0..<1536).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 9) }
        b.memory.load(data, at: 0x40000)
        b.writePRD(at: 0x2000, [(0x40000, 1536, false), (0x50000, 4096, true)])
        b.dma(0xCA, lba: 7, count: 3, table: 0x2000, toMemory: false)
        #expect(b.irq14.level && b.inb(b.bm(0, 2)) & 0x07 == 0x05, "Interrupt and still Active")
        #expect(b.inb(0x1F7) == 0x50)
        b.stop()
        #expect(b.inb(b.bm(0, 2)) & 0x01 == 0)
        #expect(b.image.bytes(at: 7 * 512, count: 1536) == data)
    }

    @Test("starting the engine before the command works as well (the order some drivers use)")
    func startFirst() throws {
        let b = try IDEBench()
        b.enable()
        b.writePRD(at: 0x1000, [(0x30000, 512, true)])
        b.outl(b.bm(0, 4), 0x1000)
        b.outb(b.bm(0, 0), 0x09)
        #expect(b.inb(b.bm(0, 2)) & 0x01 != 0)
        b.outb(0x1F6, 0xE0); b.outb(0x1F2, 1); b.outb(0x1F3, 3); b.outb(0x1F4, 0); b.outb(0x1F5, 0)
        b.outb(0x1F7, 0xC8)
        #expect(b.inb(b.bm(0, 2)) & 0x07 == 0x04)
        #expect(b.memory.bytes(at: 0x30000, count: 512) == b.image.bytes(at: 3 * 512, count: 512))
    }

    @Test("a PRD table shorter than the transfer: Active clears, the drive aborts with an interrupt (no hang)")
    func shortTable() throws {
        let b = try IDEBench()
        b.enable()
        b.writePRD(at: 0x1000, [(0x10000, 512, true)])
        b.dma(0xC8, lba: 0, count: 2, table: 0x1000, toMemory: true)
        #expect(b.irq14.level && b.inb(b.bm(0, 2)) & 0x07 == 0x04)
        #expect(b.inb(0x1F7) == 0x51 && b.inb(0x1F1) == 0x04)
    }

    @Test("hostile PRD tables end in Error + ABRT + IRQ: table outside RAM, region outside RAM, endless table")
    func hostileTables() throws {
        let b = try IDEBench()
        b.enable()
        // Table pointer far above RAM.
        b.dma(0xC8, lba: 0, count: 1, table: 0xF000_0000, toMemory: true)
        #expect(b.inb(b.bm(0, 2)) & 0x07 == 0x06 && b.inb(0x1F7) == 0x51)
        b.stop()
        // A region in unmapped space, and one over ROM for a device-to-memory transfer.
        b.memory.mapROM([UInt8](repeating: 0xC3, count: 4096), at: 0xFFFF_F000)
        for region: UInt32 in [0xE000_0000, 0xFFFF_F000] {
            b.writePRD(at: 0x1000, [(region, 512, true)])
            b.dma(0xC8, lba: 0, count: 1, table: 0x1000, toMemory: true)
            #expect(b.inb(b.bm(0, 2)) & 0x07 == 0x06 && b.inb(0x1F7) == 0x51, "region \(region)")
            b.stop()
        }
        #expect(b.memory.bytes(at: 0xFFFF_F000, count: 4) == [0xC3, 0xC3, 0xC3, 0xC3])
        // 9000 two-byte descriptors without EOT for a 128 KiB transfer: stopped at 8192 descriptors.
        b.writePRD(at: 0x100000, (0..<9000).map { _ in (0x80000, 2, false) })
        b.dma(0xC8, lba: 0, count: 0, table: 0x100000, toMemory: true)
        #expect(b.inb(b.bm(0, 2)) & 0x07 == 0x06 && b.inb(0x1F7) == 0x51)
        b.stop()
        // A well-formed transfer still works afterwards.
        b.writePRD(at: 0x1000, [(0x10000, 512, true)])
        b.dma(0xC8, lba: 5, count: 1, table: 0x1000, toMemory: true)
        #expect(b.inb(b.bm(0, 2)) & 0x07 == 0x04 && b.inb(0x1F7) == 0x50)
    }

    @Test("wrong direction, or Bus Master Enable clear: Error, and the drive aborts")
    func directionAndEnable() throws {
        let b = try IDEBench()
        b.enable()
        b.writePRD(at: 0x1000, [(0x10000, 512, true)])
        b.dma(0xC8, lba: 0, count: 1, table: 0x1000, toMemory: false)
        #expect(b.inb(b.bm(0, 2)) & 0x07 == 0x06 && b.inb(0x1F7) == 0x51)
        b.stop()
        b.ide.configWrite(offset: 0x04, width: .word, value: 0x0001)
        b.dma(0xC8, lba: 0, count: 1, table: 0x1000, toMemory: true)
        #expect(b.inb(b.bm(0, 2)) & 0x07 == 0x06 && b.inb(0x1F7) == 0x51)
    }

    @Test("WRITE DMA to a read-only image: ABRT at once, nothing written, engine untouched")
    func readOnlyDMA() throws {
        let b = try IDEBench(readOnly: true)
        b.enable()
        let before = b.image.contents
        b.memory.load([UInt8](repeating: 0x77, count: 512), at: 0x10000)
        b.writePRD(at: 0x1000, [(0x10000, 512, true)])
        b.dma(0xCA, lba: 0, count: 1, table: 0x1000, toMemory: false)
        #expect(b.inb(0x1F7) == 0x51 && b.inb(0x1F1) == 0x04)
        #expect(b.image.contents == before)
    }

    @Test("DMA over decoded code invalidates it, as a CPU store would")
    func dmaInvalidatesCode() throws {
        let b = try IDEBench()
        b.enable()
        let page = 0x10000 >> 12
        b.memory.markCodePage(page)
        let generation = b.memory.codeGeneration[page]
        b.writePRD(at: 0x1000, [(0x10000, 512, true)])
        b.dma(0xC8, lba: 1, count: 1, table: 0x1000, toMemory: true)
        #expect(b.memory.codeGeneration[page] == generation &+ 1 && b.memory.codePage[page] == 0)
    }

    @Test("ATAPI READ(10) by DMA on the secondary channel raises IRQ 15")
    func atapiDMA() throws {
        let b = try IDEBench()
        b.enable()
        b.writePRD(at: 0x3000, [(0x60000, 4096, true)])
        b.outl(b.bm(1, 4), 0x3000)
        b.outb(b.bm(1, 0), 0x08)
        b.outb(0x176, 0xA0)
        b.outb(0x171, 0x01)
        b.outb(0x177, 0xA0)
        #expect(b.inb(0x376) & 0x08 != 0 && b.inb(0x172) == 0x01)
        let cdb: [UInt8] = [0x28, 0, 0, 0, 0, 16, 0, 0, 2, 0, 0, 0]
        for i in stride(from: 0, to: 12, by: 2) {
            b.ports.write(IOPort(0x170), width: .word, value: UInt32(cdb[i]) | UInt32(cdb[i + 1]) << 8)
        }
        #expect(!b.irq15.level, "nothing moves before the engine starts")
        b.outb(b.bm(1, 0), 0x09)
        #expect(b.irq15.level && !b.irq14.level)
        #expect(b.inb(b.bm(1, 2)) & 0x07 == 0x04)
        #expect(b.inb(0x177) == 0x50 && b.inb(0x172) == 0x03)
        #expect(b.memory.bytes(at: 0x60000, count: 4096) == b.iso.bytes(at: 16 * 2048, count: 4096))
    }

    @Test("Linux-style probe of the absent primary slave: pattern reads back, status 00h, signature FFh")
    func absentSlave() throws {
        let b = try IDEBench()
        b.enable()
        b.outb(0x1F6, 0xB0)
        b.outb(0x1F2, 0x55); b.outb(0x1F3, 0xAA)
        #expect(b.inb(0x1F2) == 0x55 && b.inb(0x1F3) == 0xAA && b.inb(0x1F7) == 0x00 && b.inb(0x3F6) == 0x00)
        b.outb(0x1F6, 0xA0)
        b.outb(0x3F6, 0x06); b.outb(0x3F6, 0x02)
        b.outb(0x1F6, 0xB0)
        #expect(b.inb(0x1F4) == 0xFF && b.inb(0x1F5) == 0xFF && b.inb(0x1F7) == 0x00)
    }

    @Test("save → new function → restore: configuration, bus-master registers and a PIO read mid-sector")
    func saveRestore() throws {
        let b = try IDEBench()
        b.enable()
        b.ide.configWrite(offset: 0x40, width: .word, value: 0xA307)
        b.outl(b.bm(0, 4), 0x1230)
        b.outb(b.bm(0, 2), 0x60)
        b.outb(0x1F6, 0xE0); b.outb(0x1F2, 2); b.outb(0x1F3, 50); b.outb(0x1F4, 0); b.outb(0x1F5, 0)
        b.outb(0x1F7, 0x20)
        let first = (0..<77).flatMap { _ -> [UInt8] in let w = b.inw(0x1F0); return [UInt8(w & 0xFF), UInt8(w >> 8)] }
        let saved = b.ide.saveState()
        let c = try IDEBench(image: b.image, iso: b.iso)
        try c.ide.restoreState(saved)
        #expect(c.ide.saveState() == saved)
        #expect(c.ports.isClaimed(IOPort(IDEBench.bmBase)), "BAR4 mapped again on restore")
        #expect(c.inl(c.bm(0, 4)) == 0x1230 && c.inb(c.bm(0, 2)) == 0x64)
        #expect(c.ide.configRead(offset: 0x40, width: .word) == 0xA307)
        #expect(c.irq14.level, "the pending interrupt is driven again")
        let rest = (0..<(512 - 77)).flatMap { _ -> [UInt8] in let w = c.inw(0x1F0); return [UInt8(w & 0xFF), UInt8(w >> 8)] }
        #expect(first + rest == b.image.bytes(at: 50 * 512, count: 1024))
        #expect(c.inb(0x1F7) == 0x50)
        var bad = saved
        bad.busMasters[0].status = 0x80
        #expect(throws: (any Error).self) { try c.ide.restoreState(bad) }
    }

    @Test("reset returns decode, bus masters and drives to power-on state")
    func reset() throws {
        let b = try IDEBench()
        b.enable()
        b.outb(0x1F7, 0xEC)
        b.ide.reset()
        #expect(b.inb(0x1F7) == 0xFF && !b.ports.isClaimed(IOPort(IDEBench.bmBase)))
        b.enable()
        #expect(b.inb(0x1F7) == 0x50 && b.inb(b.bm(0, 2)) == 0 && !b.irq14.level)
    }
}
