// libFuzzer target: snapshot files. The input is written to a scratch file and opened with
// SnapshotReader; when the manifest claims at most 16 MiB of RAM, the sections and RAM are read
// too. Every malformed file must be refused with a SnapshotFileError — never a trap, never an
// allocation the file's own size does not justify.

import Foundation
import Snapshot

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSnapshotReader(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = NSTemporaryDirectory() + "/partita-fuzz-\(getpid()).psnap"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: count)) else {
        fatalError("cannot write \(path)")
    }
    defer { unlink(path) }
    guard let reader = try? SnapshotReader(path: path) else { return 0 }
    guard reader.manifest.ramSize <= 16 << 20 else { return 0 }
    var ram = [UInt8](repeating: 0, count: Int(reader.manifest.ramSize))
    _ = ram.withUnsafeMutableBytes { try? reader.read(ramInto: $0, ramIsZeroed: true) }
    return 0
}
