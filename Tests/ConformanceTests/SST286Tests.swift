// Runs the SingleStepTests 80286 suite and the 80386 sample against the CPU core.

import Conformance
import Foundation
import Testing

@Suite("SingleStepTests conformance", .serialized)
struct SST286Tests {
    /// Debug builds run the first 100 tests of every file unless PARTITA_FULL_CONFORMANCE=1;
    /// release builds run everything.
    static var testsPerFile: Int? {
        if ProcessInfo.processInfo.environment["PARTITA_FULL_CONFORMANCE"] == "1" { return nil }
        #if DEBUG
        return 100
        #else
        return nil
        #endif
    }

    @Test("80286 real-mode suite (Harris 80C286 captures)")
    func sst80286() throws {
        try runSuite(folder: "sst80286")
    }

    @Test("80386EX real-mode sample (RG32/EA32/EXCP form)")
    func sst80386Sample() throws {
        try runSuite(folder: "sst80386-sample")
    }

    private func runSuite(folder name: String) throws {
        let folder = sharedTestData.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: folder) else {
            print("skipped: ../shared/testdata/\(name) not found")
            return
        }
        let files = try SSTSuite.collectFiles([folder])
        let suite = SSTSuite(allowList: .standard, testsPerFile: Self.testsPerFile, maxFailuresPerFile: 2)
        if let n = suite.testsPerFile {
            print("\(name): sampled the first \(n) tests of each of \(files.count) files "
                + "(debug build; set PARTITA_FULL_CONFORMANCE=1 or use -c release for all)")
        }
        let report = try suite.run(files: files)
        print("\(name) per-opcode results:")
        for line in report.perOpcodeTable() { print("  " + line) }
        if report.allowed > 0 { print("\(name): \(report.allowed) failures allowed as documented i686 differences") }
        print("\(name): \(report.summaryLine)")

        var message = ""
        for file in report.files where file.failureCount > 0 {
            if let error = file.error {
                message += "\(file.label): \(error)\n"
                continue
            }
            message += "\(file.label) \(file.mnemonic): \(file.failed) of \(file.ran) failed\n"
            if let first = file.failures.first { message += first.report(maxMemoryLines: 3, indent: "    ") + "\n" }
        }
        #expect(report.failed == 0, """
            \(name): \(report.failed) failures in opcodes \(report.failingOpcodes.joined(separator: " "))
            \(message)
            """)
    }
}
