// Thousands of random mutations of a valid snapshot: each is refused or reads back intact.

import Foundation
import Testing
import TestSupport
@testable import Snapshot

@Suite("Snapshot fuzz")
struct SnapshotFuzzTests {
    /// One random change: bit flips, byte overwrites, a cut, an insertion, a deletion, a range
    /// overwritten with 0x00 / 0xFF / random bytes, or a 32-bit field set to an edge value.
    private static func mutate(_ good: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = good
        let n = max(b.count, 1)
        switch rng.below(8) {
        case 0:
            for _ in 0..<(1 + rng.below(4)) { b[rng.below(b.count)] ^= UInt8(1 << rng.below(8)) }
        case 1:
            b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 2:
            b.removeSubrange(rng.below(n)...)
        case 3:
            let at = rng.below(n)
            b.insert(contentsOf: (0..<(1 + rng.below(16))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
        case 4:
            let at = rng.below(n)
            b.removeSubrange(at..<min(b.count, at + 1 + rng.below(64)))
        case 5:
            let at = rng.below(n)
            let fill: UInt8 = [0x00, 0xFF][rng.below(2)]
            for i in at..<min(b.count, at + 1 + rng.below(256)) { b[i] = fill }
        case 6:
            let at = rng.below(n)
            for i in at..<min(b.count, at + 1 + rng.below(32)) { b[i] = UInt8(truncatingIfNeeded: rng.next()) }
        default:
            let at = rng.below(max(1, n - 4))
            let edge: [UInt32] = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, 4096, 1 << 20]
            let v = edge[rng.below(edge.count)]
            for i in 0..<4 where at + i < b.count { b[at + i] = UInt8(truncatingIfNeeded: v >> UInt32(8 * i)) }
        }
        return b
    }

    @Test("4000 mutations: every one is refused or reads back intact; half of them with checksums re-sealed")
    func mutations() throws {
        let dir = ScratchDirectory()
        let ram = Sample.ram(chunks: 6, extra: 100)
        let good = try Sample.file(at: dir.file("good.psnap"), ram: ram)
        let path = dir.file("fuzz.psnap")
        var rng = SplitMix64(seed: 0xF022)
        var refused = 0, accepted = 0
        for i in 0..<4000 {
            var bad = Self.mutate(good, &rng)
            // Odd iterations fix every checksum after the change, so the structural checks,
            // the JSON decoder and zstd see the damage instead of a CRC.
            let resealed = i % 2 == 1
            if resealed { LayoutMap.resealAll(&bad) }
            try bad.write(to: path)
            do {
                let (manifest, sections, back) = try readSnapshot(path)
                accepted += 1
                if resealed {
                    // A re-sealed change may be a consistent new file (e.g. another timestamp in
                    // the manifest); it must still be self-consistent.
                    #expect(UInt64(back.count) == manifest.ramSize)
                    #expect(sections.map(\.name) == manifest.sections.map(\.name))
                } else {
                    #expect(bad == good, "mutation \(i) changed the file but was accepted")
                    #expect(back == ram && sections == Sample.sections)
                }
            } catch {
                refused += 1
            }
        }
        #expect(refused > 3500, "refused \(refused), accepted \(accepted)")
    }

    @Test("random bytes of every small length are refused")
    func noise() throws {
        let dir = ScratchDirectory()
        let path = dir.file("noise.psnap")
        var rng = SplitMix64(seed: 99)
        for length in 0..<300 {
            var b = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if length >= 8 && length % 2 == 0 { b.replaceSubrange(0..<8, with: SnapshotFile.magic) }
            if length >= 12 && length % 4 == 0 { b[8] = 1; b[9] = 0; b[10] = 0; b[11] = 0 }
            try b.write(to: path)
            #expect(throws: SnapshotFileError.self) { try readSnapshot(path) }
        }
    }
}
