// `partita bench disk`: in-guest sequential disk throughput on the VMBus disk beside QEMU's IDE.

import ArgumentParser
import Foundation
import GuestKit

struct DiskBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disk",
        abstract: "Time in-guest sequential disk reads and writes (dd, 1 MiB blocks, direct I/O).",
        discussion: """
        Boots the default guest once per disk path and runs, on /dev/sda, \
        `dd if=/dev/sda of=/dev/null bs=1M count=N iflag=direct` and \
        `dd if=/dev/zero of=/dev/sda bs=1M count=N oflag=direct conv=fsync` (N = --mebibytes, \
        default 256) on a scratch raw image. Paths: Partita's Hyper-V synthetic SCSI disk \
        (--hyperv --vmbus-disk; hv_storvsc), Partita's emulated PIIX3 IDE disk (--hda; ata_piix), \
        and qemu-system-i386 -accel tcg with the same image \
        as an emulated IDE disk (-drive if=ide; ata_piix) — the anchor a user would otherwise \
        pick. Times are wall-clock seconds seen from the host console (the guest's clock is \
        virtual on Partita); MiB/s = N / seconds. The guest's own dd line is printed too. Needs a \
        release build and the guest kit (`partita guest fetch`); QEMU is skipped with a note when \
        it is not installed. Figures on a shared machine are noisy: compare the ratios.
        """)

    @OptionGroup var options: GuestBenchOptions

    @Option(help: "Size of each transfer in MiB (the scratch image is this plus 1 MiB).")
    var mebibytes = 256

    @Option(help: "Directory for the scratch image (default: $TMPDIR or /tmp).")
    var imageDirectory: String?

    struct Figures {
        var read: Double?
        var write: Double?
    }

    func run() throws {
        #if DEBUG
        print("note: debug build — figures are not representative; use `swift build -c release`.")
        #endif
        guard mebibytes >= 1 && mebibytes <= 4096 else { throw CommandLineError("--mebibytes must be 1 to 4096") }
        let (kernelPath, initrdPath) = try options.guestFiles()
        let dir = imageDirectory ?? ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let image = dir + "/partita-diskbench-\(getpid()).img"
        guard FileManager.default.createFile(atPath: image, contents: nil),
              truncate(image, off_t(mebibytes + 1) << 20) == 0 else {
            throw CommandLineError("cannot create the scratch image \(image)")
        }
        defer { try? FileManager.default.removeItem(atPath: image) }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let append = "console=ttyS0"
        var rows: [(String, Figures)] = []
        rows.append(("partita vmbus", measure(name: "partita vmbus", executable: me, arguments: [
            "run", "--memory", options.memory, "--kernel", kernelPath, "--initrd", initrdPath, "--append", append,
            "--serial", "stdio", "--hyperv", "--vmbus-disk", image, "--timeout", String(Int(options.timeout * 4))],
            drivers: "modprobe hv_storvsc; modprobe sd_mod")))
        rows.append(("partita ide", measure(name: "partita ide", executable: me, arguments: [
            "run", "--memory", options.memory, "--kernel", kernelPath, "--initrd", initrdPath, "--append", append,
            "--serial", "stdio", "--hda", image, "--timeout", String(Int(options.timeout * 4))],
            drivers: "modprobe ata_piix; modprobe sd_mod")))
        if let q = options.qemuExecutable() {
            rows.append(("qemu-tcg ide", measure(name: "qemu-tcg ide", executable: q, arguments: [
                "-accel", "tcg", "-cpu", "pentium3", "-m", options.memory.replacingOccurrences(of: "M", with: ""),
                "-kernel", kernelPath, "-initrd", initrdPath, "-append", append,
                "-drive", "file=\(image),if=ide,format=raw,cache=writeback",
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot"],
                drivers: "modprobe ata_piix; modprobe sd_mod")))
        }
        print("")
        print("\(mebibytes) MiB".padding(toLength: 16, withPad: " ", startingAt: 0)
              + rows.map { $0.0.leftPadded(18) }.joined())
        for (title, key) in [("read", \Figures.read), ("write", \Figures.write)] {
            var line = title.padding(toLength: 16, withPad: " ", startingAt: 0)
            for (_, f) in rows {
                line += (f[keyPath: key].map { String(format: "%.2f s %4.0f MiB/s", $0, Double(mebibytes) / $0) } ?? "failed")
                    .leftPadded(18)
            }
            print(line)
        }
    }

    /// Boots one emulator, loads the disk drivers, waits for /dev/sda and times both transfers.
    private func measure(name: String, executable: String, arguments: [String], drivers: String) -> Figures {
        var f = Figures()
        let session = ConsoleSession(executable: executable, arguments: arguments)
        print("\(name): booting…")
        defer { session.finish(timeout: 30) }
        guard var cursor = session.bootToShell(name: name, marker: GuestKit.readyMarker, timeout: options.timeout)?.cursor
        else { return f }
        func run(_ command: String, marker: String, timeout: Double) -> (seconds: Double, output: String)? {
            guard let r = session.timed(command, marker: marker, cursor: &cursor, timeout: timeout) else {
                print("\(name): \(marker) did not come; last output:\n\(session.transcript.suffix(400))")
                return nil
            }
            return r
        }
        guard run("\(drivers); n=0; while [ ! -b /dev/sda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done; ls /dev/sda",
                  marker: "DISKREADY", timeout: 120) != nil else { return f }
        func dd(_ command: String, marker: String) -> Double? {
            guard let r = run("\(command) 2>&1 | tail -1", marker: marker, timeout: options.timeout) else { return nil }
            let lines = r.output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            // The guest's dd summary: "256+0 records out" (busybox), or with a rate line
            // "268435456 bytes (256.0MB) copied, 2.1 seconds, 120.5MB/s" when built with it.
            guard let summary = lines.first(where: { $0.contains("copied") })
                    ?? lines.first(where: { $0.hasPrefix("\(mebibytes)+0 records out") }) else {
                print("\(name): dd failed: \(lines.suffix(3).joined(separator: " | "))")
                return nil
            }
            print("\(name): \(summary)")
            return r.seconds
        }
        let n = mebibytes
        f.read = dd("dd if=/dev/sda of=/dev/null bs=1M count=\(n) iflag=direct", marker: "READDONE")
        f.write = dd("dd if=/dev/zero of=/dev/sda bs=1M count=\(n) oflag=direct conv=fsync", marker: "WRITEDONE")
        session.type("poweroff -f")
        return f
    }
}
