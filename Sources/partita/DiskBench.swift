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
        pick. Every path sees the same host state: the image is filled once with non-zero bytes \
        written by the host (real data, not holes) and, before each boot, synced and read once \
        on the host, so each path reads from a warm host page cache; inside each guest one \
        unmeasured dd of min(N, 32) MiB precedes the measured read and another the measured \
        write (first-touch costs in the guest and the emulator). Times are wall-clock seconds \
        seen from the host console (the guest's clock is virtual on Partita); MiB/s = N / \
        seconds. The guest's own dd line is printed too, and the VMBus/IDE ratio of Partita's \
        two paths (MiB/s; above 1 means the VMBus disk is faster). Needs a release build and \
        the guest kit (`partita guest fetch`); QEMU is skipped with a note when it is not \
        installed. Figures on a shared machine are noisy: compare the ratios.
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
        defer { try? FileManager.default.removeItem(atPath: image) }
        let fill = Date()
        try Self.fillImage(image, mebibytes: mebibytes + 1)
        print("scratch image \(image): \(mebibytes + 1) MiB of non-zero data written and synced in "
              + String(format: "%.2f s", Date().timeIntervalSince(fill)))
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let append = "console=ttyS0"
        var rows: [(String, Figures)] = []
        rows.append(("partita vmbus", measure(name: "partita vmbus", executable: me, arguments: [
            "run", "--memory", options.memory, "--kernel", kernelPath, "--initrd", initrdPath, "--append", append,
            "--serial", "stdio", "--hyperv", "--vmbus-disk", image, "--timeout", String(Int(options.timeout * 4))],
            image: image, drivers: "modprobe hv_storvsc; modprobe sd_mod")))
        rows.append(("partita ide", measure(name: "partita ide", executable: me, arguments: [
            "run", "--memory", options.memory, "--kernel", kernelPath, "--initrd", initrdPath, "--append", append,
            "--serial", "stdio", "--hda", image, "--timeout", String(Int(options.timeout * 4))],
            image: image, drivers: "modprobe ata_piix; modprobe sd_mod")))
        if let q = options.qemuExecutable() {
            rows.append(("qemu-tcg ide", measure(name: "qemu-tcg ide", executable: q, arguments: [
                "-accel", "tcg", "-cpu", "pentium3", "-m", options.memory.replacingOccurrences(of: "M", with: ""),
                "-kernel", kernelPath, "-initrd", initrdPath, "-append", append,
                "-drive", "file=\(image),if=ide,format=raw,cache=writeback",
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot"],
                image: image, drivers: "modprobe ata_piix; modprobe sd_mod")))
        }
        print("")
        print("\(mebibytes) MiB".padding(toLength: 16, withPad: " ", startingAt: 0)
              + rows.map { $0.0.leftPadded(20) }.joined())
        for (title, key) in [("read", \Figures.read), ("write", \Figures.write)] {
            var line = title.padding(toLength: 16, withPad: " ", startingAt: 0)
            for (_, f) in rows {
                line += (f[keyPath: key].map { String(format: "%.2f s %4.0f MiB/s", $0, Double(mebibytes) / $0) } ?? "failed")
                    .leftPadded(20)
            }
            print(line)
        }
        // Partita's two paths side by side: same guest, same image, same host cache state.
        if let vmbus = rows.first(where: { $0.0 == "partita vmbus" })?.1,
           let ide = rows.first(where: { $0.0 == "partita ide" })?.1 {
            var line = "vmbus / ide".padding(toLength: 16, withPad: " ", startingAt: 0)
            for (title, key) in [("read", \Figures.read), ("write", \Figures.write)] {
                // Equal N on both paths, so the MiB/s ratio is the inverse ratio of the times.
                let ratio = vmbus[keyPath: key].flatMap { v in ide[keyPath: key].map { $0 / v } }
                line += "\(title) " + (ratio.map { String(format: "%.2fx", $0) } ?? "n/a") + "   "
            }
            print(line + "(MiB/s ratio; above 1 = VMBus faster)")
        }
    }

    /// Unmeasured transfer before each measured one: enough requests to run every path a few
    /// times, small beside the measured transfer.
    static func warmUpMebibytes(_ n: Int) -> Int { min(n, 32) }

    /// Creates `path` with `mebibytes` MiB of non-zero bytes (a pattern varying by sector) and
    /// syncs it, so no path reads holes and no dirty page is written back during a measurement.
    static func fillImage(_ path: String, mebibytes: Int) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CommandLineError("cannot create the scratch image \(path): errno \(errno)") }
        defer { close(fd) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        for mib in 0..<mebibytes {
            for i in chunk.indices {
                chunk[i] = UInt8(truncatingIfNeeded: (i >> 9) &* 37 &+ i &* 7 &+ mib) | 0x01
            }
            let written = chunk.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, off_t(mib) << 20) }
            guard written == chunk.count else {
                throw CommandLineError("cannot write the scratch image \(path) (errno \(errno); is the disk full?)")
            }
        }
        guard fsync(fd) == 0 else { throw CommandLineError("cannot sync the scratch image \(path): errno \(errno)") }
    }

    /// Syncs whatever the previous path left dirty and reads the whole image once, so the next
    /// path starts from a clean, warm host page cache.
    static func warmHostCache(_ path: String) throws {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw CommandLineError("cannot open the scratch image \(path): errno \(errno)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw CommandLineError("cannot sync the scratch image \(path): errno \(errno)") }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset: off_t = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, offset) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw CommandLineError("cannot read the scratch image \(path): errno \(errno)") }
            if n == 0 { return }
            offset += off_t(n)
        }
    }

    /// Boots one emulator, loads the disk drivers, waits for /dev/sda and times both transfers.
    /// The image is synced and read once on the host first, so every path starts from the same
    /// warm host page cache whatever ran before it.
    private func measure(name: String, executable: String, arguments: [String], image: String,
                         drivers: String) -> Figures {
        var f = Figures()
        do {
            let t0 = Date()
            try Self.warmHostCache(image)
            print("\(name): image synced and read on the host in " + String(format: "%.2f s", Date().timeIntervalSince(t0)))
        } catch {
            print("\(name): \(error)")
            return f
        }
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
        func dd(_ command: String, marker: String, count: Int, label: String = "") -> Double? {
            guard let r = run("\(command) 2>&1 | tail -1", marker: marker, timeout: options.timeout) else { return nil }
            let lines = r.output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            // The guest's dd summary: "256+0 records out" (busybox), or with a rate line
            // "268435456 bytes (256.0MB) copied, 2.1 seconds, 120.5MB/s" when built with it.
            guard let summary = lines.first(where: { $0.contains("copied") })
                    ?? lines.first(where: { $0.hasPrefix("\(count)+0 records out") }) else {
                print("\(name): dd failed: \(lines.suffix(3).joined(separator: " | "))")
                return nil
            }
            print("\(name): \(label)\(summary)")
            return r.seconds
        }
        func warmUp(_ command: String, marker: String, count: Int) -> Bool {
            dd(command, marker: marker, count: count, label: "warm-up (not measured): ") != nil
        }
        let n = mebibytes, w = Self.warmUpMebibytes(n)
        // Unmeasured warm-ups of the same command, so neither measured transfer pays first-touch
        // costs (the guest's buffers and driver paths, the emulator's decoded or translated code).
        guard warmUp("dd if=/dev/sda of=/dev/null bs=1M count=\(w) iflag=direct", marker: "WARMREAD", count: w) else {
            return f
        }
        f.read = dd("dd if=/dev/sda of=/dev/null bs=1M count=\(n) iflag=direct", marker: "READDONE", count: n)
        guard warmUp("dd if=/dev/zero of=/dev/sda bs=1M count=\(w) oflag=direct conv=fsync", marker: "WARMWRITE",
                     count: w) else { return f }
        f.write = dd("dd if=/dev/zero of=/dev/sda bs=1M count=\(n) oflag=direct conv=fsync", marker: "WRITEDONE", count: n)
        session.type("poweroff -f")
        return f
    }
}
