// Per-file results of a conformance run.

/// Counts and the first failures of one test file.
public struct SSTFileReport: Sendable {
    public var path: String
    public var key: SSTOpcodeKey?
    public var mnemonic: String
    public var referenceCPU: SSTReferenceCPU?
    /// Where the undefined-flag masks came from ("metadata.json" or the SDM fallback).
    public var flagsMaskSource = ""
    public var testsInFile = 0
    public var passed = 0
    public var failed = 0
    public var allowed = 0
    public var skipped = 0
    /// Whether only part of the file ran (a per-file limit).
    public var sampled = false
    /// The first failures, up to the suite's limit.
    public var failures: [SSTTestResult] = []
    /// The first allowed failures, up to the suite's limit.
    public var allowedResults: [SSTTestResult] = []
    /// Every result, when the suite ran a single test index (`SSTSuite.onlyIndex`).
    public var inspected: [SSTTestResult] = []
    /// Allow-list entries that explained failures, with counts.
    public var allowedBy: [String: Int] = [:]
    /// Set when the file could not be read; it then counts as one failure.
    public var error: String?

    public init(path: String) {
        self.path = path
        mnemonic = ""
    }

    public var fileName: String { String(path.split(separator: "/").last ?? Substring(path)) }

    /// Opcode label: the key, or the file name when there is none.
    public var label: String { key?.description ?? fileName }

    /// Tests run (passed + failed + allowed).
    public var ran: Int { passed + failed + allowed }

    /// Failures including an unreadable file.
    public var failureCount: Int { failed + (error != nil ? 1 : 0) }
}
