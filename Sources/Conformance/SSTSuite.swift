// Runs every MOO file in a set of files and folders, in parallel, and collects the results.

import Dispatch
import Foundation

/// A conformance run over MOO files (`.MOO` or `.MOO.gz`) given as files or folders.
///
/// Metadata: an explicit `metadata` applies to every file; otherwise each folder's
/// `metadata.json[.gz]` (and `revocation_list.txt`) is used when present, and without it the
/// undefined flags come from `ArchitecturalFlagMasks`.
public struct SSTSuite: Sendable {
    public var metadata: SSTMetadata?
    public var allowList: SSTAllowList
    /// Run at most this many tests per file (the first ones), or all when nil.
    public var testsPerFile: Int?
    /// Keep this many failure reports per file.
    public var maxFailuresPerFile: Int
    /// Worker threads, each with its own CPU and RAM.
    public var jobs: Int
    public var instructionBudget: Int
    /// Run only the test with this index in each file (and keep its result whatever the outcome).
    public var onlyIndex: UInt32?

    public init(metadata: SSTMetadata? = nil, allowList: SSTAllowList = .standard, testsPerFile: Int? = nil,
                maxFailuresPerFile: Int = 3, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                instructionBudget: Int = 100_000) {
        self.metadata = metadata
        self.allowList = allowList
        self.testsPerFile = testsPerFile
        self.maxFailuresPerFile = maxFailuresPerFile
        self.jobs = max(1, jobs)
        self.instructionBudget = instructionBudget
    }

    /// Expands files and folders (not recursive) into a sorted list of MOO files.
    public static func collectFiles(_ paths: [String]) throws(SSTSuiteError) -> [String] {
        let fm = FileManager.default
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .pathNotFound(path) }
            if isDirectory.boolValue {
                let names = (try? fm.contentsOfDirectory(atPath: path)) ?? []
                let base = path.hasSuffix("/") ? String(path.dropLast()) : path
                let moo = names.filter(isMOOName).sorted { a, b in
                    let ka = SSTOpcodeKey(fileName: a), kb = SSTOpcodeKey(fileName: b)
                    if let ka, let kb, ka != kb { return ka < kb }
                    return a < b
                }
                files += moo.map { base + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        if files.isEmpty { throw .noTestFiles(paths) }
        return files
    }

    static func isMOOName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".moo") || lower.hasSuffix(".moo.gz")
    }

    /// Runs the files; `progress` is called (serially, in completion order) after each file.
    public func run(files: [String], progress: (@Sendable (SSTFileReport) -> Void)? = nil) throws(SSTSuiteError) -> SSTSuiteReport {
        // Metadata per folder, loaded up front so workers share it read-only.
        var folderMetadata: [String: SSTMetadata] = [:]
        if metadata == nil {
            for folder in Set(files.map(Self.folder(of:))) {
                do {
                    if let m = try SSTMetadata.discover(inFolder: folder) { folderMetadata[folder] = m }
                } catch {
                    throw .metadata(error)
                }
            }
        }
        let shared = SharedResults(count: files.count)
        let suite = self
        let metadataByFolder = folderMetadata
        let workers = min(jobs, files.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let runner = SSTRunner()
            runner.instructionBudget = suite.instructionBudget
            while let i = shared.nextIndex() {
                let path = files[i]
                let m = suite.metadata ?? metadataByFolder[Self.folder(of: path)]
                let report = suite.runFile(path: path, metadata: m, runner: runner)
                shared.store(report, at: i, progress: progress)
            }
        }
        return SSTSuiteReport(files: shared.reports())
    }

    /// Runs one file on `runner`.
    public func runFile(path: String, metadata: SSTMetadata?, runner: SSTRunner) -> SSTFileReport {
        var report = SSTFileReport(path: path)
        let file: MOOFile
        do {
            file = try MOOFile.load(path: path)
        } catch {
            report.key = SSTOpcodeKey(fileName: report.fileName)
            report.error = error.description
            return report
        }
        let context = SSTFileContext(file: file, fileName: report.fileName, metadata: metadata, allowList: allowList)
        report.key = context.key
        report.mnemonic = file.metadata?.mnemonic ?? ""
        report.referenceCPU = context.referenceCPU
        report.flagsMaskSource = context.flagsMaskSource
        report.testsInFile = file.tests.count
        var tests = testsPerFile.map { file.tests.prefix($0) } ?? file.tests[...]
        if let onlyIndex { tests = tests.filter { $0.index == onlyIndex }[...] }
        report.sampled = onlyIndex == nil && tests.count < file.tests.count
        for test in tests {
            let r = runner.run(test, context: context)
            if onlyIndex != nil { report.inspected.append(r) }
            switch r.outcome {
            case .passed:
                report.passed += 1
            case .failed:
                report.failed += 1
                if report.failures.count < maxFailuresPerFile { report.failures.append(r) }
            case .allowed(let entry):
                report.allowed += 1
                report.allowedBy[entry.description, default: 0] += 1
                if report.allowedResults.count < maxFailuresPerFile { report.allowedResults.append(r) }
            case .skipped:
                report.skipped += 1
            }
        }
        return report
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }
}

/// Work distribution and result collection shared by the worker threads.
private final class SharedResults: @unchecked Sendable {
    // SAFETY (Sendable): every access to the mutable state below holds `lock`.
    private let lock = NSLock()
    private var next = 0
    private var slots: [SSTFileReport?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func nextIndex() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ report: SSTFileReport, at index: Int, progress: (@Sendable (SSTFileReport) -> Void)?) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = report
        progress?(report)
    }

    func reports() -> [SSTFileReport] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
