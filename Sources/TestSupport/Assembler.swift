// Test helper: assembles NASM source into a flat binary at test time.

import Foundation

/// Errors from `assemble`, phrased for the person running the tests.
public enum AssemblerError: Error, CustomStringConvertible {
    case nasmMissing
    case failed(String)

    public var description: String {
        switch self {
        case .nasmMissing: return "nasm not found: install it with `apt-get install nasm` (the README's test command does)"
        case .failed(let log): return "nasm failed:\n\(log)"
        }
    }
}

/// Assembles `source` (NASM syntax, `bits`/`org` as the source says) into a flat binary.
public func assemble(_ source: String) throws -> [UInt8] {
    let nasmPaths = ["/usr/bin/nasm", "/usr/local/bin/nasm"]
    guard let nasm = nasmPaths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw AssemblerError.nasmMissing
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("partita-asm-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let src = dir.appendingPathComponent("t.asm"), out = dir.appendingPathComponent("t.bin")
    try source.write(to: src, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: nasm)
    p.arguments = ["-f", "bin", "-o", out.path, src.path]
    let pipe = Pipe()
    p.standardError = pipe
    p.standardOutput = pipe
    try p.run()
    p.waitUntilExit()
    let log = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard p.terminationStatus == 0 else { throw AssemblerError.failed(log) }
    return [UInt8](try Data(contentsOf: out))
}
