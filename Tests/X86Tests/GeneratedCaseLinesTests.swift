import Foundation
import Testing

/// `scripts/gen-decoded-specialized.py` lists the `runOps` case line of every kind it generates
/// (at the top of CPU+DecodedSpecialized.swift); `runOps` must use exactly those lines, or a kind
/// could skip (or gain) the event check or loop handling its generator entry promises.
@Suite("Generated decoded kinds")
struct GeneratedCaseLinesTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/X86").standardized

    @Test("runOps has every generated case line, unchanged")
    func caseLinesMatch() throws {
        let generated = try String(contentsOf: Self.sources.appendingPathComponent("CPU+DecodedSpecialized.swift"), encoding: .utf8)
        let runOps = try String(contentsOf: Self.sources.appendingPathComponent("CPU+RunOps.swift"), encoding: .utf8)
        let used = Set(runOps.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        let lines = generated.split(separator: "\n").filter { $0.hasPrefix("// case .") }.map { String($0.dropFirst(3)) }
        #expect(lines.count > 100, "the generated file lists its case lines")
        let missing = lines.filter { !used.contains($0) }
        #expect(missing.isEmpty, "runOps lacks (or changed) these generated lines: \(missing.prefix(5))")
    }
}
