// The writer never leaves a partial snapshot under the real name, nor a temporary file.

import Foundation
import Testing
@testable import Snapshot

@Suite("Snapshot writer")
struct SnapshotWriterTests {
    private func write(_ path: String, failAfter: Int?) throws(SnapshotFileError) {
        var failure: SnapshotFileError?
        Sample.ram().withUnsafeBytes { r in
            do throws(SnapshotFileError) {
                try SnapshotWriter(options: Sample.options, failAfterBytes: failAfter).write(
                    to: path, configuration: Sample.configuration, partitaVersion: "test", sections: Sample.sections, ram: r)
            } catch { failure = error }
        }
        if let failure { throw failure }
    }

    @Test("a write failing at any point leaves no file under the real name and no temporary file")
    func failureLeavesNothing() throws {
        let dir = ScratchDirectory()
        let full = try Sample.file(at: dir.file("reference.psnap")).count
        try FileManager.default.removeItem(atPath: dir.file("reference.psnap"))
        for limit in Array(0..<64) + Array(stride(from: 64, to: full, by: 97)) + [full - 1] {
            let path = dir.file("s.psnap")
            #expect(throws: SnapshotFileError.self) { try write(path, failAfter: limit) }
            #expect(dir.entries.isEmpty, "after a failure at byte \(limit): \(dir.entries)")
        }
        try write(dir.file("s.psnap"), failAfter: full)
        #expect(dir.entries == ["s.psnap"])
    }

    @Test("a failed write keeps the previous snapshot under the real name intact")
    func failureKeepsOldSnapshot() throws {
        let dir = ScratchDirectory()
        let path = dir.file("s.psnap")
        let old = try Sample.file(at: path, ram: Sample.ram(chunks: 4))
        #expect(throws: SnapshotFileError.self) { try write(path, failAfter: 500) }
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == old)
        #expect(dir.entries == ["s.psnap"])
    }

    @Test("the error names the injected failure")
    func errorDescription() {
        let dir = ScratchDirectory()
        do {
            try write(dir.file("s.psnap"), failAfter: 10)
            Issue.record("the write succeeded")
        } catch {
            #expect(error.description.contains("write (injected failure) failed"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("when the rename fails (a directory has the name) the temporary file is removed")
    func renameFailure() throws {
        let dir = ScratchDirectory()
        let path = dir.file("taken")
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        #expect(throws: SnapshotFileError.self) { try write(path, failAfter: nil) }
        #expect(dir.entries == ["taken"])
    }

    @Test("a missing directory is an I/O error naming the path")
    func missingDirectory() {
        let dir = ScratchDirectory()
        let path = dir.file("no/such/dir/s.psnap")
        do {
            try write(path, failAfter: nil)
            Issue.record("the write succeeded")
        } catch {
            guard case .io(let op, let p, _) = error else { Issue.record("\(error)"); return }
            #expect(op == "create" && p.hasPrefix(path + ".tmp-"))
        }
    }

    @Test("invalid input is refused before any file is created", arguments: [
        ("duplicate section", [SnapshotSection(name: "a", version: 1, payload: []),
                               SnapshotSection(name: "a", version: 1, payload: [])], 4096),
        ("empty name", [SnapshotSection(name: "", version: 1, payload: [])], 4096),
        ("long name", [SnapshotSection(name: String(repeating: "n", count: 256), version: 1, payload: [])], 4096),
        ("negative version", [SnapshotSection(name: "a", version: -1, payload: [])], 4096),
        ("chunk size not a power of two", [], 3000),
        ("chunk size too small", [], 2048),
    ])
    func invalidInput(_ c: (String, [SnapshotSection], Int)) {
        let dir = ScratchDirectory()
        var o = Sample.options
        o.chunkSize = c.2
        #expect(throws: SnapshotFileError.self, "\(c.0)") {
            try SnapshotFile.write(to: dir.file("s.psnap"), configuration: .null, partitaVersion: "t",
                                   sections: c.1, ram: [UInt8](repeating: 1, count: 8192), options: o)
        }
        #expect(dir.entries.isEmpty)
    }

    @Test("the fsynced path works as well (the default)")
    func synced() throws {
        let dir = ScratchDirectory()
        var o = Sample.options
        o.syncToDisk = true
        try SnapshotFile.write(to: dir.file("s.psnap"), configuration: .null, partitaVersion: "t", sections: [],
                               ram: Sample.ram(), options: o)
        #expect(try readSnapshot(dir.file("s.psnap")).2 == Sample.ram())
    }
}
