// `partita bench boot`: the default guest on Partita beside QEMU TCG, in one run.

import ArgumentParser
import Foundation
import GuestKit

struct BootBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Boot the default guest and time three things, beside qemu-system-i386 -accel tcg.",
        discussion: """
        For each emulator: launch → the guest kit's ready marker; an in-guest \
        `dd if=/dev/zero bs=1M count=32 | md5sum`; a 20,000-iteration busybox shell loop. Times \
        are wall-clock seconds seen from the host console (the guest's own clock is virtual on \
        Partita). QEMU runs with -accel tcg -cpu pentium3 on the same kernel, initramfs and \
        command line; it is skipped with a note when qemu-system-i386 is not installed \
        (apt-get install qemu-system-x86). Needs a release build and a built guest kit \
        (`partita guest fetch`). Figures on a shared machine are noisy: compare the ratios.
        """)

    @OptionGroup var options: GuestBenchOptions
    var memory: String { options.memory }
    var timeout: Double { options.timeout }

    struct Figures {
        var ready: Double?
        var md5: Double?
        var loop: Double?
    }

    func run() throws {
        #if DEBUG
        print("note: debug build — figures are not representative; use `swift build -c release`.")
        #endif
        let (kernelPath, initrdPath) = try options.guestFiles()
        let append = "console=ttyS0"
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let partita = measure(name: "partita", executable: me, arguments: [
            "run", "--memory", memory, "--kernel", kernelPath, "--initrd", initrdPath,
            "--append", append, "--serial", "stdio", "--timeout", String(Int(timeout * 3))])
        var rows: [(String, Figures)] = [("partita", partita)]
        if let q = options.qemuExecutable() {
            let figures = measure(name: "qemu", executable: q, arguments: [
                "-accel", "tcg", "-cpu", "pentium3", "-m", memory.replacingOccurrences(of: "M", with: ""),
                "-kernel", kernelPath, "-initrd", initrdPath, "-append", append,
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot"])
            rows.append(("qemu-tcg", figures))
        }
        print("")
        print("step".padding(toLength: 24, withPad: " ", startingAt: 0)
              + rows.map { $0.0.leftPadded(12) }.joined() + (rows.count > 1 ? "ratio".leftPadded(10) : ""))
        let steps: [(String, KeyPath<Figures, Double?>)] = [
            ("launch → ready", \.ready), ("md5sum 32 MiB", \.md5), ("shell loop 20,000", \.loop)]
        for (title, key) in steps {
            var line = title.padding(toLength: 24, withPad: " ", startingAt: 0)
            for (_, f) in rows { line += (f[keyPath: key].map { String(format: "%.2f s", $0) } ?? "failed").leftPadded(12) }
            if rows.count > 1, let a = rows[0].1[keyPath: key], let b = rows[1].1[keyPath: key], b > 0 {
                line += String(format: "%.1fx", a / b).leftPadded(10)
            }
            print(line)
        }
    }

    /// Boots one emulator and times the three steps; a step that fails leaves nil.
    private func measure(name: String, executable: String, arguments: [String]) -> Figures {
        var f = Figures()
        let session = ConsoleSession(executable: executable, arguments: arguments)
        print("\(name): booting…")
        defer { session.finish(timeout: 30) }
        guard let boot = session.bootToShell(name: name, marker: GuestKit.readyMarker, timeout: timeout) else { return f }
        f.ready = boot.readySeconds
        var cursor = boot.cursor
        func timed(_ command: String, marker: String) -> Double? {
            session.timed(command, marker: marker, cursor: &cursor, timeout: timeout)?.seconds
        }
        f.md5 = timed("dd if=/dev/zero bs=1M count=32 2>/dev/null | md5sum", marker: "MD5DONE")
        f.loop = timed("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done", marker: "LOOPDONE")
        session.type("poweroff -f")
        print("\(name): ready \(f.ready.map { String(format: "%.2f", $0) } ?? "-") s, md5 \(f.md5.map { String(format: "%.2f", $0) } ?? "-") s, loop \(f.loop.map { String(format: "%.2f", $0) } ?? "-") s")
        return f
    }

    static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
