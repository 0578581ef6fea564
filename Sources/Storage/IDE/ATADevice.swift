// What every device on an ATA channel shares: registers, the PIO data buffer, the interrupt
// request, and the DRQ/BSY/DRDY sequencing of the data-in and data-out protocols.

/// One device (master or slave) on an `ATAChannel`: the part of ATA/ATAPI-6 common to ATA
/// disks (`ATADisk`) and packet devices (`ATAPIDevice`), which subclass it.
///
/// Data moves through a fixed host buffer allocated once (`bufferCapacity` bytes): a PIO
/// "DRQ data block" (ATA/ATAPI-6 §9.5–9.8) is bytes `dataIndex ..< dataEnd` of it, read or
/// written one 16-bit word per Data register access; when the block is used up the subclass's
/// `dataBlockFinished()` moves to the next block or ends the command. DMA commands fill or drain
/// the same buffer in chunks while a bus master (`ATADMAController`) copies it to and from
/// guest memory.
///
/// Timing: every command completes synchronously inside the host's write of the Command
/// register (or of the last data word, or of the bus master's Start bit), and INTRQ rises at
/// that moment. Justification: the device's registers are final before the line rises, so a
/// handler that runs afterwards always sees BSY clear and the state the interrupt announces;
/// Linux's libata issues commands and moves PIO data under `ap->lock` with interrupts off,
/// so the edge is taken only after its HSM state is set (no spurious "nobody cared" IRQ, no
/// lost completion); BIOSes poll BSY/DRQ and see them settled. A delay through the Scheduler
/// would only add saved timer state and a window in which a polling driver sees BSY.
/// DEVIATION: BSY is therefore never observed set except while SRST is held.
public class ATADevice {
    /// Bytes of the transfer buffer: 128 sectors of 512 bytes, or 32 CD blocks of 2048; the
    /// largest PIO DRQ block (a packet device's byte count limit, FFFEh) fits.
    public static let bufferCapacity = 64 * 1024

    /// Where a command stands.
    enum Phase: UInt8, Codable {
        /// No data transfer: the command block is the host's.
        case idle = 0
        /// PIO data to the host (DRQ set; the host reads the Data register).
        case pioIn = 1
        /// PIO data from the host (DRQ set; the host writes the Data register).
        case pioOut = 2
        /// A DMA transfer to the host is waiting for the bus master.
        case dmaIn = 3
        /// A DMA transfer from the host is waiting for the bus master.
        case dmaOut = 4
    }

    /// This device's copy of the command block registers.
    public internal(set) var taskFile = ATATaskFile()
    /// The device's interrupt request (it reaches INTRQ while the device is selected and
    /// Device Control.nIEN is clear).
    public internal(set) var interruptPending = false
    var phase: Phase = .idle
    /// Next byte of the DRQ data block, and its end.
    var dataIndex = 0
    var dataEnd = 0
    /// SAFETY: `bufferCapacity + 8` bytes, allocated in init, freed in deinit; the slack lets a
    /// word access at an odd block end read a pad byte without leaving the allocation.
    let buffer: UnsafeMutableRawBufferPointer
    /// The channel this device is attached to (set by `ATAChannel`).
    weak var channel: ATAChannel?

    init() {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferCapacity + 8, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        taskFile.loadSignature(packet: isPacketDevice)
        taskFile.error = ATAErrorRegister.diagnosticPassed
    }

    deinit { buffer.deallocate() }

    /// The transfer buffer without its slack.
    var transferBuffer: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Self.bufferCapacity])
    }

    // MARK: Subclass hooks

    /// Whether this is a packet (ATAPI) device: its signature and reset status differ.
    public var isPacketDevice: Bool { false }

    /// Status after reset and after each command when nothing is wrong.
    var readyStatus: ATAStatus { .idle }

    /// Executes `command`, just written to the Command register.
    func execute(command: UInt8) { abort() }

    /// The host has moved the last word of the DRQ data block.
    func dataBlockFinished() { finish() }

    /// Moves a pending DMA transfer through `controller` (which is active).
    func runDMA(_ controller: ATADMAController) { abort() }

    /// Buffer bytes that matter now, for saved state (a subclass may keep data past the
    /// current block).
    var bufferBytesInUse: Int { phase == .idle ? 0 : dataEnd }

    /// Returns settings to their defaults (power-on, hardware reset, and — as this device does
    /// not implement Software Settings Preservation — SRST).
    func resetSettings() {}

    // MARK: Data register (the PIO hot path: no allocation, no copying beyond the word)

    /// A 16-bit read of the Data register.
    @inline(__always)
    final func readDataWord() -> UInt16 {
        guard phase == .pioIn, dataIndex < dataEnd else { return 0xFFFF }
        // SAFETY: dataIndex < dataEnd ≤ bufferCapacity, and the buffer has 8 bytes of slack.
        let word = buffer.loadUnaligned(fromByteOffset: dataIndex, as: UInt16.self)
        dataIndex += 2
        if dataIndex >= dataEnd { dataBlockFinished() }
        return UInt16(littleEndian: word)
    }

    /// A 16-bit write of the Data register.
    @inline(__always)
    final func writeDataWord(_ value: UInt16) {
        guard phase == .pioOut, dataIndex < dataEnd else { return }
        // SAFETY: as in readDataWord.
        buffer.storeBytes(of: value.littleEndian, toByteOffset: dataIndex, as: UInt16.self)
        dataIndex += 2
        if dataIndex >= dataEnd { dataBlockFinished() }
    }

    // MARK: Protocol steps for subclasses

    /// Sets the interrupt request (ATA/ATAPI-6 §5.2.9: INTRQ is asserted at command completion
    /// and at the start of each PIO data-in block and each data-out block after the first).
    final func raiseInterrupt() {
        interruptPending = true
        channel?.updateInterrupt()
    }

    final func clearInterrupt() {
        guard interruptPending else { return }
        interruptPending = false
        channel?.updateInterrupt()
    }

    /// Offers bytes `0 ..< count` of the buffer to the host (DRQ set), with an interrupt.
    final func beginDataIn(count: Int, interrupt: Bool = true) {
        phase = .pioIn
        dataIndex = 0
        dataEnd = count
        taskFile.status = readyStatus.union(.dataRequest)
        if interrupt { raiseInterrupt() }
    }

    /// Asks the host for `count` bytes (DRQ set); the first block of a command comes without
    /// an interrupt (ATA/ATAPI-6 §9.8 PIO data-out: the host polls for DRQ).
    final func beginDataOut(count: Int, interrupt: Bool) {
        phase = .pioOut
        dataIndex = 0
        dataEnd = count
        taskFile.status = readyStatus.union(.dataRequest)
        if interrupt { raiseInterrupt() }
    }

    /// Waits for the bus master with DMARQ asserted (status shows DRQ, as QEMU's and real
    /// devices' do between the command and the transfer).
    final func beginDMA(toHost: Bool) {
        phase = toHost ? .dmaIn : .dmaOut
        dataIndex = 0
        dataEnd = 0
        taskFile.status = readyStatus.union(.dataRequest)
        channel?.serviceDMA()
    }

    /// Ends the command successfully: DRQ clear, ready, with an interrupt unless told otherwise.
    final func finish(interrupt: Bool = true) {
        phase = .idle
        dataIndex = 0
        dataEnd = 0
        taskFile.status = readyStatus
        if interrupt { raiseInterrupt() }
    }

    /// Ends the command with ERR and `error` in the Error register, with an interrupt.
    final func fail(_ error: UInt8) {
        phase = .idle
        dataIndex = 0
        dataEnd = 0
        taskFile.error = error
        taskFile.status = readyStatus.union(.error)
        raiseInterrupt()
    }

    /// Aborts the command (ABRT): unsupported command or invalid parameter.
    final func abort() { fail(ATAErrorRegister.aborted.rawValue) }

    // MARK: Resets

    /// Power-on / hardware reset: settings, signature and status to their defaults.
    func hardwareReset() {
        resetSettings()
        finishReset()
    }

    /// Device Control.SRST set: BSY until it is cleared; anything in progress is dropped.
    final func beginSoftwareReset() {
        phase = .idle
        dataIndex = 0
        dataEnd = 0
        interruptPending = false
        taskFile.status = .busy
    }

    /// Device Control.SRST cleared: the device finishes its reset (ATA/ATAPI-6 §9.2: no
    /// interrupt; signature loaded; an ATA device becomes ready, a packet device leaves DRDY
    /// clear until it is sent a command).
    final func endSoftwareReset() {
        resetSettings()
        finishReset()
    }

    final func finishReset() {
        phase = .idle
        dataIndex = 0
        dataEnd = 0
        interruptPending = false
        taskFile.loadSignature(packet: isPacketDevice)
        taskFile.error = ATAErrorRegister.diagnosticPassed
        taskFile.status = isPacketDevice ? [] : readyStatus
    }

    /// EXECUTE DEVICE DIAGNOSTIC (ATA/ATAPI-6 §8.11): signature, "passed", and status as after
    /// a reset; the channel decides which device raises the interrupt.
    final func runDiagnostic() {
        finishReset()
    }
}
