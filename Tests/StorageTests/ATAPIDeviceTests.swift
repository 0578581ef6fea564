// ATAPIDevice + SCSICDROM: the PACKET protocol and the MMC commands a CD-ROM driver sends.

import Storage
import TestSupport
import Testing

@Suite("ATAPI CD-ROM")
struct ATAPIDeviceTests {
    /// 40 blocks of 2048 bytes; block 16 opens with "\u{1}CD001\u{1}".
    let iso = isoImage(blocks: 40)

    func drive(empty: Bool = false) throws -> ATAPIDevice {
        let disc: (any BlockDevice)? = empty ? nil : try RawFileBlockDevice(path: iso.path, readOnly: true)
        return ATAPIDevice(cdrom: SCSICDROM(medium: disc), serial: "CD0001")
    }

    func blockBytes(_ block: Int, count: Int = 1) -> [UInt8] { iso.bytes(at: block * 2048, count: count * 2048) }

    @Test("packet signature after reset; IDENTIFY DEVICE aborts with it; IDENTIFY PACKET DEVICE describes a CD-ROM")
    func identify() throws {
        let b = ATABench(master: try drive())
        #expect(b.inb(2) == 1 && b.inb(3) == 1 && b.inb(4) == 0x14 && b.inb(5) == 0xEB)
        #expect(b.status == 0x00, "DRDY stays clear after reset")
        b.outb(7, 0xEC)
        #expect(b.status & 0x01 != 0 && b.error == 0x04)
        #expect(b.inb(4) == 0x14 && b.inb(5) == 0xEB)
        b.outb(7, 0xA1)
        #expect(b.irq.level && b.status == 0x58)
        let w = b.readWords(256)
        #expect(w[0] == 0x85C0, "ATAPI, CD-ROM, removable, accelerated DRQ, 12-byte packets")
        #expect(w[49] & 0x0300 == 0x0300 && w[82] & 0x0010 != 0)
        let model = (27..<47).flatMap { [UInt8(w[$0] >> 8), UInt8(w[$0] & 0xFF)] }
        #expect(String(decoding: model, as: UTF8.self).hasPrefix("Partita ATAPI CD-ROM"))
        let sum = w.reduce(UInt8(0)) { $0 &+ UInt8($1 & 0xFF) &+ UInt8($1 >> 8) }
        #expect(sum == 0 && b.status == 0x50)
    }

    @Test("INQUIRY: peripheral type 05h, removable, strings; one data block, then completion with C/D+I/O")
    func inquiry() throws {
        let b = ATABench(master: try drive())
        let r = b.packet([0x12, 0, 0, 0, 36, 0])
        #expect(r.status == 0x50 && r.blocks == [36])
        #expect(r.data[0] == 0x05 && r.data[1] == 0x80)
        #expect(String(decoding: r.data[16..<32], as: UTF8.self) == "Virtual CD-ROM  ")
        #expect(b.inb(2) == 0x03)
        #expect(b.irq.risingEdges == 2, "one for the data block, one for completion")
    }

    @Test("TEST UNIT READY and READ CAPACITY with a disc: last LBA and 2048-byte blocks")
    func capacity() throws {
        let b = ATABench(master: try drive())
        #expect(b.packet([0x00]).status == 0x50)
        let r = b.packet([0x25])
        #expect(r.status == 0x50 && r.data == [0, 0, 0, 39, 0, 0, 8, 0])
    }

    @Test("READ(10) of sector 16 returns the volume descriptor; the byte count limit splits DRQ blocks")
    func read10() throws {
        let b = ATABench(master: try drive())
        let r = b.packet([0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0])
        #expect(r.status == 0x50 && r.blocks == [2048])
        #expect(Array(r.data[0..<6]) == [0x01, 0x43, 0x44, 0x30, 0x30, 0x31])
        #expect(r.data == blockBytes(16))
        b.irq.clearHistory()
        let split = b.packet([0x28, 0, 0, 0, 0, 2, 0, 0, 3, 0], byteCountLimit: 0x1001)
        #expect(split.blocks == [4096, 2048], "odd limit rounded down to 4096")
        #expect(split.data == blockBytes(2, count: 3) && b.irq.risingEdges == 3)
    }

    @Test("READ(12) across the 64 KiB chunk boundary streams every block in FFFEh-byte DRQ blocks")
    func bigRead() throws {
        let b = ATABench(master: try drive())
        let r = b.packet([0xA8, 0, 0, 0, 0, 1, 0, 0, 0, 38, 0, 0], byteCountLimit: 0)
        #expect(r.status == 0x50)
        #expect(r.data == blockBytes(1, count: 38))
        #expect(r.blocks.reduce(0, +) == 38 * 2048 && r.blocks.allSatisfy { $0 <= 0xFFFE })
    }

    @Test("reads past the end: CHECK CONDITION, ERR with sense key 5 in the Error register; REQUEST SENSE gives 21h")
    func outOfRange() throws {
        let b = ATABench(master: try drive())
        let r = b.packet([0x28, 0, 0, 0, 0, 39, 0, 0, 2, 0])
        #expect(r.status == 0x51 && b.error == 0x54 && b.inb(2) == 0x03)
        let sense = b.packet([0x03, 0, 0, 0, 18, 0])
        #expect(sense.data[0] == 0x70 && sense.data[2] == 0x05 && sense.data[12] == 0x21)
        #expect(b.packet([0x99]).status == 0x51 && b.error == 0x54, "unknown opcode")
    }

    @Test("READ TOC: format 0 in LBA and MSF, format 1 session info")
    func readTOC() throws {
        let b = ATABench(master: try drive())
        let lba = b.packet([0x43, 0, 0, 0, 0, 0, 0, 0x03, 0x24, 0])
        #expect(lba.status == 0x50)
        #expect(lba.data == [0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0, 0, 0x14, 0xAA, 0, 0, 0, 0, 40])
        let msf = b.packet([0x43, 0x02, 0, 0, 0, 0, 0, 0x03, 0x24, 0])
        // Lead-out at LBA 40 = frame 190 = 00:02:40; track 1 at 00:02:00.
        #expect(Array(msf.data[8..<12]) == [0, 0, 2, 0] && Array(msf.data[16..<20]) == [0, 0, 2, 40])
        let session = b.packet([0x43, 0, 1, 0, 0, 0, 0, 0, 12, 0])
        #expect(session.data == [0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0])
        #expect(b.packet([0x43, 0, 0, 0, 0, 0, 5, 0, 12, 0]).status == 0x51, "no track 5")
    }

    @Test("empty drive: NOT READY / MEDIUM NOT PRESENT, REQUEST SENSE reports 02/3A; GET CONFIGURATION shows no profile")
    func noMedium() throws {
        let b = ATABench(master: try drive(empty: true))
        #expect(b.packet([0x00]).status == 0x51 && b.error == 0x24)
        let sense = b.packet([0x03, 0, 0, 0, 18, 0])
        #expect(sense.status == 0x50 && sense.data[2] == 0x02 && sense.data[12] == 0x3A)
        #expect(b.packet([0x25]).status == 0x51)
        #expect(b.packet([0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0]).status == 0x51)
        let config = b.packet([0x46, 0, 0, 0, 0, 0, 0, 0, 64, 0])
        #expect(config.status == 0x50 && config.data[6] == 0 && config.data[7] == 0)
    }

    @Test("inserting a disc: UNIT ATTENTION 28h once, a new-media event, current profile CD-ROM")
    func mediaChange() throws {
        let device = try drive(empty: true)
        let b = ATABench(master: device)
        device.cdrom.insert(try RawFileBlockDevice(path: iso.path, readOnly: true))
        let inquiry = b.packet([0x12, 0, 0, 0, 36, 0])
        #expect(inquiry.status == 0x50, "INQUIRY does not report the unit attention")
        let events = b.packet([0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8, 0])
        #expect(events.data == [0, 6, 0x04, 0x10, 0x02, 0x02, 0, 0])
        #expect(b.packet([0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8, 0]).data[4] == 0, "reported once")
        #expect(b.packet([0x4A, 0, 0, 0, 0x10, 0, 0, 0, 8, 0]).status == 0x51, "only the polled form")
        #expect(b.packet([0x00]).status == 0x51 && b.error == 0x64)
        let sense = b.packet([0x03, 0, 0, 0, 18, 0])
        #expect(sense.data[2] == 0x06 && sense.data[12] == 0x28)
        #expect(b.packet([0x00]).status == 0x50)
        let config = b.packet([0x46, 0x02, 0, 0, 0, 0, 0, 0, 64, 0])
        #expect(config.data[6] == 0 && config.data[7] == 0x08)
        #expect(config.data.count == 8 + 8 && config.data[11] == 4 && config.data[13] == 0x08, "RT=2: the profile list only")
    }

    @Test("MODE SENSE(10) page 2Ah: tray, eject, lock state follows PREVENT; saved values unsupported")
    func modeSense() throws {
        let b = ATABench(master: try drive())
        var r = b.packet([0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64, 0])
        #expect(r.status == 0x50 && r.data.count == 30 && r.data[1] == 28 && r.data[8] == 0x2A && r.data[9] == 20)
        #expect(r.data[14] == 0x29)
        #expect(b.packet([0x1E, 0, 0, 0, 1, 0]).status == 0x50)
        r = b.packet([0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 64, 0])
        #expect(r.data[8] == 0x01 && r.data[16] == 0x2A && r.data[22] == 0x2B)
        #expect(b.packet([0x5A, 0, 0xEA, 0, 0, 0, 0, 0, 64, 0]).status == 0x51)
    }

    @Test("START STOP UNIT: eject refused while prevented; open tray is NOT READY; closing it is a media change")
    func eject() throws {
        let b = ATABench(master: try drive())
        _ = b.packet([0x1E, 0, 0, 0, 1, 0])
        #expect(b.packet([0x1B, 0, 0, 0, 0x02, 0]).status == 0x51 && b.error == 0x54)
        #expect(b.packet([0x03, 0, 0, 0, 18, 0]).data[12] == 0x53)
        _ = b.packet([0x1E, 0, 0, 0, 0, 0])
        #expect(b.packet([0x1B, 0, 0, 0, 0x02, 0]).status == 0x50)
        #expect(b.packet([0x00]).status == 0x51 && b.error == 0x24)
        #expect(b.packet([0x1B, 0, 0, 0, 0x03, 0]).status == 0x50)
        #expect(b.packet([0x00]).status == 0x51 && b.error == 0x64)
        #expect(b.packet([0x00]).status == 0x50)
    }

    @Test("READ DISC INFORMATION and SET CD SPEED")
    func discInformation() throws {
        let b = ATABench(master: try drive())
        let r = b.packet([0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0])
        #expect(r.status == 0x50 && r.data.count == 34 && r.data[2] == 0x0E && r.data[3] == 1)
        #expect(b.packet([0xBB, 0, 0xFF, 0xFF]).status == 0x50)
    }

    @Test("the SCSI model also serves a transport with its own buffer (storvsc style)")
    func scsiBuffer() throws {
        let cdrom = SCSICDROM(medium: try RawFileBlockDevice(path: iso.path, readOnly: true))
        let buffer = SCSIByteBuffer(length: 4096)
        #expect(cdrom.execute(cdb: [0x28, 0, 0, 0, 0, 16, 0, 0, 2, 0], buffer: buffer) == .good(4096))
        #expect(buffer.bytes == blockBytes(16, count: 2))
        #expect(cdrom.execute(cdb: [0x28, 0, 0, 0, 0, 16, 0, 0, 3, 0], buffer: buffer) == .check(.invalidFieldInCDB))
    }

    @Test("DEVICE RESET is accepted even with DRQ set, reloads the signature and raises no interrupt")
    func deviceReset() throws {
        let b = ATABench(master: try drive())
        b.outb(4, 0xFE); b.outb(5, 0xFF)
        b.outb(7, 0xA0)
        #expect(b.altStatus & 0x08 != 0)
        b.irq.clearHistory()
        b.outb(7, 0x08)
        #expect(b.altStatus == 0 && b.inb(4) == 0x14 && b.inb(5) == 0xEB && b.irq.risingEdges == 0)
    }

    @Test("save → new device → restore continues a packet data transfer mid-block, with its sense state")
    func saveRestore() throws {
        let b = ATABench(master: try drive())
        // Start READ(10) of 3 blocks, read part of the first DRQ block.
        b.outb(1, 0); b.outb(4, 0x00); b.outb(5, 0x10); b.outb(6, 0); b.outb(7, 0xA0)
        b.writeBytes([0x28, 0, 0, 0, 0, 5, 0, 0, 3, 0, 0, 0])
        #expect(b.status == 0x58 && b.inb(2) == 0x02)
        let first = b.readBytes(1000)
        let saved = b.channel.saveState()
        let c = ATABench(master: try drive())
        try c.channel.restoreState(saved)
        #expect(c.channel.saveState() == saved)
        var rest = c.readBytes(4096 - 1000)
        #expect(c.status == 0x58 && c.inb(4) == 0x00 && c.inb(5) == 0x08)
        rest += c.readBytes(2048)
        #expect(c.status == 0x50 && c.inb(2) == 0x03)
        #expect(first + rest == blockBytes(5, count: 3))
        // The restored drive refuses a state saved with a different disc.
        let empty = ATABench(master: try drive(empty: true))
        #expect(throws: (any Error).self) { try empty.channel.restoreState(saved) }
    }
}
