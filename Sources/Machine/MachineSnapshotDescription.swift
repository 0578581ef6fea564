// The machine configuration as a snapshot manifest records it.

import Chipset
import Firmware

/// The "configuration" object of a snapshot's manifest: everything guest-visible a restore
/// needs to rebuild the same machine, plus what the host side was (for information).
///
/// The kernel, initrd, modules and firmware are described (`BlobSummary`), never embedded:
/// the loaded images are already in RAM, and the firmware image travels in its own "rom"
/// section. Restore rebuilds the machine from this without running a boot loader.
///
/// Guest-visible fields (must hold for the restored machine): `ramSize`, `commandLine` (fw_cfg
/// serves it), `debugConsolePort`, `postCodePort`, `isaDebugExit`, `fwCfg`,
/// `nanosecondsPerInstruction`. Host-side fields (`serial`, `clock`) say what the saving run
/// used; a restore may choose differently (`SnapshotHostBackends`).
public struct MachineSnapshotDescription: Codable, Equatable, Sendable {
    /// Layout of this description; a newer one is refused with a clear error.
    public static let currentVersion = 1

    public var version: Int
    public var ramSize: UInt32
    public var commandLine: String
    /// COM1–COM4 backends at save time ("stdio", "null", "file:PATH", "unix:PATH[,server]").
    public var serial: [String]
    /// The debug console's port (nil: none).
    public var debugConsolePort: UInt16?
    public var postCodePort: UInt16
    public var isaDebugExit: Bool
    public var fwCfg: Bool
    /// Hyper-V enlightenments and VMBus (absent in older descriptions: off).
    public var hyperV: Bool?
    /// Disks on the synthetic SCSI controller, reopened on restore (their saved identity is
    /// checked against the files then).
    public var vmbusDisks: [MachineConfiguration.VMBusDisk]?
    /// Disk writes went to copy-on-write overlays, which the snapshot carries (absent: no).
    public var snapshotDisks: Bool?
    /// Floppy drives, hard disks, CD-ROM and boot order of the BIOS (absent in older
    /// descriptions: none). Reopened on restore; the "bios" section checks their identity.
    public var floppyImages: [MachineConfiguration.DiskImage?]?
    public var hardDisks: [MachineConfiguration.DiskImage]?
    public var cdrom: String?
    public var bootOrder: [BootDevice]?
    /// "virtual" or "realtime" at save time.
    public var clock: String
    public var nanosecondsPerInstruction: UInt64
    public var firmware: BlobSummary?
    public var kernel: BlobSummary?
    public var initrd: BlobSummary?
    public var modules: [BlobSummary]

    public init(_ c: MachineConfiguration) {
        version = Self.currentVersion
        ramSize = c.ramSize
        commandLine = c.commandLine
        serial = ([c.serial] + c.additionalSerial).map(Self.describe)
        debugConsolePort = c.debugConsole?.port
        postCodePort = c.postCodes?.port ?? POSTCodePort.defaultPort
        isaDebugExit = c.isaDebugExit
        fwCfg = c.fwCfg
        hyperV = c.hyperV
        vmbusDisks = c.vmbusDisks
        snapshotDisks = c.snapshotDisks ? true : nil
        floppyImages = c.floppyImages
        hardDisks = c.hardDisks
        cdrom = c.cdrom
        bootOrder = c.bootOrder
        clock = c.clock.rawValue
        nanosecondsPerInstruction = c.nanosecondsPerInstruction
        firmware = c.firmware.map { BlobSummary($0) }
        kernel = c.kernel.map { BlobSummary($0) }
        initrd = c.initrd.map { BlobSummary($0) }
        modules = c.multibootModules.map { BlobSummary($0.data, commandLine: $0.commandLine) }
    }

    /// The configuration a restore builds its machine from: guest-visible settings from the
    /// snapshot, host backends from `host`, no kernel to load and no firmware yet (the "rom"
    /// section supplies it once RAM is in place).
    func configuration(host: SnapshotHostBackends) throws(MachineSnapshotError) -> MachineConfiguration {
        guard version <= Self.currentVersion else {
            throw .newerConfiguration(found: version, supported: Self.currentVersion)
        }
        var c = MachineConfiguration()
        c.ramSize = ramSize
        c.commandLine = commandLine
        c.serial = host.serial.first ?? .null
        c.additionalSerial = Array(host.serial.dropFirst())
        // The devices exist as they did; only where their bytes go is the restorer's choice
        // (an empty path drops them).
        c.debugConsole = debugConsolePort.map { .init(port: $0, path: host.debugConsolePath ?? "") }
        c.postCodes = .init(port: postCodePort, path: host.postCodesPath ?? "")
        c.isaDebugExit = isaDebugExit
        c.fwCfg = fwCfg
        c.hyperV = hyperV ?? false
        c.vmbusDisks = vmbusDisks ?? []
        c.snapshotDisks = snapshotDisks ?? false
        c.floppyImages = floppyImages ?? []
        c.hardDisks = hardDisks ?? []
        c.cdrom = cdrom
        c.bootOrder = bootOrder ?? BootDevice.defaultOrder
        // A kernel booted directly had no BIOS service port; firmware boots had one.
        c.biosServices = kernel == nil
        if let mode = host.clock {
            c.clock = mode
        } else {
            guard let mode = MachineConfiguration.ClockMode(rawValue: clock) else {
                throw .badConfiguration("unknown clock mode \"\(clock)\"")
            }
            c.clock = mode
        }
        guard nanosecondsPerInstruction >= 1 else { throw .badConfiguration("nanosecondsPerInstruction is 0") }
        c.nanosecondsPerInstruction = nanosecondsPerInstruction
        return c
    }

    static func describe(_ s: MachineConfiguration.SerialConfiguration) -> String {
        switch s {
        case .null: return "null"
        case .stdio: return "stdio"
        case .file(let path): return "file:" + path
        case .unixSocket(let path, let server): return "unix:" + path + (server ? ",server" : "")
        }
    }
}
