// The partita command: run machines, benchmarks and conformance suites.

import ArgumentParser

@main
struct Partita: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partita",
        abstract: "A full-system i686 PC emulator.",
        subcommands: [RunCommand.self, GuestCommand.self, BenchCommand.self, ConformanceCommand.self, SnapshotCommand.self])
}
