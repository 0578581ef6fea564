// The PC/AT floppy disk controller: an Intel 82077AA in AT mode with two drives.

import EmulatorCore
import Storage

/// An Intel 82077AA floppy disk controller in PC/AT mode, with drives 0 (A:) and 1 (B:).
///
/// Ports: 0x3F0 SRA, 0x3F1 SRB, 0x3F2 DOR, 0x3F3 TDR, 0x3F4 MSR (read) / DSR (write), 0x3F5 FIFO,
/// 0x3F7 DIR (read) / CCR (write). Port 0x3F6 belongs to the IDE controller. IRQ 6 on the
/// injected `InterruptLine`, DMA channel 2 of the injected `DMAController`.
///
/// Follows the Intel 82077AA datasheet: "Register Description" (SRA/SRB, DOR, TDR, MSR, DSR,
/// FIFO, DIR, CCR), "Controller Phases" (command, execution in DMA or non-DMA mode, result),
/// "Status Register Encoding" (ST0–ST3), "Command Set Descriptions" (READ DATA, READ DELETED DATA,
/// WRITE DATA, READ TRACK, FORMAT TRACK, READ ID, RECALIBRATE, SEEK and RELATIVE SEEK, SENSE
/// INTERRUPT STATUS, SENSE DRIVE STATUS, SPECIFY, CONFIGURE, VERSION, DUMPREG, LOCK,
/// PERPENDICULAR MODE), the multi-track / end-of-track table of the result phase, and "Reset"
/// (DOR and DSR software resets, the four polling interrupts of drives 0–3 after reset).
///
/// The media are raw images (`FloppyGeometry` by size) whose every sector has an ID field
/// C = physical cylinder, H = head, R = sector, N = 2 and a normal data mark. A read of a track
/// the medium does not have, at a data rate it was not written at, or in FM mode finds no ID:
/// ST1 MA, as on hardware. Writes go to the image at once (`BlockDevice.write`); `flush()`
/// makes them durable.
///
/// Implied seeks follow CONFIGURE EIS; seeks on different drives overlap and complete
/// independently, each sensed by its own SENSE INTERRUPT STATUS.
///
/// Timing: a command's execution and a seek's completion happen `completionDelay` of virtual
/// time after the last command byte (see there); data then moves in one burst.
///
/// Not modelled: the SRA/SRB contents are the PS/2-mode layout (an AT-mode chip tri-states them);
/// motor spin-up (commands run with the motor off); FM media; WRITE DELETED DATA, VERIFY, SCAN
/// and PART ID are invalid commands (the 82077AA answers PART ID as invalid, which Linux reports
/// as a "post-1991 82077"); 40-track media are seen as if in a 40-track drive (no double stepping);
/// precompensation, power-down and perpendicular recording have no effect beyond their registers.
///
/// DEVIATION: with no medium, a nonexistent drive (2, 3), or a medium the controller cannot read,
/// data commands end at once with ST1 MA; a real drive without index pulses would hang until reset.
/// DEVIATION: a DMA transfer waits for the channel indefinitely; an 82077AA whose FIFO overflows
/// ends with ST1 OR. A reset ends the wait.
public final class FloppyController: BytePortDevice {
    /// Fixed I/O ranges the machine claims for this device.
    public static let portRanges: [ClosedRange<UInt16>] = [0x3F0...0x3F5, 0x3F7...0x3F7]
    public static let defaultIRQ = 6
    public static let defaultDMAChannel = 2
    public static let driveCount = 2
    /// The VERSION command's answer for an 82077AA (an 8272A would say 0x80).
    public static let versionByte: UInt8 = 0x90

    /// Virtual time between a command's last byte (or a reset's end) and its completion.
    /// A real controller needs milliseconds (a seek step, half a revolution of the disk); guests
    /// issue a command and then wait for IRQ 6 or poll MSR, and some set their "waiting for the
    /// interrupt" flag only after the OUT that started the command, so the interrupt must not be
    /// raised inside that OUT. 20 µs keeps that order without slowing a boot down.
    public static let completionDelay: UInt64 = 20_000

    enum Port {
        static let sra: UInt16 = 0x3F0
        static let srb: UInt16 = 0x3F1
        static let dor: UInt16 = 0x3F2
        static let tdr: UInt16 = 0x3F3
        static let msrDSR: UInt16 = 0x3F4
        static let fifo: UInt16 = 0x3F5
        static let dirCCR: UInt16 = 0x3F7
    }

    /// Digital Output Register bits.
    enum DOR {
        static let driveSelect: UInt8 = 0x03
        /// nRESET: 0 holds the controller in reset.
        static let notReset: UInt8 = 0x04
        /// DMA GATE: in AT mode, 0 tri-states INT and DRQ.
        static let dmaGate: UInt8 = 0x08
    }

    /// Main Status Register bits.
    enum MSR {
        static let rqm: UInt8 = 0x80
        static let dio: UInt8 = 0x40
        static let nonDMA: UInt8 = 0x20
        static let commandBusy: UInt8 = 0x10
    }

    /// Status register bits ("Status Register Encoding").
    enum ST0 {
        static let abnormal: UInt8 = 0x40
        static let invalid: UInt8 = 0x80
        static let pollingChange: UInt8 = 0xC0
        static let seekEnd: UInt8 = 0x20
        static let equipmentCheck: UInt8 = 0x10
    }
    enum ST1 {
        static let endOfCylinder: UInt8 = 0x80
        static let dataError: UInt8 = 0x20
        static let overrun: UInt8 = 0x10
        static let noData: UInt8 = 0x04
        static let notWritable: UInt8 = 0x02
        static let missingAddressMark: UInt8 = 0x01
    }
    enum ST2 {
        static let controlMark: UInt8 = 0x40
        static let dataErrorInDataField: UInt8 = 0x20
        static let wrongCylinder: UInt8 = 0x10
    }
    enum ST3 {
        static let writeProtected: UInt8 = 0x40
        /// Always 1 on the 82077AA (no READY input).
        static let ready: UInt8 = 0x20
        static let track0: UInt8 = 0x10
        /// Always 1 on the 82077AA (two-sided).
        static let twoSided: UInt8 = 0x08
    }

    /// Power-on CONFIGURE byte: implied seek off, FIFO disabled (EFIFO = 1), polling on,
    /// threshold 1 byte.
    static let defaultConfiguration: UInt8 = 0x20

    enum Phase: UInt8 { case command = 0, execution, result }

    /// What the completion timer does when it fires.
    enum PendingEvent: UInt8 {
        /// The reset has ended: post the polling statuses, raise INT.
        case resetPolling = 0
        /// Start the execution phase of the command in `transfer`.
        case execute
    }

    // MARK: Registers

    /// Digital Output Register.
    var dor: UInt8 = 0
    /// Tape Drive Register (bits 1–0).
    var tdr: UInt8 = 0
    /// DRATE from DSR/CCR.
    var dataRate: FloppyDataRate = .kbps250
    /// DSR bits 4–2 (write precompensation delay), kept for completeness.
    var precompensation: UInt8 = 0
    /// SPECIFY bytes: SRT << 4 | HUT, and HLT << 1 | ND.
    var specify1: UInt8 = 0
    var specify2: UInt8 = 0
    /// CONFIGURE's second parameter: bit 6 EIS, bit 5 EFIFO (1 = FIFO off), bit 4 POLL
    /// (1 = polling off), bits 3–0 FIFOTHR.
    var configuration: UInt8 = FloppyController.defaultConfiguration
    var precompensationStartTrack: UInt8 = 0
    var locked = false
    /// PERPENDICULAR MODE register: bits 5–2 D3–D0, bit 1 GAP, bit 0 WGATE.
    var perpendicular: UInt8 = 0
    /// The last EOT (read/write) or SC (format) given, for DUMPREG.
    var lastEOT: UInt8 = 0

    /// Present cylinder number per drive select (the controller's idea of each head's position).
    var pcn = [UInt8](repeating: 0, count: 4)
    /// Interrupt status waiting for SENSE INTERRUPT STATUS, per drive (ST0).
    var pendingStatus = [UInt8?](repeating: nil, count: 4)
    /// ST0 a running seek/recalibrate will post, per drive.
    var seekResult = [UInt8?](repeating: nil, count: 4)
    /// MSR D3–D0: drives seeking or with a seek status not yet sensed.
    var seekingDrives: UInt8 = 0
    var interruptPending = false

    var phase: Phase = .command
    var commandBytes = [UInt8](repeating: 0, count: 16)
    var commandCount = 0
    var commandLength = 0
    var resultBytes = [UInt8](repeating: 0, count: 16)
    var resultCount = 0
    var resultIndex = 0
    var transfer: FloppyTransfer?
    var pendingEvent: PendingEvent?

    var drives: [FloppyDrive]

    // MARK: Wiring

    let scheduler: Scheduler
    let interrupt: InterruptLine
    let dma: DMAController
    let dmaChannel: Int
    var commandTimer: DeviceTimer!
    var seekTimers: [DeviceTimer] = []
    /// The sector buffer (512 bytes), allocated once; DMA and PIO move data through it.
    /// SAFETY: `sectorSize` bytes, allocated in init, freed in deinit.
    let buffer: UnsafeMutableRawBufferPointer
    /// Levels last driven on INT and DRQ.
    private(set) var interruptLevel = false
    private(set) var dmaRequestLevel = false

    /// - Parameters:
    ///   - scheduler: virtual time for command completions.
    ///   - interrupt: the IRQ 6 input of the interrupt controllers.
    ///   - dma: the ISA DMA controller; the controller attaches itself to `dmaChannel`.
    public init(scheduler: Scheduler, interrupt: InterruptLine, dma: DMAController,
                dmaChannel: Int = FloppyController.defaultDMAChannel) {
        self.scheduler = scheduler
        self.interrupt = interrupt
        self.dma = dma
        self.dmaChannel = dmaChannel
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FloppyGeometry.sectorSize, alignment: 8)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        drives = (0..<4).map { FloppyDrive(exists: $0 < Self.driveCount) }
        commandTimer = DeviceTimer(name: "fdc.command", scheduler: scheduler) { [weak self] _ in
            self?.commandTimerFired()
        }
        seekTimers = (0..<4).map { drive in
            DeviceTimer(name: "fdc.seek\(drive)", scheduler: scheduler) { [weak self] _ in
                self?.seekCompleted(drive: drive)
            }
        }
        dma.attach(self, channel: dmaChannel)
    }

    deinit {
        commandTimer.cancel()
        for t in seekTimers { t.cancel() }
        buffer.deallocate()
    }

    // MARK: - Management API

    /// Puts `media` into `drive` (0 or 1); its size chooses the format. DSKCHG stays set until
    /// the guest steps the head, as after a real disk change. A read-only backend, or
    /// `writeProtected`, makes the medium write-protected.
    public func insert(_ media: BlockDevice, drive: Int, writeProtected: Bool = false) throws(FloppyMediaError) {
        guard (0..<Self.driveCount).contains(drive) else { throw .noSuchDrive(drive) }
        guard media.blockSize == FloppyGeometry.sectorSize else { throw .unsupportedBlockSize(media.blockSize) }
        guard let geometry = FloppyGeometry.detect(byteCount: media.byteCount) else {
            throw .unknownSize(bytes: media.byteCount)
        }
        drives[drive].media = media
        drives[drive].geometry = geometry
        drives[drive].writeProtectFlag = writeProtected
        drives[drive].changeLine = true
        drives[drive].nextSector = 1
    }

    /// Removes the medium from `drive`; DSKCHG goes active. Writes already reached the backend.
    public func eject(drive: Int) {
        guard (0..<Self.driveCount).contains(drive) else { return }
        drives[drive].media = nil
        drives[drive].geometry = nil
        drives[drive].writeProtectFlag = false
        drives[drive].changeLine = true
    }

    /// The format of the medium in `drive`, nil when empty.
    public func geometry(drive: Int) -> FloppyGeometry? {
        (0..<Self.driveCount).contains(drive) ? drives[drive].geometry : nil
    }

    /// Sets the write-protect tab of the medium in `drive`.
    public func setWriteProtected(_ on: Bool, drive: Int) {
        guard (0..<Self.driveCount).contains(drive) else { return }
        drives[drive].writeProtectFlag = on
    }

    /// Makes every write so far durable on the host.
    public func flush() throws(DiskError) {
        for d in drives { try d.media?.flush() }
    }

    /// Power-on state (the RESET pin): DOR 0 holds the controller in reset until the guest sets
    /// nRESET; data rate 250 kbps; SPECIFY, CONFIGURE, LOCK and PERPENDICULAR cleared. Drives
    /// keep their heads and media.
    public func reset() {
        dor = 0
        tdr = 0
        dataRate = .kbps250
        precompensation = 0
        specify1 = 0
        specify2 = 0
        locked = false
        configuration = Self.defaultConfiguration
        precompensationStartTrack = 0
        perpendicular = 0
        lastEOT = 0
        pcn = [0, 0, 0, 0]
        softwareReset()
        updateLines()
    }

    // MARK: - Ports

    var inReset: Bool { dor & DOR.notReset == 0 }
    var selectedDrive: Int { Int(dor & DOR.driveSelect) }
    var nonDMA: Bool { specify2 & 1 != 0 }
    var fifoEnabled: Bool { configuration & 0x20 == 0 }
    var impliedSeek: Bool { configuration & 0x40 != 0 }

    public func readPortByte(_ port: UInt16) -> UInt8 {
        switch port {
        case Port.sra:
            // PS/2-mode SRA: INT PENDING, nDRV2, STEP, nTRK0, HDSEL, nINDEX, nWP, DIR.
            let d = drives[selectedDrive]
            var v: UInt8 = 0
            if interruptPending { v |= 0x80 }
            if !d.atTrack0 { v |= 0x10 }
            if d.head != 0 { v |= 0x08 }
            if !d.writeProtected { v |= 0x02 }
            v |= 0x04
            return v
        case Port.srb:
            // PS/2-mode SRB: bits 7–6 one, DRIVE SEL0, motor enables of drives 0 and 1.
            return 0xC0 | (dor & 1) << 5 | (dor >> 4) & 0x03
        case Port.dor:
            return dor
        case Port.tdr:
            return 0xFC | tdr
        case Port.msrDSR:
            return mainStatus
        case Port.fifo:
            return readFIFO()
        case Port.dirCCR:
            // DIR: bit 7 DSKCHG of the selected drive; bits 6–0 are not driven in AT mode.
            let d = drives[selectedDrive]
            return 0x7F | (d.exists && d.changeLine ? 0x80 : 0)
        default:
            return 0xFF
        }
    }

    public func writePortByte(_ port: UInt16, _ value: UInt8) {
        switch port {
        case Port.dor:
            writeDOR(value)
        case Port.tdr:
            tdr = value & 0x03
        case Port.msrDSR:
            // DSR: bit 7 software reset (self-clearing), bit 6 power down, bits 4–2 precomp,
            // bits 1–0 data rate.
            dataRate = FloppyDataRate(rawValue: value & 3)!
            precompensation = (value >> 2) & 7
            if value & 0x80 != 0 && !inReset {
                softwareReset()
                endReset()
            }
        case Port.fifo:
            writeFIFO(value)
        case Port.dirCCR:
            dataRate = FloppyDataRate(rawValue: value & 3)!
        default:
            break
        }
    }

    /// Main Status Register.
    var mainStatus: UInt8 {
        if inReset { return 0 }
        var v = seekingDrives & 0x0F
        switch phase {
        case .command:
            v |= MSR.rqm
            if commandCount > 0 { v |= MSR.commandBusy }
        case .execution:
            v |= MSR.commandBusy
            if let t = transfer, t.awaitingData, nonDMA, t.kind != .readID {
                v |= MSR.rqm | MSR.nonDMA
                if t.kind.readsDisk { v |= MSR.dio }
            }
        case .result:
            v |= MSR.rqm | MSR.dio | MSR.commandBusy
        }
        return v
    }

    private func writeDOR(_ value: UInt8) {
        let wasReset = inReset
        dor = value
        if !wasReset && inReset {
            // Entering reset: everything stops; the controller stays there while nRESET is 0.
            softwareReset()
        } else if wasReset && !inReset {
            endReset()
        }
        updateLines()
    }

    /// A DOR or DSR reset ("Reset"): the command state, pending interrupts and seeks are dropped;
    /// SPECIFY, the data rate and PCNs survive; CONFIGURE returns to its defaults except the FIFO
    /// fields and PRETRK when LOCK is set; PERPENDICULAR loses GAP and WGATE.
    func softwareReset() {
        phase = .command
        commandCount = 0
        commandLength = 0
        resultCount = 0
        resultIndex = 0
        transfer = nil
        pendingEvent = nil
        commandTimer.cancel()
        for t in seekTimers { t.cancel() }
        seekResult = [nil, nil, nil, nil]
        pendingStatus = [nil, nil, nil, nil]
        seekingDrives = 0
        interruptPending = false
        if locked {
            configuration = configuration & 0x2F
        } else {
            configuration = Self.defaultConfiguration
            precompensationStartTrack = 0
        }
        perpendicular &= 0x3C
        updateLines()
    }

    /// The controller leaves reset; with polling enabled (always, right after a reset) it reports
    /// a ready change for each of the four drive selects through one interrupt.
    private func endReset() {
        pendingEvent = .resetPolling
        commandTimer.arm(at: scheduler.now + Self.completionDelay)
    }

    // MARK: - Interrupt and DMA request lines

    /// The execution phase waits for DMA cycles.
    private var wantsDMA: Bool {
        guard phase == .execution, let t = transfer else { return false }
        return t.awaitingData && !nonDMA && t.kind != .readID
    }

    /// Drives INT and DRQ from the internal state; DOR DMA GATE off (or reset) floats both.
    func updateLines() {
        let gate = dor & DOR.dmaGate != 0 && !inReset
        let irq = interruptPending && gate
        if irq != interruptLevel {
            interruptLevel = irq
            interrupt.setLevel(irq)
        }
        let drq = gate && wantsDMA
        if drq != dmaRequestLevel {
            dmaRequestLevel = drq
            // May grant at once and run the whole transfer (see dmaGranted).
            dma.setRequest(channel: dmaChannel, active: drq)
        }
    }

    /// After a restore: drives INT and DRQ to the restored state unconditionally.
    func restoreLines() {
        let gate = dor & DOR.dmaGate != 0 && !inReset
        interruptLevel = interruptPending && gate
        interrupt.setLevel(interruptLevel)
        let drq = gate && wantsDMA
        dmaRequestLevel = drq
        dma.setRequest(channel: dmaChannel, active: drq)
    }

    func raiseInterrupt() {
        interruptPending = true
        updateLines()
    }

    func clearInterrupt() {
        interruptPending = false
        updateLines()
    }

    private func commandTimerFired() {
        guard let event = pendingEvent else { return }
        pendingEvent = nil
        switch event {
        case .resetPolling:
            if configuration & 0x10 == 0 {
                for d in 0..<4 { pendingStatus[d] = ST0.pollingChange | UInt8(d) }
                raiseInterrupt()
            }
        case .execute:
            startExecution()
        }
    }

    private func seekCompleted(drive: Int) {
        guard let st0 = seekResult[drive] else { return }
        seekResult[drive] = nil
        pendingStatus[drive] = st0
        raiseInterrupt()
    }
}

extension FloppyController: DMARequester {
    public func dmaGranted(channel: Int) {
        guard channel == dmaChannel else { return }
        moveDMAData()
    }
}
