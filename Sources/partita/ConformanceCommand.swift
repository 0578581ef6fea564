// `partita conformance …`: hardware-conformance suites run against the CPU core.

import ArgumentParser
import Conformance
import Foundation

struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run hardware-conformance test suites against the CPU.",
        subcommands: [SSTCommand.self])
}

extension ConformanceCommand {
    /// `partita conformance sst PATH...`: SingleStepTests MOO files.
    struct SSTCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sst",
            abstract: "Run SingleStepTests (MOO format) single-instruction tests.",
            discussion: """
            PATH is a .MOO or .MOO.gz file or a folder of them (80286 form with REGS chunks, or \
            80386 form with RG32/EA32/EXCP). Undefined flags come from --metadata, else from a \
            metadata.json[.gz] next to the files, else from the Intel SDM's per-opcode lists. \
            Tests on the folder's revocation_list.txt are skipped. Prints each file's first \
            failures and per-opcode pass counts, and ends with "N passed, M failed" (allowed \
            failures, documented i686 differences, count as passed). Exits non-zero on any failure.
            """)

        @Argument(help: "MOO files or folders of MOO files.")
        var paths: [String]

        @Option(help: "A metadata.json (plain or .gz) to use for every file.")
        var metadata: String?

        @Flag(help: "Print every file's line, allowed failures and the allow-list reasons.")
        var verbose = false

        @Option(name: .customLong("max-failures-per-file"), help: "Failure diffs printed per file.")
        var maxFailuresPerFile = 3

        @Option(help: "Run only the first N tests of each file.")
        var limit: Int?

        @Option(help: "Run only the test with this index in each file and print its full result.")
        var index: UInt32?

        @Option(help: "Worker threads (default: one per core).")
        var jobs: Int?

        func validate() throws {
            if maxFailuresPerFile < 0 { throw ValidationError("--max-failures-per-file must be 0 or more") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        }

        func run() throws {
            let files: [String]
            var suite = SSTSuite(allowList: .standard, testsPerFile: limit, maxFailuresPerFile: maxFailuresPerFile)
            if let jobs { suite.jobs = jobs }
            suite.onlyIndex = index
            do {
                files = try SSTSuite.collectFiles(paths)
                if let metadata { suite.metadata = try SSTMetadata.load(metadataPath: metadata) }
            } catch let error as SSTSuiteError {
                throw ValidationError(error.description)
            } catch let error as SSTMetadataError {
                throw ValidationError(error.description)
            }
            let verbose = self.verbose || index != nil
            let maxFailures = maxFailuresPerFile
            let report: SSTSuiteReport
            do {
                report = try suite.run(files: files) { file in
                    Self.printFile(file, verbose: verbose, maxFailures: maxFailures)
                }
            } catch {
                throw ValidationError(error.description)
            }

            print("")
            print("Per-opcode results:")
            for line in report.perOpcodeTable() { print("  " + line) }
            if let limit, report.sampled, index == nil {
                print("note: ran only the first \(limit) tests of each file (--limit)")
            }
            if report.allowed > 0 {
                print("\(report.allowed) failures allowed as documented i686 differences:")
                var reasons: [String: Int] = [:]
                for f in report.files { for (k, v) in f.allowedBy { reasons[k, default: 0] += v } }
                for (reason, count) in reasons.sorted(by: { $0.key < $1.key }) { print("  \(count) × \(reason)") }
            }
            if report.skipped > 0 { print("\(report.skipped) tests skipped (revoked or not set up)") }
            if !report.failingOpcodes.isEmpty {
                print("failing opcodes: " + report.failingOpcodes.joined(separator: " "))
            }
            print(report.summaryLine)
            if report.failed > 0 { throw ExitCode.failure }
        }

        static func printFile(_ file: SSTFileReport, verbose: Bool, maxFailures: Int) {
            var lines: [String] = []
            if let error = file.error {
                lines.append("\(file.label): ERROR \(error)")
            } else if file.failed > 0 || verbose {
                var head = "\(file.label) \(file.mnemonic): \(file.passed + file.allowed)/\(file.ran) passed"
                if verbose, let cpu = file.referenceCPU {
                    head = "\(file.label) \(file.mnemonic) [\(cpu) capture, undefined flags from \(file.flagsMaskSource)]: "
                        + "\(file.passed + file.allowed)/\(file.ran) passed"
                }
                if file.failed > 0 { head += ", \(file.failed) FAILED" }
                if file.allowed > 0 { head += ", \(file.allowed) allowed" }
                lines.append(head)
                for failure in file.failures.prefix(maxFailures) {
                    lines.append(indent(failure.report(), by: "    "))
                }
                if file.failed > min(maxFailures, file.failures.count) {
                    lines.append("    … \(file.failed - min(maxFailures, file.failures.count)) more failures")
                }
                for result in file.inspected where result.outcome != .failed {
                    lines.append(indent(result.report() + (result.passed ? "\n  passed" : ""), by: "    "))
                }
                if verbose && file.inspected.isEmpty {
                    for (reason, count) in file.allowedBy.sorted(by: { $0.key < $1.key }) {
                        lines.append("    allowed \(count)×: \(reason)")
                    }
                    for allowed in file.allowedResults.prefix(maxFailures) {
                        lines.append(indent(allowed.report(), by: "    "))
                    }
                }
            }
            if !lines.isEmpty { print(lines.joined(separator: "\n")) }
        }

        static func indent(_ text: String, by prefix: String) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
        }
    }
}
