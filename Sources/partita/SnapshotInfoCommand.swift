// `partita snapshot info FILE`: the manifest, and with --hashes a checksum per section and of RAM.

import ArgumentParser
import Foundation
import Machine
import Snapshot

struct SnapshotInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a snapshot's manifest (configuration, sections, RAM size).",
        discussion: """
        Without --hashes only the header and manifest are read. With --hashes the whole file is \
        checked (every checksum) and decoded, and one line per device section and one for RAM \
        give the CRC-32 of the decoded contents:
          section NAME vVERSION BYTES CRC32
          ram BYTES CRC32
        Two snapshots of the same machine state print identical lines, whatever their creation \
        times or compression settings, so `diff` of two outputs compares machine states. The \
        file format is described in README.md ("Snapshots").
        """)

    @Argument(help: ArgumentHelp("The snapshot file.", valueName: "FILE"))
    var file: String

    @Flag(help: "Also check and decode everything; print a CRC-32 per section payload and of RAM.")
    var hashes = false

    func run() throws {
        let reader: SnapshotReader
        do { reader = try SnapshotReader(path: file) } catch { throw CommandLineError("\(error)") }
        print("file \(file): \(reader.fileSize) bytes, format version \(reader.formatVersion)")
        print(reader.manifestText)
        guard hashes else { return }
        let size = Int(reader.manifest.ramSize)
        let ram = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 4096)
        defer { ram.deallocate() }
        let view = UnsafeMutableRawBufferPointer(rebasing: ram[0..<size])
        let sections: [SnapshotSection]
        do { sections = try reader.read(ramInto: view) } catch { throw CommandLineError("\(error)") }
        for s in sections {
            print("section \(s.name) v\(s.version) \(s.payload.count) \(ContentHash.crc32(s.payload))")
        }
        print("ram \(size) \(ContentHash.crc32(UnsafeRawBufferPointer(view)))")
    }
}
