// Options shared by the benchmarks that boot the guest kit beside QEMU.

import ArgumentParser
import Foundation
import GuestKit

/// The guest (kit by default), its RAM, the QEMU to compare with, and a time limit.
struct GuestBenchOptions: ParsableArguments {
    @Option(help: "Kernel (default: the guest kit's).") var kernel: String?
    @Option(help: "Initramfs (default: the guest kit's).") var initrd: String?
    @Option(help: "Guest RAM for both emulators.") var memory = "256M"
    @Option(help: "QEMU executable ('none' to skip).") var qemu = "qemu-system-i386"
    @Option(help: "Seconds allowed for each step.") var timeout: Double = 600

    /// The kernel and initramfs paths, checked to exist.
    func guestFiles() throws -> (kernel: String, initrd: String) {
        let kit = GuestKit()
        let paths = (kernel ?? kit.kernelPath, initrd ?? kit.initrdPath)
        for p in [paths.0, paths.1] where !FileManager.default.fileExists(atPath: p) {
            throw CommandLineError("\(p) not found: run `partita guest fetch` or give --kernel and --initrd")
        }
        return paths
    }

    /// The QEMU executable to compare with, or nil (with a note printed) when there is none.
    func qemuExecutable() -> String? {
        if qemu == "none" { return nil }
        if let q = BootBench.which(qemu) { return q }
        print("note: \(qemu) not found; install qemu-system-x86 to compare")
        return nil
    }
}
