// The 16550A UART: a PC serial port (COM1-COM4) with 16-byte FIFOs.

import EmulatorCore

/// A serial port UART compatible with the National Semiconductor PC16550D (the "16550A" that
/// PC software detects by IIR bits 7-6 reading 11 once the FIFOs are enabled).
///
/// Eight consecutive ports from `base`: COM1 0x3F8 (IRQ 4), COM2 0x2F8 (IRQ 3), COM3 0x3E8
/// (IRQ 4), COM4 0x2E8 (IRQ 3). Registers, interrupt priorities and FIFO behaviour follow the
/// PC16550D datasheet ("Registers", "FIFO Interrupt Mode Operation"); the IRQ output is gated by
/// MCR.OUT2 as on PC serial cards. The baud clock is the PC's 1.8432 MHz (divisor 1 = 115200 bd).
///
/// Receiving: the backend calls `receive(_:)`; bytes wait in a host-side queue and enter the
/// receiver one character time apart (from the divisor and LCR) in virtual time. The character
/// timeout interrupt fires 4 character times after the last RX FIFO activity.
///
/// Deliberately not modelled:
/// - Transmit timing. DEVIATION: a THR write reaches the backend at once, so THRE and TEMT read 1
///   again immediately and the THRE interrupt re-asserts right after each write (an IRQ edge per
///   byte, as a real UART gives once its transmitter drains). Guests print at host speed.
/// - DEVIATION: host input is flow-controlled: while the RX FIFO (or RBR) is full, queued host
///   bytes wait instead of overrunning. Overruns still happen for loopback data.
/// - Parity generation/checking (host bytes always arrive clean), the TXRDY/RXRDY DMA pins, the
///   OUT1 pin, 16650/16750 extensions (EFR, 32/64-byte FIFOs, auto flow control).
/// - DEVIATION: in loopback the IRQ still follows the MCR.OUT2 bit. Boards that gate the IRQ with
///   the OUT2 pin would go silent in loopback, where the datasheet forces that pin inactive.
public final class UART16550: BytePortDevice, SerialReceiver {
    /// The four conventional PC serial port locations.
    public enum StandardPort: Sendable, CaseIterable {
        case com1, com2, com3, com4

        public var base: IOPort {
            switch self {
            case .com1: return IOPort(0x3F8)
            case .com2: return IOPort(0x2F8)
            case .com3: return IOPort(0x3E8)
            case .com4: return IOPort(0x2E8)
            }
        }

        /// ISA IRQ conventionally wired to this port.
        public var irq: Int {
            switch self {
            case .com1, .com3: return 4
            case .com2, .com4: return 3
            }
        }

        var name: String {
            switch self {
            case .com1: return "com1"
            case .com2: return "com2"
            case .com3: return "com3"
            case .com4: return "com4"
            }
        }
    }

    enum Constants {
        static let fifoSize = 16
        /// Half a bit at divisor 1 on the 1.8432 MHz clock (16 clocks per bit): 1e9 / 230400 ns.
        static let halfBitsPerSecondAtDivisor1: UInt64 = 230_400
        /// Character times of RX silence before the FIFO timeout interrupt.
        static let timeoutCharacters: UInt64 = 4
        /// Host bytes kept waiting for the receiver; more are dropped (and counted).
        static let maxPendingInput = 1 << 16
        /// Marks a break condition in the host input queue.
        static let breakMarker: UInt16 = 0x100
    }

    /// First of the eight ports.
    public let base: IOPort
    /// The ports this UART answers, for the machine to claim.
    public var ports: ClosedRange<UInt16> { base.value...(base.value &+ 7) }
    public let snapshotSection: String
    public let backend: SerialBackend
    private let interrupt: InterruptLine
    private let scheduler: Scheduler
    private var receiveTimer: DeviceTimer!
    private var timeoutTimer: DeviceTimer!

    // MARK: Registers

    /// Interrupt Enable Register.
    var ier = InterruptEnable()
    /// Line Control Register.
    var lcr = LineControl()
    /// Modem Control Register.
    var mcr = ModemControl()
    /// Scratch Register.
    var scr: UInt8 = 0
    /// Divisor Latch, low and high bytes.
    var dll: UInt8 = 0x0C
    var dlm: UInt8 = 0
    /// FCR0: FIFO mode (16550) rather than character mode (16450).
    var fifoEnabled = false
    /// FCR bits kept while the FIFOs are enabled: trigger level (7-6) and DMA mode (3).
    var fifoControl: UInt8 = 0
    /// RX FIFO (at most one byte — the RBR — in character mode), oldest first.
    var receiveFIFO: [UInt8] = []
    /// PE/FE/BI of each `receiveFIFO` entry not yet shown in LSR.
    var receiveErrors: [UInt8] = []
    /// What RBR reads when nothing is waiting: the last character received.
    var receiveBuffer: UInt8 = 0
    /// LSR bits 4-1 latched until LSR is read.
    var lineErrors = LineStatus()
    /// The THRE interrupt condition (set when THR empties or ETBEI is enabled with THR empty).
    var transmitterEmptyPending = false
    /// FIFO mode character timeout indication.
    var characterTimeoutPending = false
    /// Last character received into, or read from, the RX FIFO: the timeout counts from here.
    var lastReceiveActivity = VirtualTime.zero
    /// Modem status inputs from the backend.
    var modemInputs = ModemLines.connected
    /// MSR bits 7-4 as last seen (loopback-mapped or the inputs), for delta detection.
    var modemStatusLines: UInt8 = ModemLines.connected.rawValue
    /// MSR bits 3-0, cleared by reading MSR.
    var modemStatusDeltas: UInt8 = 0
    /// Host input not yet in the receiver; `Constants.breakMarker` marks a break.
    var pendingInput: [UInt16] = []
    var pendingInputHead = 0
    /// Level currently driven on the IRQ line.
    private var irqLevel = false

    /// Host bytes dropped because `receive(_:)` was called faster than the guest read.
    public private(set) var droppedInputCount = 0

    /// A UART at `base`, interrupting through `interrupt` (the machine routes it to the right IRQ).
    public init(base: IOPort, interrupt: InterruptLine, scheduler: Scheduler,
                backend: SerialBackend = NullSerialBackend(), snapshotSection: String? = nil) {
        self.base = base
        self.interrupt = interrupt
        self.scheduler = scheduler
        self.backend = backend
        let standard = StandardPort.allCases.first { $0.base == base }
        self.snapshotSection = snapshotSection
            ?? "uart." + (standard?.name ?? String(base.value, radix: 16))
        receiveTimer = DeviceTimer(name: self.snapshotSection + ".rx", scheduler: scheduler) { [weak self] _ in
            self?.receiveTimerFired()
        }
        timeoutTimer = DeviceTimer(name: self.snapshotSection + ".timeout", scheduler: scheduler) { [weak self] _ in
            self?.timeoutTimerFired()
        }
        backend.attach(self)
    }

    /// A UART at one of the standard COM port addresses.
    public convenience init(_ port: StandardPort, interrupt: InterruptLine, scheduler: Scheduler,
                            backend: SerialBackend = NullSerialBackend()) {
        self.init(base: port.base, interrupt: interrupt, scheduler: scheduler, backend: backend)
    }

    deinit {
        receiveTimer.cancel()
        timeoutTimer.cancel()
    }

    /// Master reset: registers to their datasheet reset values. The divisor latch, SCR and queued
    /// host input are kept (the datasheet leaves the first two untouched by reset).
    public func reset() {
        ier = []
        lcr = []
        mcr = []
        fifoEnabled = false
        fifoControl = 0
        receiveFIFO.removeAll()
        receiveErrors.removeAll()
        lineErrors = []
        transmitterEmptyPending = false
        characterTimeoutPending = false
        modemStatusLines = modemInputs.rawValue
        modemStatusDeltas = 0
        timeoutTimer.cancel()
        receiveTimer.cancel()
        scheduleHostDelivery()
        updateInterrupt()
    }

    // MARK: - Port I/O

    public func readPortByte(_ port: UInt16) -> UInt8 {
        let offset = port &- base.value
        return offset < 8 ? readRegister(offset) : 0xFF
    }

    public func writePortByte(_ port: UInt16, _ value: UInt8) {
        let offset = port &- base.value
        if offset < 8 { writeRegister(offset, value) }
    }

    func readRegister(_ offset: UInt16) -> UInt8 {
        let dlab = lcr.contains(.divisorLatchAccess)
        switch offset {
        case Register.data: return dlab ? dll : readReceiveBuffer()
        case Register.interruptEnable: return dlab ? dlm : ier.rawValue
        case Register.interruptIdentification: return readInterruptIdentification()
        case Register.lineControl: return lcr.rawValue
        case Register.modemControl: return mcr.rawValue
        case Register.lineStatus: return readLineStatus()
        case Register.modemStatus: return readModemStatus()
        default: return scr
        }
    }

    func writeRegister(_ offset: UInt16, _ value: UInt8) {
        let dlab = lcr.contains(.divisorLatchAccess)
        switch offset {
        case Register.data:
            if dlab {
                dll = value
                characterTimeChanged()
            } else {
                writeTransmitHolding(value)
            }
        case Register.interruptEnable:
            if dlab {
                dlm = value
                characterTimeChanged()
            } else {
                writeInterruptEnable(value)
            }
        case Register.interruptIdentification: writeFIFOControl(value)
        case Register.lineControl:
            lcr = LineControl(rawValue: value)
            characterTimeChanged()
        case Register.modemControl: writeModemControl(value)
        case Register.lineStatus, Register.modemStatus:
            break  // LSR and MSR writes are for factory test only (datasheet); ignored.
        default: scr = value
        }
    }

    // MARK: - Receiver

    private var receiverCapacity: Int { fifoEnabled ? Constants.fifoSize : 1 }

    /// Time to shift one character in or out: start + data + parity + stop bits at the baud rate.
    var characterTime: UInt64 {
        let wordBits = UInt64(lcr.wordLength)
        let parityBits: UInt64 = lcr.contains(.parityEnable) ? 1 : 0
        let stopHalfBits: UInt64 = !lcr.contains(.extraStopBit) ? 2 : (wordBits == 5 ? 3 : 4)
        let halfBits = 2 * (1 + wordBits + parityBits) + stopHalfBits
        // A divisor of 0 is not a valid programming; treat it like the 16-bit counter wrapping.
        let raw = UInt64(dll) | UInt64(dlm) << 8
        let divisor = raw == 0 ? 65_536 : raw
        return halfBits * divisor * 1_000_000_000 / Constants.halfBitsPerSecondAtDivisor1
    }

    public func receive(_ bytes: [UInt8]) {
        for byte in bytes { enqueueInput(UInt16(byte)) }
        scheduleHostDelivery()
    }

    public func receiveBreak() {
        enqueueInput(Constants.breakMarker)
        scheduleHostDelivery()
    }

    /// Bytes the backend delivered that have not entered the receiver yet.
    public var pendingInputCount: Int { pendingInput.count - pendingInputHead }

    private func enqueueInput(_ entry: UInt16) {
        guard pendingInputCount < Constants.maxPendingInput else {
            droppedInputCount += 1
            return
        }
        pendingInput.append(entry)
    }

    /// Starts shifting in the next host byte, unless one is already on its way, the queue is
    /// empty, the receiver input is disconnected (loopback) or there is no room for it.
    private func scheduleHostDelivery() {
        guard !receiveTimer.isArmed, pendingInputCount > 0, !mcr.contains(.loopback),
              receiveFIFO.count < receiverCapacity else { return }
        receiveTimer.arm(at: scheduler.now + characterTime)
    }

    private func receiveTimerFired() {
        guard pendingInputCount > 0, !mcr.contains(.loopback), receiveFIFO.count < receiverCapacity else {
            return  // resumes from scheduleHostDelivery when room appears or loopback ends
        }
        let entry = pendingInput[pendingInputHead]
        pendingInputHead += 1
        if pendingInputHead == pendingInput.count {
            pendingInput.removeAll(keepingCapacity: true)
            pendingInputHead = 0
        } else if pendingInputHead >= 4096 {
            pendingInput.removeFirst(pendingInputHead)
            pendingInputHead = 0
        }
        if entry & Constants.breakMarker != 0 {
            // A break loads one all-zero character; its missing stop bit is also a framing error.
            receiveCharacter(0, errors: [.breakInterrupt, .framingError])
        } else {
            receiveCharacter(UInt8(truncatingIfNeeded: entry) & lcr.dataMask, errors: [])
        }
        scheduleHostDelivery()
    }

    /// A character has been fully shifted into the receiver.
    private func receiveCharacter(_ byte: UInt8, errors: LineStatus) {
        if receiveFIFO.count < receiverCapacity {
            receiveFIFO.append(byte)
            receiveErrors.append(errors.rawValue)
            if receiveFIFO.count == 1 { revealTopErrors() }
        } else {
            lineErrors.insert(.overrunError)
            if !fifoEnabled {
                // Character mode: the new character overwrites RBR. In FIFO mode it is lost.
                receiveFIFO[0] = byte
                receiveErrors[0] = errors.rawValue
                revealTopErrors()
            }
        }
        noteReceiveActivity()
        updateInterrupt()
    }

    /// PE/FE/BI of the character now at the top of the FIFO appear in LSR.
    private func revealTopErrors() {
        guard !receiveErrors.isEmpty, receiveErrors[0] != 0 else { return }
        lineErrors.formUnion(LineStatus(rawValue: receiveErrors[0]))
        receiveErrors[0] = 0
    }

    private func readReceiveBuffer() -> UInt8 {
        guard !receiveFIFO.isEmpty else { return receiveBuffer }
        let byte = receiveFIFO.removeFirst()
        receiveErrors.removeFirst()
        receiveBuffer = byte
        revealTopErrors()
        noteReceiveActivity()
        scheduleHostDelivery()
        updateInterrupt()
        return byte
    }

    /// A character entered or left the RX FIFO: the character timeout restarts.
    private func noteReceiveActivity() {
        lastReceiveActivity = scheduler.now
        characterTimeoutPending = false
        armTimeout()
    }

    private func armTimeout() {
        if fifoEnabled && !receiveFIFO.isEmpty && !characterTimeoutPending {
            timeoutTimer.arm(at: lastReceiveActivity + Constants.timeoutCharacters * characterTime)
        } else {
            timeoutTimer.cancel()
        }
    }

    private func timeoutTimerFired() {
        guard fifoEnabled, !receiveFIFO.isEmpty else { return }
        characterTimeoutPending = true
        updateInterrupt()
    }

    /// The baud rate or frame format changed: the character timeout and the character being
    /// received are re-timed from now.
    private func characterTimeChanged() {
        armTimeout()
        if receiveTimer.isArmed {
            receiveTimer.cancel()
            scheduleHostDelivery()
        }
    }

    private func clearReceiveFIFO() {
        receiveFIFO.removeAll()
        receiveErrors.removeAll()
        characterTimeoutPending = false
        timeoutTimer.cancel()
    }

    // MARK: - Transmitter

    private func writeTransmitHolding(_ value: UInt8) {
        let byte = value & lcr.dataMask
        transmitterEmptyPending = false
        updateInterrupt()
        if mcr.contains(.loopback) {
            // Loopback: the transmitter shift register feeds the receiver; SOUT stays marking.
            receiveCharacter(byte, errors: [])
        } else if !lcr.contains(.setBreak) {
            // While LCR forces a break the line is held spacing and the character is lost.
            backend.transmit(byte)
        }
        // DEVIATION: transmission is instantaneous (see the type's documentation), so THR is
        // empty again and the THRE interrupt re-asserts — a fresh IRQ edge, as a real UART gives.
        transmitterEmptyPending = true
        updateInterrupt()
    }

    private func writeInterruptEnable(_ value: UInt8) {
        let old = ier
        ier = InterruptEnable(rawValue: value & InterruptEnable.writable)
        // Enabling ETBEI while THR is empty raises the THRE interrupt at once (Linux's
        // serial8250_do_startup relies on this to tell a working 16550 from a buggy one).
        if ier.contains(.transmitterEmpty) && !old.contains(.transmitterEmpty) {
            transmitterEmptyPending = true
        }
        updateInterrupt()
    }

    private func writeFIFOControl(_ value: UInt8) {
        let fcr = FIFOControl(rawValue: value)
        let enable = fcr.contains(.enable)
        if enable != fifoEnabled {
            // Switching between 16450 and FIFO mode empties the FIFOs (datasheet, FCR0).
            fifoEnabled = enable
            clearReceiveFIFO()
        }
        // The other FCR bits are programmed only while FCR0 is written as 1.
        if enable {
            if fcr.contains(.clearReceiver) { clearReceiveFIFO() }
            // FCR2 empties the TX FIFO, which instantaneous transmission keeps empty anyway.
            fifoControl = value & (FIFOControl.triggerMask | FIFOControl.dmaMode.rawValue)
        } else {
            fifoControl = 0
        }
        armTimeout()
        scheduleHostDelivery()
        updateInterrupt()
    }

    private var triggerLevel: Int { fifoEnabled ? FIFOControl.triggerLevel(fifoControl) : 1 }

    // MARK: - Modem control and status

    private func writeModemControl(_ value: UInt8) {
        let wasLoopback = mcr.contains(.loopback)
        mcr = ModemControl(rawValue: value & ModemControl.writable)
        if wasLoopback && !mcr.contains(.loopback) { scheduleHostDelivery() }
        updateModemStatusLines()
        updateInterrupt()
    }

    public func setModemLines(_ lines: ModemLines) {
        modemInputs = lines
        updateModemStatusLines()
        updateInterrupt()
    }

    /// Recomputes MSR bits 7-4 and accumulates the delta bits for what changed.
    private func updateModemStatusLines() {
        let new: UInt8
        if mcr.contains(.loopback) {
            // Loopback connects RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD internally.
            var lines: UInt8 = 0
            if mcr.contains(.requestToSend) { lines |= ModemStatus.clearToSend.rawValue }
            if mcr.contains(.dataTerminalReady) { lines |= ModemStatus.dataSetReady.rawValue }
            if mcr.contains(.out1) { lines |= ModemStatus.ringIndicator.rawValue }
            if mcr.contains(.out2) { lines |= ModemStatus.dataCarrierDetect.rawValue }
            new = lines
        } else {
            new = modemInputs.rawValue
        }
        let old = modemStatusLines
        let changed = old ^ new
        var deltas = ModemStatus(rawValue: modemStatusDeltas)
        if changed & ModemStatus.clearToSend.rawValue != 0 { deltas.insert(.deltaClearToSend) }
        if changed & ModemStatus.dataSetReady.rawValue != 0 { deltas.insert(.deltaDataSetReady) }
        if old & ModemStatus.ringIndicator.rawValue != 0 && new & ModemStatus.ringIndicator.rawValue == 0 {
            deltas.insert(.trailingEdgeRingIndicator)
        }
        if changed & ModemStatus.dataCarrierDetect.rawValue != 0 { deltas.insert(.deltaDataCarrierDetect) }
        modemStatusDeltas = deltas.rawValue
        modemStatusLines = new
    }

    private func readModemStatus() -> UInt8 {
        let value = modemStatusLines | modemStatusDeltas
        modemStatusDeltas = 0
        updateInterrupt()
        return value
    }

    // MARK: - Status and interrupts

    private func readLineStatus() -> UInt8 {
        var status = lineErrors
        if !receiveFIFO.isEmpty { status.insert(.dataReady) }
        // Instantaneous transmission: THR and the shift register are always empty.
        status.formUnion([.transmitterHoldingEmpty, .transmitterEmpty])
        if fifoEnabled && (!lineErrors.intersection(LineStatus.characterErrors).isEmpty
                           || receiveErrors.contains(where: { $0 != 0 })) {
            status.insert(.fifoError)
        }
        lineErrors = []
        updateInterrupt()
        return status.rawValue
    }

    /// The highest-priority pending interrupt among the enabled ones (datasheet IIR table).
    var pendingInterrupt: InterruptID {
        if ier.contains(.lineStatus) && !lineErrors.isEmpty { return .lineStatus }
        if ier.contains(.receivedData) {
            if receiveFIFO.count >= triggerLevel { return .receivedData }
            if characterTimeoutPending && !receiveFIFO.isEmpty { return .characterTimeout }
        }
        if ier.contains(.transmitterEmpty) && transmitterEmptyPending { return .transmitterEmpty }
        if ier.contains(.modemStatus) && modemStatusDeltas != 0 { return .modemStatus }
        return .none
    }

    private func readInterruptIdentification() -> UInt8 {
        let id = pendingInterrupt
        if id == .transmitterEmpty {
            // Reading IIR while it reports THRE clears that interrupt.
            transmitterEmptyPending = false
            updateInterrupt()
        }
        return id.rawValue | (fifoEnabled ? InterruptID.fifosEnabled : 0)
    }

    /// Drives the IRQ line: the UART's INTR output, passed to the bus only while OUT2 is set.
    private func updateInterrupt() {
        let level = pendingInterrupt != .none && mcr.contains(.out2)
        if level != irqLevel {
            irqLevel = level
            interrupt.setLevel(level)
        }
    }

    /// Re-derives timers and the IRQ level after a restore.
    func resynchronize(receiveDeadline: VirtualTime?) {
        receiveTimer.cancel()
        if let receiveDeadline { receiveTimer.arm(at: receiveDeadline) } else { scheduleHostDelivery() }
        armTimeout()
        updateInterrupt()
    }

    var receiveDeadline: VirtualTime? { receiveTimer.deadline }
}
