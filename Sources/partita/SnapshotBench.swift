// `partita bench snapshot`: save and restore a booted 256 MiB guest, beside QEMU's migrate-to-file.

import ArgumentParser
import Foundation
import GuestKit
import Machine

struct SnapshotBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Time saving and restoring a booted guest, beside QEMU's own save of the same guest.",
        discussion: """
        Boots the guest kit (default 256 MiB) to its ready marker on Partita, then times \
        PCMachine.saveSnapshot and PCMachine.restore in this process and prints the file size. \
        With qemu-system-i386 installed, boots the same kernel and initramfs on QEMU (-accel tcg), \
        saves it with the monitor's `migrate "exec:cat > FILE"` and restores it with `-incoming`, \
        and prints the same figures. Snapshot files go to a temporary directory and are removed.
        """)

    @OptionGroup var options: GuestBenchOptions
    var memory: String { options.memory }
    var timeout: Double { options.timeout }

    struct Figures {
        var save: Double?
        var restore: Double?
        var bytes: Int?
    }

    func run() throws {
        #if DEBUG
        print("note: debug build — figures are not representative; use `swift build -c release`.")
        #endif
        let (kernelPath, initrdPath) = try options.guestFiles()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("partita-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        var rows = [("partita", try measurePartita(kernelPath, initrdPath, dir))]
        if let q = options.qemuExecutable() {
            rows.append(("qemu-tcg", measureQEMU(q, kernelPath, initrdPath, dir)))
        }
        print("")
        print("".padding(toLength: 14, withPad: " ", startingAt: 0) + rows.map { $0.0.leftPadded(12) }.joined())
        func line(_ title: String, _ value: (Figures) -> String) {
            print(title.padding(toLength: 14, withPad: " ", startingAt: 0) + rows.map { value($0.1).leftPadded(12) }.joined())
        }
        line("save") { $0.save.map { String(format: "%.3f s", $0) } ?? "failed" }
        line("restore") { $0.restore.map { String(format: "%.3f s", $0) } ?? "failed" }
        line("file size") { $0.bytes.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "-" }
    }

    private func measurePartita(_ kernelPath: String, _ initrdPath: String, _ dir: String) throws -> Figures {
        var config = MachineConfiguration()
        config.ramSize = try RunCommand.parseSize(memory)
        config.kernel = try RunCommand.readFile(kernelPath)
        config.initrd = try RunCommand.readFile(initrdPath)
        config.commandLine = "console=ttyS0"
        let console = dir + "/partita-console.log"
        config.serial = .file(console)
        config.clock = .virtual
        print("partita: booting…")
        let machine: PCMachine
        do { machine = try PCMachine(config) } catch { throw CommandLineError("\(error)") }
        let started = Date()
        var limit: UInt64 = 0
        var ready = false
        while !ready && Date().timeIntervalSince(started) < timeout {
            limit += 200_000_000
            let stop = machine.run(wallClockLimit: timeout, instructionLimit: limit)
            machine.flushOutputs()
            ready = (try? String(contentsOfFile: console, encoding: .utf8))?.contains(GuestKit.readyMarker) ?? false
            if stop != .instructionLimit && !ready { break }
        }
        guard ready else {
            print("partita: the guest did not reach its ready marker")
            return Figures()
        }
        // Let the shell start (it prints its banner and waits for input).
        _ = machine.run(wallClockLimit: 30, instructionLimit: limit + 300_000_000)
        var f = Figures()
        let path = dir + "/partita.snap"
        let t0 = Date()
        do { try machine.saveSnapshot(to: path) } catch { print("partita: save failed: \(error)"); return f }
        f.save = Date().timeIntervalSince(t0)
        f.bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        let t1 = Date()
        do { _ = try PCMachine.restore(from: path) } catch { print("partita: restore failed: \(error)"); return f }
        f.restore = Date().timeIntervalSince(t1)
        print("partita: save \(String(format: "%.3f", f.save ?? 0)) s, restore \(String(format: "%.3f", f.restore ?? 0)) s")
        return f
    }

    private func measureQEMU(_ q: String, _ kernelPath: String, _ initrdPath: String, _ dir: String) -> Figures {
        var f = Figures()
        let megabytes = String(memory.uppercased().replacingOccurrences(of: "M", with: ""))
        let common = ["-accel", "tcg", "-cpu", "pentium3", "-m", megabytes, "-kernel", kernelPath,
                      "-initrd", initrdPath, "-append", "console=ttyS0", "-display", "none", "-monitor", "stdio"]
        let serialLog = dir + "/qemu-console.log"
        let path = dir + "/qemu.migrate"
        print("qemu: booting…")
        let boot = ConsoleSession(executable: q, arguments: common + ["-serial", "file:" + serialLog])
        do { try boot.start() } catch { print("qemu: cannot start: \(error)"); return f }
        let bootStart = Date()
        var ready = false
        while !ready && Date().timeIntervalSince(bootStart) < timeout {
            Thread.sleep(forTimeInterval: 0.2)
            ready = (try? String(contentsOfFile: serialLog, encoding: .utf8))?.contains(GuestKit.readyMarker) ?? false
        }
        guard ready else { print("qemu: no ready marker"); boot.finish(timeout: 1); return f }
        Thread.sleep(forTimeInterval: 1)
        var cursor = boot.outputLength
        let t0 = Date()
        boot.type("migrate \"exec:cat > \(path)\"")
        var done = false
        while !done && Date().timeIntervalSince(t0) < 120 {
            boot.type("info migrate")
            guard let end = boot.wait(for: "Migration status:", after: cursor, timeout: 10) else { break }
            let tail = boot.transcript.utf8.dropFirst(end).prefix(40)
            let status = String(decoding: tail, as: UTF8.self)
            cursor = end
            if status.contains("completed") { done = true } else if status.contains("failed") { break }
            else { Thread.sleep(forTimeInterval: 0.02) }
        }
        if done {
            f.save = Date().timeIntervalSince(t0)
            f.bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        }
        boot.type("quit")
        boot.finish(timeout: 10)
        guard done else { print("qemu: migrate did not complete"); return f }
        let t1 = Date()
        let incoming = ConsoleSession(executable: q, arguments: common + ["-serial", "null", "-incoming", "exec:cat \(path)"])
        do { try incoming.start() } catch { return f }
        var position = 0
        while Date().timeIntervalSince(t1) < 120 {
            incoming.type("info status")
            guard let end = incoming.wait(for: "VM status:", after: position, timeout: 10) else { break }
            let status = String(decoding: incoming.transcript.utf8.dropFirst(end).prefix(20), as: UTF8.self)
            position = end
            if status.contains("running") { f.restore = Date().timeIntervalSince(t1); break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        incoming.type("quit")
        incoming.finish(timeout: 10)
        print("qemu: save \(f.save.map { String(format: "%.3f", $0) } ?? "-") s, restore \(f.restore.map { String(format: "%.3f", $0) } ?? "-") s")
        return f
    }
}
