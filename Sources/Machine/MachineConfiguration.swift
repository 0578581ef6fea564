// What a machine is built from: memory, firmware, serial and debug devices, time.

import Chipset
import Firmware

/// Everything needed to build a `PCMachine`. Values only; building validates them.
public struct MachineConfiguration: Sendable {
    /// Guest RAM in bytes (a multiple of 4 KiB, at least 1 MiB).
    public var ramSize: UInt32 = 32 << 20
    /// A raw firmware image (64, 128 or 256 KiB) mapped below 1 MiB and below 4 GiB.
    public var firmware: [UInt8]?
    /// A video BIOS (PC option ROM) mapped read-only at 0xC0000, run by the system BIOS's
    /// option ROM scan (the machine maps it when it has a VGA).
    public var videoBIOS: [UInt8]?
    /// A Linux bzImage booted directly through the 32-bit boot protocol (no firmware needed).
    public var kernel: [UInt8]?
    /// The initrd for `kernel` (a Linux kernel; see `multibootModules` for multiboot kernels).
    public var initrd: [UInt8]?
    /// Modules handed to a multiboot `kernel`, in order.
    public var multibootModules: [MultibootModule] = []
    /// The kernel command line.
    public var commandLine = ""
    /// Where COM1's output goes and its input comes from.
    public var serial: SerialConfiguration = .null
    /// COM2, COM3, COM4 in order (missing ones are unconnected).
    public var additionalSerial: [SerialConfiguration] = []
    /// The debug console port and where its bytes go (nil: no debug console).
    public var debugConsole: DebugOutput?
    /// The POST code port and where its bytes go (nil: POST codes are not logged, the port
    /// still exists).
    public var postCodes: DebugOutput?
    /// QEMU's isa-debug-exit at 0xF4.
    public var isaDebugExit = false
    /// Hyper-V enlightenments and the VMBus: Hyper-V CPUID leaves, synthetic MSRs, hypercall
    /// page, SynIC, and the VMBus device in the DSDT, as on a Hyper-V "Generation 1" VM.
    public var hyperV = false
    /// Raw disk images on the Hyper-V synthetic SCSI controller (needs `hyperV`): LUN 0, 1, …
    public var vmbusDisks: [VMBusDisk] = []
    /// Every disk's writes go to a private copy-on-write overlay (`CopyOnWriteOverlay`) instead
    /// of its image: the images stay as they were at power-on, and a snapshot carries the
    /// overlays, so it restores onto the same unchanged images.
    public var snapshotDisks = false
    /// Floppy drives A: and B: (nil: no drive), served by the BIOS's INT 13h.
    public var floppyImages: [DiskImage?] = []
    /// Hard disks 80h–83h (at most 4, or 3 with a CD-ROM: they share the two IDE channels).
    public var hardDisks: [DiskImage] = []
    /// A CD-ROM (ISO 9660 image, read-only, 2048-byte sectors); bootable through El Torito.
    public var cdrom: String?
    /// The device classes the BIOS tries at INT 19h, in order.
    public var bootOrder: [BootDevice] = BootDevice.defaultOrder
    /// The service port of Partita's BIOS (0AF0h, `BIOSServices`) when no kernel is loaded
    /// directly. A restored direct-boot machine turns it off, as its original had none.
    public var biosServices = true
    /// QEMU's fw_cfg interface at 0x510 (signature, RAM size, CPU count, command line, e820).
    public var fwCfg = true
    /// How a halted CPU's wait for its next timer passes: instantly (`.virtual`, deterministic:
    /// the same inputs give the same run) or in host time (`.realtime`: a guest `sleep 1` takes
    /// a second, as on QEMU). Busy guest time is never throttled.
    public var clock: ClockMode = .virtual
    /// Virtual nanoseconds per retired instruction: the guest's notion of CPU speed.
    /// Deterministic; a pacing layer may later keep guest time near wall time.
    public var nanosecondsPerInstruction: UInt64 = 1
    /// The RTC's starting time.
    public var rtcStart: RTC.StartTime = .hostUTC

    public init() {}

    /// A raw image file on the synthetic SCSI controller.
    public struct VMBusDisk: Sendable, Equatable, Codable {
        public var path: String
        public var readOnly: Bool
        public init(path: String, readOnly: Bool = false) {
            self.path = path
            self.readOnly = readOnly
        }
    }

    /// A disk image file for the legacy (BIOS / IDE / floppy) disks.
    public struct DiskImage: Sendable, Equatable, Codable {
        public var path: String
        public var readOnly: Bool
        public init(path: String, readOnly: Bool = false) {
            self.path = path
            self.readOnly = readOnly
        }
    }

    public enum ClockMode: String, Sendable, Equatable, CaseIterable {
        case virtual
        case realtime
    }

    public enum SerialConfiguration: Sendable, Equatable {
        case null
        case stdio
        case file(String)
        /// A Unix stream socket: Partita listens at the path (`server`) or connects to it.
        case unixSocket(path: String, server: Bool)
    }

    /// A debug byte stream: a port and a host file path ("-" or "stdio" for standard output).
    public struct DebugOutput: Sendable, Equatable {
        public var port: UInt16
        public var path: String
        public init(port: UInt16, path: String) {
            self.port = port
            self.path = path
        }
    }
}

/// A configuration the machine cannot be built from; the message says what to change.
public enum ConfigurationError: Error, CustomStringConvertible {
    case badRAMSize(UInt32)
    case badFirmwareSize(Int)
    case noFirmware
    case cannotOpen(String, String)
    case badKernel(String)
    case badFirmware(String)
    case tooManySerialPorts(Int)
    case stdioTwice
    case vmbusDiskNeedsHyperV
    case badDisk(String)

    public var description: String {
        switch self {
        case .badRAMSize(let s):
            return "memory size \(s) bytes is not usable: give at least 1M, at most 3G, in whole KiB pages (e.g. --memory 256M)"
        case .badFirmwareSize(let n):
            return "firmware image is \(n) bytes; it must be exactly 64, 128 or 256 KiB"
        case .noFirmware:
            return "nothing to boot: give --kernel FILE (with --initrd and --append) or --bios FILE, or build Partita's BIOS (scripts/build-firmware.sh writes roms/partita-bios.bin; PARTITA_BIOS=FILE names another)"
        case .cannotOpen(let path, let why):
            return "cannot open \(path): \(why)"
        case .badKernel(let why), .badFirmware(let why):
            return why
        case .tooManySerialPorts(let n):
            return "\(n) serial ports given; this PC has four (COM1–COM4)"
        case .stdioTwice:
            return "only one serial port can use stdio"
        case .vmbusDiskNeedsHyperV:
            return "--vmbus-disk needs --hyperv (the synthetic SCSI controller sits on the VMBus)"
        case .badDisk(let why):
            return why
        }
    }
}
