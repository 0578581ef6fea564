// The Swift half of Partita's BIOS: heavy services the ROM calls through one private I/O port.

import ACPI
import EmulatorCore
import Storage
import X86

/// BIOS services behind I/O port 0AF0h (`port`), called by the ROM's stubs
/// (firmware/bios/util.asm, bios32.asm; the protocol is in firmware/README.md): a 32-bit OUT
/// writes the offset of a register frame (`BIOSRegisterFrame`) in the caller's stack segment;
/// the service reads the frame through guest memory, does its work, writes the registers and
/// flags back, and the stub returns to the caller with them.
///
/// Services: POST platform setup (PCI enumeration and BAR assignment, PIRQ routing, ACPI, MP and
/// SMBIOS tables, the $PIR table), the disk inventory, INT 13h (floppy, hard disk, CD-ROM, El
/// Torito), INT 15h E820h and 87h, the El Torito boot at INT 19h, and the PCI BIOS (real mode
/// and the 32-bit entry). Everything else the BIOS does is in the ROM and talks to devices
/// through their own registers; so do these services (PCI configuration goes through 0CF8h/0CFCh
/// on the port bus), except that disk images are read directly (the BIOS is the only disk
/// controller until the floppy and IDE controllers are wired).
///
/// Every value read from the frame or a caller's buffer is untrusted: bad drive numbers,
/// counts, addresses or LBAs get an error status, never a host trap.
public final class BIOSServices: PortIODevice {
    /// The private service port (unused by any PC device: between the fw_cfg block at 510h and
    /// the PCI configuration ports).
    public static let port: UInt16 = 0x0AF0
    /// What a read of the port returns: "PBIO", so a ROM can check it runs on Partita.
    public static let signature: UInt32 = 0x4F49_4250

    enum Service: UInt16 {
        case platform = 0x0001
        case disks = 0x0002
        case int13 = 0x0013
        case int15 = 0x0015
        case elTorito = 0x0019
        case pci16 = 0x001A
        case pci32 = 0x011A
    }

    let cpu: CPU
    let memory: PhysicalMemory
    let ports: PortIOBus
    let layout: PlatformLayout
    let acpiDevices: [any ACPIDeviceDescribing]
    /// The machine's floppy, hard disk and CD-ROM images.
    public let disks: LegacyDisks
    public let bootOrder: [BootDevice]
    /// Geometry of each floppy drive's image (nil: no drive), A: and B:.
    let floppyGeometry: [DiskGeometry?]
    /// Geometry of each hard disk.
    let hardDiskGeometry: [DiskGeometry]
    /// The El Torito emulation started by a CD boot (nil: none).
    var emulation: CDEmulation?
    /// INT 13h AH=45h lock count of the CD-ROM (El Torito / EDD removable media).
    var cdLocks: UInt8 = 0
    /// The $PIR slot entries built at POST, for PCI BIOS B10Eh.
    var routingEntries: [UInt8] = []
    /// The ACPI tables written at POST (nil before).
    public internal(set) var acpiTables: ACPITables?
    /// Problems worth a line on the host's console (bad guest requests are not: they are normal).
    public var log: ((String) -> Void)?
    /// A restore onto disk images whose identity changed is accepted (each difference recorded in
    /// `restoreWarnings`) instead of refused.
    public var acceptChangedDisks = false
    /// What the last restore accepted although a disk differed.
    public internal(set) var restoreWarnings: [String] = []

    public let snapshotSection = "bios"

    /// - Parameters:
    ///   - acpiDevices: devices appended to the DSDT (as for a direct kernel boot).
    public init(cpu: CPU, memory: PhysicalMemory, ports: PortIOBus, layout: PlatformLayout,
                disks: LegacyDisks, bootOrder: [BootDevice], acpiDevices: [any ACPIDeviceDescribing] = []) {
        self.cpu = cpu
        self.memory = memory
        self.ports = ports
        self.layout = layout
        self.disks = disks
        self.bootOrder = bootOrder
        self.acpiDevices = acpiDevices
        floppyGeometry = (0..<2).map { i in disks.floppy(i).flatMap { DiskGeometry.floppy(bytes: $0.byteCount) } }
        hardDiskGeometry = disks.hardDisks.map { DiskGeometry.hardDisk(sectors: $0.byteCount / 512) }
    }

    /// Back to power-on: no emulation, no locks (the disks stay open).
    public func reset() {
        emulation = nil
        cdLocks = 0
        routingEntries = []
    }

    var guest: GuestLinearMemory { GuestLinearMemory(cpu: cpu, memory: memory) }

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        Self.signature & width.mask
    }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        guard width == .dword else { return }
        // A 16-bit stub writes SP (zero-extended), the 32-bit one ESP: either is the frame's
        // offset in the caller's stack segment.
        let base = cpu.segment(.ss).base &+ value
        guard var frame = BIOSRegisterFrame(at: base, memory: guest) else { return }
        guard let service = Service(rawValue: frame.service) else {
            frame.carryFlag = true
            frame.store(at: base, memory: guest)
            return
        }
        switch service {
        case .platform: platformSetup(&frame)
        case .disks: diskInventory(&frame)
        case .int13: int13(&frame)
        case .int15: int15(&frame)
        case .elTorito: bootCD(&frame)
        case .pci16, .pci32: pciBIOS(&frame)
        }
        frame.store(at: base, memory: guest)
    }

    // MARK: Helpers for the services

    /// A byte of the BIOS data area (0x400 + offset is its physical address).
    func bda8(_ address: UInt32) -> UInt8 {
        UInt8(truncatingIfNeeded: memory.read(GuestPhysicalAddress(address), width: .byte))
    }

    func setBDA8(_ address: UInt32, _ value: UInt8) {
        memory.write(GuestPhysicalAddress(address), width: .byte, value: UInt32(value))
    }

    func bda16(_ address: UInt32) -> UInt16 {
        UInt16(truncatingIfNeeded: memory.read(GuestPhysicalAddress(address), width: .word))
    }

    func setBDA16(_ address: UInt32, _ value: UInt16) {
        memory.write(GuestPhysicalAddress(address), width: .word, value: UInt32(value))
    }

    /// The linear address of a caller's seg:off pointer (the frame's segment registers are real
    /// mode or V86 segments; 32-bit callers pass flat addresses).
    func linear(_ segment: UInt16, _ offset: UInt16) -> UInt32 {
        BIOSRegisterFrame.linear(segment, offset)
    }
}
