// Builds the default guest from Debian packages: an i386 kernel and a busybox initramfs.

import Foundation

/// The default guest: the newest `linux-image-*-686-unsigned:i386` apt offers and a busybox
/// initramfs whose `/init` mounts proc, sys and devtmpfs, prints `GuestKit.readyMarker`, and
/// starts a shell. The initramfs carries the Hyper-V modules (and what they depend on, resolved
/// with depmod) under /lib/modules, ready for `modprobe`.
///
/// Everything lives in a cache directory outside the repository; nothing downloaded is ever
/// committed. Building needs root (or sudo) for apt, and dpkg-deb, depmod, cpio and gzip
/// (scripts/setup.sh installs them).
public struct GuestKit: Sendable {
    /// Printed by /init once the guest is up; tests and benchmarks wait for it.
    public static let readyMarker = "partita-guest: ready"
    /// Modules put into the initramfs with their dependencies: the Hyper-V drivers, the SCSI
    /// disk driver a storvsc disk needs to become /dev/sda, ext4 (with the crc32c it loads by
    /// name, which depmod cannot see) to mount one, and the legacy PC's disk drivers (PIIX IDE,
    /// SCSI CD-ROM with ISO 9660, floppy).
    public static let modules = ["hv_vmbus", "hv_storvsc", "hv_netvsc", "hyperv_keyboard", "hid_hyperv",
                                 "hv_utils", "hyperv_drm", "sd_mod", "ext4", "crc32c_generic",
                                 "ata_piix", "sr_mod", "isofs", "floppy", "bochs"]
    /// The stamp's first line; a kit built from another module list (an older Partita) is rebuilt.
    static var stampHeader: String { "kit-modules \(modules.joined(separator: " "))" }

    public var cacheDirectory: String
    public var kernelPath: String { cacheDirectory + "/vmlinuz" }
    public var initrdPath: String { cacheDirectory + "/initrd.img" }
    public var stampPath: String { cacheDirectory + "/kit.txt" }

    public init(cacheDirectory: String? = nil) {
        self.cacheDirectory = cacheDirectory ?? GuestKit.defaultCacheDirectory
    }

    /// `$PARTITA_GUEST_CACHE`, else `$XDG_CACHE_HOME/partita/guest`, else `~/.cache/partita/guest`.
    public static var defaultCacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let d = env["PARTITA_GUEST_CACHE"], !d.isEmpty { return d }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/partita/guest" }
        return NSHomeDirectory() + "/.cache/partita/guest"
    }

    /// True when a previous `build` finished (the stamp is written last).
    public var isBuilt: Bool {
        let fm = FileManager.default
        guard fm.fileExists(atPath: kernelPath) && fm.fileExists(atPath: initrdPath),
              let stamp = try? String(contentsOfFile: stampPath, encoding: .utf8) else { return false }
        return stamp.hasPrefix(Self.stampHeader + "\n")
    }

    /// Downloads and assembles the kit (unless already built and `force` is false).
    /// `log` receives one line per step.
    public func build(force: Bool = false, log: (String) -> Void) throws {
        if isBuilt && !force {
            log("guest kit already built in \(cacheDirectory)")
            return
        }
        let fm = FileManager.default
        let work = cacheDirectory + "/work"
        try? fm.removeItem(atPath: work)
        try fm.createDirectory(atPath: work + "/debs", withIntermediateDirectories: true)

        let foreign = try ToolRunner.run(["dpkg", "--print-foreign-architectures"])
        if !foreign.split(separator: "\n").contains("i386") {
            log("enabling the i386 architecture in dpkg")
            try ToolRunner.run(["dpkg", "--add-architecture", "i386"])
            try ToolRunner.run(["apt-get", "update", "-qq"], allowFailure: true)
        }
        var kernelPackage = try newestKernelPackage()
        if kernelPackage == nil {
            log("refreshing apt's package lists")
            try ToolRunner.run(["apt-get", "update", "-qq"], allowFailure: true)
            kernelPackage = try newestKernelPackage()
        }
        guard let kernel = kernelPackage else {
            throw GuestKitError("apt offers no linux-image-*-686-unsigned package for i386; check the apt sources")
        }
        let version = String(kernel.dropFirst("linux-image-".count).dropLast("-unsigned".count))
        log("downloading \(kernel):i386 and busybox-static:i386")
        try ToolRunner.run(["apt-get", "download", "-q", "\(kernel):i386", "busybox-static:i386"], in: work + "/debs")
        let debs = try fm.contentsOfDirectory(atPath: work + "/debs").filter { $0.hasSuffix(".deb") }
        guard let kernelDeb = debs.first(where: { $0.hasPrefix("linux-image-") }),
              let busyboxDeb = debs.first(where: { $0.hasPrefix("busybox-static") }) else {
            throw GuestKitError("apt-get download did not produce both packages in \(work)/debs")
        }
        log("unpacking")
        try ToolRunner.run(["dpkg-deb", "-x", work + "/debs/" + kernelDeb, work + "/kernel"])
        try ToolRunner.run(["dpkg-deb", "-x", work + "/debs/" + busyboxDeb, work + "/busybox"])

        log("resolving module dependencies with depmod")
        let moduleRoot = work + "/kernel/lib/modules/" + version
        try ToolRunner.run(["depmod", "-b", work + "/kernel", version])
        let deps = ModuleDependencies(modulesDep: try String(contentsOfFile: moduleRoot + "/modules.dep", encoding: .utf8))
        // A module the kernel has built in needs no file (and is not in modules.dep).
        let builtin = (try? String(contentsOfFile: moduleRoot + "/modules.builtin", encoding: .utf8)) ?? ""
        let builtinNames = Set(builtin.split(separator: "\n").map {
            String(($0.split(separator: "/").last ?? "").replacingOccurrences(of: ".ko", with: "")
                .replacingOccurrences(of: "-", with: "_"))
        })
        let needed = try deps.closure(of: GuestKit.modules.filter { !builtinNames.contains($0) })

        log("assembling the initramfs (\(needed.count) modules)")
        let root = work + "/initramfs"
        for d in ["bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "root", "etc", "lib/modules/" + version] {
            try fm.createDirectory(atPath: root + "/" + d, withIntermediateDirectories: true)
        }
        try fm.copyItem(atPath: work + "/busybox/bin/busybox", toPath: root + "/bin/busybox")
        for m in needed {
            let dest = root + "/lib/modules/" + version + "/" + m
            try fm.createDirectory(atPath: (dest as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.copyItem(atPath: moduleRoot + "/" + m, toPath: dest)
        }
        for f in ["modules.order", "modules.builtin", "modules.builtin.modinfo"]
        where fm.fileExists(atPath: moduleRoot + "/" + f) {
            try fm.copyItem(atPath: moduleRoot + "/" + f, toPath: root + "/lib/modules/" + version + "/" + f)
        }
        try ToolRunner.run(["depmod", "-b", root, version])
        try GuestKit.initScript.write(toFile: root + "/init", atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/init")
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/bin/busybox")

        let partialInitrd = work + "/initrd.img"
        try ToolRunner.run(["sh", "-c", "find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -9 > '\(partialInitrd)'"], in: root)
        try? fm.removeItem(atPath: initrdPath)
        try? fm.removeItem(atPath: kernelPath)
        try fm.moveItem(atPath: partialInitrd, toPath: initrdPath)
        try fm.copyItem(atPath: work + "/kernel/boot/vmlinuz-" + version, toPath: kernelPath)
        try "\(Self.stampHeader)\nkernel \(kernel) (\(version))\nbusybox \(busyboxDeb)\nmodules \(needed.joined(separator: " "))\n"
            .write(toFile: stampPath, atomically: true, encoding: .utf8)
        try? fm.removeItem(atPath: work)
        log("kernel: \(kernelPath)")
        log("initrd: \(initrdPath)")
    }

    /// The newest `linux-image-X-686-unsigned` apt knows about, or nil.
    func newestKernelPackage() throws -> String? {
        let out = try ToolRunner.run(["apt-cache", "search", "--names-only", "^linux-image-[0-9.]+-[0-9]+-686-unsigned$"])
        let names = out.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        return names.max(by: versionLess)
    }

    /// /init: mounts the pseudo filesystems; with `root=DEV` on the kernel command line (and
    /// optionally `rootfstype=`, `rootwait`-style waiting is built in), loads the disk drivers
    /// (Hyper-V storage, PIIX IDE, SCSI disk, ext4), mounts DEV and switches to its /sbin/init,
    /// as Debian's initramfs does; otherwise (or when that fails, with a message) prints the ready
    /// marker and starts a shell on the console.
    public static let initScript = """
        #!/bin/busybox sh
        /bin/busybox --install -s
        export PATH=/bin:/sbin:/usr/bin:/usr/sbin
        mount -t proc proc /proc
        mount -t sysfs sysfs /sys
        mount -t devtmpfs devtmpfs /dev
        root= fstype=ext4 flags=rw
        for arg in $(cat /proc/cmdline); do
            case "$arg" in
                root=*) root=${arg#root=} ;;
                rootfstype=*) fstype=${arg#rootfstype=} ;;
                ro) flags=ro ;;
            esac
        done
        if [ -n "$root" ]; then
            for m in hv_vmbus hv_storvsc ata_piix sd_mod crc32c_generic ext4; do modprobe $m 2>/dev/null; done
            n=0
            while [ ! -b "$root" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
            mkdir -p /newroot
            if mount -t "$fstype" -o "$flags" "$root" /newroot && [ -x /newroot/sbin/init ]; then
                echo "partita-guest: switching to root $root ($fstype)"
                umount /sys
                umount /proc
                mount --move /dev /newroot/dev 2>/dev/null || umount /dev
                exec switch_root /newroot /sbin/init
            fi
            echo "partita-guest: cannot mount $root as $fstype with /sbin/init; staying in the initramfs"
        fi
        echo "\(readyMarker)"
        exec setsid cttyhack /bin/sh

        """
}
