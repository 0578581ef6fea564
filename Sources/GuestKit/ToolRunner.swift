// Runs host tools (apt-get, dpkg-deb, depmod, cpio) for the guest kit.

import Foundation

/// A host tool failed or is missing; the message says what to install or check.
public struct GuestKitError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}

enum ToolRunner {
    /// Runs `arguments[0]` (looked up in PATH) and returns its standard output. Throws with the
    /// tool's standard error when it fails, unless `allowFailure`.
    @discardableResult
    static func run(_ arguments: [String], in directory: String? = nil, allowFailure: Bool = false) throws -> String {
        guard let tool = which(arguments[0]) else {
            throw GuestKitError("\(arguments[0]) not found: run scripts/setup.sh (it installs the guest kit's tools)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = Array(arguments.dropFirst())
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes concurrently so a chatty tool cannot block on a full pipe.
        let errData = LockedData()
        let errDone = DispatchSemaphore(value: 0)
        let reader = Thread {
            errData.set(err.fileHandleForReading.readDataToEndOfFile())
            errDone.signal()
        }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        errDone.wait()
        if p.terminationStatus != 0 && !allowFailure {
            let msg = String(decoding: errData.value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw GuestKitError("\(arguments.joined(separator: " ")) failed (status \(p.terminationStatus)): \(msg)")
        }
        return String(decoding: outData, as: UTF8.self)
    }

    static func which(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in (path + ":/usr/sbin:/sbin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// Data handed from the stderr reader thread.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data }
}
