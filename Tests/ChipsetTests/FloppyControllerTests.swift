import Foundation
import Testing
import EmulatorCore
import Storage
import TestSupport
@testable import Chipset

@Suite("Floppy controller (82077AA)")
struct FloppyControllerTests {
    @Test("power-on holds the controller in reset; a DOR reset pulse gives one IRQ and four polling statuses")
    func resetPolling() throws {
        let b = try FloppyBench()
        #expect(b.msr == 0x00, "DOR 0 holds nRESET low")
        b.outb(0x3F2, 0x0C)
        #expect(b.msr == 0x80)
        #expect(!b.irq.level, "the interrupt comes a little later")
        b.settle()
        #expect(b.irq.level && b.irq.risingEdges == 1)
        var results: [[UInt8]] = []
        for _ in 0..<4 {
            b.command([0x08])
            results.append(b.result())
        }
        #expect(results == [[0xC0, 0], [0xC1, 0], [0xC2, 0], [0xC3, 0]])
        #expect(!b.irq.level)
        b.command([0x08])
        #expect(b.result() == [0x80], "nothing left to sense: invalid command")
        // DSR software reset (bit 7) does the same without touching the DOR.
        b.outb(0x3F4, 0x80)
        b.settle()
        #expect(b.irq.risingEdges == 2)
        #expect(b.inb(0x3F2) == 0x0C)
    }

    @Test("with DMA GATE off the controller works but INT stays low")
    func dmaGateFloatsInterrupt() throws {
        let b = try FloppyBench()
        b.outb(0x3F2, 0x04)
        b.settle()
        #expect(!b.irq.level)
        b.outb(0x3F2, 0x0C)
        #expect(b.irq.level, "the pending interrupt appears once the gate opens")
    }

    @Test("Linux's controller probe: DUMPREG, CONFIGURE, PERPENDICULAR, UNLOCK, PART ID, VERSION")
    func versionProbe() throws {
        let b = try FloppyBench()
        b.initialize()
        b.command([0x0E])
        let dump = b.result()
        #expect(dump.count == 10)
        #expect(dump[4] == 0xCF && dump[5] == 0x06, "SPECIFY bytes")
        #expect(dump[8] == 0x20, "power-on CONFIGURE: FIFO off, polling on")
        b.command([0x13, 0x00, 0x1A, 0x00])
        #expect(b.msr == 0x80, "CONFIGURE has no result phase")
        b.command([0x12, 0x00])
        #expect(b.msr == 0x80)
        b.command([0x14])
        #expect(b.result() == [0x00])
        b.command([0x18])
        #expect(b.result() == [0x80], "PART ID: an 82077AA says invalid (Linux: post-1991 82077)")
        b.command([0x10])
        #expect(b.result() == [0x90])
        b.command([0x94])
        #expect(b.result() == [0x10])
        b.command([0x0E])
        let locked = b.result()
        #expect(locked[7] & 0x80 != 0 && locked[8] == 0x1A)
        // LOCK keeps the FIFO settings over a software reset; polling comes back on.
        b.outb(0x3F4, 0x80)
        b.settle()
        for _ in 0..<4 { b.command([0x08]); _ = b.result() }
        b.command([0x0E])
        #expect(b.result()[8] == 0x0A)
    }

    @Test("seek, relative seek and recalibrate end with an interrupt and SENSE INTERRUPT STATUS reports the PCN")
    func seekAndRecalibrate() throws {
        let b = try FloppyBench()
        b.initialize()
        b.command([0x0F, 0x04, 10])
        #expect(b.msr & 0x01 != 0, "drive 0 busy seeking")
        #expect(!b.irq.level)
        b.settle()
        #expect(b.irq.level)
        b.command([0x08])
        #expect(b.result() == [0x24, 10])
        #expect(b.msr == 0x80 && !b.irq.level)
        // RELATIVE SEEK outward by 3.
        b.command([0x8F, 0x00, 3])
        b.settle()
        b.command([0x08])
        #expect(b.result() == [0x20, 7])
        b.command([0x04, 0x00])
        #expect(b.result() == [0x28], "SENSE DRIVE STATUS: not at track 0, two-sided")
        b.command([0x07, 0x00])
        b.settle()
        b.command([0x08])
        #expect(b.result() == [0x20, 0])
        b.command([0x04, 0x04])
        #expect(b.result() == [0x3C], "track 0, head 1, ready, two-sided")
        // Drive 2 is not attached: no TRK0, so recalibrate fails with EC.
        b.command([0x07, 0x02])
        b.settle()
        b.command([0x08])
        #expect(b.result() == [0x72, 0])
    }

    @Test("READ DATA through DMA channel 2 puts the sector in RAM and ends normally at TC")
    func readDataDMA() throws {
        let b = try FloppyBench()
        b.initialize()
        #expect(b.seek(cylinder: 1) == [0x20, 1])
        b.programDMA(address: 0x1_2000, bytes: 512, toMemory: true)
        b.irq.clearHistory()
        let r = b.rw(0xE6, head: 1, c: 1, r: 3)
        #expect(r == [0x04, 0x00, 0x00, 1, 1, 4, 2])
        let lba = FloppyBench.lba(1, 1, 3)
        #expect(b.memory.bytes(at: 0x1_2000, count: 512) == (0..<512).map { floppyPattern(lba * 512 + $0) })
        #expect(b.memory.bytes(at: 0x1_2200, count: 1) == [0])
        #expect(b.irq.risingEdges == 1 && !b.irq.level, "INT falls when the first result byte is read")
    }

    @Test("WRITE DATA reaches the image file, and the neighbours stay as they were")
    func writeDataDMA() throws {
        let b = try FloppyBench()
        b.initialize()
        #expect(b.seek(cylinder: 2) == [0x20, 2])
        let data = (0..<1024).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        b.memory.load(data, at: 0x3000)
        b.programDMA(address: 0x3000, bytes: 1024, toMemory: false)
        let r = b.rw(0xC5, head: 0, c: 2, r: 5)
        #expect(r == [0x00, 0x00, 0x00, 2, 0, 7, 2])
        let lba = FloppyBench.lba(2, 0, 5)
        #expect(b.image.bytes(at: lba * 512, count: 1024) == data)
        #expect(b.image.bytes(at: lba * 512 - 512, count: 512) == (0..<512).map { floppyPattern((lba - 1) * 512 + $0) })
        #expect(b.image.bytes(at: lba * 512 + 1024, count: 512) == (0..<512).map { floppyPattern((lba + 2) * 512 + $0) })
        try b.fdc.flush()
    }

    @Test("a multi-track read runs from head 0's last sectors onto head 1; without MT it stops at EOT with EN")
    func multiSectorAndMultiTrack() throws {
        let b = try FloppyBench()
        b.initialize()
        b.programDMA(address: 0x8000, bytes: 4 * 512, toMemory: true)
        let r = b.rw(0xE6, head: 0, c: 0, r: 17)
        #expect(r == [0x04, 0x00, 0x00, 0, 1, 3, 2], "ST0 HD: the head in use at the end")
        let first = FloppyBench.lba(0, 0, 17)
        #expect(b.memory.bytes(at: 0x8000, count: 2048) == (0..<2048).map { floppyPattern(first * 512 + $0) })

        // TC exactly at EOT of head 1 with MT: C + 1, H back to 0, R 1.
        b.programDMA(address: 0x8000, bytes: 512, toMemory: true)
        #expect(b.rw(0xE6, head: 1, c: 0, r: 18) == [0x04, 0x00, 0x00, 1, 0, 1, 2])

        // No MT and more DMA room than sectors up to EOT: abnormal end with ST1 EN, C + 1, R 1.
        b.programDMA(address: 0x8000, bytes: 8 * 512, toMemory: true)
        #expect(b.rw(0x46, head: 0, c: 0, r: 16) == [0x40, 0x80, 0x00, 1, 0, 1, 2])
        #expect(b.memory.bytes(at: 0x8000 + 1024, count: 512) == (0..<512).map { floppyPattern((first + 1) * 512 + $0) })
    }

    @Test("READ TRACK reads from the index hole on, noting ID mismatches with ST1 ND")
    func readTrack() throws {
        let b = try FloppyBench()
        b.initialize()
        b.programDMA(address: 0x8000, bytes: 3 * 512, toMemory: true)
        #expect(b.rw(0x42, head: 1, c: 0, r: 1, eot: 3) == [0x04, 0x00, 0x00, 0, 1, 4, 2])
        let first = FloppyBench.lba(0, 1, 1)
        #expect(b.memory.bytes(at: 0x8000, count: 1536) == (0..<1536).map { floppyPattern(first * 512 + $0) })
        b.programDMA(address: 0x8000, bytes: 2 * 512, toMemory: true)
        #expect(b.rw(0x42, head: 0, c: 0, r: 7, eot: 2) == [0x00, 0x04, 0x00, 0, 0, 9, 2])
        #expect(b.memory.bytes(at: 0x8000, count: 1024) == (0..<1024).map { floppyPattern($0) })
    }

    @Test("READ DELETED DATA meets normal data marks: CM, then one sector read, or all skipped with SK")
    func readDeletedData() throws {
        let b = try FloppyBench()
        b.initialize()
        b.programDMA(address: 0x8000, bytes: 2 * 512, toMemory: true)
        #expect(b.rw(0x4C, head: 0, c: 0, r: 1) == [0x00, 0x00, 0x40, 0, 0, 2, 2])
        #expect(b.memory.bytes(at: 0x8000, count: 512) == (0..<512).map(floppyPattern))
        #expect(b.memory.bytes(at: 0x8200, count: 4) == [0, 0, 0, 0])
        b.programDMA(address: 0xA000, bytes: 2 * 512, toMemory: true)
        #expect(b.rw(0x6C, head: 0, c: 0, r: 1, eot: 3) == [0x40, 0x80, 0x40, 1, 0, 1, 2])
        #expect(b.memory.bytes(at: 0xA000, count: 4) == [0, 0, 0, 0])
    }

    @Test("READ ID reports the IDs passing the head, one after the other")
    func readID() throws {
        let b = try FloppyBench()
        b.initialize()
        #expect(b.seek(head: 1, cylinder: 5) == [0x24, 5])
        b.command([0x4A, 0x04])
        #expect(b.msr & 0x80 == 0, "busy in the execution phase")
        b.settle()
        let first = b.result()
        b.command([0x4A, 0x04])
        b.settle()
        let second = b.result()
        #expect(first.count == 7 && first[0...4] == [0x04, 0, 0, 5, 1])
        #expect(second[5] == first[5] % 18 + 1 && second[6] == 2)
    }

    @Test("FORMAT TRACK takes the IDs by DMA and fills the track's sectors with the fill byte")
    func formatTrack() throws {
        let b = try FloppyBench()
        b.initialize()
        #expect(b.seek(head: 1, cylinder: 2) == [0x24, 2])
        // Interleaved IDs, as fdformat builds them.
        let order = (0..<18).map { ($0 * 2) % 18 + ($0 * 2 >= 18 ? 2 : 1) }
        var ids: [UInt8] = []
        for r in order { ids += [2, 1, UInt8(r), 2] }
        b.memory.load(ids, at: 0x6000)
        b.programDMA(address: 0x6000, bytes: ids.count, toMemory: false)
        b.command([0x4D, 0x04, 2, 18, 0x54, 0xF6])
        b.settle()
        let r = b.result()
        #expect(r[0...2] == [0x04, 0x00, 0x00])
        let track = FloppyBench.lba(2, 1, 1)
        #expect(b.image.bytes(at: track * 512, count: 18 * 512) == [UInt8](repeating: 0xF6, count: 18 * 512))
        #expect(b.image.bytes(at: (track - 1) * 512, count: 512) == (0..<512).map { floppyPattern((track - 1) * 512 + $0) })
        #expect(b.image.bytes(at: (track + 18) * 512, count: 1) == [floppyPattern((track + 18) * 512)])
        // A format the image cannot hold (N = 3) fails instead of losing data.
        b.programDMA(address: 0x6000, bytes: ids.count, toMemory: false)
        b.command([0x4D, 0x04, 3, 9, 0x54, 0x00])
        b.settle()
        #expect(b.result()[0...1] == [0x44, 0x04])
    }

    @Test("a write to a write-protected medium fails with ST1 NW and leaves the file alone")
    func writeProtected() throws {
        for (flag, readOnly) in [(true, false), (false, true)] {
            let b = try FloppyBench(writeProtected: flag, readOnlyFile: readOnly)
            b.initialize()
            b.command([0x04, 0x00])
            #expect(b.result()[0] & 0x40 != 0, "ST3 WP")
            b.memory.load([UInt8](repeating: 0xEE, count: 512), at: 0x3000)
            b.programDMA(address: 0x3000, bytes: 512, toMemory: false)
            #expect(b.rw(0xC5, head: 0, c: 0, r: 1) == [0x40, 0x02, 0x00, 0, 0, 1, 2])
            #expect(b.image.bytes(at: 0, count: 512) == (0..<512).map(floppyPattern))
            b.programDMA(address: 0x3000, bytes: 18 * 4, toMemory: false)
            b.command([0x4D, 0x00, 2, 18, 0x54, 0xF6])
            b.settle()
            #expect(b.result()[0...1] == [0x40, 0x02])
        }
    }

    @Test("a sector or cylinder the track does not have ends with ST1 ND (and ST2 WC for the cylinder)")
    func wrongSector() throws {
        let b = try FloppyBench()
        b.initialize()
        b.programDMA(address: 0x3000, bytes: 512, toMemory: true)
        #expect(b.rw(0xE6, head: 0, c: 0, r: 19) == [0x40, 0x04, 0x00, 0, 0, 19, 2])
        #expect(b.rw(0xE6, head: 0, c: 3, r: 1) == [0x40, 0x04, 0x10, 3, 0, 1, 2], "head is on cylinder 0")
        #expect(b.rw(0xE6, head: 0, c: 0, r: 1, n: 3) == [0x40, 0x04, 0x00, 0, 0, 1, 3])
        #expect(b.rw(0xE6, head: 0, c: 0, h: 1, r: 1) == [0x40, 0x04, 0x00, 0, 1, 1, 2])
        #expect(b.memory.bytes(at: 0x3000, count: 16) == [UInt8](repeating: 0, count: 16))
    }

    @Test("a data rate the medium was not written at, FM mode, or an empty drive: ST1 MA")
    func dataRateMismatch() throws {
        let b = try FloppyBench()
        b.initialize(rate: 2)  // 250 kbps: a DD rate, the medium is HD
        b.command([0x4A, 0x00])
        b.settle()
        #expect(b.result()[0...1] == [0x40, 0x01])
        b.outb(0x3F7, 0)
        b.command([0x4A, 0x00])
        b.settle()
        #expect(b.result()[0...1] == [0x00, 0x00])
        b.command([0x0A, 0x00])
        b.settle()
        #expect(b.result()[0...1] == [0x40, 0x01], "FM READ ID on an MFM medium")
        b.command([0x4A, 0x01])
        b.settle()
        #expect(b.result()[0...1] == [0x41, 0x01], "drive 1 is empty")

        // A 360K medium reads at 250 or 300 kbps but not 500.
        let dd = try FloppyBench(geometry: .k360)
        dd.initialize(rate: 1)
        dd.programDMA(address: 0x3000, bytes: 512, toMemory: true)
        #expect(dd.rw(0xE6, head: 1, c: 0, r: 9, eot: 9) == [0x04, 0, 0, 1, 0, 1, 2])
        dd.outb(0x3F7, 0)
        #expect(dd.rw(0xE6, head: 0, c: 0, r: 1, eot: 9)[0...1] == [0x40, 0x01])
    }

    @Test("non-DMA mode: the FIFO delivers the sector byte by byte with an interrupt per byte, ending at EOT")
    func pioRead() throws {
        let b = try FloppyBench()
        b.initialize(nonDMA: true)
        b.irq.clearHistory()
        b.command([0x66, 0x00, 0, 0, 2, 2, 2, 0x1B, 0xFF])
        b.settle()
        var bytes: [UInt8] = []
        while b.msr & 0xA0 == 0xA0 && bytes.count < 600 {
            #expect(b.msr == 0xF0, "RQM, DIO, NON DMA, busy")
            #expect(b.irq.level)
            bytes.append(b.inb(0x3F5))
        }
        #expect(bytes == (0..<512).map { floppyPattern(512 + $0) })
        #expect(b.irq.risingEdges == 513, "one per byte and one for the result phase")
        // No TC without DMA: the read runs into EOT and reports EN, as Linux's pseudo-DMA expects.
        #expect(b.result() == [0x40, 0x80, 0x00, 1, 0, 1, 2])
    }

    @Test("non-DMA write with the FIFO enabled: an interrupt per threshold group, data reaches the file")
    func pioWrite() throws {
        let b = try FloppyBench()
        b.initialize(nonDMA: true)
        b.command([0x13, 0x00, 0x07, 0x00])  // FIFO on, threshold 8
        b.irq.clearHistory()
        b.command([0x45, 0x00, 0, 0, 1, 2, 1, 0x1B, 0xFF])
        b.settle()
        #expect(b.msr == 0xB0, "RQM, NON DMA, busy, host to controller")
        let data = (0..<512).map { UInt8(truncatingIfNeeded: 255 - $0) }
        for v in data {
            #expect(b.msr & 0xE0 == 0xA0)
            b.outb(0x3F5, v)
        }
        #expect(b.irq.risingEdges == 64 + 1)
        #expect(b.result() == [0x40, 0x80, 0x00, 1, 0, 1, 2])
        #expect(b.image.bytes(at: 0, count: 512) == data)
    }

    @Test("DIR bit 7: set after insert and eject, cleared only by a step pulse with a medium present")
    func mediaChange() throws {
        let b = try FloppyBench()
        b.initialize()
        #expect(b.inb(0x3F7) & 0x80 != 0, "a freshly inserted medium")
        #expect(b.seek(cylinder: 0) == [0x20, 0])
        #expect(b.inb(0x3F7) & 0x80 != 0, "no step pulse: still set")
        #expect(b.seek(cylinder: 1) == [0x20, 1])
        #expect(b.inb(0x3F7) & 0x80 == 0)
        b.fdc.eject(drive: 0)
        #expect(b.inb(0x3F7) & 0x80 != 0)
        #expect(b.seek(cylinder: 0) == [0x20, 0])
        #expect(b.inb(0x3F7) & 0x80 != 0, "stepping an empty drive does not clear it")
        try b.fdc.insert(b.disk, drive: 0)
        #expect(b.inb(0x3F7) & 0x80 != 0)
        b.command([0x07, 0x00])  // recalibrate at track 0: no pulse
        b.settle()
        b.command([0x08])
        _ = b.result()
        #expect(b.inb(0x3F7) & 0x80 != 0)
        #expect(b.seek(cylinder: 1) == [0x20, 1])
        #expect(b.inb(0x3F7) & 0x80 == 0)
        // DIR follows the drive selected in the DOR: drive 1 is empty.
        b.outb(0x3F2, 0x0D)
        #expect(b.inb(0x3F7) & 0x80 != 0)
    }

    @Test("image sizes pick the format; other sizes and drives are refused")
    func geometryDetection() throws {
        for g in FloppyGeometry.standard {
            #expect(FloppyGeometry.detect(byteCount: g.byteCount) == g)
        }
        #expect(FloppyGeometry.detect(byteCount: 1_474_560) == .m1_44)
        #expect(FloppyGeometry.detect(byteCount: 1_720_320) == .m1_68DMF)
        #expect(FloppyGeometry.detect(byteCount: 2_949_120) == .m2_88)
        #expect(FloppyGeometry.detect(byteCount: 1_474_560 + 512) == nil)
        let b = try FloppyBench()
        let odd = TemporaryDiskImage(byteCount: 100 * 512)
        let disk = try RawFileBlockDevice(path: odd.path)
        #expect(throws: FloppyMediaError.unknownSize(bytes: 51_200)) { try b.fdc.insert(disk, drive: 1) }
        #expect(throws: FloppyMediaError.noSuchDrive(2)) { try b.fdc.insert(b.disk, drive: 2) }
        #expect(b.fdc.geometry(drive: 0) == .m1_44)
    }

    @Test("hostile parameters: far seeks, bad N/R/EOT, DMA past RAM, random command streams — statuses, no crash")
    func hostileParameters() throws {
        let b = try FloppyBench()
        b.initialize()
        // Seek far past the medium: the head stops at its end stop; no IDs there.
        #expect(b.seek(cylinder: 250) == [0x20, 250])
        b.programDMA(address: 0x3000, bytes: 512, toMemory: true)
        #expect(b.rw(0xE6, head: 0, c: 250, r: 1)[0...1] == [0x40, 0x01])
        #expect(b.seek(cylinder: 0) == [0x20, 0])
        #expect(b.rw(0xE6, head: 0, c: 0, r: 0)[0...1] == [0x40, 0x04])
        #expect(b.rw(0xE6, head: 0, c: 0, r: 1, n: 0xFF)[0...1] == [0x40, 0x04])
        b.programDMA(address: 0x3000, bytes: 1024, toMemory: true)
        #expect(b.rw(0xE6, head: 0, c: 0, r: 18, eot: 0)[0...1] == [0x40, 0x04], "R past EOT runs off the track")
        // DMA aimed past the end of RAM: the data goes nowhere, the command ends at TC.
        b.dma.ioWrite(port: IOPort(0x0A), width: .byte, value: 0x06)
        b.programDMA(address: 0xFF_FE00, bytes: 512, toMemory: true)
        #expect(b.rw(0xE6, head: 0, c: 0, r: 1) == [0x00, 0x00, 0x00, 0, 0, 2, 2])
        // A write whose DMA count ends mid-sector: the rest of the sector is zero-filled.
        b.memory.load([UInt8](repeating: 0x77, count: 100), at: 0x5000)
        b.programDMA(address: 0x5000, bytes: 100, toMemory: false)
        #expect(b.rw(0xC5, head: 0, c: 0, r: 4) == [0x00, 0x00, 0x00, 0, 0, 5, 2])
        let lba = FloppyBench.lba(0, 0, 4)
        #expect(b.image.bytes(at: lba * 512, count: 512) == [UInt8](repeating: 0x77, count: 100) + [UInt8](repeating: 0, count: 412))

        // The management layer swaps in a medium without that sector while a PIO write runs:
        // the guest gets an error status, the new image is not written.
        b.command([0x03, 0xCF, 0x07])
        b.command([0x45, 0x00, 0, 0, 18, 2, 18, 0x1B, 0xFF])
        b.settle()
        for _ in 0..<256 { b.outb(0x3F5, 0x99) }
        let small = TemporaryDiskImage(byteCount: Int(FloppyGeometry.k720.byteCount), pattern: floppyPattern)
        try b.fdc.insert(RawFileBlockDevice(path: small.path), drive: 0)
        for _ in 0..<256 { b.outb(0x3F5, 0x99) }
        #expect(b.result()[0...1] == [0x50, 0x01])
        #expect(small.contents == (0..<Int(FloppyGeometry.k720.byteCount)).map(floppyPattern))
        try b.fdc.insert(b.disk, drive: 0)
        b.command([0x03, 0xCF, 0x06])

        // Random bytes at every port, interleaved with time passing and DMA unmasks.
        var rng = SplitMix64(seed: 0xF10F)
        let ports: [UInt16] = [0x3F0, 0x3F1, 0x3F2, 0x3F3, 0x3F4, 0x3F5, 0x3F7]
        for i in 0..<20_000 {
            let port = ports[rng.below(ports.count)]
            if rng.below(3) == 0 {
                _ = b.inb(port)
            } else {
                // Keep nRESET mostly high so commands actually run.
                var v = UInt8(truncatingIfNeeded: rng.next())
                if port == 0x3F2 && rng.below(8) != 0 { v |= 0x0C }
                if port == 0x3F4 && rng.below(8) != 0 { v &= 0x7F }
                b.outb(port, v)
            }
            if i % 50 == 0 {
                b.programDMA(address: UInt32(truncatingIfNeeded: rng.next()) & 0xFF_FFFF,
                             bytes: rng.below(4096) + 1, toMemory: rng.below(2) == 0)
                b.settle()
            }
        }
        // Whatever the guest did, a reset brings back a working controller.
        try b.fdc.insert(b.disk, drive: 0)
        b.initialize()
        b.programDMA(address: 0x3000, bytes: 512, toMemory: true)
        #expect(b.seek(cylinder: 0) == [0x20, 0])
        #expect(b.rw(0xE6, head: 0, c: 0, r: 1) == [0x00, 0x00, 0x00, 0, 0, 2, 2])
    }

    @Test("save in the middle of a result phase, restore into a new controller, read the rest identically")
    func savedStateMidResult() throws {
        let b = try FloppyBench()
        b.initialize()
        #expect(b.seek(head: 1, cylinder: 3) == [0x24, 3])
        b.programDMA(address: 0x3000, bytes: 512, toMemory: true)
        b.command([0xE6, 0x04, 3, 1, 7, 2, 18, 0x1B, 0xFF])
        b.settle()
        let head = [b.inb(0x3F5), b.inb(0x3F5)]
        #expect(head == [0x04, 0x00])
        let saved = b.fdc.saveState()
        let decoded = try JSONDecoder().decode(FloppyController.SavedState.self, from: JSONEncoder().encode(saved))

        let c = try FloppyBench(image: b.image)
        c.scheduler.restore(now: b.scheduler.now)
        try c.fdc.restoreState(decoded)
        #expect(c.fdc.saveState() == saved)
        #expect(c.msr == b.msr && c.msr == 0xD0)
        #expect(c.result() == [0x00, 3, 1, 8, 2])
        #expect(b.result() == [0x00, 3, 1, 8, 2])
        #expect(c.inb(0x3F7) & 0x80 == 0 && c.inb(0x3F2) == 0x0C)

        // A different medium in the drive is refused.
        let other = try FloppyBench(geometry: .k720)
        #expect(throws: SnapshotStateError.self) { try other.fdc.restoreState(saved) }
        var bad = saved
        bad.phase = 7
        #expect(throws: SnapshotStateError.self) { try c.fdc.restoreState(bad) }
    }

    @Test("save while a seek runs and a PIO read is mid-sector; both finish the same after restore")
    func savedStateMidExecution() throws {
        let b = try FloppyBench()
        b.initialize(nonDMA: true)
        b.command([0x66, 0x00, 0, 0, 5, 2, 5, 0x1B, 0xFF])
        b.settle()
        let firstHalf = (0..<100).map { _ in b.inb(0x3F5) }
        b.command([])  // nothing: still in execution
        let saved = b.fdc.saveState()
        let c = try FloppyBench(image: b.image)
        c.scheduler.restore(now: b.scheduler.now)
        try c.fdc.restoreState(saved)
        #expect(c.fdc.saveState() == saved)
        let restB = (0..<412).map { _ in b.inb(0x3F5) }
        let restC = (0..<412).map { _ in c.inb(0x3F5) }
        #expect(restB == restC)
        #expect(firstHalf + restC == (0..<512).map { floppyPattern(4 * 512 + $0) })
        #expect(b.result() == c.result())

        // A seek in flight: the completion is re-armed from the saved deadline.
        b.command([0x0F, 0x00, 9])
        let s2 = b.fdc.saveState()
        let d = try FloppyBench(image: b.image)
        d.scheduler.restore(now: b.scheduler.now)
        try d.fdc.restoreState(s2)
        #expect(d.msr & 0x01 != 0)
        d.settle()
        #expect(d.irq.level)
        d.command([0x08])
        #expect(d.result() == [0x20, 9])
    }
}
