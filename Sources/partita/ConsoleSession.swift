// A guest emulator process driven through its serial console: type lines, wait for text.

import Foundation

/// Runs an emulator with the guest's serial console on a pipe (stdin in, stdout + stderr out)
/// and lets a caller wait for text to appear — the way a person at the console would.
final class ConsoleSession: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSCondition()
    private var buffer = Data()
    private var finished = false
    /// Everything the guest printed so far.
    var transcript: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: buffer, as: UTF8.self)
    }

    init(executable: String, arguments: [String]) {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
    }

    func start() throws {
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard let self else { return }
            lock.lock()
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
            lock.broadcast()
            lock.unlock()
        }
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            lock.lock(); finished = true; lock.broadcast(); lock.unlock()
        }
        try process.run()
    }

    /// Waits until `text` appears after byte `offset` of the output; returns the offset just
    /// past it, or nil after `timeout` seconds or when the process ends first.
    func wait(for text: String, after offset: Int = 0, timeout: Double) -> Int? {
        let needle = Data(text.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock(); defer { lock.unlock() }
        while true {
            if buffer.count > offset, let r = buffer.range(of: needle, in: offset..<buffer.count) {
                return r.upperBound
            }
            if finished || !lock.wait(until: deadline) { return nil }
        }
    }

    /// The output between two byte offsets (clamped to what exists).
    func text(from start: Int, to end: Int) -> String {
        lock.lock(); defer { lock.unlock() }
        let lo = max(0, min(start, buffer.count)), hi = max(lo, min(end, buffer.count))
        return String(decoding: buffer[lo..<hi], as: UTF8.self)
    }

    /// The number of output bytes so far (an offset for `wait(for:after:)`).
    var outputLength: Int {
        lock.lock(); defer { lock.unlock() }
        return buffer.count
    }

    func type(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Waits up to `timeout` seconds for the process to exit by itself, then kills it.
    func finish(timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
    }
}
