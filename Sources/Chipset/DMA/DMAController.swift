// The ISA DMA controllers of a PC/AT: two Intel 8237A chips in cascade plus the page registers.

import EmulatorCore

/// The PC/AT DMA subsystem: DMA1, an Intel 8237A serving the 8-bit channels 0–3, cascaded into
/// channel 4 of DMA2, a second 8237A serving the 16-bit channels 5–7, plus the 74LS612-style page
/// registers that supply address bits 23–16.
///
/// Ports: DMA1 0x00–0x0F; DMA2 0xC0–0xDE at even addresses only (the AT wires DMA2's A0 to SA1,
/// so its register n sits at 0xC0 + 2n and odd ports there are not decoded); page registers
/// 0x81–0x8F (channel 2 at 0x81, 3 at 0x82, 1 at 0x83, 0 at 0x87, 6 at 0x89, 7 at 0x8A,
/// 5 at 0x8B, 4 at 0x8F; the others are plain scratch latches). Port 0x80 is the POST code
/// port, not part of this device.
///
/// Follows the Intel 8237A datasheet: "Register Description" (address, count, command, mode,
/// request, mask, status and temporary registers), "Software Commands" (clear byte pointer
/// flip-flop, master clear, clear mask register), "Autoinitialize", "Memory-to-Memory",
/// "Address Generation"; and the PC/AT wiring: a 16-bit channel's address register counts words,
/// physical address = page (bit 0 ignored) × 64 KiB + address × 2, so a transfer wraps within its
/// 128 KiB page; an 8-bit channel wraps within its 64 KiB page. DMA1's HRQ reaches the bus
/// through DMA2 channel 4, so channels 0–3 run only while channel 4 is unmasked and DMA2 is
/// enabled (the BIOS sets that up: mode 0xC0 and unmask on port 0xD4).
///
/// Devices assert DREQ with `setRequest(channel:active:)`; a granted device is called back
/// (`DMARequester.dmaGranted`) and moves data with `writeMemory` (device → RAM, the 8237A
/// "write transfer") or `readMemory` (RAM → device). RAM is written through `PhysicalMemory`,
/// so decoded-code caches see DMA over code, ROM is not written and unmapped space floats high.
///
/// Not modelled: cycle timing (a granted burst runs at once; single, block and demand modes
/// therefore behave alike), fixed vs rotating priority (requests are served in channel order
/// 0–3, 5–7, the AT's power-on fixed priority), DREQ/DACK sense polarity (command bits 6–7),
/// compressed timing and extended write, and software requests on a channel with no device
/// other than the memory-to-memory start on channel 0.
///
/// DEVIATION: when a device's direction disagrees with the channel's programmed transfer type
/// (or the type is verify or illegal), the cycles run as verify cycles: addresses and count
/// advance and terminal count is reached as programmed, RAM is not touched, and a device that
/// wanted data receives 0xFF (an undriven bus).
public final class DMAController: BytePortDevice {
    /// Fixed I/O ranges the machine claims for this device.
    public static let portRanges: [ClosedRange<UInt16>] = [0x00...0x0F, 0x81...0x8F, 0xC0...0xDF]

    /// The cascade input of DMA2 that DMA1 hangs off (channel 4).
    public static let cascadeChannel = 4

    enum Register {
        static let statusOrCommand = 8
        static let request = 9
        static let singleMask = 10
        static let mode = 11
        static let clearFlipFlop = 12
        static let temporaryOrMasterClear = 13
        static let clearMask = 14
        static let allMask = 15
    }

    /// Page register port offset (from 0x80) for each channel 0–7.
    static let pagePortOffset: [Int] = [0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA]

    /// DMA1 (channels 0–3) and DMA2 (channels 4–7).
    var chips = [DMAChip(), DMAChip()]
    /// The page latches at 0x80 + index (index 0 is never used: 0x80 is the POST port).
    var pages = [UInt8](repeating: 0, count: 16)
    /// Hardware DREQ levels of channels 0–7 (bit n = channel n), driven by devices.
    var deviceRequests: UInt8 = 0

    let memory: PhysicalMemory
    /// The device on each channel, held weakly: the device owns its reference to us.
    private var requesters = [WeakRequester](repeating: WeakRequester(), count: 8)
    private struct WeakRequester { weak var device: DMARequester? }
    /// Fixed priority after reset: DMA2's channel 4 (all of DMA1, in its own order 0–3) first,
    /// then 5, 6, 7.
    private static let priorityOrder = [0, 1, 2, 3, 5, 6, 7]
    /// Set while granting, so a device that re-asserts DREQ from inside its callback does not
    /// recurse; the grant loop picks the request up.
    private var granting = false

    public init(memory: PhysicalMemory) {
        self.memory = memory
    }

    /// Wires `device` to DREQ/DACK of `channel` (0–3 or 5–7). One device per channel.
    public func attach(_ device: DMARequester, channel: Int) {
        precondition((0..<8).contains(channel) && channel != Self.cascadeChannel,
                     "DMA channel \(channel) cannot take a device")
        requesters[channel].device = device
    }

    /// Power-on state: a master clear of both chips and zeroed page latches. Device DREQ levels
    /// (wires) are kept; the masks are set, so nothing is granted until the guest unmasks.
    public func reset() {
        chips[0].masterClear()
        chips[1].masterClear()
        for i in 0..<4 {
            chips[0].channels[i] = DMAChip.Channel()
            chips[1].channels[i] = DMAChip.Channel()
        }
        for i in pages.indices { pages[i] = 0 }
    }

    /// What a PC BIOS does at POST before anything uses DMA1: DMA2 channel 4 in cascade mode and
    /// unmasked. A machine that boots a kernel without a BIOS calls this instead.
    public func configureCascadeAsFirmwareDoes() {
        chips[1].channels[0].mode = DMAChannelMode(rawValue: 0xC0)
        chips[1].mask &= ~1
        grantPendingRequests()
    }

    // MARK: - Device side

    /// Drives the DREQ line of `channel`. While it is active and the channel may run, the
    /// attached device is granted (possibly before this call returns).
    public func setRequest(channel: Int, active: Bool) {
        guard (0..<8).contains(channel) else { return }
        let bit: UInt8 = 1 << UInt8(channel)
        if active { deviceRequests |= bit } else { deviceRequests &= ~bit }
        if active { grantPendingRequests() }
    }

    /// Whether `channel` would run a cycle now if requested: controller(s) enabled, channel
    /// unmasked and not in cascade mode.
    public func canRun(channel: Int) -> Bool {
        guard (0..<8).contains(channel), channel != Self.cascadeChannel else { return false }
        let chip = chips[channel >> 2], local = channel & 3
        guard chip.isEnabled, chip.mask & (1 << UInt8(local)) == 0,
              chip.channels[local].mode.service != .cascade else { return false }
        if channel < 4 {
            // DMA1 reaches the bus only through DMA2's cascade channel.
            let dma2 = chips[1]
            guard dma2.isEnabled, dma2.mask & 1 == 0 else { return false }
        }
        return true
    }

    /// Moves `buffer` from the device into guest RAM through `channel` (the 8237A "write
    /// transfer"), stopping early at terminal count or when the channel cannot run.
    @discardableResult
    public func writeMemory(channel: Int, from buffer: UnsafeRawBufferPointer) -> DMATransferResult {
        run(channel: channel, count: buffer.count, wanted: .write) { index, address, mode in
            if mode == .write { memory.write(GuestPhysicalAddress(address), width: .byte, value: UInt32(buffer[index])) }
        }
    }

    /// Fills `buffer` from guest RAM through `channel` (the 8237A "read transfer"), stopping early
    /// at terminal count or when the channel cannot run.
    @discardableResult
    public func readMemory(channel: Int, into buffer: UnsafeMutableRawBufferPointer) -> DMATransferResult {
        run(channel: channel, count: buffer.count, wanted: .read) { index, address, mode in
            buffer[index] = mode == .read ? UInt8(truncatingIfNeeded: memory.read(GuestPhysicalAddress(address), width: .byte)) : 0xFF
        }
    }

    /// Runs cycles for up to `count` device bytes; `move(byteIndex, physicalAddress, effective
    /// transfer type)` is called once per byte.
    private func run(channel: Int, count: Int, wanted: DMAChannelMode.TransferType,
                     move: (Int, UInt32, DMAChannelMode.TransferType) -> Void) -> DMATransferResult {
        guard canRun(channel: channel) else { return DMATransferResult(bytes: 0, terminalCount: false) }
        let chipIndex = channel >> 2, local = channel & 3
        let wide = chipIndex == 1
        let unitBytes = wide ? 2 : 1
        let units = count / unitBytes
        var c = chips[chipIndex].channels[local]
        let type = c.mode.transferType == wanted ? wanted : .verify
        let page = UInt32(pages[Self.pagePortOffset[channel]])
        var moved = 0
        var terminal = false
        while moved < units {
            let address: UInt32 = wide
                ? ((page & 0xFE) << 16) | (UInt32(c.currentAddress) << 1)
                : (page << 16) | UInt32(c.currentAddress)
            for b in 0..<unitBytes {
                move(moved * unitBytes + b, address &+ UInt32(b), type)
            }
            // Address Generation: the 16-bit address counter wraps without carrying into the page.
            c.currentAddress = c.mode.decrement ? c.currentAddress &- 1 : c.currentAddress &+ 1
            moved += 1
            if c.currentCount == 0 {
                c.currentCount = 0xFFFF
                terminal = true
                break
            }
            c.currentCount &-= 1
        }
        if terminal { reachTerminalCount(&c, chip: chipIndex, local: local) }
        chips[chipIndex].channels[local] = c
        return DMATransferResult(bytes: moved * unitBytes, terminalCount: terminal)
    }

    /// Terminal count (datasheet "Autoinitialize", "Mask Register", "Status Register"): the TC
    /// status bit is set and the software request cleared; an autoinitializing channel reloads its
    /// current registers from the base registers, any other channel masks itself.
    private func reachTerminalCount(_ c: inout DMAChip.Channel, chip: Int, local: Int) {
        let bit: UInt8 = 1 << UInt8(local)
        chips[chip].terminalCounts |= bit
        chips[chip].softwareRequests &= ~bit
        if c.mode.autoinitialize {
            c.currentAddress = c.baseAddress
            c.currentCount = c.baseCount
        } else {
            chips[chip].mask |= bit
        }
    }

    /// Grants every channel that has an active request and may run, in priority order, until
    /// none is left (bounded so a device that keeps DREQ up without moving data cannot hang us).
    func grantPendingRequests() {
        guard !granting else { return }
        granting = true
        defer { granting = false }
        startMemoryToMemoryIfRequested()
        var rounds = 0
        while rounds < 64 {
            rounds += 1
            var granted = false
            for channel in Self.priorityOrder {
                let bit: UInt8 = 1 << UInt8(channel)
                guard deviceRequests & bit != 0, canRun(channel: channel),
                      let device = requesters[channel].device else { continue }
                device.dmaGranted(channel: channel)
                granted = true
                break
            }
            if !granted { return }
        }
    }

    /// Memory-to-memory (datasheet "Memory-to-Memory"): with command bit 0 set on DMA1, a software
    /// request on channel 0 copies from channel 0's address to channel 1's, one byte at a time
    /// through the temporary register, until channel 1 reaches terminal count. Channel 0's
    /// address stays fixed when command bit 1 is set (a block fill).
    private func startMemoryToMemoryIfRequested() {
        var chip = chips[0]
        guard chip.memoryToMemory, chip.isEnabled, chip.softwareRequests & 1 != 0 else { return }
        var source = chip.channels[0], destination = chip.channels[1]
        let sourcePage = UInt32(pages[Self.pagePortOffset[0]]), destinationPage = UInt32(pages[Self.pagePortOffset[1]])
        // At most 64 Ki cycles: the count is 16 bits.
        for _ in 0...0xFFFF {
            let byte = UInt8(truncatingIfNeeded: memory.read(
                GuestPhysicalAddress((sourcePage << 16) | UInt32(source.currentAddress)), width: .byte))
            chip.temporary = byte
            memory.write(GuestPhysicalAddress((destinationPage << 16) | UInt32(destination.currentAddress)),
                         width: .byte, value: UInt32(byte))
            if !chip.holdsChannel0Address {
                source.currentAddress = source.mode.decrement ? source.currentAddress &- 1 : source.currentAddress &+ 1
            }
            destination.currentAddress = destination.mode.decrement
                ? destination.currentAddress &- 1 : destination.currentAddress &+ 1
            source.currentCount &-= 1
            if destination.currentCount == 0 {
                destination.currentCount = 0xFFFF
                break
            }
            destination.currentCount &-= 1
        }
        chips[0] = chip
        chips[0].channels[0] = source
        chips[0].softwareRequests &= ~1
        chips[0].terminalCounts |= 1
        reachTerminalCount(&destination, chip: 0, local: 1)
        chips[0].channels[1] = destination
    }

    // MARK: - Ports

    public func readPortByte(_ port: UInt16) -> UInt8 {
        if port >= 0x81 && port <= 0x8F { return pages[Int(port & 0xF)] }
        guard let (chip, register) = Self.decode(port) else { return 0xFF }
        switch register {
        case 0..<8:
            let c = chips[chip].channels[register >> 1]
            let value = register & 1 == 0 ? c.currentAddress : c.currentCount
            return chips[chip].nextByteIsHigh() ? UInt8(value >> 8) : UInt8(truncatingIfNeeded: value)
        case Register.statusOrCommand:
            // Status: bits 7–4 channels with a request pending, bits 3–0 terminal counts, which
            // a status read clears.
            let requests = ((deviceRequests >> UInt8(chip * 4)) | chips[chip].softwareRequests) & 0x0F
            let value = requests << 4 | chips[chip].terminalCounts
            chips[chip].terminalCounts = 0
            return value
        case Register.temporaryOrMasterClear:
            return chips[chip].temporary
        case Register.allMask:
            // Not readable on the original 8237A; PIIX-class chipsets return the mask here,
            // which is the part a PC guest may probe.
            return 0xF0 | chips[chip].mask
        default:
            return 0xFF
        }
    }

    public func writePortByte(_ port: UInt16, _ value: UInt8) {
        if port >= 0x81 && port <= 0x8F {
            pages[Int(port & 0xF)] = value
            return
        }
        guard let (chip, register) = Self.decode(port) else { return }
        switch register {
        case 0..<8:
            let high = chips[chip].nextByteIsHigh()
            var c = chips[chip].channels[register >> 1]
            // Writing a 16-bit register loads the base and current registers together.
            if register & 1 == 0 {
                c.baseAddress = Self.merge(c.baseAddress, value, high: high)
                c.currentAddress = c.baseAddress
            } else {
                c.baseCount = Self.merge(c.baseCount, value, high: high)
                c.currentCount = c.baseCount
            }
            chips[chip].channels[register >> 1] = c
        case Register.statusOrCommand:
            chips[chip].command = value
        case Register.request:
            let bit: UInt8 = 1 << (value & 3)
            if value & 4 != 0 { chips[chip].softwareRequests |= bit } else { chips[chip].softwareRequests &= ~bit }
        case Register.singleMask:
            let bit: UInt8 = 1 << (value & 3)
            if value & 4 != 0 { chips[chip].mask |= bit } else { chips[chip].mask &= ~bit }
        case Register.mode:
            chips[chip].channels[Int(value & 3)].mode = DMAChannelMode(rawValue: value)
        case Register.clearFlipFlop:
            chips[chip].highByteNext = false
        case Register.temporaryOrMasterClear:
            chips[chip].masterClear()
        case Register.clearMask:
            chips[chip].mask = 0
        case Register.allMask:
            chips[chip].mask = value & 0x0F
        default:
            break
        }
        // A command, request or mask change may let a waiting request run.
        if register >= Register.statusOrCommand { grantPendingRequests() }
    }

    /// Chip index and register number (0–15) of a DMA1/DMA2 port, nil for ports neither decodes.
    static func decode(_ port: UInt16) -> (Int, Int)? {
        if port <= 0x0F { return (0, Int(port)) }
        if port >= 0xC0 && port <= 0xDF && port & 1 == 0 { return (1, Int((port - 0xC0) >> 1)) }
        return nil
    }

    private static func merge(_ old: UInt16, _ byte: UInt8, high: Bool) -> UInt16 {
        high ? (old & 0x00FF) | UInt16(byte) << 8 : (old & 0xFF00) | UInt16(byte)
    }
}
