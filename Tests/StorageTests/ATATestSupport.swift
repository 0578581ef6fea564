// Test helpers for the ATA channel: a driver-side view of the registers, a block device that
// can be told to fail, and image patterns.

import EmulatorCore
import Storage
import TestSupport

/// A channel driven through its registers the way libata's SFF helpers and SeaBIOS do.
final class ATABench {
    let irq = RecordingInterruptLine()
    let channel: ATAChannel

    init(master: ATADevice?, slave: ATADevice? = nil) {
        channel = ATAChannel(name: "ata.test", master: master, slave: slave, interrupt: irq)
    }

    func outb(_ register: Int, _ value: UInt8) {
        channel.writeCommandBlock(offset: register, width: .byte, value: UInt32(value))
    }

    func inb(_ register: Int) -> UInt8 { UInt8(channel.readCommandBlock(offset: register, width: .byte)) }

    /// Status (clears the interrupt request).
    var status: UInt8 { inb(7) }
    /// Alternate Status (does not).
    var altStatus: UInt8 { channel.readAlternateStatus() }
    var error: UInt8 { inb(1) }

    func select(_ device: Int, lba: Bool = true) { outb(6, (lba ? 0xE0 : 0xA0) | UInt8(device << 4)) }

    /// A 28-bit command as ata_tf_load writes it.
    func command28(_ command: UInt8, lba: UInt64, count: UInt8, device: Int = 0, features: UInt8 = 0) {
        outb(1, features)
        outb(2, count)
        outb(3, UInt8(truncatingIfNeeded: lba))
        outb(4, UInt8(truncatingIfNeeded: lba >> 8))
        outb(5, UInt8(truncatingIfNeeded: lba >> 16))
        outb(6, 0xE0 | UInt8(device << 4) | UInt8(truncatingIfNeeded: (lba >> 24) & 0x0F))
        outb(7, command)
    }

    /// A 48-bit command: each register written twice, high ("previous") byte first.
    func command48(_ command: UInt8, lba: UInt64, count: Int, device: Int = 0) {
        outb(2, UInt8(truncatingIfNeeded: count >> 8))
        outb(3, UInt8(truncatingIfNeeded: lba >> 24))
        outb(4, UInt8(truncatingIfNeeded: lba >> 32))
        outb(5, UInt8(truncatingIfNeeded: lba >> 40))
        outb(2, UInt8(truncatingIfNeeded: count))
        outb(3, UInt8(truncatingIfNeeded: lba))
        outb(4, UInt8(truncatingIfNeeded: lba >> 8))
        outb(5, UInt8(truncatingIfNeeded: lba >> 16))
        outb(6, 0x40 | UInt8(device << 4))
        outb(7, command)
    }

    /// `count` words from the Data register.
    func readWords(_ count: Int) -> [UInt16] {
        (0..<count).map { _ in UInt16(channel.readCommandBlock(offset: 0, width: .word)) }
    }

    /// `count` bytes through 16-bit reads.
    func readBytes(_ count: Int) -> [UInt8] {
        readWords((count + 1) / 2).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    /// `count` bytes through 32-bit reads (ioread32_rep, as libata uses with 32-bit PIO).
    func readBytes32(_ count: Int) -> [UInt8] {
        (0..<(count / 4)).flatMap { _ -> [UInt8] in
            let v = channel.readCommandBlock(offset: 0, width: .dword)
            return [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
        }
    }

    func writeBytes(_ bytes: [UInt8]) {
        for i in stride(from: 0, to: bytes.count, by: 2) {
            let word = UInt32(bytes[i]) | UInt32(i + 1 < bytes.count ? bytes[i + 1] : 0) << 8
            channel.writeCommandBlock(offset: 0, width: .word, value: word)
        }
    }

    /// Sends a packet command (PACKET protocol, PIO) and collects its data-in blocks. Returns
    /// the final status, the data, and the lengths of the DRQ blocks.
    func packet(_ cdb: [UInt8], byteCountLimit: UInt16 = 0xFFFE, device: Int = 0)
        -> (status: UInt8, data: [UInt8], blocks: [Int])
    {
        var packet = cdb + [UInt8](repeating: 0, count: max(0, 12 - cdb.count))
        packet = Array(packet.prefix(12))
        outb(1, 0)
        outb(4, UInt8(byteCountLimit & 0xFF))
        outb(5, UInt8(byteCountLimit >> 8))
        outb(6, UInt8(device << 4))
        outb(7, 0xA0)
        // Accelerated DRQ: no interrupt; poll for DRQ with C/D set.
        guard altStatus & 0x08 != 0, inb(2) & 0x03 == 0x01 else { return (altStatus, [], []) }
        writeBytes(packet)
        var data: [UInt8] = []
        var blocks: [Int] = []
        while true {
            let s = status
            guard s & 0x08 != 0 else { return (s, data, blocks) }
            let reason = inb(2)
            guard reason & 0x03 == 0x02 else { return (s, data, blocks) }
            let n = Int(inb(4)) | Int(inb(5)) << 8
            blocks.append(n)
            data += Array(readBytes(n).prefix(n))
        }
    }
}

/// A block device that delegates to another and can be told to fail.
final class FaultyBlockDevice: BlockDevice {
    let inner: any BlockDevice
    var failReads = false
    var failWrites = false
    var failFlush = false
    private(set) var flushes = 0
    private(set) var writes = 0

    init(_ inner: any BlockDevice) { self.inner = inner }

    var blockSize: Int { inner.blockSize }
    var blockCount: UInt64 { inner.blockCount }
    var isReadOnly: Bool { inner.isReadOnly }
    var identity: DiskIdentity { inner.identity }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(DiskError) {
        if failReads { throw .io(operation: "read", errno: 5) }
        try inner.read(into: buffer, at: offset)
    }

    func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(DiskError) {
        if failWrites { throw .io(operation: "write", errno: 28) }
        writes += 1
        try inner.write(buffer, at: offset)
    }

    func flush() throws(DiskError) {
        if failFlush { throw .io(operation: "fsync", errno: 5) }
        flushes += 1
        try inner.flush()
    }
}

/// Image byte `i`: the low byte of its sector number mixed with its offset, so sectors differ.
func sectorPattern(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: (i / 512) &* 7 &+ (i % 512)) }

/// The bytes `sectorPattern` puts in sectors `lba ..< lba + count`.
func patternBytes(lba: Int, count: Int) -> [UInt8] { (lba * 512..<(lba + count) * 512).map(sectorPattern) }

/// An ISO-like image of `blocks` 2048-byte blocks: block n filled with n, and block 16 opening
/// with an ISO 9660 primary volume descriptor header.
func isoImage(blocks: Int) -> TemporaryDiskImage {
    TemporaryDiskImage(byteCount: blocks * 2048) { i in
        let block = i / 2048
        let offset = i % 2048
        if block == 16 && offset < 7 { return [0x01, 0x43, 0x44, 0x30, 0x30, 0x31, 0x01][offset] }
        return UInt8(truncatingIfNeeded: block &* 3 &+ offset)
    }
}

/// IDENTIFY words `index`, `index + 1` as a 32-bit value (low word first).
func identifyPair(_ w: [UInt16], _ index: Int) -> UInt32 { UInt32(w[index]) | UInt32(w[index + 1]) << 16 }

/// IDENTIFY words `index ..< index + 4` as a 64-bit value (low word first).
func identifyQuad(_ w: [UInt16], _ index: Int) -> UInt64 {
    (0..<4).reduce(UInt64(0)) { $0 | UInt64(w[index + $1]) << (16 * UInt64($1)) }
}
