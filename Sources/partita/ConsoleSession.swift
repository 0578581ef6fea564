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

    /// Starts the emulator and waits for the guest kit's ready marker and then its shell prompt.
    /// Returns the seconds from launch to the marker and the output offset after the prompt,
    /// or nil (with what went wrong printed, prefixed by `name`).
    func bootToShell(name: String, marker: String, timeout: Double) -> (readySeconds: Double, cursor: Int)? {
        let start = Date()
        do { try self.start() } catch {
            print("\(name): cannot start \(process.executableURL?.path ?? "?"): \(error)")
            return nil
        }
        guard let ready = wait(for: marker, timeout: timeout) else {
            print("\(name): no ready marker; last output:\n\(transcript.suffix(600))")
            return nil
        }
        let seconds = Date().timeIntervalSince(start)
        guard let cursor = wait(for: "# ", after: ready, timeout: 60) else { return nil }
        return (seconds, cursor)
    }

    /// Types `command` followed by an echo of `marker` (split with "" so the console's echo of
    /// the typed line does not match) and waits for the marker after `cursor`, which moves past
    /// it. Returns the wall-clock seconds and the output from typing to the marker.
    func timed(_ command: String, marker: String, cursor: inout Int, timeout: Double) -> (seconds: Double, output: String)? {
        let t0 = Date()
        let from = outputLength
        type("\(command); echo \(marker.prefix(3))\"\"\(marker.dropFirst(3))")
        guard let end = wait(for: marker, after: cursor, timeout: timeout) else { return nil }
        cursor = end
        return (Date().timeIntervalSince(t0), text(from: from, to: end))
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
        guard process.processIdentifier != 0 else { return }  // never launched
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
    }
}
