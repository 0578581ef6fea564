// The outcome of one single-step test, with a human-readable diff for failures.

/// What happened when one test ran, and why it failed if it did.
public struct SSTTestResult: Sendable {
    public enum Outcome: Equatable, Sendable {
        case passed
        case failed
        /// Failed in a way an allow-list entry documents as a legitimate i686 difference.
        case allowed(SSTAllowListEntry)
        /// Not run (revoked test, or a state the harness cannot set up).
        case skipped(String)
    }

    public var outcome: Outcome
    public var index: UInt32
    public var name: String
    public var bytes: [UInt8]
    public var hashHex: String
    /// Expected exception vector (EXCP), if the reference CPU took one.
    public var expectedException: UInt8?
    public var mismatches: [SSTMismatch]
    /// Why execution stopped abnormally ("did not reach HLT within …", "triple fault").
    public var stopProblem: String?
    /// Instructions the emulator retired, including the handler's and the final HLT.
    public var instructionsRetired: UInt64

    public init(outcome: Outcome, index: UInt32, name: String, bytes: [UInt8], hashHex: String,
                expectedException: UInt8? = nil, mismatches: [SSTMismatch] = [], stopProblem: String? = nil,
                instructionsRetired: UInt64 = 0) {
        self.outcome = outcome
        self.index = index
        self.name = name
        self.bytes = bytes
        self.hashHex = hashHex
        self.expectedException = expectedException
        self.mismatches = mismatches
        self.stopProblem = stopProblem
        self.instructionsRetired = instructionsRetired
    }

    public var passed: Bool { outcome == .passed }

    /// A multi-line report: test identity, instruction bytes, then each differing register and the
    /// first `maxMemoryLines` differing memory bytes.
    public func report(maxMemoryLines: Int = 4, indent: String = "  ") -> String {
        var lines = ["#\(index) \"\(name)\" bytes: \(bytes.map(hexByte).joined(separator: " "))"
            + (expectedException.map { " (expects exception \($0))" } ?? "")
            + (hashHex.isEmpty ? "" : " hash \(hashHex)")]
        if case .allowed(let entry) = outcome { lines.append(indent + "allowed: \(entry.reason)") }
        if case .skipped(let why) = outcome { lines.append(indent + "skipped: \(why)") }
        if let stopProblem { lines.append(indent + stopProblem) }
        for m in mismatches where !m.isMemory { lines.append(indent + m.description) }
        let memory = mismatches.filter(\.isMemory)
        for m in memory.prefix(maxMemoryLines) { lines.append(indent + m.description) }
        if memory.count > maxMemoryLines { lines.append(indent + "… \(memory.count - maxMemoryLines) more memory mismatches") }
        return lines.joined(separator: "\n")
    }
}
