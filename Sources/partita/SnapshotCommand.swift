// `partita snapshot`: look inside snapshot files.

import ArgumentParser

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Inspect machine snapshots (made with `partita run --save-on-exit`).",
        subcommands: [SnapshotInfoCommand.self])
}
