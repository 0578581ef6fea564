// One channel's bus-master IDE engine of the PIIX3: command, status and descriptor-table
// registers, and the walk of the Physical Region Descriptor table in guest memory.

import EmulatorCore
import Storage

/// The bus-master registers of one IDE channel (SFF-8038i rev 1.0 "Bus Master Programming
/// Interface for IDE ATA Controllers"; 82371SB datasheet BMICX, BMISX, BMIDTPX), eight bytes
/// at BMIBA + 0 (primary) or + 8 (secondary):
/// - +0 BMICX command: bit 0 Start/Stop Bus Master (SSBM), bit 3 Read/Write Control (RWCON,
///   1 = the bus master writes memory, i.e. a device-to-host transfer). RWCON keeps its value
///   while the engine is started (SFF-8038i §2.1: it must not change while active).
/// - +2 BMISX status: bit 0 Active (read-only), bit 1 Error and bit 2 Interrupt (write 1 to
///   clear), bits 5/6 Drive 0/1 DMA Capable (read/write, for the BIOS), bit 7 Simplex (0: both
///   channels may master at once).
/// - +4 BMIDTPX: the PRD table's physical address (bits 31:2).
///
/// Writing SSBM = 1 sets Active and starts at the first descriptor; the channel then moves a
/// pending DMA command's data. Each 8-byte Physical Region Descriptor is a memory region base
/// (bits 31:1), a byte count (bits 15:1; 0 means 64 KiB) and End Of Table (bit 31 of the second
/// dword). Interrupt is set on each rising edge of the channel's INTRQ (SFF-8038i §2.2), which
/// this engine passes through to the interrupt controller. Active clears when the EOT region is
/// used up or software clears SSBM; a drive that finishes first leaves Active set.
///
/// Guest-written tables are untrusted: descriptors and regions must lie in guest RAM (a
/// device-to-host transfer needs writable RAM); more than 8192 descriptors in one transfer
/// (a table may not cross a 64 KiB boundary, so no valid table is longer), a region that is
/// not RAM, a transfer in the wrong direction or with Bus Master Enable clear in the PCI
/// Command register set Error and clear Active, and the device aborts the command with an
/// interrupt (no hang). A table that ends before the device's data clears Active without
/// Error; the device aborts likewise. DMA writes into RAM invalidate decoded code on the pages
/// they touch, as a CPU store would.
public final class PIIX3IDEBusMaster: ATADMAController, InterruptLine {
    /// BMICX bits.
    public enum Command {
        public static let start: UInt8 = 0x01
        public static let writeToMemory: UInt8 = 0x08
    }

    /// BMISX bits.
    public enum Status {
        public static let active: UInt8 = 0x01
        public static let error: UInt8 = 0x02
        public static let interrupt: UInt8 = 0x04
        public static let drive0DMACapable: UInt8 = 0x20
        public static let drive1DMACapable: UInt8 = 0x40
        /// Bits software writes as values.
        static let writable: UInt8 = drive0DMACapable | drive1DMACapable
        /// Bits software clears by writing 1.
        static let writeOneToClear: UInt8 = error | interrupt
    }

    /// Descriptors one transfer may use: a table lies within one 64 KiB block.
    public static let maxDescriptors = 65_536 / 8

    let memory: PhysicalMemory
    let output: InterruptLine
    let busMasterEnabled: () -> Bool
    /// The channel this engine serves.
    weak var channel: ATAChannel?

    /// BMICX.
    public internal(set) var command: UInt8 = 0
    /// BMISX.
    public internal(set) var status: UInt8 = 0
    /// BMIDTPX (bits 1:0 zero).
    public internal(set) var descriptorTable: UInt32 = 0

    // Engine position within the table (reset when Start is set).
    /// Address of the next descriptor to fetch.
    var nextDescriptor: UInt32 = 0
    /// Where the current region continues, and its bytes left.
    var regionAddress: UInt32 = 0
    var regionRemaining = 0
    /// The current region is the table's last (EOT).
    var endOfTable = false
    /// Descriptors fetched since Start.
    var descriptorsFetched = 0
    /// The level last seen on the channel's INTRQ.
    var interruptInput = false

    /// - Parameters:
    ///   - memory: guest memory the engine reads and writes.
    ///   - output: the interrupt controller input the channel's INTRQ reaches (IRQ 14 / 15).
    ///   - busMasterEnabled: whether PCI Command.Bus Master Enable is set.
    init(memory: PhysicalMemory, output: InterruptLine, busMasterEnabled: @escaping () -> Bool) {
        self.memory = memory
        self.output = output
        self.busMasterEnabled = busMasterEnabled
    }

    /// Power-on values: stopped, status clear, table pointer 0.
    func reset() {
        command = 0
        status = 0
        descriptorTable = 0
        rewind()
    }

    private func rewind() {
        nextDescriptor = descriptorTable
        regionAddress = 0
        regionRemaining = 0
        endOfTable = false
        descriptorsFetched = 0
    }

    // MARK: InterruptLine (the channel's INTRQ passes through here)

    public func setLevel(_ high: Bool) {
        if high && !interruptInput { status |= Status.interrupt }
        interruptInput = high
        output.setLevel(high)
    }

    // MARK: Registers

    /// Reads register byte `offset` (0–7) of this channel's block.
    func readByte(_ offset: Int) -> UInt8 {
        switch offset {
        case 0: return command
        case 2: return status
        case 4...7: return UInt8(truncatingIfNeeded: descriptorTable >> (8 * UInt32(offset - 4)))
        default: return 0
        }
    }

    /// Writes register byte `offset` (0–7) of this channel's block.
    func writeByte(_ offset: Int, _ value: UInt8) {
        switch offset {
        case 0: writeCommand(value)
        case 2:
            status = (status & ~Status.writable) | (value & Status.writable)
            status &= ~(value & Status.writeOneToClear)
        case 4...7:
            let shift = 8 * UInt32(offset - 4)
            descriptorTable = (descriptorTable & ~(0xFF << shift)) | UInt32(value) << shift
            descriptorTable &= ~3
        default: break
        }
    }

    private func writeCommand(_ value: UInt8) {
        let wasStarted = command & Command.start != 0
        let start = value & Command.start != 0
        let direction = wasStarted ? command & Command.writeToMemory : value & Command.writeToMemory
        command = direction | (value & Command.start)
        if start && !wasStarted {
            status |= Status.active
            rewind()
            channel?.serviceDMA()
        } else if !start && wasStarted {
            // Stopping aborts whatever the engine was doing (SFF-8038i §2.1).
            status &= ~Status.active
        }
    }

    // MARK: ATADMAController

    public var isActive: Bool { status & Status.active != 0 }

    public func move(_ buffer: UnsafeMutableRawBufferPointer, toMemory: Bool) -> Int {
        guard isActive else { return 0 }
        guard busMasterEnabled(), (command & Command.writeToMemory != 0) == toMemory else {
            stopWithError()
            return 0
        }
        var done = 0
        while done < buffer.count {
            if regionRemaining == 0 {
                if endOfTable {
                    // The table ended before the device's data: Active clears, no Error.
                    status &= ~Status.active
                    return done
                }
                guard fetchDescriptor() else {
                    stopWithError()
                    return done
                }
            }
            let n = min(regionRemaining, buffer.count - done)
            // SAFETY: done + n ≤ buffer.count.
            let part = UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + n])
            guard copy(part, at: regionAddress, toMemory: toMemory) else {
                stopWithError()
                return done
            }
            done += n
            regionAddress &+= UInt32(n)
            regionRemaining -= n
        }
        if regionRemaining == 0 && endOfTable { status &= ~Status.active }
        return done
    }

    private func stopWithError() {
        status |= Status.error
        status &= ~Status.active
    }

    /// Loads the next descriptor; false when it is not in RAM or the table is absurdly long.
    private func fetchDescriptor() -> Bool {
        guard descriptorsFetched < Self.maxDescriptors else { return false }
        let a = nextDescriptor
        guard memory.hostPage(a) != nil, memory.hostPage(a &+ 4) != nil else { return false }
        let base = memory.read(GuestPhysicalAddress(a), width: .dword) & ~1
        let control = memory.read(GuestPhysicalAddress(a &+ 4), width: .dword)
        let count = Int(control & 0xFFFE)
        regionAddress = base
        regionRemaining = count == 0 ? 65_536 : count
        endOfTable = control & 0x8000_0000 != 0
        nextDescriptor = a &+ 8
        descriptorsFetched += 1
        return true
    }

    /// Copies between `part` and guest RAM at `address`, page by page; false (possibly after
    /// copying a prefix) when a page is not RAM (or not writable RAM for `toMemory`).
    private func copy(_ part: UnsafeMutableRawBufferPointer, at address: UInt32, toMemory: Bool) -> Bool {
        var done = 0
        var a = address
        while done < part.count {
            let inPage = Int(a & (PhysicalMemory.pageSize - 1))
            let n = min(part.count - done, Int(PhysicalMemory.pageSize) - inPage)
            guard let page = memory.hostPage(a) else { return false }
            // SAFETY: [inPage, inPage + n) lies in this 4 KiB host page, [done, done + n) in part.
            if toMemory {
                guard page.writable else { return false }
                let index = Int(a >> PhysicalMemory.pageShift)
                if memory.codePage[index] != 0 { memory.codeStored(page: index, offset: inPage, count: n) }
                (page.pointer + inPage).update(from: part.baseAddress!.assumingMemoryBound(to: UInt8.self) + done, count: n)
            } else {
                UnsafeMutableRawPointer(part.baseAddress! + done).copyMemory(from: page.pointer + inPage, byteCount: n)
            }
            done += n
            a &+= UInt32(n)
        }
        return true
    }
}
