// SCSIDisk: the SCSI command set over an in-memory data buffer and a temporary image.

import Storage
import TestSupport
import Testing

@Suite("SCSI disk command set")
struct SCSIDiskTests {
    let image = TemporaryDiskImage(byteCount: 512 * 64) { UInt8($0 / 512) }

    func disk(readOnly: Bool = false) throws -> SCSIDisk {
        SCSIDisk(device: try RawFileBlockDevice(path: image.path, readOnly: readOnly), serial: "SER123")
    }

    func run(_ disk: SCSIDisk, _ cdb: [UInt8], length: Int) -> (SCSIResult, [UInt8]) {
        let buffer = SCSIByteBuffer(length: length)
        let result = disk.execute(cdb: cdb, buffer: buffer)
        return (result, Array(buffer.bytes.prefix(result.bytesTransferred)))
    }

    @Test("standard INQUIRY: disk, SPC-3, format 2, CmdQue, padded strings")
    func inquiry() throws {
        let (r, d) = run(try disk(), [0x12, 0, 0, 0, 36, 0], length: 96)
        #expect(r == .good(36))
        #expect(d[0] == 0x00 && d[2] == 5 && d[3] == 2 && d[4] == 31 && d[7] == 0x02)
        #expect(String(decoding: d[8..<16], as: UTF8.self) == "Partita ")
        #expect(String(decoding: d[16..<32], as: UTF8.self) == "Virtual Disk    ")
        let (short, _) = run(try disk(), [0x12, 0, 0, 0, 5, 0], length: 96)
        #expect(short.bytesTransferred == 5, "allocation length cuts the data")
    }

    @Test("VPD pages 0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2; unknown pages are ILLEGAL REQUEST")
    func vpd() throws {
        let d = try disk()
        let (r0, p0) = run(d, [0x12, 1, 0x00, 0, 255, 0], length: 255)
        #expect(r0.status == .good)
        #expect(Array(p0[4...]) == [0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2])
        let (_, p80) = run(d, [0x12, 1, 0x80, 0, 255, 0], length: 255)
        #expect(String(decoding: p80[4...], as: UTF8.self) == "SER123")
        let (_, p83) = run(d, [0x12, 1, 0x83, 0, 255, 0], length: 255)
        #expect(p83[1] == 0x83 && p83[4] == 0x02 && p83[5] == 0x01)
        let (_, pb0) = run(d, [0x12, 1, 0xB0, 0, 255, 0], length: 255)
        #expect(pb0.count == 64 && pb0[3] == 0x3C)
        #expect(Array(pb0[8..<16]) == [0, 0, 0x40, 0, 0, 0, 0x40, 0], "maximum and optimal: 16,384 blocks by default")
        let (_, pb1) = run(d, [0x12, 1, 0xB1, 0, 255, 0], length: 255)
        #expect(pb1[4] == 0 && pb1[5] == 1, "non-rotating")
        let (rb2, _) = run(d, [0x12, 1, 0xB2, 0, 255, 0], length: 255)
        #expect(rb2.status == .good)
        let (bad, _) = run(d, [0x12, 1, 0x99, 0, 255, 0], length: 255)
        #expect(bad == .check(.invalidFieldInCDB))
        let (noEVPD, _) = run(d, [0x12, 0, 0x80, 0, 255, 0], length: 255)
        #expect(noEVPD == .check(.invalidFieldInCDB))
    }

    @Test("the transport's transfer limit: VPD 0xB0 advertises it, longer READ/WRITE is INVALID FIELD IN CDB")
    func transferLimit() throws {
        let d = SCSIDisk(device: try RawFileBlockDevice(path: image.path), serial: "S", maxTransferBytes: 4096 + 100)
        #expect(d.maxTransferBlocks == 8)
        let (_, pb0) = run(d, [0x12, 1, 0xB0, 0, 255, 0], length: 255)
        #expect(Array(pb0[8..<16]) == [0, 0, 0, 8, 0, 0, 0, 8], "maximum and optimal transfer length")
        #expect(run(d, [0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0], length: 8 * 512).0 == .good(8 * 512))
        #expect(run(d, [0x28, 0, 0, 0, 0, 0, 0, 0, 9, 0], length: 9 * 512).0 == .check(.invalidFieldInCDB))
        let w = d.execute(cdb: [0x8A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0],
                          buffer: SCSIByteBuffer(bytes: [UInt8](repeating: 0xAB, count: 9 * 512)))
        #expect(w == .check(.invalidFieldInCDB))
        #expect(image.bytes(at: 0, count: 512) == [UInt8](repeating: 0, count: 512), "nothing written")
        let tiny = SCSIDisk(device: try RawFileBlockDevice(path: image.path), serial: "S", maxTransferBytes: 100)
        #expect(tiny.maxTransferBlocks == 1)
        let huge = SCSIDisk(device: try RawFileBlockDevice(path: image.path), serial: "S", maxTransferBytes: 1 << 40)
        #expect(huge.maxTransferBlocks == SCSIDisk.Limits.maxTransferBlocks)
    }

    @Test("READ CAPACITY(10) and (16) report the last LBA and 512-byte blocks")
    func capacity() throws {
        let (r10, c10) = run(try disk(), [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], length: 8)
        #expect(r10 == .good(8))
        #expect(c10 == [0, 0, 0, 63, 0, 0, 2, 0])
        var cdb = [UInt8](repeating: 0, count: 16)
        cdb[0] = 0x9E; cdb[1] = 0x10; cdb[13] = 32
        let (r16, c16) = run(try disk(), cdb, length: 32)
        #expect(r16 == .good(32))
        #expect(Array(c16[0..<12]) == [0, 0, 0, 0, 0, 0, 0, 63, 0, 0, 2, 0])
    }

    @Test("MODE SENSE(6/10): caching page with WCE, WP bit only when read-only")
    func modeSense() throws {
        let (r6, m6) = run(try disk(), [0x1A, 0, 0x3F, 0, 255, 0], length: 255)
        #expect(r6.status == .good)
        #expect(m6[2] & 0x80 == 0)
        #expect(Int(m6[0]) == m6.count - 1)
        #expect(m6[3] == 8, "block descriptor")
        #expect(m6[12] == 0x08 && m6[13] == 0x12 && m6[14] & 0x04 != 0)
        let (_, ro) = run(try disk(readOnly: true), [0x1A, 0x08, 0x08, 0, 255, 0], length: 255)
        #expect(ro[2] & 0x80 != 0)
        #expect(ro[3] == 0 && ro[4] == 0x08, "DBD: no block descriptor")
        let (r10, m10) = run(try disk(readOnly: true), [0x5A, 0, 0x3F, 0, 0, 0, 0, 1, 0, 0], length: 256)
        #expect(r10.status == .good)
        #expect(Int(m10[0]) << 8 | Int(m10[1]) == m10.count - 2)
        #expect(m10[3] & 0x80 != 0)
        let (bad, _) = run(try disk(), [0x1A, 0, 0x19, 0, 255, 0], length: 255)
        #expect(bad == .check(.invalidFieldInCDB))
    }

    @Test("WRITE(10) then READ(10)/(16)/(6) of the same blocks; data in the image")
    func readWrite() throws {
        let d = try disk()
        let data = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let w = d.execute(cdb: [0x2A, 0, 0, 0, 0, 5, 0, 0, 2, 0], buffer: SCSIByteBuffer(bytes: data))
        #expect(w == .good(1024))
        #expect(image.bytes(at: 5 * 512, count: 1024) == data)
        let (r, back) = run(d, [0x28, 0, 0, 0, 0, 5, 0, 0, 2, 0], length: 1024)
        #expect(r == .good(1024) && back == data)
        let (_, b16) = run(d, [0x88, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0], length: 512)
        #expect(b16 == Array(data[512...]))
        let (_, b6) = run(d, [0x08, 0, 0, 7, 1, 0], length: 512)
        #expect(b6 == [UInt8](repeating: 7, count: 512))
    }

    @Test("a direct buffer: one vectored READ or WRITE over its runs, no array; a refused buffer is a transport error")
    func directBuffer() throws {
        let d = try disk()
        let data = (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 1) }
        let out = RunBuffer(bytes: data, runBytes: 700)
        #expect(d.execute(cdb: [0x2A, 0, 0, 0, 0, 9, 0, 0, 4, 0], buffer: out) == .good(2048))
        #expect(image.bytes(at: 9 * 512, count: 2048) == data)
        #expect(out.runs == [700, 700, 648] && out.modifying == [false])
        let into = RunBuffer(bytes: [UInt8](repeating: 0, count: 1536), runBytes: 1000)
        #expect(d.execute(cdb: [0x28, 0, 0, 0, 0, 10, 0, 0, 3, 0], buffer: into) == .good(1536))
        #expect(into.bytes == Array(data[512...]))
        #expect(into.runs == [1000, 536] && into.modifying == [true])
        let refused = RunBuffer(bytes: [UInt8](repeating: 0, count: 1024), runBytes: 512, accessible: false)
        #expect(d.execute(cdb: [0x28, 0, 0, 0, 0, 0, 0, 0, 2, 0], buffer: refused).transportFailed)
        #expect(d.execute(cdb: [0x2A, 0, 0, 0, 0, 0, 0, 0, 2, 0], buffer: refused).transportFailed)
        let readOnly = try disk(readOnly: true)
        #expect(readOnly.execute(cdb: [0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0], buffer: RunBuffer(bytes: data, runBytes: 512))
                == .check(.writeProtected))
    }

    @Test("out-of-range LBA: ILLEGAL REQUEST / LBA OUT OF RANGE, then REQUEST SENSE reports it")
    func outOfRange() throws {
        let d = try disk()
        let (r, _) = run(d, [0x28, 0, 0, 0, 0, 63, 0, 0, 2, 0], length: 1024)
        #expect(r == .check(.lbaOutOfRange))
        #expect(r.sense?.fixedFormat[0] == 0x70 && r.sense?.fixedFormat[2] == 0x05 && r.sense?.fixedFormat[12] == 0x21)
        let (_, sense) = run(d, [0x03, 0, 0, 0, 18, 0], length: 18)
        #expect(sense[2] == 0x05 && sense[12] == 0x21)
        let (_, cleared) = run(d, [0x03, 0, 0, 0, 18, 0], length: 18)
        #expect(cleared[2] == 0 && cleared[12] == 0)
        let (huge, _) = run(d, [0x88, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0], length: 0)
        #expect(huge == .check(.lbaOutOfRange))
    }

    @Test("a buffer shorter than the transfer is refused before any I/O")
    func shortBuffer() throws {
        let (r, _) = run(try disk(), [0x28, 0, 0, 0, 0, 0, 0, 0, 4, 0], length: 512)
        #expect(r == .check(.invalidFieldInCDB))
    }

    @Test("writes to a read-only disk: DATA PROTECT / WRITE PROTECTED; file untouched")
    func dataProtect() throws {
        let d = try disk(readOnly: true)
        let w = d.execute(cdb: [0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0], buffer: SCSIByteBuffer(length: 512))
        #expect(w == .check(.writeProtected))
        #expect(w.sense?.fixedFormat[2] == 0x07)
        #expect(image.bytes(at: 0, count: 512) == [UInt8](repeating: 0, count: 512))
    }

    @Test("unknown opcodes: CHECK CONDITION, ILLEGAL REQUEST, ASC 0x20")
    func unknownOpcode() throws {
        let (r, _) = run(try disk(), [0xC7, 0, 0, 0, 0, 0], length: 0)
        #expect(r == .check(.invalidOpcode))
        #expect(r.sense?.fixedFormat == [0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0])
    }

    @Test("TEST UNIT READY, START STOP UNIT, SYNCHRONIZE CACHE(10/16), REPORT LUNS")
    func misc() throws {
        let d = try disk()
        #expect(run(d, [0x00, 0, 0, 0, 0, 0], length: 0).0 == .good())
        #expect(run(d, [0x1B, 0, 0, 0, 1, 0], length: 0).0 == .good())
        #expect(run(d, [0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0], length: 0).0 == .good())
        #expect(run(d, [0x91] + [UInt8](repeating: 0, count: 15), length: 0).0 == .good())
        let (r, luns) = run(d, [0xA0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0], length: 4096)
        #expect(r == .good(16))
        #expect(luns == [0, 0, 0, 8] + [UInt8](repeating: 0, count: 12))
    }

    @Test("absent LUN INQUIRY answers peripheral 0x7F")
    func absentLUN() {
        let buffer = SCSIByteBuffer(length: 36)
        #expect(SCSIDisk.absentLUNInquiry(cdb: [0x12, 0, 0, 0, 36, 0], buffer: buffer) == .good(36))
        #expect(buffer.bytes[0] == 0x7F)
    }
}

/// A `SCSIDirectDataBuffer` in host memory that lends itself in runs of `runBytes` (or refuses,
/// when `accessible` is false) and records them; the array path is an error.
final class RunBuffer: SCSIDirectDataBuffer {
    var bytes: [UInt8]
    let runBytes: Int
    let accessible: Bool
    private(set) var runs: [Int] = []
    private(set) var modifying: [Bool] = []

    init(bytes: [UInt8], runBytes: Int, accessible: Bool = true) {
        self.bytes = bytes
        self.runBytes = runBytes
        self.accessible = accessible
    }

    var length: Int { bytes.count }

    func read(at offset: Int, count: Int) -> [UInt8]? {
        Issue.record("the array path was used")
        return nil
    }

    func write(_ bytes: [UInt8], at offset: Int) -> Bool {
        Issue.record("the array path was used")
        return false
    }

    func withHostRuns(at offset: Int, count: Int, modifying: Bool,
                      _ body: ([UnsafeMutableRawBufferPointer]) throws(DiskError) -> Void) throws(DiskError) -> Bool {
        guard accessible, offset >= 0, count >= 0, offset <= bytes.count - count else { return false }
        self.modifying.append(modifying)
        var failure: DiskError?
        bytes.withUnsafeMutableBytes { raw in
            let pieces = stride(from: offset, to: offset + count, by: runBytes).map { start in
                UnsafeMutableRawBufferPointer(rebasing: raw[start..<min(start + runBytes, offset + count)])
            }
            runs = pieces.map(\.count)
            do throws(DiskError) { try body(pieces) } catch { failure = error }
        }
        if let failure { throw failure }
        return true
    }
}
