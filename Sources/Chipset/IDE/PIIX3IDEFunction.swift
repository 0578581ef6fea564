// The PIIX3 IDE function (00:01.1): two legacy-mode ATA channels with bus-master DMA.

import EmulatorCore
import Storage

/// The IDE interface: function 1 of the Intel 82371SB PIIX3, PCI 00:01.1 (8086:7010, class
/// 01/01/80: mass storage, IDE, legacy mode on both channels — programming interface bits 0
/// and 2 clear and not switchable — and bus-master capable, bit 7).
///
/// Ports (fixed in legacy mode, decoded while PCI Command.I/O Space Enable and the channel's
/// IDETIM.IDE Decode Enable are set; otherwise reads float high and writes are dropped):
/// primary command block 1F0h–1F7h and control block 3F6h on IRQ 14, secondary 170h–177h and
/// 376h on IRQ 15 (3F7h/377h belong to the floppy controller). BAR0–3 are not implemented
/// (read 0), as on the real part; BAR4 (BMIBA, 20h) is the 16-byte bus-master block:
/// primary at +0, secondary at +8 (`PIIX3IDEBusMaster`). There is no INTx pin: the channels
/// interrupt on the legacy ISA lines.
///
/// Configuration registers (82371SB datasheet, "PCI Configuration Registers — IDE
/// Interface"): PCICMD implements I/O Space and Bus Master Enable; MLT (0Dh) bits 7:4; IDETIM
/// primary (40h–41h) and secondary (42h–43h), 16 bits each, of which bit 15 gates the legacy
/// ports (Linux's ata_piix refuses a channel whose bit is clear: `piix_enable_bits`); SIDETIM
/// (44h). Timing fields are stored only: transfers take no modelled time.
///
/// Wiring (a machine): register the function at 00:01.1 (`device`, `function`); claim
/// `legacyPortRanges` for it on the I/O bus; `PCIBARMapper.attach(config, bar: 4, to: .io(self))`
/// for the bus-master block; pass ISA IRQ 14 and 15 inputs that OR with other sources (the
/// PIIX3 bridge's `isaIRQInput(14/15)`, since PIRQs may be routed there); call
/// `configureAsFirmware` when no firmware runs; `reset()` on machine reset; save and restore
/// it as the "pci.00.1.1.piix3-ide" section.
///
/// Not modelled: native-mode operation (the PIIX3 has none), the IDE bus tri-state and
/// IORDY timing, 8237-style ISA DMA for IDE, the simplex restriction.
public final class PIIX3IDEFunction: PCIFunction, PortIODevice {
    public static let identity = PCIDeviceIdentity(vendorID: 0x8086, deviceID: 0x7010, revision: 0x00,
                                                   classCode: PCIClassCode(baseClass: 0x01, subclass: 0x01,
                                                                           programmingInterface: 0x80))
    /// Where the function sits: bus 0, device 1, function 1.
    public static let device = 1
    public static let function = 1

    /// Configuration register offsets.
    public enum Register {
        /// IDETIM, primary channel (16 bits).
        public static let primaryTiming = 0x40
        /// IDETIM, secondary channel (16 bits).
        public static let secondaryTiming = 0x42
        /// SIDETIM: slave IDE timing.
        public static let slaveTiming = 0x44
    }

    /// IDETIM bit 15: IDE Decode Enable.
    public static let decodeEnable: UInt16 = 0x8000
    /// BAR4 holds BMIBA.
    public static let busMasterBAR = 4
    public static let busMasterBlockSize: UInt32 = 16

    /// Legacy port blocks and IRQs of the two channels.
    public struct LegacyLayout: Sendable {
        public var commandBlock: UInt16
        public var controlBlock: UInt16
        public var irq: Int
    }
    public static let primaryLayout = LegacyLayout(commandBlock: 0x1F0, controlBlock: 0x3F6, irq: 14)
    public static let secondaryLayout = LegacyLayout(commandBlock: 0x170, controlBlock: 0x376, irq: 15)
    /// Every legacy port the function answers: claim these on the I/O bus.
    public static let legacyPortRanges: [ClosedRange<UInt16>] = [0x1F0...0x1F7, 0x3F6...0x3F6, 0x170...0x177, 0x376...0x376]

    public let config: PCIConfigSpace
    /// The primary (index 0) and secondary (index 1) channels.
    public let channels: [ATAChannel]
    /// Their bus-master engines.
    public let busMasters: [PIIX3IDEBusMaster]

    /// - Parameters:
    ///   - memory: guest memory for bus-master DMA.
    ///   - primaryInterrupt, secondaryInterrupt: ISA IRQ 14 and 15 inputs.
    ///   - primaryMaster … secondarySlave: the devices on each cable (nil = none).
    public init(memory: PhysicalMemory, primaryInterrupt: InterruptLine, secondaryInterrupt: InterruptLine,
                primaryMaster: ATADevice? = nil, primarySlave: ATADevice? = nil,
                secondaryMaster: ATADevice? = nil, secondarySlave: ATADevice? = nil) {
        let config = PCIConfigSpace(identity: Self.identity, interruptPin: nil, command: [],
                                    commandWriteMask: [.ioSpace, .busMaster],
                                    status: [.fastBackToBackCapable, .devselMedium])
        self.config = config
        config.defineRegister(at: PCIConfigSpace.Offset.cacheLineSize, width: .byte, value: 0)
        config.defineRegister(at: PCIConfigSpace.Offset.latencyTimer, width: .byte, value: 0, writeMask: 0xF0)
        config.defineBAR(Self.busMasterBAR, .io(size: Self.busMasterBlockSize))
        // IDETIM: bits 11:10 reserved; the rest read/write (decode enable and timings).
        config.defineRegister(at: Register.primaryTiming, width: .word, value: 0, writeMask: 0xF3FF)
        config.defineRegister(at: Register.secondaryTiming, width: .word, value: 0, writeMask: 0xF3FF)
        config.defineRegister(at: Register.slaveTiming, width: .byte, value: 0, writeMask: 0xFF)
        let enabled = { [unowned config] in config.command.contains(.busMaster) }
        let masters = [PIIX3IDEBusMaster(memory: memory, output: primaryInterrupt, busMasterEnabled: enabled),
                       PIIX3IDEBusMaster(memory: memory, output: secondaryInterrupt, busMasterEnabled: enabled)]
        busMasters = masters
        channels = [ATAChannel(name: "ide.primary", master: primaryMaster, slave: primarySlave, interrupt: masters[0]),
                    ATAChannel(name: "ide.secondary", master: secondaryMaster, slave: secondarySlave, interrupt: masters[1])]
        for i in 0..<2 {
            masters[i].channel = channels[i]
            channels[i].dmaController = masters[i]
        }
    }

    /// Programs what the firmware would at POST, for boots without firmware: both channels'
    /// decode enabled, BMIBA at `busMasterBase` (16-byte aligned), I/O and bus mastering on.
    public func configureAsFirmware(busMasterBase: UInt16 = 0xC000) {
        precondition(busMasterBase % 16 == 0 && busMasterBase != 0, "BMIBA is 16-byte aligned and nonzero")
        configWrite(offset: Register.primaryTiming, width: .word, value: UInt32(Self.decodeEnable))
        configWrite(offset: Register.secondaryTiming, width: .word, value: UInt32(Self.decodeEnable))
        configWrite(offset: PCIConfigSpace.Offset.bar0 + 4 * Self.busMasterBAR, width: .dword, value: UInt32(busMasterBase) | 1)
        let command = config.command.union([.ioSpace, .busMaster])
        configWrite(offset: PCIConfigSpace.Offset.command, width: .word, value: UInt32(command.rawValue))
    }

    /// Machine reset: configuration, bus masters and both channels (RESET- to the devices).
    public func reset() {
        config.reset()
        for m in busMasters { m.reset() }
        for c in channels { c.reset() }
    }

    /// Whether channel `index`'s legacy ports decode now.
    public func decodes(channel index: Int) -> Bool {
        let timing = config.raw(offset: index == 0 ? Register.primaryTiming : Register.secondaryTiming, width: .word)
        return config.command.contains(.ioSpace) && UInt16(timing) & Self.decodeEnable != 0
    }

    // MARK: PortIODevice (legacy ports and the BAR4 block; ports are absolute)

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        let p = port.value
        if let (i, offset) = Self.legacyRegister(p) {
            guard decodes(channel: i) else { return width.mask }
            if offset == Self.controlOffset {
                // Only the first byte is ours (the next port is the floppy controller's).
                return UInt32(channels[i].readAlternateStatus()) | (width.mask & ~0xFF)
            }
            return channels[i].readCommandBlock(offset: offset, width: width)
        }
        guard let offset = busMasterOffset(p) else { return width.mask }
        var value: UInt32 = 0
        for i in 0..<width.rawValue {
            let o = offset + i
            let b: UInt8 = o < 16 ? busMasters[o / 8].readByte(o % 8) : 0xFF
            value |= UInt32(b) << (8 * UInt32(i))
        }
        return value
    }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        let p = port.value
        if let (i, offset) = Self.legacyRegister(p) {
            guard decodes(channel: i) else { return }
            if offset == Self.controlOffset {
                channels[i].writeDeviceControl(UInt8(truncatingIfNeeded: value))
            } else {
                channels[i].writeCommandBlock(offset: offset, width: width, value: value)
            }
            return
        }
        guard let offset = busMasterOffset(p) else { return }
        // Bytes in ascending order: a dword write to BMIDTP lands whole before anything reads it,
        // and a word write to command+reserved starts the engine once.
        for i in 0..<width.rawValue where offset + i < 16 {
            busMasters[(offset + i) / 8].writeByte((offset + i) % 8, UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))))
        }
    }

    /// Marks the control block in `legacyRegister`'s offsets.
    static let controlOffset = 8

    /// The channel and command block offset (0–7, or `controlOffset`) of a legacy port.
    @inline(__always)
    static func legacyRegister(_ port: UInt16) -> (channel: Int, offset: Int)? {
        switch port {
        case 0x1F0...0x1F7: return (0, Int(port - 0x1F0))
        case 0x3F6: return (0, controlOffset)
        case 0x170...0x177: return (1, Int(port - 0x170))
        case 0x376: return (1, controlOffset)
        default: return nil
        }
    }

    /// `port`'s offset in the bus-master block while BAR4 decodes there.
    private func busMasterOffset(_ port: UInt16) -> Int? {
        guard let region = config.decodedRegion(Self.busMasterBAR), UInt32(port) >= region.base,
              UInt32(port) - region.base < region.size else { return nil }
        return Int(UInt32(port) - region.base)
    }
}
