// RawFileBlockDevice: size from the file, pread/pwrite round trips, bounds, read-only, errors.

import Storage
import TestSupport
import Testing

@Suite("Raw file block device")
struct RawFileBlockDeviceTests {
    @Test("size comes from the file; a trailing partial block is not addressable")
    func size() throws {
        let image = TemporaryDiskImage(byteCount: 512 * 10 + 100)
        let disk = try RawFileBlockDevice(path: image.path)
        #expect(disk.blockCount == 10)
        #expect(disk.byteCount == 5120)
        #expect(!disk.isReadOnly)
        #expect(disk.identity.byteCount == 5220)
        #expect(disk.identity.path == image.path)
    }

    @Test("writes land in the file and read back")
    func roundTrip() throws {
        let image = TemporaryDiskImage(byteCount: 4096) { UInt8($0 & 0xFF) }
        let disk = try RawFileBlockDevice(path: image.path)
        #expect(try disk.read(at: 510, count: 4) == [0xFE, 0xFF, 0x00, 0x01])
        try disk.write([1, 2, 3], at: 1000)
        try disk.flush()
        #expect(image.bytes(at: 1000, count: 3) == [1, 2, 3])
        #expect(try disk.read(at: 999, count: 5) == [UInt8(999 & 0xFF), 1, 2, 3, UInt8(1003 & 0xFF)])
    }

    @Test("requests past the end fail with outOfRange, nothing written")
    func bounds() throws {
        let image = TemporaryDiskImage(byteCount: 1024)
        let disk = try RawFileBlockDevice(path: image.path)
        #expect(throws: DiskError.outOfRange(offset: 1000, count: 100)) { try disk.read(at: 1000, count: 100) }
        #expect(throws: DiskError.outOfRange(offset: UInt64.max, count: 1)) { try disk.write([1], at: UInt64.max) }
        #expect(image.contents == [UInt8](repeating: 0, count: 1024))
    }

    @Test("a read-only disk refuses writes and still flushes")
    func readOnly() throws {
        let image = TemporaryDiskImage(byteCount: 1024)
        let disk = try RawFileBlockDevice(path: image.path, readOnly: true)
        #expect(disk.isReadOnly)
        #expect(throws: DiskError.readOnly) { try disk.write([1], at: 0) }
        try disk.flush()
    }

    @Test("scatter/gather: more pieces than one preadv takes, odd sizes and empty pieces, read and written in order")
    func scatterGather() throws {
        let image = TemporaryDiskImage(byteCount: 512 * 1200) { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 10) }
        let disk = try RawFileBlockDevice(path: image.path)
        var rng = SplitMix64(seed: 0x5CA7)
        let sizes = (0..<1500).map { i in i % 97 == 0 ? 0 : Int(rng.next() % 400) + 1 }
        let pieces = HostPieces(sizes: sizes)
        try disk.read(into: pieces.buffers, at: 333)
        #expect(pieces.bytes == image.bytes(at: 333, count: pieces.count))
        let data = (0..<pieces.count).map { UInt8(truncatingIfNeeded: $0 &* 5 &+ 3) }
        pieces.load(data)
        try disk.write(pieces.buffers.map { UnsafeRawBufferPointer($0) }, at: 1000)
        #expect(image.bytes(at: 1000, count: data.count) == data)
        #expect(image.bytes(at: 999, count: 1) == [UInt8(truncatingIfNeeded: 999 &* 13)], "the byte before is untouched")
        let before = image.contents
        #expect(throws: DiskError.outOfRange(offset: 512 * 1200 - 100, count: pieces.count)) {
            try disk.write(pieces.buffers.map { UnsafeRawBufferPointer($0) }, at: 512 * 1200 - 100)
        }
        #expect(throws: DiskError.outOfRange(offset: 512 * 1200 - 100, count: pieces.count)) {
            try disk.read(into: pieces.buffers, at: 512 * 1200 - 100)
        }
        #expect(image.contents == before, "nothing written")
        let readOnly = try RawFileBlockDevice(path: image.path, readOnly: true)
        let gather = pieces.buffers.map { UnsafeRawBufferPointer($0) }
        #expect(throws: DiskError.readOnly) { try readOnly.write(gather, at: 0) }
    }

    @Test("missing and too-small images are errors, not crashes")
    func openErrors() throws {
        #expect(throws: DiskError.self) { try RawFileBlockDevice(path: "/nonexistent/partita.img") }
        let tiny = TemporaryDiskImage(byteCount: 100)
        #expect(throws: DiskError.tooSmall(path: tiny.path, bytes: 100)) { try RawFileBlockDevice(path: tiny.path) }
    }

    @Test("a closed device fails requests")
    func closed() throws {
        let image = TemporaryDiskImage(byteCount: 1024)
        let disk = try RawFileBlockDevice(path: image.path)
        disk.close()
        #expect(throws: DiskError.closed) { try disk.read(at: 0, count: 1) }
    }

    @Test("identity changes when the file is modified")
    func identity() throws {
        let image = TemporaryDiskImage(byteCount: 1024)
        let disk = try RawFileBlockDevice(path: image.path)
        let before = disk.identity
        var ts = timespec(tv_sec: 0, tv_nsec: 20_000_000)
        nanosleep(&ts, nil)
        try disk.write([9], at: 0)
        #expect(disk.identity != before)
    }
}

/// Separately allocated host buffers of the given sizes: a scatter list whose neighbours are
/// not neighbours in memory.
final class HostPieces {
    let buffers: [UnsafeMutableRawBufferPointer]

    init(sizes: [Int]) {
        buffers = sizes.map { size in
            let b = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
            b.initializeMemory(as: UInt8.self, repeating: 0xEE)
            return b
        }
    }

    deinit { for b in buffers { b.deallocate() } }

    var count: Int { buffers.reduce(0) { $0 + $1.count } }
    /// The pieces' bytes, concatenated.
    var bytes: [UInt8] { buffers.flatMap { Array($0) } }

    /// Spreads `data` (`count` bytes) over the pieces.
    func load(_ data: [UInt8]) {
        var at = 0
        for b in buffers {
            for i in 0..<b.count { b[i] = data[at + i] }
            at += b.count
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
