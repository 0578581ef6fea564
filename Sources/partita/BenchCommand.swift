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
        are 5-12x slower. Compare with other emulators by ratio in the same run, not by absolute \
        time: this machine is shared and noisy.
        """)

    @Option(help: "Scale factor for the iteration counts.")
    var scale: Double = 1.0

    @Option(help: "Only run workloads whose name contains this text.")
    var only: String?

    func run() throws {
        #if DEBUG
        print("note: debug build — figures are not representative; use `swift build -c release`.")
        #endif
        for w in CPUWorkload.all where only.map({ w.name.contains($0) }) ?? true {
            let r = try w.measure(scale: scale)
            print(r.line)
        }
    }
}
