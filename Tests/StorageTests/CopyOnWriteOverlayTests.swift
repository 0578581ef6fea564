// CopyOnWriteOverlay: writes never reach the base, reads merge overlay and base sector by
// sector, partial-sector writes copy up, and the overlay survives export → import.

import Storage
import TestSupport
import Testing

@Suite("Copy-on-write overlay")
struct CopyOnWriteOverlayTests {
    static func pattern(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: i &* 7 &+ i >> 9) }

    @Test("writes land in the overlay; the base image is untouched")
    func baseUntouched() throws {
        let image = TemporaryDiskImage(byteCount: 512 * 64) { Self.pattern($0) }
        let before = image.contents
        let base = try RawFileBlockDevice(path: image.path)
        let identity = base.identity
        let disk = try CopyOnWriteOverlay(base: base)
        try disk.write([UInt8](repeating: 0xAA, count: 1024), at: 2048)
        try disk.flush()
        #expect(image.contents == before)
        #expect(disk.identity == identity)
        #expect(try disk.read(at: 2048, count: 1024) == [UInt8](repeating: 0xAA, count: 1024))
        #expect(disk.sectorsInOverlay == 2)
    }

    @Test("reads merge overlay and base across sector boundaries")
    func mergedReads() throws {
        let image = TemporaryDiskImage(byteCount: 512 * 16) { Self.pattern($0) }
        let disk = try CopyOnWriteOverlay(base: try RawFileBlockDevice(path: image.path))
        try disk.write([UInt8](repeating: 1, count: 512), at: 512 * 3)
        try disk.write([UInt8](repeating: 2, count: 512), at: 512 * 5)
        var expected = image.contents
        for i in 0..<512 { expected[512 * 3 + i] = 1; expected[512 * 5 + i] = 2 }
        #expect(try disk.read(at: 0, count: 512 * 16) == expected)
        #expect(try disk.read(at: 512 * 3 - 7, count: 1200) == Array(expected[(512 * 3 - 7)..<(512 * 3 - 7 + 1200)]))
    }

    @Test("a partial-sector write keeps the rest of the sector from the base")
    func partialSector() throws {
        let image = TemporaryDiskImage(byteCount: 512 * 8) { Self.pattern($0) }
        let disk = try CopyOnWriteOverlay(base: try RawFileBlockDevice(path: image.path))
        // Spans the end of sector 1, all of sector 2 and the start of sector 3.
        try disk.write([UInt8](repeating: 9, count: 600), at: 1000)
        var expected = image.contents
        for i in 1000..<1600 { expected[i] = 9 }
        #expect(try disk.read(at: 0, count: 4096) == expected)
        #expect(disk.sectorsInOverlay == 3)
    }

    @Test("scatter/gather: reads split between overlay and base inside pieces; gathered writes copy up partial sectors")
    func scatterGather() throws {
        let image = TemporaryDiskImage(byteCount: 512 * 16) { Self.pattern($0) }
        let before = image.contents
        let disk = try CopyOnWriteOverlay(base: try RawFileBlockDevice(path: image.path))
        var expected = image.contents
        // Starts 100 bytes into sector 3 and ends 76 bytes into sector 6, from four pieces and an empty one.
        let source = HostPieces(sizes: [200, 1000, 50, 0, 262])
        let data = (0..<source.count).map { UInt8(truncatingIfNeeded: $0 &* 3 &+ 1) }
        source.load(data)
        try disk.write(source.buffers.map { UnsafeRawBufferPointer($0) }, at: 512 * 3 + 100)
        for (i, b) in data.enumerated() { expected[512 * 3 + 100 + i] = b }
        #expect(disk.sectorsInOverlay == 4)
        #expect(image.contents == before, "the base is untouched")
        // Pieces whose edges fall inside sectors on either side of the overlay's edges.
        let pieces = HostPieces(sizes: [300, 1, 1800, 0, 4000, 2091])
        #expect(pieces.count == 512 * 16)
        try disk.read(into: pieces.buffers, at: 0)
        #expect(pieces.bytes == expected)
        let tail = HostPieces(sizes: [7, 700])
        try disk.read(into: tail.buffers, at: 512 * 6 - 300)
        #expect(tail.bytes == Array(expected[(512 * 6 - 300)..<(512 * 6 + 407)]))
        #expect(throws: DiskError.outOfRange(offset: 512 * 16 - 1, count: 707)) {
            try disk.read(into: tail.buffers, at: 512 * 16 - 1)
        }
    }

    @Test("export then import into a fresh overlay gives the same disk")
    func exportImport() throws {
        let image = TemporaryDiskImage(byteCount: 512 * 300) { Self.pattern($0) }
        let base = try RawFileBlockDevice(path: image.path)
        let disk = try CopyOnWriteOverlay(base: base)
        var rng = SplitMix64(seed: 42)
        for _ in 0..<40 {
            let offset = rng.next() % UInt64(512 * 290)
            let count = Int(rng.next() % 3000)
            try disk.write((0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: offset)
        }
        // Small records force runs to be split across records.
        let records = try disk.exportRecords(maxRecordBytes: 4096)
        #expect(records.count > 1)
        let copy = try CopyOnWriteOverlay(base: base)
        for r in records { try copy.importRecord(r) }
        #expect(copy.sectorsInOverlay == disk.sectorsInOverlay)
        #expect(try copy.read(at: 0, count: 512 * 300) == disk.read(at: 0, count: 512 * 300))
        #expect(try CopyOnWriteOverlay(base: base).exportRecords().isEmpty)
    }

    @Test("hostile records are refused before anything is written")
    func hostileRecords() throws {
        let image = TemporaryDiskImage(byteCount: 512 * 8)
        let base = try RawFileBlockDevice(path: image.path)
        let disk = try CopyOnWriteOverlay(base: base)
        try disk.write([UInt8](repeating: 5, count: 512), at: 0)
        let good = try disk.exportRecords()[0]
        let fresh = try CopyOnWriteOverlay(base: base)
        func refused(_ r: [UInt8]) -> Bool {
            do { try fresh.importRecord(r); return false } catch { return true }
        }
        #expect(refused([]))
        #expect(refused(Array(good.prefix(good.count - 1))))
        #expect(refused(good + [0]))
        var wrongDisk = good; wrongDisk[4] = 9
        #expect(refused(wrongDisk))
        var outside = good; outside[16] = 8  // first sector 8 of 8
        #expect(refused(outside))
        var huge = good; huge[24] = 0xFF; huge[25] = 0xFF; huge[26] = 0xFF; huge[27] = 0xFF
        #expect(refused(huge))
        var format = good; format[0] = 2
        #expect(refused(format))
        #expect(fresh.sectorsInOverlay == 0)
        try fresh.importRecord(good)
        #expect(try fresh.read(at: 0, count: 512) == [UInt8](repeating: 5, count: 512))
    }

    @Test("a read-only base makes a read-only overlay")
    func readOnly() throws {
        let image = TemporaryDiskImage(byteCount: 1024)
        let disk = try CopyOnWriteOverlay(base: try RawFileBlockDevice(path: image.path, readOnly: true))
        #expect(disk.isReadOnly)
        #expect(throws: DiskError.readOnly) { try disk.write([1], at: 0) }
        #expect(throws: DiskError.outOfRange(offset: 1000, count: 100)) { try disk.read(at: 1000, count: 100) }
    }
}
