// ATADisk on an ATAChannel, driven through the registers as libata, SeaBIOS and DOS-era code do.

import Foundation
import Storage
import TestSupport
import Testing

@Suite("ATA disk and channel")
struct ATADiskTests {
    /// 2016 sectors: the default translation is 2 cylinders × 16 heads × 63 sectors.
    let image = TemporaryDiskImage(byteCount: 2016 * 512, pattern: sectorPattern)

    func disk(readOnly: Bool = false) throws -> ATADisk {
        ATADisk(device: try RawFileBlockDevice(path: image.path, readOnly: readOnly), serial: "QM00001")
    }

    @Test("IDENTIFY DEVICE: one interrupt, DRQ block of 256 words with geometry, strings, capacities, modes, checksum")
    func identify() throws {
        let b = ATABench(master: try disk())
        b.outb(6, 0xA0)
        b.outb(7, 0xEC)
        #expect(b.irq.level && b.irq.risingEdges == 1)
        #expect(b.altStatus == 0x58, "DRDY DSC DRQ")
        #expect(b.status == 0x58)
        #expect(!b.irq.level, "reading Status clears INTRQ")
        let w = b.readWords(256)
        #expect(b.status == 0x50 && b.irq.risingEdges == 1, "no interrupt after the last data-in block")
        #expect(w[0] == 0x0040)
        #expect(w[1] == 2 && w[3] == 16 && w[6] == 63)
        let model = (27..<47).flatMap { [UInt8(w[$0] >> 8), UInt8(w[$0] & 0xFF)] }
        #expect(String(decoding: model, as: UTF8.self).hasPrefix("Partita ATA Disk    "))
        let serial = (10..<20).flatMap { [UInt8(w[$0] >> 8), UInt8(w[$0] & 0xFF)] }
        #expect(String(decoding: serial, as: UTF8.self) == "QM00001             ")
        #expect(w[47] & 0xFF == 16 && w[49] & 0x0300 == 0x0300)
        #expect(identifyPair(w, 60) == 2016)
        #expect(w[83] & 0x0400 != 0, "48-bit address feature set")
        #expect(identifyQuad(w, 100) == 2016)
        #expect(w[63] & 0x07 == 0x07 && w[88] & 0x3F == 0x3F && w[53] == 7)
        #expect(w[85] & 0x20 != 0, "write cache enabled")
        let sum = w.reduce(UInt8(0)) { $0 &+ UInt8($1 & 0xFF) &+ UInt8($1 >> 8) }
        #expect(w[255] & 0xFF == 0xA5 && sum == 0)
    }

    @Test("LBA28 PIO: WRITE SECTORS reaches the file, READ SECTORS reads it back, one interrupt per block")
    func lba28RoundTrip() throws {
        let b = ATABench(master: try disk())
        let data = (0..<(3 * 512)).map { UInt8(truncatingIfNeeded: $0 * 13 + 1) }
        b.command28(0x30, lba: 1000, count: 3)
        #expect(b.altStatus == 0x58 && b.irq.risingEdges == 0, "first data-out block without an interrupt")
        for s in 0..<3 {
            b.writeBytes(Array(data[s * 512..<(s + 1) * 512]))
            #expect(b.irq.risingEdges == s + 1)
            _ = b.status
        }
        #expect(b.altStatus == 0x50)
        #expect(image.bytes(at: 1000 * 512, count: 3 * 512) == data)
        #expect(b.inb(3) == UInt8(1002 & 0xFF) && b.inb(4) == UInt8(1002 >> 8), "address of the last sector")

        b.irq.clearHistory()
        b.command28(0x20, lba: 999, count: 4)
        var read: [UInt8] = []
        for _ in 0..<4 {
            #expect(b.status & 0x08 != 0)
            read += b.readBytes(512)
        }
        #expect(b.irq.risingEdges == 4)
        #expect(b.status == 0x50)
        #expect(read == patternBytes(lba: 999, count: 1) + data)
    }

    @Test("32-bit Data register accesses move two words each")
    func dwordPIO() throws {
        let b = ATABench(master: try disk())
        b.command28(0x20, lba: 7, count: 1)
        #expect(b.readBytes32(512) == patternBytes(lba: 7, count: 1))
        #expect(b.status == 0x50)
    }

    @Test("LBA48: READ/WRITE SECTORS EXT address above 2^28 on a sparse image; HOB reads the previous bytes")
    func lba48() throws {
        let path = NSTemporaryDirectory() + "partita-lba48-\(UUID().uuidString).img"
        let sectors: UInt64 = (1 << 28) + 64
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: sectors * 512)
        try handle.close()
        let b = ATABench(master: ATADisk(device: try RawFileBlockDevice(path: path), serial: "BIG"))
        let lba: UInt64 = (1 << 28) + 5
        let data = (0..<1024).map { UInt8(truncatingIfNeeded: $0 ^ 0x5A) }
        b.command48(0x34, lba: lba, count: 2)
        b.writeBytes(data)
        #expect(b.status == 0x50)
        b.command48(0x24, lba: lba, count: 2)
        #expect(b.readBytes(1024) == data)
        #expect(b.status == 0x50)
        let file = try RawFileBlockDevice(path: path)
        #expect(try file.read(at: lba * 512, count: 1024) == data)
        #expect(try file.read(at: (lba & 0x0FFF_FFFF) * 512, count: 16) == [UInt8](repeating: 0, count: 16),
                "the high address bytes were used")
        // HOB: the previous byte of each FIFO (the last sector's address, 2^28 + 6).
        b.channel.writeDeviceControl(0x80)
        #expect(b.inb(3) == 0x10 && b.inb(4) == 0 && b.inb(2) == 0)
        b.channel.writeDeviceControl(0x00)
        #expect(b.inb(3) == 6)
        // IDENTIFY caps LBA28 capacity at 0x0FFFFFFF and reports the whole disk in words 100–103.
        b.outb(7, 0xEC)
        let w = b.readWords(256)
        #expect(identifyPair(w, 60) == 0x0FFF_FFFF)
        #expect(identifyQuad(w, 100) == sectors)
    }

    @Test("READ/WRITE MULTIPLE move blocks of the multiple count; without SET MULTIPLE MODE they abort")
    func multiple() throws {
        let b = ATABench(master: try disk())
        b.command28(0xC4, lba: 0, count: 2)
        #expect(b.status == 0x51 && b.error == 0x04)
        b.command28(0xC6, lba: 0, count: 3)
        #expect(b.status == 0x51, "3 is not a power of two")
        b.command28(0xC6, lba: 0, count: 4)
        #expect(b.status == 0x50)
        b.irq.clearHistory()
        let data = (0..<(10 * 512)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        b.command28(0xC5, lba: 100, count: 10)
        var offset = 0
        for block in [4, 4, 2] {
            #expect(b.altStatus & 0x08 != 0)
            b.writeBytes(Array(data[offset..<offset + block * 512]))
            offset += block * 512
            _ = b.status  // the interrupt handler's read, which releases INTRQ
        }
        #expect(b.irq.risingEdges == 3 && b.altStatus == 0x50)
        #expect(image.bytes(at: 100 * 512, count: 10 * 512) == data)
        b.irq.clearHistory()
        b.command28(0xC4, lba: 100, count: 10)
        var read: [UInt8] = []
        for block in [4, 4, 2] {
            #expect(b.status & 0x08 != 0)
            read += b.readBytes(block * 512)
        }
        #expect(read == data && b.irq.risingEdges == 3 && b.status == 0x50)
        b.outb(7, 0xEC)
        #expect(b.readWords(256)[59] == 0x0104, "word 59: multiple count valid, 4")
    }

    @Test("CHS addressing through the default and an INITIALIZE DEVICE PARAMETERS translation; bad CHS is IDNF")
    func chs() throws {
        let b = ATABench(master: try disk())
        // C=1, H=2, S=5 with 16 heads × 63 sectors: LBA (1×16 + 2)×63 + 4 = 1138.
        b.outb(2, 1); b.outb(3, 5); b.outb(4, 1); b.outb(5, 0); b.outb(6, 0xA2)
        b.outb(7, 0x20)
        #expect(b.readBytes(512) == patternBytes(lba: 1138, count: 1))
        #expect(b.status == 0x50)
        b.outb(2, 1); b.outb(3, 0); b.outb(6, 0xA0)
        b.outb(7, 0x20)
        #expect(b.status & 0x01 != 0 && b.error & 0x10 != 0, "sector 0 does not exist")
        // 4 heads × 32 sectors: C=3, H=1, S=2 → (3×4 + 1)×32 + 1 = 417.
        b.outb(2, 32); b.outb(6, 0xA3)
        b.outb(7, 0x91)
        #expect(b.status == 0x50)
        b.outb(2, 1); b.outb(3, 2); b.outb(4, 3); b.outb(5, 0); b.outb(6, 0xA1)
        b.outb(7, 0x20)
        #expect(b.readBytes(512) == patternBytes(lba: 417, count: 1))
        b.outb(7, 0xEC)
        let w = b.readWords(256)
        #expect(w[54] == UInt16(2016 / 128) && w[55] == 4 && w[56] == 32)
    }

    @Test("addresses past the end fail with IDNF; unknown commands and NOP with ABRT")
    func errors() throws {
        let b = ATABench(master: try disk())
        b.command28(0x20, lba: 2015, count: 2)
        #expect(b.status == 0x51 && b.error == 0x10)
        b.command28(0x40, lba: 2016, count: 1)
        #expect(b.status == 0x51 && b.error == 0x10)
        b.command28(0x40, lba: 2000, count: 16)
        #expect(b.status == 0x50, "READ VERIFY of the last sectors")
        for command: UInt8 in [0x00, 0xA0, 0xA1, 0xF8, 0xB0] {
            b.outb(7, command)
            #expect(b.status == 0x51 && b.error == 0x04, "command \(command)")
        }
    }

    @Test("FLUSH CACHE (EXT) reaches the backend's fsync; a failed fsync is ABRT")
    func flush() throws {
        let backend = FaultyBlockDevice(try RawFileBlockDevice(path: image.path))
        let b = ATABench(master: ATADisk(device: backend, serial: "F"))
        b.outb(7, 0xE7)
        #expect(b.status == 0x50 && backend.flushes == 1)
        b.outb(7, 0xEA)
        #expect(b.status == 0x50 && backend.flushes == 2)
        backend.failFlush = true
        b.outb(7, 0xE7)
        #expect(b.status == 0x51 && b.error == 0x04)
    }

    @Test("with the write cache off every write command is fsynced before it completes")
    func writeThrough() throws {
        let backend = FaultyBlockDevice(try RawFileBlockDevice(path: image.path))
        let b = ATABench(master: ATADisk(device: backend, serial: "W"))
        b.command28(0xEF, lba: 0, count: 0, features: 0x82)
        #expect(b.status == 0x50)
        let before = backend.flushes
        b.command28(0x30, lba: 3, count: 2)
        b.writeBytes([UInt8](repeating: 0xEE, count: 1024))
        #expect(b.status == 0x50 && backend.flushes == before + 1)
        b.outb(7, 0xEC)
        #expect(b.readWords(256)[85] & 0x20 == 0)
        backend.failFlush = true
        b.command28(0x30, lba: 3, count: 1)
        b.writeBytes([UInt8](repeating: 0xEF, count: 512))
        #expect(b.status == 0x51 && b.error == 0x04, "the write is not reported done when fsync fails")
    }

    @Test("read-only backend: WRITE SECTORS/MULTIPLE/DMA abort at once and the file is unchanged")
    func readOnly() throws {
        let before = image.contents
        let b = ATABench(master: try disk(readOnly: true))
        for command: UInt8 in [0x30, 0x34, 0xCA, 0x35] {
            if command == 0x34 || command == 0x35 { b.command48(command, lba: 1, count: 1) }
            else { b.command28(command, lba: 1, count: 1) }
            #expect(b.status == 0x51 && b.error == 0x04, "command \(command)")
            b.writeBytes([UInt8](repeating: 0xAA, count: 512))
        }
        #expect(image.contents == before)
    }

    @Test("a failed host write surfaces as ERR/ABRT with the failing address; a failed read as UNC")
    func hostFailures() throws {
        let backend = FaultyBlockDevice(try RawFileBlockDevice(path: image.path))
        let b = ATABench(master: ATADisk(device: backend, serial: "E"))
        backend.failWrites = true
        b.command28(0x30, lba: 42, count: 2)
        b.writeBytes([UInt8](repeating: 1, count: 512))
        #expect(b.status == 0x51 && b.error == 0x04 && b.inb(3) == 42)
        backend.failWrites = false
        backend.failReads = true
        b.command28(0x20, lba: 43, count: 1)
        #expect(b.status == 0x51 && b.error == 0x40)
    }

    @Test("absent slave: status 00h, registers latch, commands ignored, signature FFh/FFh after SRST")
    func absentSlave() throws {
        let b = ATABench(master: try disk())
        b.select(1)
        #expect(b.status == 0 && b.altStatus == 0)
        // ata_devchk / SeaBIOS ata_detect: the pattern written reads back.
        b.outb(2, 0x55); b.outb(3, 0xAA)
        #expect(b.inb(2) == 0x55 && b.inb(3) == 0xAA && b.inb(6) == 0xF0)
        b.outb(7, 0xEC)
        #expect(b.status == 0 && b.irq.risingEdges == 0, "nobody executes it")
        // SRST (after selecting device 0, as libata's softreset does): both positions reset.
        b.select(0)
        b.channel.writeDeviceControl(0x06)
        #expect(b.altStatus == 0x80)
        b.channel.writeDeviceControl(0x02)
        #expect(b.altStatus == 0x50 && b.inb(2) == 1 && b.inb(3) == 1 && b.inb(4) == 0 && b.inb(5) == 0 && b.error == 1)
        b.select(1)
        #expect(b.status == 0 && b.inb(4) == 0xFF && b.inb(5) == 0xFF && b.error == 1)
        #expect(b.irq.risingEdges == 0, "no interrupt after a software reset")
    }

    @Test("an empty channel floats at 7Fh")
    func emptyChannel() {
        let b = ATABench(master: nil)
        #expect(b.status == 0x7F && b.altStatus == 0x7F && b.inb(2) == 0x7F)
        b.outb(2, 0x55)
        #expect(b.inb(2) == 0x7F)
    }

    @Test("SRST abandons a transfer, holds BSY, and restores power-on settings without an interrupt")
    func softwareReset() throws {
        let b = ATABench(master: try disk())
        b.command28(0xC6, lba: 0, count: 8)
        b.command28(0x20, lba: 0, count: 4)
        _ = b.readWords(10)
        b.channel.writeDeviceControl(0x04)
        #expect(b.altStatus == 0x80 && !b.irq.level)
        b.outb(7, 0xEC)
        #expect(b.altStatus == 0x80, "commands are ignored while SRST is held")
        b.channel.writeDeviceControl(0x00)
        #expect(b.altStatus == 0x50 && !b.irq.level)
        b.outb(7, 0xEC)
        #expect(b.readWords(256)[59] == 0, "multiple mode back to disabled")
    }

    @Test("nIEN keeps INTRQ low; clearing it with a request pending raises the line")
    func interruptEnable() throws {
        let b = ATABench(master: try disk())
        b.channel.writeDeviceControl(0x02)
        b.outb(7, 0xE7)
        #expect(!b.irq.level && b.irq.risingEdges == 0)
        b.channel.writeDeviceControl(0x00)
        #expect(b.irq.level)
        _ = b.status
        #expect(!b.irq.level)
    }

    @Test("EXECUTE DEVICE DIAGNOSTIC: signatures, error 01h, interrupt from device 0")
    func diagnostic() throws {
        let b = ATABench(master: try disk())
        b.command28(0x20, lba: 1, count: 1)
        _ = b.status
        b.outb(7, 0x90)
        #expect(b.irq.level && b.error == 0x01 && b.inb(2) == 1 && b.inb(3) == 1 && b.inb(4) == 0)
        #expect(b.status == 0x50)
    }

    @Test("power commands: STANDBY then CHECK POWER MODE reports 00h, IDLE and reads report FFh")
    func power() throws {
        let b = ATABench(master: try disk())
        b.outb(7, 0xE0)
        #expect(b.status == 0x50)
        b.outb(7, 0xE5)
        #expect(b.inb(2) == 0x00)
        b.outb(7, 0xE1)
        b.outb(7, 0xE5)
        #expect(b.inb(2) == 0xFF)
        b.outb(7, 0x96)  // ATA-1 STANDBY
        b.outb(7, 0x98)  // ATA-1 CHECK POWER MODE
        #expect(b.inb(2) == 0x00 && b.status == 0x50)
        b.command28(0x70, lba: 100, count: 0)
        #expect(b.status == 0x50)
        b.outb(7, 0xE5)
        #expect(b.inb(2) == 0xFF, "a seek spins the disk up")
        b.outb(7, 0x10)
        #expect(b.status == 0x50 && b.inb(4) == 0 && b.inb(5) == 0)
    }

    @Test("SET FEATURES: transfer modes show in IDENTIFY words 63/88, unknown subcommands abort")
    func setFeatures() throws {
        let b = ATABench(master: try disk())
        b.command28(0xEF, lba: 0, count: 0x22, features: 0x03)
        #expect(b.status == 0x50)
        b.outb(7, 0xEC)
        var w = b.readWords(256)
        #expect(w[63] == 0x0407 && w[88] == 0x003F)
        b.command28(0xEF, lba: 0, count: 0x45, features: 0x03)
        b.outb(7, 0xEC)
        w = b.readWords(256)
        #expect(w[63] == 0x0007 && w[88] == 0x203F)
        b.command28(0xEF, lba: 0, count: 0x50, features: 0x03)
        #expect(b.status == 0x51)
        b.command28(0xEF, lba: 0, count: 0, features: 0x99)
        #expect(b.status == 0x51 && b.error == 0x04)
    }

    @Test("save → new channel → restore continues a PIO read and a PIO write in the middle of a sector")
    func saveRestoreMidSector() throws {
        let b = ATABench(master: try disk())
        b.command28(0xC6, lba: 0, count: 2)
        b.command28(0x20, lba: 500, count: 3)
        let first = b.readBytes(200)
        let saved = b.channel.saveState()
        let c = ATABench(master: try disk())
        try c.channel.restoreState(saved)
        #expect(c.channel.saveState() == saved)
        #expect(c.altStatus == 0x58)
        let rest = c.readBytes(3 * 512 - 200)
        #expect(first + rest == patternBytes(lba: 500, count: 3))
        #expect(c.status == 0x50)

        // A write: half a sector before the save, the rest after.
        let data = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 5 &+ 3) }
        b.channel.writeDeviceControl(0x04)
        b.channel.writeDeviceControl(0x00)
        b.command28(0x30, lba: 20, count: 2)
        b.writeBytes(Array(data[0..<256]))
        let savedWrite = b.channel.saveState()
        let d = ATABench(master: try disk())
        try d.channel.restoreState(savedWrite)
        d.writeBytes(Array(data[256...]))
        #expect(d.status == 0x50)
        #expect(image.bytes(at: 20 * 512, count: 1024) == data)
    }

    @Test("restore refuses a different disk image and impossible values")
    func restoreValidation() throws {
        let b = ATABench(master: try disk())
        var saved = b.channel.saveState()
        let other = TemporaryDiskImage(byteCount: 4096)
        let c = ATABench(master: ATADisk(device: try RawFileBlockDevice(path: other.path), serial: "O"))
        #expect(throws: (any Error).self) { try c.channel.restoreState(saved) }
        saved.positions[0].disk?.core.dataEnd = 1 << 20
        #expect(throws: (any Error).self) { try b.channel.restoreState(saved) }
        saved = b.channel.saveState()
        saved.positions[0].disk?.sectorsRemaining = 5000
        #expect(throws: (any Error).self) { try b.channel.restoreState(saved) }
        saved = b.channel.saveState()
        saved.positions[1] = saved.positions[0]
        #expect(throws: (any Error).self) { try b.channel.restoreState(saved) }
    }
}
