// Results of a whole conformance run.

/// All file reports of a run, with totals.
public struct SSTSuiteReport: Sendable {
    public var files: [SSTFileReport] = []

    public init(files: [SSTFileReport] = []) {
        self.files = files
    }

    /// Passed tests, allowed ones included (they are documented i686 differences, not failures).
    public var passed: Int { files.reduce(0) { $0 + $1.passed + $1.allowed } }
    /// Failed tests plus unreadable files.
    public var failed: Int { files.reduce(0) { $0 + $1.failureCount } }
    public var allowed: Int { files.reduce(0) { $0 + $1.allowed } }
    public var skipped: Int { files.reduce(0) { $0 + $1.skipped } }
    public var sampled: Bool { files.contains(where: \.sampled) }

    /// Opcode labels of files with failures, in file order.
    public var failingOpcodes: [String] { files.filter { $0.failureCount > 0 }.map(\.label) }

    /// The closing line: "N passed, M failed".
    public var summaryLine: String { "\(passed) passed, \(failed) failed" }

    /// One line per file: "F6.7   idiv     998/1000 passed  2 failed".
    public func perOpcodeTable(onlyFailing: Bool = false) -> [String] {
        files.filter { !onlyFailing || $0.failureCount > 0 }.map { f in
            let label = f.label.padding(toLength: 7, withPad: " ", startingAt: 0)
            let mnemonic = f.mnemonic.padding(toLength: 8, withPad: " ", startingAt: 0)
            if let error = f.error { return "\(label) \(mnemonic) ERROR: \(error)" }
            var line = "\(label) \(mnemonic) \(f.passed + f.allowed)/\(f.ran) passed"
            if f.failed > 0 { line += ", \(f.failed) failed" }
            if f.allowed > 0 { line += ", \(f.allowed) allowed" }
            if f.skipped > 0 { line += ", \(f.skipped) skipped" }
            if f.sampled { line += " (first \(f.ran + f.skipped) of \(f.testsInFile))" }
            return line
        }
    }
}
