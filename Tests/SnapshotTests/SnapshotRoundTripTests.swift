// Writing a snapshot and reading it back gives the same manifest, sections and RAM.

import EmulatorCore
import Foundation
import Testing
import TestSupport
@testable import Snapshot

@Suite("Snapshot round trip")
struct SnapshotRoundTripTests {
    @Test("sections and RAM with zero and non-zero chunks come back unchanged")
    func roundTrip() throws {
        let dir = ScratchDirectory()
        let path = dir.file("a.psnap")
        let ram = Sample.ram(chunks: 12)
        _ = try Sample.file(at: path, ram: ram)
        let (manifest, sections, back) = try readSnapshot(path)
        #expect(back == ram)
        #expect(sections == Sample.sections)
        #expect(manifest.ramSize == UInt64(ram.count))
        #expect(manifest.chunkSize == Sample.chunkSize)
        #expect(manifest.configuration == Sample.configuration)
        #expect(manifest.partitaVersion == "test")
        #expect(manifest.created == "2023-11-14T22:13:20Z")
        #expect(manifest.sections.map(\.name) == ["cpu", "pic", "empty"])
        #expect(manifest.sections.map(\.version) == [1, 3, 0])
        #expect(dir.entries == ["a.psnap"], "no temporary file is left behind")
    }

    @Test("all-zero chunks are stored as empty records")
    func zeroChunksElided() throws {
        let dir = ScratchDirectory()
        let ram = Sample.ram(chunks: 10)
        let bytes = try Sample.file(at: dir.file("z.psnap"), ram: ram)
        let map = try #require(LayoutMap(bytes))
        #expect(map.chunks.count == 10)
        for (i, c) in map.chunks.enumerated() {
            let stored = LayoutMap.u32(bytes, c.start + 4)
            let zero = ram[(i * Sample.chunkSize)..<((i + 1) * Sample.chunkSize)].allSatisfy { $0 == 0 }
            #expect((stored == 0) == zero, "chunk \(i)")
        }
        // 10 chunks of 4 KiB, most of them zero or repetitive: far smaller than the RAM.
        #expect(bytes.count < ram.count / 2)
    }

    @Test("RAM that is not a multiple of the chunk size keeps its short last chunk")
    func partialLastChunk() throws {
        let dir = ScratchDirectory()
        for extra in [1, 100, 4095] {
            let path = dir.file("p\(extra).psnap")
            let ram = Sample.ram(chunks: 3, extra: extra)
            _ = try Sample.file(at: path, ram: ram)
            let (manifest, _, back) = try readSnapshot(path)
            #expect(manifest.chunkCount == 4)
            #expect(back == ram)
        }
    }

    @Test("a snapshot without RAM or sections round-trips")
    func empty() throws {
        let dir = ScratchDirectory()
        let path = dir.file("e.psnap")
        _ = try Sample.file(at: path, ram: [], sections: [])
        let (manifest, sections, back) = try readSnapshot(path)
        #expect(manifest.ramSize == 0 && sections.isEmpty && back.isEmpty)
    }

    @Test("equal inputs give byte-identical files")
    func deterministic() throws {
        let dir = ScratchDirectory()
        let a = try Sample.file(at: dir.file("1.psnap"))
        let b = try Sample.file(at: dir.file("2.psnap"))
        #expect(a == b)
    }

    @Test("one thread and several threads write the same bytes and read the same RAM")
    func threadCountDoesNotMatter() throws {
        let dir = ScratchDirectory()
        let chunk = SnapshotFile.minParallelChunkSize
        let pattern = Sample.ram(chunks: chunk / Sample.chunkSize)
        var ram: [UInt8] = []
        for i in 0..<11 { ram += i % 4 == 3 ? [UInt8](repeating: 0, count: chunk) : pattern.map { $0 &+ UInt8(i) } }
        ram += [9, 9, 9, 9, 9]
        var files: [[UInt8]] = []
        for threads in [1, 2, 3, 8] {
            var o = Sample.options
            o.chunkSize = chunk
            o.threads = threads
            let path = dir.file("t\(threads).psnap")
            try SnapshotFile.write(to: path, configuration: .null, partitaVersion: "t", sections: [], ram: ram, options: o)
            files.append(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            #expect(try readSnapshot(path).2 == ram)
        }
        #expect(Set(files).count == 1)
    }

    @Test("a multi-MiB snapshot: several chunk rounds, the file checksummed in parallel pieces")
    func large() throws {
        let dir = ScratchDirectory()
        var rng = SplitMix64(seed: 11)
        var block = [UInt8](repeating: 0, count: 1 << 20)
        block.withUnsafeMutableBytes { b in
            for i in stride(from: 0, to: b.count, by: 8) { b.storeBytes(of: rng.next(), toByteOffset: i, as: UInt64.self) }
        }
        var ram: [UInt8] = []
        for i in 0..<13 {
            // Random 1 MiB chunks (incompressible, so the file is over 4 MiB), a zero one, and a
            // short tail.
            ram += i == 5 ? [UInt8](repeating: 0, count: 1 << 20) : block.map { $0 ^ UInt8(i) }
        }
        ram += [1, 2, 3]
        var o = Sample.options
        o.chunkSize = SnapshotFile.defaultChunkSize
        o.threads = 3
        let path = dir.file("big.psnap")
        try SnapshotFile.write(to: path, configuration: .null, partitaVersion: "t", sections: Sample.sections, ram: ram, options: o)
        let (_, sections, back) = try readSnapshot(path)
        #expect(back == ram && sections == Sample.sections)

        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count > 12 << 20)
        let file = try POSIXFile.openForReading(path)
        let length = UInt64(bytes.count - 4)
        let whole = CRC32C.checksum(Array(bytes[0..<Int(length)]))
        for threads in [1, 2, 3, 7] {
            #expect(try ParallelFileChecksum(file: file, length: length, threads: threads).compute() == whole)
        }
        var bad = bytes
        bad[bytes.count - 3_000_000] ^= 4
        try bad.write(to: path)
        #expect(throws: SnapshotFileError.checksumMismatch(what: "the file", offset: UInt64(bytes.count - 4))) {
            try readSnapshot(path)
        }
    }

    @Test("info reads the header and manifest without touching the records")
    func infoOnly() throws {
        let dir = ScratchDirectory()
        let path = dir.file("i.psnap")
        let bytes = try Sample.file(at: path)
        let map = try #require(LayoutMap(bytes))
        // Cut the file right after the manifest: info still works, a full read does not.
        let cut = dir.file("cut.psnap")
        try Array(bytes[0..<map.manifestRange.upperBound]).write(to: cut)
        let info = try SnapshotFile.info(path: cut)
        #expect(info.formatVersion == SnapshotFile.formatVersion)
        #expect(info.manifest.sections.count == 3)
        #expect(info.manifestText.contains("\"partitaVersion\" : \"test\""))
        #expect(throws: SnapshotFileError.self) { try readSnapshot(cut) }
    }

    @Test("the manifest is readable JSON with the documented fields")
    func manifestIsJSON() throws {
        let dir = ScratchDirectory()
        let path = dir.file("m.psnap")
        _ = try Sample.file(at: path)
        let text = try SnapshotFile.info(path: path).manifestText
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["formatVersion", "partitaVersion", "created", "ramSize", "chunkSize",
                                     "configuration", "sections"])
    }

    @Test("a configuration survives as JSON, 64-bit integers exactly")
    func configurationValue() throws {
        struct Config: Codable, Equatable {
            var ramSize: UInt64
            var name: String
            var disks: [String]
            var hash: UInt64
        }
        let c = Config(ramSize: 3 << 30, name: "pc", disks: ["a.img"], hash: 0xFFFF_FFFF_FFFF_FFF0)
        let v = try JSONValue(encoding: c)
        let dir = ScratchDirectory()
        let path = dir.file("c.psnap")
        try SnapshotFile.write(to: path, configuration: v, partitaVersion: "t", sections: [], ram: [UInt8](),
                               options: Sample.options)
        let back = try SnapshotFile.info(path: path).manifest.configuration
        #expect(back == v)
        #expect(try back.decode(Config.self) == c)
    }

    @Test("the RAM buffer must have the snapshot's RAM size")
    func ramSizeMismatch() throws {
        let dir = ScratchDirectory()
        let path = dir.file("r.psnap")
        _ = try Sample.file(at: path)
        let reader = try SnapshotReader(path: path)
        var small = [UInt8](repeating: 0, count: 4096)
        _ = small.withUnsafeMutableBytes { r in
            #expect(throws: SnapshotFileError.ramSizeMismatch(snapshot: reader.manifest.ramSize, buffer: 4096)) {
                _ = try reader.read(ramInto: r)
            }
        }
    }

    @Test("a Snapshottable device saves into a section and restores from it")
    func deviceSection() throws {
        let a = Counter()
        a.count = 41
        let section = try SnapshotSection(saving: a)
        #expect(section.name == "counter" && section.version == 2)
        let b = Counter()
        try section.restore(into: b)
        #expect(b.count == 41)
        let newer = SnapshotSection(name: "counter", version: 3, payload: section.payload)
        #expect(throws: SnapshotStateError.self) { try newer.restore(into: b) }
        let wrong = SnapshotSection(name: "other", version: 2, payload: section.payload)
        #expect(throws: SnapshotStateError.self) { try wrong.restore(into: b) }
        let invalid = SnapshotSection(name: "counter", version: 2, payload: Array("{\"count\":-1}".utf8))
        #expect(throws: SnapshotStateError.self) { try invalid.restore(into: b) }
    }
}

/// A minimal device for the section helpers.
private final class Counter: Snapshottable {
    struct SavedState: Codable, Equatable { var count: Int }
    var count = 0
    var snapshotSection: String { "counter" }
    static var savedStateVersion: Int { 2 }
    func saveState() -> SavedState { SavedState(count: count) }
    func restoreState(_ state: SavedState) throws {
        guard state.count >= 0 else { throw SnapshotStateError(section: "counter", reason: "negative count") }
        count = state.count
    }
}
