// Shared material for the snapshot tests: a scratch directory, sample RAM and sections, and a
// second, independent reading of the byte layout that can locate records and re-seal checksums.

import Foundation
import Testing
import TestSupport
@testable import Snapshot

/// A scratch directory removed when the fixture goes away.
final class ScratchDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("partita-snap-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    /// Names of the directory's entries, sorted.
    var entries: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

enum Sample {
    static let chunkSize = 4096

    /// RAM of `chunks` chunks (plus `extra` bytes): zero chunks, random chunks, text chunks and a
    /// chunk that is zero but for its last byte (zero detection must look at every byte).
    static func ram(chunks: Int = 10, extra: Int = 0, seed: UInt64 = 7) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var ram = [UInt8](repeating: 0, count: chunks * chunkSize + extra)
        for c in 0..<chunks {
            let base = c * chunkSize
            switch c % 5 {
            case 1: for i in 0..<chunkSize { ram[base + i] = UInt8(truncatingIfNeeded: rng.next()) }
            case 2: for i in 0..<chunkSize { ram[base + i] = Array("partita ".utf8)[i % 8] }
            case 3: ram[base + chunkSize - 1] = 0x5A
            default: break
            }
        }
        for i in 0..<extra { ram[chunks * chunkSize + i] = UInt8(truncatingIfNeeded: i * 7 + 1) }
        return ram
    }

    static let sections = [
        SnapshotSection(name: "cpu", version: 1, payload: Array("{\"eax\":1,\"eip\":4096}".utf8)),
        SnapshotSection(name: "pic", version: 3, payload: Array(repeating: 0xAB, count: 300)),
        SnapshotSection(name: "empty", version: 0, payload: []),
    ]

    static let configuration: JSONValue = .object([
        "ramSize": .integer(40960), "name": .string("test"), "serial": .null,
        "big": .unsignedInteger(UInt64.max), "ratio": .number(0.5), "flags": .array([.bool(true), .bool(false)]),
    ])

    static var options: SnapshotWriteOptions {
        var o = SnapshotWriteOptions()
        o.chunkSize = chunkSize
        o.created = Date(timeIntervalSince1970: 1_700_000_000)
        o.syncToDisk = false
        return o
    }

    /// Writes the sample snapshot and returns its bytes.
    static func file(at path: String, ram: [UInt8] = Sample.ram(), sections: [SnapshotSection] = Sample.sections)
        throws -> [UInt8]
    {
        try SnapshotFile.write(to: path, configuration: configuration, partitaVersion: "test", sections: sections,
                               ram: ram, options: options)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// Reads a whole snapshot back (the path every test uses to decide accept / refuse).
func readSnapshot(_ path: String) throws(SnapshotFileError) -> (SnapshotManifest, [SnapshotSection], [UInt8]) {
    let reader = try SnapshotReader(path: path)
    // The manifest was checked before this allocation: at most 4 GiB, and the test files are small.
    var ram = [UInt8](repeating: 0xEE, count: Int(reader.manifest.ramSize))
    var failure: SnapshotFileError?
    var sections: [SnapshotSection] = []
    ram.withUnsafeMutableBytes { r in
        do throws(SnapshotFileError) { sections = try reader.read(ramInto: r) } catch { failure = error }
    }
    if let failure { throw failure }
    return (reader.manifest, sections, ram)
}


/// The byte layout read a second time, independently of `SnapshotReader`, from the format's
/// documentation: where the records are, and how to re-seal checksums after a deliberate change
/// so that the structural checks behind them get exercised.
struct LayoutMap {
    var manifestRange: Range<Int>
    var sectionCountOffset: Int
    /// Each section record: its start, the offset of its payload-length field, its CRC offset.
    var sections: [(start: Int, payloadLengthField: Int, crc: Int)] = []
    /// Each RAM chunk record: its start and its CRC offset.
    var chunks: [(start: Int, crc: Int)] = []
    var trailer: Int

    /// Walks `b` as far as its fields allow (nil if not even the header and trailer fit).
    init?(_ b: [UInt8]) {
        guard b.count >= 40 else { return nil }
        trailer = b.count - 20
        let m = Int(LayoutMap.u32(b, 12))
        guard 20 + m <= trailer else { return nil }
        manifestRange = 20..<(20 + m)
        sectionCountOffset = 20 + m
        var o = sectionCountOffset + 4
        guard o <= trailer else { return }
        let count = min(Int(LayoutMap.u32(b, sectionCountOffset)), 1024)
        for _ in 0..<count {
            guard o + 2 <= trailer else { return }
            let l = Int(LayoutMap.u16(b, o))
            guard o + 2 + l + 12 <= trailer else { return }
            let stored = Int(LayoutMap.u32(b, o + 2 + l + 8))
            let crc = o + 2 + l + 12 + stored
            guard crc + 4 <= trailer else { return }
            sections.append((o, o + 2 + l + 4, crc))
            o = crc + 4
        }
        while o + 8 <= trailer {
            let stored = Int(LayoutMap.u32(b, o + 4))
            let crc = o + 8 + stored
            guard crc + 4 <= trailer else { return }
            chunks.append((o, crc))
            o = crc + 4
        }
    }

    /// Recomputes the manifest, record and file checksums so that only the structural checks
    /// (and zstd's own) stand between a change and the reader.
    static func resealAll(_ b: inout [UInt8]) {
        guard let map = LayoutMap(b) else { return resealFile(&b) }
        put(CRC32C.checksum(Array(b[map.manifestRange])), at: 16, in: &b)
        for s in map.sections { put(CRC32C.checksum(Array(b[s.start..<s.crc])), at: s.crc, in: &b) }
        for c in map.chunks { put(CRC32C.checksum(Array(b[c.start..<c.crc])), at: c.crc, in: &b) }
        resealFile(&b)
    }

    /// Recomputes only the trailing whole-file checksum.
    static func resealFile(_ b: inout [UInt8]) {
        guard b.count >= 4 else { return }
        put(CRC32C.checksum(Array(b[0..<(b.count - 4)])), at: b.count - 4, in: &b)
    }

    static func u16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    static func u32(_ b: [UInt8], _ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * $1) } }
    static func put(_ v: UInt32, at o: Int, in b: inout [UInt8]) {
        for i in 0..<4 { b[o + i] = UInt8(truncatingIfNeeded: v >> UInt32(8 * i)) }
    }
}

extension Array where Element == UInt8 {
    func write(to path: String) throws { try Data(self).write(to: URL(fileURLWithPath: path)) }
}
