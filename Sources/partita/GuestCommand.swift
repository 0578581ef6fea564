// `partita guest`: the default guest kit.

import ArgumentParser
import GuestKit

struct GuestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guest",
        abstract: "Build and locate the default guest (Debian i386 kernel + busybox initramfs).",
        subcommands: [Fetch.self, Paths.self])

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download Debian's newest linux-image-*-686-unsigned:i386 and busybox-static:i386 and build the kit.",
            discussion: """
            Needs root (apt-get download, dpkg --add-architecture i386) and dpkg-deb, depmod, cpio \
            and gzip (scripts/setup.sh installs them). The kit goes to the cache directory \
            ($PARTITA_GUEST_CACHE, else $XDG_CACHE_HOME/partita/guest, else ~/.cache/partita/guest), \
            never into the repository. Prints the kernel and initrd paths.
            """)
        @Option(help: "Cache directory for the kit.") var cache: String?
        @Flag(help: "Rebuild even if the kit is already there.") var force = false

        func run() throws {
            let kit = GuestKit(cacheDirectory: cache)
            do { try kit.build(force: force) { print("guest: \($0)") } } catch let e as GuestKitError {
                throw CommandLineError(e.description)
            }
            print(kit.kernelPath)
            print(kit.initrdPath)
        }
    }

    struct Paths: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the kernel and initrd paths of a built kit.")
        @Option(help: "Cache directory for the kit.") var cache: String?

        func run() throws {
            let kit = GuestKit(cacheDirectory: cache)
            guard kit.isBuilt else { throw CommandLineError("no guest kit in \(kit.cacheDirectory): run `partita guest fetch`") }
            print(kit.kernelPath)
            print(kit.initrdPath)
        }
    }
}
