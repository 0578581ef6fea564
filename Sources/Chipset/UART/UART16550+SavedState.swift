// Saved state of the 16550A UART.

import EmulatorCore

extension UART16550: Snapshottable {
    /// Everything guest-visible in a 16550A, plus host input still on its way in.
    public struct SavedState: Codable, Equatable, Sendable {
        /// IER, LCR, MCR, SCR, DLL, DLM as the guest reads them.
        public var ier: UInt8
        public var lcr: UInt8
        public var mcr: UInt8
        public var scr: UInt8
        public var dll: UInt8
        public var dlm: UInt8
        /// FCR0.
        public var fifoEnabled: Bool
        /// FCR trigger level (bits 7-6) and DMA mode (bit 3); 0 while the FIFOs are off.
        public var fifoControl: UInt8
        /// RX FIFO (RBR in character mode), oldest first.
        public var receiveFIFO: [UInt8]
        /// PE/FE/BI per `receiveFIFO` entry not yet shown in LSR (same count).
        public var receiveErrors: [UInt8]
        /// Last character read; what RBR returns when empty.
        public var receiveBuffer: UInt8
        /// LSR error bits (OE, PE, FE, BI) latched until LSR is read.
        public var lineErrors: UInt8
        public var transmitterEmptyPending: Bool
        public var characterTimeoutPending: Bool
        /// Virtual time (ns) of the last RX FIFO activity, from which the timeout counts.
        public var lastReceiveActivity: UInt64
        /// Modem status inputs from the backend (bits 7-4).
        public var modemInputs: UInt8
        /// MSR bits 7-4 as last seen, and the delta bits 3-0.
        public var modemStatusLines: UInt8
        public var modemStatusDeltas: UInt8
        /// Host input not yet received (0x100 marks a break).
        public var pendingInput: [UInt16]
        /// When the character being shifted in from the host completes (ns), if one is.
        public var receiveDeadline: UInt64?
    }

    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(
            ier: ier.rawValue, lcr: lcr.rawValue, mcr: mcr.rawValue, scr: scr, dll: dll, dlm: dlm,
            fifoEnabled: fifoEnabled, fifoControl: fifoControl,
            receiveFIFO: receiveFIFO, receiveErrors: receiveErrors, receiveBuffer: receiveBuffer,
            lineErrors: lineErrors.rawValue,
            transmitterEmptyPending: transmitterEmptyPending,
            characterTimeoutPending: characterTimeoutPending,
            lastReceiveActivity: lastReceiveActivity.nanoseconds,
            modemInputs: modemInputs.rawValue,
            modemStatusLines: modemStatusLines, modemStatusDeltas: modemStatusDeltas,
            pendingInput: Array(pendingInput[pendingInputHead...]),
            receiveDeadline: receiveDeadline?.nanoseconds)
    }

    public func restoreState(_ s: SavedState) throws {
        func check(_ condition: Bool, _ reason: String) throws {
            if !condition { throw SnapshotStateError(section: snapshotSection, reason: reason) }
        }
        try check(s.ier & ~InterruptEnable.writable == 0, "IER bits 7-4 set (0x\(String(s.ier, radix: 16)))")
        try check(s.mcr & ~ModemControl.writable == 0, "MCR bits 7-5 set (0x\(String(s.mcr, radix: 16)))")
        let fcrBits = FIFOControl.triggerMask | FIFOControl.dmaMode.rawValue
        try check(s.fifoControl & ~fcrBits == 0 && (s.fifoEnabled || s.fifoControl == 0),
                  "impossible FCR bits 0x\(String(s.fifoControl, radix: 16))")
        let capacity = s.fifoEnabled ? Constants.fifoSize : 1
        try check(s.receiveFIFO.count <= capacity,
                  "\(s.receiveFIFO.count) bytes in a receiver that holds \(capacity)")
        try check(s.receiveErrors.count == s.receiveFIFO.count, "RX error flags do not match the RX FIFO")
        let characterErrors = LineStatus.characterErrors.rawValue
        try check(s.receiveErrors.allSatisfy { $0 & ~characterErrors == 0 }, "impossible RX error flags")
        try check(s.lineErrors & ~LineStatus.errors.rawValue == 0, "impossible latched LSR bits")
        try check(!s.characterTimeoutPending || (s.fifoEnabled && !s.receiveFIFO.isEmpty),
                  "character timeout pending without data in the RX FIFO")
        try check(s.modemInputs & ModemStatus.deltas == 0 && s.modemStatusLines & ModemStatus.deltas == 0
                  && s.modemStatusDeltas & ModemStatus.lines == 0, "impossible MSR bits")
        try check(s.pendingInput.count <= Constants.maxPendingInput, "too much pending host input")
        try check(s.pendingInput.allSatisfy { $0 <= Constants.breakMarker }, "impossible pending input entry")
        try check(s.receiveDeadline == nil || !s.pendingInput.isEmpty, "receive in progress with no input")

        ier = InterruptEnable(rawValue: s.ier)
        lcr = LineControl(rawValue: s.lcr)
        mcr = ModemControl(rawValue: s.mcr)
        scr = s.scr
        dll = s.dll
        dlm = s.dlm
        fifoEnabled = s.fifoEnabled
        fifoControl = s.fifoControl
        receiveFIFO = s.receiveFIFO
        receiveErrors = s.receiveErrors
        receiveBuffer = s.receiveBuffer
        lineErrors = LineStatus(rawValue: s.lineErrors)
        transmitterEmptyPending = s.transmitterEmptyPending
        characterTimeoutPending = s.characterTimeoutPending
        lastReceiveActivity = VirtualTime(nanoseconds: s.lastReceiveActivity)
        modemInputs = ModemLines(rawValue: s.modemInputs)
        modemStatusLines = s.modemStatusLines
        modemStatusDeltas = s.modemStatusDeltas
        pendingInput = s.pendingInput
        pendingInputHead = 0
        resynchronize(receiveDeadline: s.receiveDeadline.map { VirtualTime(nanoseconds: $0) })
    }
}
