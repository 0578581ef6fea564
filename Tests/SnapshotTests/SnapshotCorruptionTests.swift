// Damaged and crafted files: every one is refused with a SnapshotFileError, none crashes.

import Foundation
import Testing
import TestSupport
@testable import Snapshot

@Suite("Snapshot corruption")
struct SnapshotCorruptionTests {
    /// The sample file (10 chunks of 4 KiB, three sections), written once per test.
    private static func sample(_ dir: ScratchDirectory) throws -> [UInt8] {
        try Sample.file(at: dir.file("good.psnap"))
    }

    /// Offsets worth changing: every byte outside the zstd frames (headers, manifest, record
    /// fields, checksums, trailer) and every fifth byte inside them (the frames are checked by
    /// CRC as a whole; sampling keeps the debug-build test short).
    private static func offsets(in good: [UInt8]) throws -> [Int] {
        let map = try #require(LayoutMap(good))
        var inFrame = Set<Int>()
        for s in map.sections {
            let nameLength = Int(LayoutMap.u16(good, s.start))
            inFrame.formUnion((s.start + 2 + nameLength + 12)..<s.crc)
        }
        for c in map.chunks { inFrame.formUnion((c.start + 8)..<c.crc) }
        return (0..<good.count).filter { !inFrame.contains($0) || $0 % 5 == 0 }
    }

    /// Reads `bytes` as a snapshot file and returns the error (nil when it was accepted).
    private static func error(reading bytes: [UInt8], in dir: ScratchDirectory) throws -> SnapshotFileError? {
        let path = dir.file("bad.psnap")
        try bytes.write(to: path)
        do {
            _ = try readSnapshot(path)
            return nil
        } catch {
            #expect(!error.description.isEmpty && !error.description.contains("\n"))
            return error
        }
    }

    @Test("a file cut at any length is refused as truncated")
    func truncatedEverywhere() throws {
        let dir = ScratchDirectory()
        let good = try Self.sample(dir)
        for length in 0..<good.count {
            let e = try Self.error(reading: Array(good[0..<length]), in: dir)
            guard case .truncated = e else {
                Issue.record("cut at \(length) of \(good.count): \(e.map(String.init(describing:)) ?? "accepted")")
                continue
            }
        }
    }

    @Test("a changed byte anywhere is refused")
    func flippedEverywhere() throws {
        let dir = ScratchDirectory()
        let good = try Self.sample(dir)
        var rng = SplitMix64(seed: 3)
        for offset in try Self.offsets(in: good) {
            var bad = good
            bad[offset] ^= UInt8(1 + rng.below(255))
            if try Self.error(reading: bad, in: dir) == nil { Issue.record("flip at \(offset) accepted") }
        }
    }

    @Test("with the file checksum recomputed, a changed byte is still caught by a record checksum or a structural check")
    func flippedBehindFileChecksum() throws {
        let dir = ScratchDirectory()
        let good = try Self.sample(dir)
        var rng = SplitMix64(seed: 4)
        for offset in try Self.offsets(in: good) where offset < good.count - 4 {
            var bad = good
            bad[offset] ^= UInt8(1 << rng.below(8))
            LayoutMap.resealFile(&bad)
            if try Self.error(reading: bad, in: dir) == nil { Issue.record("flip at \(offset) accepted") }
        }
    }

    @Test("a flipped RAM byte behind a resealed file checksum is named as that chunk's checksum mismatch")
    func chunkChecksumMessage() throws {
        let dir = ScratchDirectory()
        var bad = try Self.sample(dir)
        let map = try #require(LayoutMap(bad))
        let chunk = map.chunks[1]
        bad[chunk.start + 20] ^= 0x10
        LayoutMap.resealFile(&bad)
        let e = try Self.error(reading: bad, in: dir)
        #expect(e == .checksumMismatch(what: "RAM chunk 1", offset: UInt64(chunk.start)))
        #expect(e?.description == "snapshot checksum mismatch in RAM chunk 1 at offset \(chunk.start)")
    }

    @Test("a file with another magic is not a snapshot")
    func wrongMagic() throws {
        let dir = ScratchDirectory()
        var bad = try Self.sample(dir)
        bad[0] = UInt8(ascii: "X")
        #expect(try Self.error(reading: bad, in: dir) == .notASnapshot(path: dir.file("bad.psnap")))
        #expect(try Self.error(reading: Array("hello".utf8), in: dir).map { "\($0)" }?.contains("truncated") == true)
        #expect(try Self.error(reading: Array("#!/bin/sh\necho hi\n".utf8), in: dir) == .notASnapshot(path: dir.file("bad.psnap")))
    }

    @Test("a newer format version is refused with a clear message, whatever follows")
    func newerVersion() throws {
        let dir = ScratchDirectory()
        var bad = try Self.sample(dir)
        bad[8] = 2
        let e = try Self.error(reading: bad, in: dir)
        #expect(e?.description == "snapshot format version 2 is newer than this Partita supports (1)")
        // Only the header of a future file: the version is checked before anything else.
        var future = SnapshotFile.magic + [0x07, 0x01, 0, 0]
        future += [UInt8](repeating: 0xFF, count: 8)
        #expect(try Self.error(reading: future, in: dir) == .newerFormat(found: 263, supported: 1))
        bad[8] = 0
        #expect(try Self.error(reading: bad, in: dir) == .unsupportedFormat(found: 0))
    }

    @Test("absurd manifest lengths are refused before anything is allocated")
    func manifestLength() throws {
        let dir = ScratchDirectory()
        let good = try Self.sample(dir)
        for (length, expected) in [(UInt32.max, "manifest length"), (0, "manifest length"),
                                   (UInt32(16 << 20), "truncated"), (UInt32(good.count), "truncated")] {
            var bad = good
            LayoutMap.put(length, at: 12, in: &bad)
            LayoutMap.resealFile(&bad)
            let e = try Self.error(reading: bad, in: dir)
            #expect(e.map { "\($0)" }?.contains(expected) == true, "\(length): \(String(describing: e))")
        }
    }

    /// Rewrites the manifest JSON through `edit`, fixing the manifest length and every checksum.
    private static func withManifest(_ good: [UInt8], _ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
        let map = try #require(LayoutMap(good))
        var json = try #require(try JSONSerialization.jsonObject(with: Data(good[map.manifestRange])) as? [String: Any])
        edit(&json)
        let text = Array(try JSONSerialization.data(withJSONObject: json))
        var bad = Array(good[0..<20]) + text + Array(good[map.manifestRange.upperBound...])
        LayoutMap.put(UInt32(text.count), at: 12, in: &bad)
        // The trailer records the file length.
        let length = UInt64(bad.count)
        for i in 0..<8 { bad[bad.count - 12 + i] = UInt8(truncatingIfNeeded: length >> UInt64(8 * i)) }
        LayoutMap.resealAll(&bad)
        return bad
    }

    @Test("manifests with impossible values are refused", arguments: [
        ("ramSize", 1 << 40, "larger than 4 GiB"),
        ("ramSize", -1, "not valid"),
        ("chunkSize", 3, "chunk size 3"),
        ("chunkSize", 0, "chunk size 0"),
        ("chunkSize", 1 << 30, "chunk size"),
        ("formatVersion", 7, "format version 7"),
        ("ramSize", "lots", "not valid"),
    ] as [(String, any Sendable, String)])
    func manifestValues(_ c: (String, any Sendable, String)) throws {
        let dir = ScratchDirectory()
        let bad = try Self.withManifest(try Self.sample(dir)) { $0[c.0] = c.1 }
        let e = try Self.error(reading: bad, in: dir)
        #expect(e.map { "\($0)" }?.contains(c.2) == true, "\(c.0) = \(c.1): \(String(describing: e))")
    }

    @Test("a manifest listing too many sections, or sections the file lacks, is refused")
    func manifestSections() throws {
        let dir = ScratchDirectory()
        let good = try Self.sample(dir)
        let many = try Self.withManifest(good) { m in
            m["sections"] = (0..<2000).map { ["name": "s\($0)", "version": 1] }
        }
        #expect(try Self.error(reading: many, in: dir).map { "\($0)" }?.contains("at most 1024") == true)
        let extra = try Self.withManifest(good) { m in
            m["sections"] = ((m["sections"] as? [Any]) ?? []) + [["name": "ghost", "version": 1]]
        }
        #expect(try Self.error(reading: extra, in: dir).map { "\($0)" }?.contains("the manifest lists 4") == true)
        let renamed = try Self.withManifest(good) { m in
            m["sections"] = [["name": "cpu", "version": 1], ["name": "pit", "version": 3], ["name": "empty", "version": 0]]
        }
        #expect(try Self.error(reading: renamed, in: dir).map { "\($0)" }?.contains("is named \"pic\"") == true)
        let bigger = try Self.withManifest(good) { m in m["ramSize"] = 1 << 20 }
        #expect(try Self.error(reading: bigger, in: dir).map { "\($0)" }?.contains("truncated") == true)
    }

    @Test("absurd record lengths behind valid checksums are refused", arguments: [
        "section count", "section payload length", "section stored length", "section name length",
        "chunk stored length", "chunk index", "file length", "extra bytes",
    ])
    func recordLengths(_ field: String) throws {
        let dir = ScratchDirectory()
        var bad = try Self.sample(dir)
        let map = try #require(LayoutMap(bad))
        switch field {
        case "section count": LayoutMap.put(UInt32.max, at: map.sectionCountOffset, in: &bad)
        case "section payload length": LayoutMap.put(UInt32.max, at: map.sections[1].payloadLengthField, in: &bad)
        case "section stored length": LayoutMap.put(UInt32.max, at: map.sections[1].payloadLengthField + 4, in: &bad)
        case "section name length": bad[map.sections[0].start] = 0; bad[map.sections[0].start + 1] = 0xFF
        case "chunk stored length": LayoutMap.put(UInt32.max, at: map.chunks[2].start + 4, in: &bad)
        case "chunk index": LayoutMap.put(9, at: map.chunks[2].start, in: &bad)
        case "file length": bad[bad.count - 5] ^= 1
        default: bad.insert(contentsOf: [1, 2, 3, 4], at: map.trailer)
            let length = UInt64(bad.count)
            for i in 0..<8 { bad[bad.count - 12 + i] = UInt8(truncatingIfNeeded: length >> UInt64(8 * i)) }
        }
        // Re-seal only what the LayoutMap of the original file locates, so the change itself
        // is what the reader has to catch.
        for s in map.sections where s.crc + 4 <= bad.count - 20 {
            LayoutMap.put(CRC32C.checksum(Array(bad[s.start..<s.crc])), at: s.crc, in: &bad)
        }
        for c in map.chunks where c.crc + 4 <= bad.count - 20 {
            LayoutMap.put(CRC32C.checksum(Array(bad[c.start..<c.crc])), at: c.crc, in: &bad)
        }
        LayoutMap.resealFile(&bad)
        let e = try Self.error(reading: bad, in: dir)
        switch e {
        case .malformed?, .truncated?: break
        default: Issue.record("\(field): \(String(describing: e))")
        }
    }

    @Test("a changed zstd frame behind valid checksums never yields different RAM")
    func frameDamage() throws {
        let dir = ScratchDirectory()
        let good = try Self.sample(dir)
        let map = try #require(LayoutMap(good))
        let path = dir.file("bad.psnap")
        var caught = 0
        for c in map.chunks where LayoutMap.u32(good, c.start + 4) != 0 {
            for offset in stride(from: c.start + 8, to: c.crc, by: 3) {
                var bad = good
                bad[offset] ^= 0x41
                LayoutMap.resealAll(&bad)
                try bad.write(to: path)
                do {
                    // zstd may accept a changed header field that does not change the content
                    // (its XXH64 content checksum still matches): then the RAM must be the same.
                    #expect(try readSnapshot(path).2 == Sample.ram(), "frame change at \(offset)")
                } catch {
                    caught += 1
                }
            }
        }
        #expect(caught > 0)
    }
}
