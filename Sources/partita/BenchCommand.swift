// `partita bench`: fixed workloads that print figures (never used by tests).

import ArgumentParser
import EmulatorCore
import X86
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run benchmarks and print figures.",
        subcommands: [CPUBench.self, BootBench.self, SnapshotBench.self, DiskBench.self])
}

struct CPUBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpu",
        abstract: "Bare-metal interpreter loops (32-bit flat protected mode); prints MIPS.",
        discussion: """
        Loops: ALU (add/xor/dec/jnz), memory (load/add/store/dec/jnz), call/ret, REP MOVSD \
        (4 KiB copies) and a table-driven CRC32 over 64 KiB. Build with -c release; debug builds \
        are 5-12x slower. Each loop runs --runs times (a fresh machine each time) and the fastest \
        run is printed with the median of all: on a shared machine other load only ever slows a run \
        down. Compare with other emulators by ratio in the same run, not by absolute time.
        """)

    @Option(help: "Scale factor for the iteration counts.")
    var scale: Double = 1.0

    @Option(help: "Only run workloads whose name contains this text.")
    var only: String?

    @Option(help: "Runs of each workload; the fastest is printed, with the median of all.")
    var runs: Int = 3

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        #if DEBUG
        print("note: debug build — figures are not representative; use `swift build -c release`.")
        #endif
        for w in CPUWorkload.all where only.map({ w.name.contains($0) }) ?? true {
            var results: [CPUWorkload.Result] = []
            for _ in 0..<runs { results.append(try w.measure(scale: scale)) }
            results.sort { $0.mips > $1.mips }
            var line = results[0].line
            if runs > 1 { line += String(format: "  [best of %d; median %.1f MIPS]", runs, results[runs / 2].mips) }
            print(line)
        }
    }
}
