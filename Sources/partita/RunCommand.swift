// `partita run`: build a machine from the command line and run it.

import ArgumentParser
import Chipset
import Firmware
import EmulatorCore
import Foundation
import FrontendSDL
import Graphics
import Machine

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a PC.",
        discussion: """
        Builds a PC — i686 CPU with local APIC, I/O APIC, 8259A PIC pair, 8254 PIT, MC146818 \
        RTC/CMOS, 8042 keyboard controller, 16550A COM1, PCI (i440FX host bridge, PIIX3 ISA bridge, \
        PIIX4 ACPI power management), QEMU's fw_cfg, ports 0x61, 0x92, 0xCF9 and 0x80 — and \
        either boots a kernel directly or runs firmware from the reset vector F000:FFF0: the \
        image given with --bios, else Partita's own BIOS (roms/partita-bios.bin beside the \
        package, or the file named by PARTITA_BIOS).

        Display: --display sdl opens a window showing the VGA screen (scaled to the window, \
        aspect kept); keys typed there go to the PS/2 keyboard, and a click grabs the mouse for \
        the PS/2 mouse. Ctrl+Alt+G releases the mouse, Ctrl+Alt+F toggles fullscreen, \
        Ctrl+Alt+S writes a PNG screenshot (to the --screenshot file, else \
        partita-screenshot-N.png here), Ctrl+Alt+P saves a snapshot (to --snapshot-file, else the \
        --save-on-exit file). The PC speaker plays through the default audio device (without \
        one, the run goes on silently). Closing the window ends the run as SIGTERM does (saving \
        with --save-on-exit), exit status 0. The default is the window when $DISPLAY or \
        $WAYLAND_DISPLAY is set and it can be opened, else none (headless, as --headless); \
        --display sdl without a display is an error.

        Partita's BIOS boots from --floppy (A:, B:), --hda…--hdd (80h–83h) and --cdrom (El \
        Torito: no emulation, floppy or hard disk emulation) in the --boot order (default: \
        floppy, hard disk, CD-ROM), prints its messages on the screen and on COM1, and says \
        "No bootable device." there when nothing boots.

        --kernel takes a Linux bzImage (32-bit boot protocol, with --initrd and --append) or a \
        multiboot v1 kernel (ELF or a.out kludge; modules from --module, or from --initrd as in \
        QEMU: "FILE ARGS,FILE ARGS"). A direct boot gets ACPI tables (RSDP at 0xE0000) and an \
        E820 map from Partita; guest power-off through ACPI (S5) ends the run with exit status 0.

        Time inside the machine is virtual: each retired instruction advances it by 1 ns (the \
        TSC runs at 1 GHz). While the guest is idle (HLT), --clock realtime (the default) waits \
        in host time for its next timer, so `sleep 1` in the guest takes a second; --clock \
        virtual skips straight to it, which makes runs deterministic (the same inputs give the \
        same run) and idle guests fast — use it for tests.

        With --serial stdio, standard input feeds COM1; on a terminal it is put in raw mode and \
        Ctrl-A x quits (Ctrl-A Ctrl-A sends Ctrl-A), as in QEMU.

        Snapshots: --save-on-exit FILE saves the whole machine when the run ends other than by \
        the guest (--timeout, --stop-after, SIGTERM, SIGINT, Ctrl-A x); SIGUSR1 saves to \
        --snapshot-file (else the --save-on-exit file) and the run continues. --restore FILE \
        continues a saved machine: RAM size, devices and kernel command line come from the \
        snapshot (so --memory, --bios, --kernel, --initrd, --module, --append and \
        --isa-debug-exit are refused); where serial, debug-console and POST bytes go is chosen \
        anew (--serial, default COM1 on stdio; --debugcon and --post-codes files, else dropped) \
        and --clock defaults to the saved mode. --stop-after N ends the run exactly when the CPU \
        has retired N instructions since power-on (a restored machine keeps counting), so \
        `--clock virtual --stop-after N` runs are reproducible; exit status 0.

        Disks in snapshots: a snapshot names each disk image (path, size, modification time) and \
        a restore onto an image that changed since is refused, unless --force-disks. With \
        --snapshot-disks the guest's writes go to private copy-on-write overlays instead of the \
        images (discarded at exit); snapshots then carry the overlays, so every snapshot of the \
        run restores onto the unchanged images (a restored run keeps using overlays).

        Exit status: the guest's isa-debug-exit value (v << 1) | 1; 124 after --timeout; 3 after \
        a triple fault (the CPU state is printed); 4 when the CPU halts and nothing can wake it \
        (no timer armed; interrupts disabled or no input); 1 for a configuration error (one line on standard error).

        Example:
          partita run --bios test.rom --serial stdio --debugcon debug.log --isa-debug-exit --timeout 30
        """)

    @Option(name: .long, help: ArgumentHelp("Guest RAM size (bytes, or with K, M or G; default 32M).", valueName: "SIZE"))
    var memory: String?

    @Option(name: .long, help: ArgumentHelp("Firmware image of 64, 128 or 256 KiB, mapped below 1 MiB and 4 GiB.", valueName: "FILE"))
    var bios: String?

    @Option(name: .long, help: ArgumentHelp("Floppy image for drive A: (a second --floppy is B:); ,readonly write-protects it. Standard sizes 160K–2.88M.", valueName: "FILE[,readonly]"))
    var floppy: [String] = []

    @Option(name: .long, help: ArgumentHelp("Hard disk image, BIOS drive 80h (primary master); ,readonly write-protects it.", valueName: "FILE[,readonly]"))
    var hda: String?

    @Option(name: .long, help: ArgumentHelp("Hard disk image, drive 81h (primary slave).", valueName: "FILE[,readonly]"))
    var hdb: String?

    @Option(name: .long, help: ArgumentHelp("Hard disk image, drive 82h.", valueName: "FILE[,readonly]"))
    var hdc: String?

    @Option(name: .long, help: ArgumentHelp("Hard disk image, drive 83h (not with --cdrom).", valueName: "FILE[,readonly]"))
    var hdd: String?

    @Option(name: .long, help: ArgumentHelp("CD-ROM image (ISO 9660, read-only); bootable through El Torito.", valueName: "FILE"))
    var cdrom: String?

    @Option(name: .long, help: ArgumentHelp("Boot order for Partita's BIOS: drive letters tried first (a floppy, c hard disk, d CD-ROM), the rest follow in the order a, c, d. Default acd.", valueName: "a|c|d"))
    var boot: String?

    @Option(name: .customLong("vga-bios"), help: ArgumentHelp("A video BIOS option ROM for the VGA, mapped at 0xC0000 and offered to SeaBIOS through fw_cfg (default for firmware boots: roms/partita-vgabios.bin).", valueName: "FILE"))
    var vgaBIOS: String?

    @Option(name: .long, help: ArgumentHelp("Kernel to boot directly: a Linux bzImage or a multiboot v1 kernel.", valueName: "FILE"))
    var kernel: String?

    @Option(name: .long, help: ArgumentHelp("Initial ramdisk for a Linux --kernel; for a multiboot kernel, modules as \"FILE ARGS,FILE ARGS\".", valueName: "FILE"))
    var initrd: String?

    @Option(name: .long, help: ArgumentHelp("A multiboot module: the file, then its command line (repeatable).", valueName: "\"FILE [ARGS]\""))
    var module: [String] = []

    @Option(name: .long, help: ArgumentHelp("Kernel command line for --kernel.", valueName: "TEXT"))
    var append: String = ""


    @Option(name: .long, help: ArgumentHelp("Serial port backend, repeatable: the first is COM1, then COM2–COM4. stdio, null, file:PATH, or unix:PATH[,server] (a Unix socket Partita listens on with ,server, else connects to). Default: COM1 on stdio.", valueName: "BACKEND"))
    var serial: [String] = []

    @Option(name: .long, help: ArgumentHelp("Write bytes sent to the debug console port (default 0xE9) to FILE ('-' for stdout).", valueName: "FILE[,port=N]"))
    var debugcon: String?

    @Option(name: .customLong("post-codes"), help: ArgumentHelp("Log every byte written to the POST port (default 0x80) to FILE, one hex byte per line.", valueName: "FILE[,port=N]"))
    var postCodes: String?

    @Flag(name: .customLong("isa-debug-exit"), help: "Add QEMU's isa-debug-exit device at port 0xF4.")
    var isaDebugExit = false

    @Flag(name: .customLong("hyperv"), help: "Offer Hyper-V enlightenments and the VMBus (Hyper-V CPUID leaves, synthetic MSRs, hypercall page, SynIC, VMBus device in the DSDT): a stock Linux loads hv_vmbus.")
    var hyperV = false

    @Option(name: .customLong("vmbus-disk"), help: ArgumentHelp("A raw disk image on the Hyper-V synthetic SCSI controller (needs --hyperv; repeatable: LUN 0, 1, …); ,readonly write-protects it.", valueName: "FILE[,readonly]"))
    var vmbusDisk: [String] = []

    @Flag(name: .customLong("snapshot-disks"), help: "Put every disk write in a private copy-on-write overlay: the images are never written, and snapshots carry the overlays (so they restore onto the same images). The overlays are discarded when the run ends.")
    var snapshotDisks = false

    @Flag(name: .customLong("force-disks"), help: "With --restore: continue even if a disk image changed since the snapshot (a warning per difference instead of an error). The guest's view of the disk may then be stale.")
    var forceDisks = false

    @Option(name: .long, help: ArgumentHelp("Stop after this much wall-clock time; exit status 124.", valueName: "SECONDS"))
    var timeout: Double?

    @Option(name: .long, help: ArgumentHelp("realtime (default): idle time passes in host time; virtual: idle time is skipped (deterministic).", valueName: "realtime|virtual"))
    var clock: String?

    @Option(name: .customLong("rtc-start"), help: ArgumentHelp("The RTC's time at power-on: host (UTC, default) or YYYY-MM-DD[THH:MM:SS] (fixed, for reproducible runs).", valueName: "host|DATE"))
    var rtcStart: String?

    @Option(name: .customLong("stop-after"), help: ArgumentHelp("End the run when the CPU has retired this many instructions since power-on (exactly; counted across snapshots).", valueName: "INSTRUCTIONS"))
    var stopAfter: UInt64?

    @Option(name: .customLong("save-on-exit"), help: ArgumentHelp("Save a snapshot to FILE when the run ends other than by the guest (--timeout, --stop-after, SIGTERM, SIGINT, Ctrl-A x).", valueName: "FILE"))
    var saveOnExit: String?

    @Option(name: .customLong("snapshot-file"), help: ArgumentHelp("Where SIGUSR1 saves a snapshot (the run continues); default the --save-on-exit file.", valueName: "FILE"))
    var snapshotFile: String?

    @Option(name: .long, help: ArgumentHelp("Continue the machine saved in FILE instead of building one (see the discussion for which options still apply).", valueName: "FILE"))
    var restore: String?

    @Option(name: .long, help: ArgumentHelp("sdl: show the screen in a window (keyboard, mouse, PC speaker); none: headless. Default sdl when $DISPLAY or $WAYLAND_DISPLAY is set and a window opens, else none.", valueName: "sdl|none"))
    var display: String?

    @Flag(name: .long, help: "Run without a window (= --display none).")
    var headless = false

    @Option(name: .customLong("screenshot"), help: ArgumentHelp("When the run ends, write the guest's screen (VGA/VBE) to FILE as a PNG.", valueName: "FILE.png"))
    var screenshot: String?

    @Option(name: .customLong("screen-text"), help: ArgumentHelp("When the run ends, write a text-mode screen to FILE as UTF-8 (code page 437 mapped to Unicode; trailing spaces trimmed). In a graphics mode the file is left empty and a note goes to standard error.", valueName: "FILE"))
    var screenText: String?

    func run() throws {
        let displayChoice = try DisplayChoice.choose(display: display, headless: headless,
                                                     environment: ProcessInfo.processInfo.environment)
        let machine = try restore.map(restoredMachine) ?? builtMachine()
        // Debugging aid: PARTITA_DECODED_BLOCKS=0 interprets every instruction from its bytes.
        if ProcessInfo.processInfo.environment["PARTITA_DECODED_BLOCKS"] == "0" { machine.cpu.decodedBlocksEnabled = false }
        if ProcessInfo.processInfo.environment["PARTITA_BULK_STRINGS"] == "0" { machine.cpu.bulkStringsEnabled = false }
        let config = machine.configuration
        if ([config.serial] + config.additionalSerial).contains(.stdio) {
            let input = TerminalInput()
            input.start()
            machine.serialInput = input.queue
            machine.serialInputFilter = input.filter { [unowned machine] in machine.stop(.stopped) }
        }
        let signals = HostSignals()
        // Debugging aid: PARTITA_PROFILE=FILE samples the guest's EIP every 20 µs of virtual time
        // (20,000 instructions at the default rate: a timer ends the CPU slice there, so samples
        // are not biased toward HLT or device exits) and writes "count address" lines, most
        // frequent first, when the run ends (map them with the guest's /proc/kallsyms, booted
        // with nokaslr). Not kept in snapshots.
        let profilePath = ProcessInfo.processInfo.environment["PARTITA_PROFILE"]
        var samples: [UInt32: Int] = [:]
        var profileTimer: DeviceTimer?
        if profilePath != nil {
            let cpu = machine.cpu
            var timer: DeviceTimer!
            timer = DeviceTimer(name: "profile", scheduler: machine.scheduler) { now in
                samples[cpu.eip, default: 0] += 1
                timer.arm(at: VirtualTime(nanoseconds: now.nanoseconds + 20_000))
            }
            timer.arm(at: VirtualTime(nanoseconds: machine.now.nanoseconds + 20_000))
            profileTimer = timer
        }
        let usr1Path = snapshotFile ?? saveOnExit
        // SIGTERM/SIGINT end the run in order (not the process) when something is due at the end.
        signals.start(stop: saveOnExit != nil || screenshot != nil || screenText != nil || profilePath != nil,
                      save: usr1Path != nil)
        var stopSignal: Int32?
        var window = try openWindow(displayChoice)
        let pump = window.map { DisplayPump(link: $0.link, snapshotPath: usr1Path) }
        machine.hostEvents = window?.link.events
        machine.hostRequestPending = { signals.hasPending || pump?.isDue == true }
        machine.betweenSlices = { machine in
            let r = signals.take()
            if r.save, let path = usr1Path {
                do { try machine.saveSnapshot(to: path) } catch {
                    FileHandle.standardError.write(Data("partita: \(error)\n".utf8))
                }
            }
            if let sig = r.stopSignal {
                stopSignal = sig
                machine.stop(.stopped)
            }
            pump?.betweenSlices(machine)
        }
        var stop = MachineStop.stopped
        if let frontend = window {
            // SDL keeps the main thread; the machine runs on its own thread until it stops.
            let emulation = EmulationThread { [timeout, stopAfter] in
                stop = machine.run(wallClockLimit: timeout, instructionLimit: stopAfter)
                frontend.link.finish()
            }
            emulation.start()
            frontend.run()
            emulation.join()
            window = nil
        } else {
            stop = machine.run(wallClockLimit: timeout, instructionLimit: stopAfter)
        }
        machine.betweenSlices = nil
        machine.hostRequestPending = nil
        machine.hostEvents = nil
        TerminalInput.restore()
        machine.flushOutputs()
        // The machine first: a screenshot or profile that cannot be written must not lose it.
        if let path = saveOnExit, [.timeout, .stopped, .instructionLimit].contains(stop) {
            do { try machine.saveSnapshot(to: path) } catch { throw CommandLineError("\(error)") }
        }
        try writeScreen(of: machine)
        profileTimer?.cancel()
        if let path = profilePath {
            let lines = samples.sorted { $0.value > $1.value }.map { String(format: "%d %08x", $0.value, $0.key) }
            guard FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8)) else {
                throw CommandLineError("cannot write the profile to \(path)")
            }
        }
        if let sig = stopSignal { throw ExitCode(128 + sig) }
        switch stop {
        case .debugExit(let status): throw ExitCode(status)
        case .timeout:
            // Debugging aid: PARTITA_DUMP_ON_TIMEOUT=1 shows where the CPU was.
            if ProcessInfo.processInfo.environment["PARTITA_DUMP_ON_TIMEOUT"] != nil {
                FileHandle.standardError.write(Data("partita: timeout; CPU state:\n\(machine.cpu.stateDescription)\nvirtual time: \(machine.now)\n".utf8))
            }
            throw ExitCode(124)
        case .tripleFault:
            FileHandle.standardError.write(Data("partita: triple fault; CPU state:\n\(machine.cpu.stateDescription)\n".utf8))
            throw ExitCode(3)
        case .haltedForever:
            FileHandle.standardError.write(Data("partita: the CPU halted and nothing can wake it (no timer armed; interrupts disabled or no input)\n".utf8))
            throw ExitCode(4)
        case .stopped, .powerOff, .instructionLimit: return
        }
    }

    /// The SDL window for `choice`, or nil for a headless run (also when the default window
    /// cannot be opened: one line on standard error says why).
    private func openWindow(_ choice: DisplayChoice) throws -> SDLFrontend? {
        guard case .sdl(let required) = choice else { return nil }
        do {
            return try SDLFrontend(link: FrontendLink(), screenshotPath: screenshot)
        } catch {
            if required { throw CommandLineError("--display sdl: \(error)") }
            FileHandle.standardError.write(Data("partita: no window (\(error)); running headless\n".utf8))
            return nil
        }
    }

    /// --screenshot and --screen-text, from the display as it is now.
    private func writeScreen(of machine: PCMachine) throws {
        if let path = screenshot {
            let png = try PNGWriter.encode(machine.vga.renderFrame(atNanoseconds: machine.now.nanoseconds))
            guard FileManager.default.createFile(atPath: path, contents: Data(png)) else {
                throw CommandLineError("cannot write the screenshot to \(path)")
            }
        }
        if let path = screenText {
            let text = machine.vga.textScreen()
            if text == nil {
                FileHandle.standardError.write(Data("partita: the screen is in a graphics mode; \(path) is empty\n".utf8))
            }
            guard FileManager.default.createFile(atPath: path, contents: Data(((text ?? "") + (text == nil ? "" : "\n")).utf8)) else {
                throw CommandLineError("cannot write the screen text to \(path)")
            }
        }
    }

    /// The machine the options describe, with its kernel or firmware loaded.
    private func builtMachine() throws -> PCMachine {
        var config = MachineConfiguration()
        do {
            config.ramSize = try Self.parseSize(memory ?? "32M")
            if let bios {
                config.firmware = try Self.readFile(bios)
            } else if kernel == nil {
                guard let path = Self.defaultBIOSPath() else { throw ConfigurationError.noFirmware }
                config.firmware = try Self.readFile(path)
            }
            // The machine's VGA gets Partita's video BIOS unless --vga-bios names another (a
            // direct kernel boot has no BIOS to run it).
            if kernel == nil && vgaBIOS == nil, let path = Self.defaultROMPath("partita-vgabios.bin", environment: "PARTITA_VGABIOS") {
                config.videoBIOS = try Self.readFile(path)
            }
            guard floppy.count <= 2 else { throw CommandLineError("--floppy is given at most twice (A: and B:)") }
            config.floppyImages = try floppy.map { try Self.parseDiskImage($0, option: "--floppy") }
            config.hardDisks = try [hda, hdb, hdc, hdd].compactMap { $0 }.map { try Self.parseDiskImage($0, option: "--hda") }
            if hda == nil && (hdb != nil || hdc != nil || hdd != nil) {
                throw CommandLineError("--hdb/--hdc/--hdd need --hda (hard disks are numbered from 80h)")
            }
            config.cdrom = cdrom
            if let vgaBIOS { config.videoBIOS = try Self.readFile(vgaBIOS) }
            if let boot {
                guard let order = BootDevice.order(preferring: boot) else {
                    throw CommandLineError("bad --boot '\(boot)': use drive letters a (floppy), c (hard disk), d (CD-ROM)")
                }
                config.bootOrder = order
            }
            if let kernel {
                let image = try Self.readFile(kernel)
                config.kernel = image
                config.commandLine = append
                let multiboot = (try? LinuxKernelImage(image)) == nil && MultibootLoader.isMultiboot(image)
                var moduleSpecs = module
                if let initrd {
                    if multiboot {
                        moduleSpecs = initrd.split(separator: ",").map(String.init) + moduleSpecs
                    } else {
                        config.initrd = try Self.readFile(initrd)
                    }
                }
                if !moduleSpecs.isEmpty && !multiboot {
                    throw CommandLineError("--module needs a multiboot kernel; \(kernel) is not one")
                }
                config.multibootModules = try moduleSpecs.map(Self.readModule)
            } else if initrd != nil || !module.isEmpty {
                throw CommandLineError("--initrd and --module need --kernel")
            }
            let serialConfigs = try (serial.isEmpty ? ["stdio"] : serial).map(Self.parseSerial)
            config.serial = serialConfigs[0]
            config.additionalSerial = Array(serialConfigs.dropFirst())
            if let d = debugcon { config.debugConsole = try Self.parseDebugOutput(d, defaultPort: DebugConsole.defaultPort) }
            if let p = postCodes { config.postCodes = try Self.parseDebugOutput(p, defaultPort: POSTCodePort.defaultPort) }
            config.isaDebugExit = isaDebugExit
            config.hyperV = hyperV
            if !vmbusDisk.isEmpty && !hyperV { throw CommandLineError("--vmbus-disk needs --hyperv") }
            config.vmbusDisks = try vmbusDisk.map(Self.parseVMBusDisk)
            config.snapshotDisks = snapshotDisks
            if forceDisks { throw CommandLineError("--force-disks only applies to --restore") }
            config.clock = try Self.parseClock(clock ?? "realtime")
            if let r = rtcStart { config.rtcStart = try Self.parseRTCStart(r) }
            try checkRunLimits()
        } catch let e as ConfigurationError {
            throw CommandLineError(e.description)
        }
        do { return try PCMachine(config) } catch { throw CommandLineError("\(error)") }
    }

    /// The machine saved in `path`, connected to this run's host backends.
    private func restoredMachine(_ path: String) throws -> PCMachine {
        let fromSnapshot: [(String, Bool)] = [
            ("--memory", memory != nil), ("--bios", bios != nil), ("--kernel", kernel != nil),
            ("--initrd", initrd != nil), ("--module", !module.isEmpty), ("--append", !append.isEmpty),
            ("--isa-debug-exit", isaDebugExit), ("--hyperv", hyperV), ("--floppy", !floppy.isEmpty),
            ("--hda", hda != nil), ("--hdb", hdb != nil), ("--hdc", hdc != nil), ("--hdd", hdd != nil),
            ("--cdrom", cdrom != nil), ("--boot", boot != nil), ("--vga-bios", vgaBIOS != nil), ("--vmbus-disk", !vmbusDisk.isEmpty), ("--rtc-start", rtcStart != nil),
            ("--snapshot-disks", snapshotDisks)]
        if let (option, _) = fromSnapshot.first(where: { $0.1 }) {
            throw CommandLineError("\(option) cannot be combined with --restore: the machine comes from the snapshot")
        }
        var host = SnapshotHostBackends()
        host.serial = try (serial.isEmpty ? ["stdio"] : serial).map(Self.parseSerial)
        if let d = debugcon { host.debugConsolePath = try Self.parseDebugOutput(d, defaultPort: DebugConsole.defaultPort).path }
        if let p = postCodes { host.postCodesPath = try Self.parseDebugOutput(p, defaultPort: POSTCodePort.defaultPort).path }
        host.clock = try clock.map(Self.parseClock)
        host.acceptChangedDisks = forceDisks
        try checkRunLimits()
        let machine: PCMachine
        do { machine = try PCMachine.restore(from: path, host: host) } catch { throw CommandLineError("\(error)") }
        for warning in machine.restoreWarnings {
            FileHandle.standardError.write(Data("partita: warning: \(warning) (continuing: --force-disks)\n".utf8))
        }
        return machine
    }

    /// Partita's BIOS image: $PARTITA_BIOS, else roms/partita-bios.bin in the package the
    /// executable was built in (it sits in <package>/.build*/<config>/partita) or beside it.
    static func defaultBIOSPath() -> String? {
        defaultROMPath("partita-bios.bin", environment: "PARTITA_BIOS")
    }

    /// A ROM image: $`environment`, else roms/`name` in the package the executable was built in
    /// or beside it.
    static func defaultROMPath(_ name: String, environment: String) -> String? {
        if let path = ProcessInfo.processInfo.environment[environment], !path.isEmpty { return path }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("roms/" + name).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// "FILE" or "FILE,readonly".
    static func parseDiskImage(_ spec: String, option: String) throws -> MachineConfiguration.DiskImage {
        var path = spec, readOnly = false
        if spec.hasSuffix(",readonly") {
            path = String(spec.dropLast(",readonly".count))
            readOnly = true
        }
        guard !path.isEmpty else { throw CommandLineError("bad \(option) '\(spec)': use FILE or FILE,readonly") }
        return .init(path: path, readOnly: readOnly)
    }

    private func checkRunLimits() throws {
        if let t = timeout, !(t > 0) { throw CommandLineError("--timeout must be a positive number of seconds") }
    }

    /// "host" or "YYYY-MM-DD" with an optional "THH:MM:SS".
    static func parseRTCStart(_ text: String) throws -> RTC.StartTime {
        if text == "host" { return .hostUTC }
        let parts = text.split(whereSeparator: { "-T:".contains($0) }).map { Int($0) }
        guard parts.count == 3 || parts.count == 6, parts.allSatisfy({ $0 != nil }) else {
            throw CommandLineError("bad --rtc-start '\(text)': use host or a date like 2024-01-31 or 2024-01-31T12:00:00")
        }
        let v = parts.map { $0! } + [0, 0, 0]
        guard (1970...2099).contains(v[0]), (1...12).contains(v[1]), (1...31).contains(v[2]),
              (0...23).contains(v[3]), (0...59).contains(v[4]), (0...59).contains(v[5]) else {
            throw CommandLineError("bad --rtc-start '\(text)': a field is out of range")
        }
        return .fixed(RTCDateTime(year: v[0], month: v[1], day: v[2], hour: v[3], minute: v[4], second: v[5]))
    }

    static func parseClock(_ text: String) throws -> MachineConfiguration.ClockMode {
        guard let mode = MachineConfiguration.ClockMode(rawValue: text) else {
            throw CommandLineError("bad --clock '\(text)': use realtime or virtual")
        }
        return mode
    }

    /// "FILE" or "FILE,readonly".
    static func parseVMBusDisk(_ spec: String) throws -> MachineConfiguration.VMBusDisk {
        var path = spec, readOnly = false
        if spec.hasSuffix(",readonly") {
            path = String(spec.dropLast(",readonly".count))
            readOnly = true
        }
        guard !path.isEmpty, !path.contains(",") else {
            throw CommandLineError("bad --vmbus-disk '\(spec)': use FILE or FILE,readonly")
        }
        return .init(path: path, readOnly: readOnly)
    }

    /// "FILE ARGS": the module's command line is the whole text (as GRUB and QEMU pass it).
    static func readModule(_ spec: String) throws -> MultibootModule {
        let text = spec.trimmingCharacters(in: .whitespaces)
        guard let path = text.split(separator: " ").first.map(String.init), !path.isEmpty else {
            throw CommandLineError("empty multiboot module: use --module \"FILE [ARGS]\"")
        }
        return MultibootModule(data: try readFile(path), commandLine: text)
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError.cannotOpen(path, "no such file or not readable")
        }
        return [UInt8](data)
    }

    /// "256M", "1G", "65536K" or plain bytes.
    static func parseSize(_ text: String) throws -> UInt32 {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        var digits = t, shift: UInt64 = 0
        if let last = t.last, "KMG".contains(last) {
            digits = String(t.dropLast())
            shift = last == "K" ? 10 : (last == "M" ? 20 : 30)
        }
        guard let n = UInt64(digits), n > 0, n < (1 << 40) else {
            throw CommandLineError("bad memory size '\(text)': use bytes or a number with K, M or G (e.g. 256M)")
        }
        let bytes = n << shift
        guard bytes <= UInt64(UInt32.max) else { throw CommandLineError("memory size '\(text)' is more than this 32-bit PC can address") }
        return UInt32(bytes)
    }

    static func parseSerial(_ text: String) throws -> MachineConfiguration.SerialConfiguration {
        switch text {
        case "stdio": return .stdio
        case "null", "none": return .null
        default:
            if text.hasPrefix("file:"), text.count > 5 { return .file(String(text.dropFirst(5))) }
            if text.hasPrefix("unix:") {
                let parts = text.dropFirst(5).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard let path = parts.first, !path.isEmpty else {
                    throw CommandLineError("bad --serial '\(text)': unix: needs a socket path")
                }
                var server = false
                for option in parts.dropFirst() {
                    switch option {
                    case "server", "server=on": server = true
                    case "server=off": server = false
                    case "nowait", "wait=off": break  // Partita never waits for a client
                    default: throw CommandLineError("bad option '\(option)' in --serial '\(text)': use server or nowait")
                    }
                }
                return .unixSocket(path: path, server: server)
            }
            throw CommandLineError("bad --serial '\(text)': use stdio, null, file:PATH or unix:PATH[,server]")
        }
    }

    /// "FILE" or "FILE,port=N" (N decimal or 0x-prefixed hex).
    static func parseDebugOutput(_ text: String, defaultPort: UInt16) throws -> MachineConfiguration.DebugOutput {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let path = parts.first, !path.isEmpty else { throw CommandLineError("'\(text)': a file name is missing") }
        var port = defaultPort
        for option in parts.dropFirst() {
            guard option.hasPrefix("port="), let p = parsePort(String(option.dropFirst(5))) else {
                throw CommandLineError("bad option '\(option)' in '\(text)': only port=N is understood (N like 0xE9 or 233)")
            }
            port = p
        }
        return .init(port: port, path: path)
    }

    static func parsePort(_ s: String) -> UInt16? {
        s.lowercased().hasPrefix("0x") ? UInt16(s.dropFirst(2), radix: 16) : UInt16(s)
    }
}

/// A command-line mistake: printed as one line, exit status 1.
struct CommandLineError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
