// Saved state of the local APIC: IA32_APIC_BASE, registers, the timer as it stands, the pins.

import EmulatorCore

extension LocalAPIC: Snapshottable {
    /// Version 1 layout. The timer is saved as it stands at the save time (current count and the
    /// position inside the divided clock); restore continues it from the restoring scheduler's
    /// `now`, so nothing absolute about time is stored.
    public struct SavedState: Codable, Equatable, Sendable {
        /// IA32_APIC_BASE as RDMSR reads it (base, global enable, BSP).
        public var apicBase: UInt64
        public var id: UInt32
        public var tpr: UInt32
        public var ldr: UInt32
        public var dfr: UInt32
        public var svr: UInt32
        /// ISR, TMR and IRR as their eight register words each (vectors 0–31 first).
        public var isr: [UInt32]
        public var tmr: [UInt32]
        public var irr: [UInt32]
        /// ESR as software reads it, and the errors collected since the last ESR write.
        public var esr: UInt32
        public var pendingErrors: UInt32
        public var icrLow: UInt32
        public var icrHigh: UInt32
        /// LVT timer, performance counter, LINT0, LINT1, error.
        public var lvt: [UInt32]
        public var divideConfiguration: UInt32
        public var timerInitialCount: UInt32
        /// The count now (0 = stopped); at most the initial count.
        public var timerCurrentCount: UInt32
        /// Bus clocks already spent inside the current divided clock (below the divider).
        public var timerDividerPhase: UInt64
        /// Input levels of LINT0 and LINT1.
        public var lintLevels: [Bool]
        /// An ExtINT message waits for its INTA cycle.
        public var extINTLatched: Bool
    }

    public var snapshotSection: String { "lapic.\(configuration.apicID)" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        let tick = currentBusTick
        let count = timerCurrentCount(atTick: tick)
        // Reloads and decrements happen on divided-clock edges counted from `timerBaseTick`, so
        // the position inside the current divided clock is all the phase there is.
        let phase = count == 0 ? 0 : (tick &- timerBaseTick) % divider
        return SavedState(
            apicBase: apicBaseValue, id: id, tpr: tpr, ldr: ldr, dfr: dfr, svr: svr,
            isr: isr.words, tmr: tmr.words, irr: irr.words, esr: esr, pendingErrors: pendingErrors,
            icrLow: icrLow, icrHigh: icrHigh, lvt: lvt, divideConfiguration: dcr,
            timerInitialCount: timerInitialCount, timerCurrentCount: count, timerDividerPhase: phase,
            lintLevels: lintLevels, extINTLatched: extINTLatched)
    }

    public func restoreState(_ s: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: reason)
        }
        func hex<T: BinaryInteger>(_ v: T) -> String { "0x" + String(v, radix: 16) }

        let reservedBase: UInt64 = ~(BaseMSR.baseMask | BaseMSR.globalEnable | BaseMSR.bootstrapProcessor)
        guard s.apicBase & reservedBase == 0 else {
            throw fail("IA32_APIC_BASE \(hex(s.apicBase)) has reserved bits set")
        }
        guard (s.apicBase & BaseMSR.bootstrapProcessor != 0) == configuration.isBootstrapProcessor else {
            throw fail("IA32_APIC_BASE BSP flag disagrees with this processor's role")
        }
        guard s.id & ~0x0F00_0000 == 0 else { throw fail("APIC ID register \(hex(s.id)) has reserved bits set") }
        guard s.tpr <= 0xFF else { throw fail("TPR \(hex(s.tpr)) exceeds 8 bits") }
        guard s.ldr & 0x00FF_FFFF == 0 else { throw fail("LDR \(hex(s.ldr)) has reserved bits set") }
        guard s.dfr & 0x0FFF_FFFF == 0x0FFF_FFFF else { throw fail("DFR \(hex(s.dfr)): bits 27:0 must read as ones") }
        guard s.svr & ~(SVR.writable | SVR.vectorHardwired) == 0,
              s.svr & SVR.vectorHardwired == SVR.vectorHardwired else {
            throw fail("SVR \(hex(s.svr)) is not a P6 value (reserved bits, or vector bits 3:0 not all ones)")
        }
        for (name, words) in [("ISR", s.isr), ("TMR", s.tmr), ("IRR", s.irr)] {
            guard words.count == 8 else { throw fail("\(name) has \(words.count) words instead of 8") }
        }
        guard s.isr[0] & 0xFFFF == 0, s.irr[0] & 0xFFFF == 0 else {
            throw fail("vectors 0–15 are requested or in service, which an APIC never accepts")
        }
        guard s.esr & ~ErrorBit.all == 0, s.pendingErrors & ~ErrorBit.all == 0 else {
            throw fail("ESR bits \(hex(s.esr | s.pendingErrors)) include reserved ones")
        }
        guard s.icrLow & ~ICR.writableLow == 0, s.icrHigh & ~ICR.writableHigh == 0 else {
            throw fail("ICR \(hex(s.icrHigh)):\(hex(s.icrLow)) has reserved or read-only bits set")
        }
        guard s.lvt.count == LVT.allCases.count else { throw fail("\(s.lvt.count) LVT entries instead of 5") }
        let softwareEnabled = s.svr & SVR.softwareEnable != 0
        for entry in LVT.allCases {
            let v = s.lvt[entry.rawValue]
            var allowed = entry.writable
            if entry == .lint0 || entry == .lint1 { allowed |= LVTBits.remoteIRR }
            guard v & ~allowed == 0 else { throw fail("LVT \(entry) \(hex(v)) has reserved or read-only bits set") }
            guard v & LVTBits.remoteIRR == 0 || v & LVTBits.levelTriggered != 0 else {
                throw fail("LVT \(entry) has Remote IRR set on an edge-triggered input")
            }
            guard softwareEnabled || v & LVTBits.masked != 0 else {
                throw fail("LVT \(entry) is unmasked while the APIC is software disabled")
            }
        }
        guard s.divideConfiguration & ~0x0B == 0 else {
            throw fail("DCR \(hex(s.divideConfiguration)) has reserved bits set")
        }
        guard s.timerDividerPhase < Self.divider(forDCR: s.divideConfiguration) else {
            throw fail("timer phase \(s.timerDividerPhase) is not below the divider")
        }
        guard s.timerCurrentCount <= s.timerInitialCount else {
            throw fail("timer current count \(s.timerCurrentCount) exceeds the initial count \(s.timerInitialCount)")
        }
        guard s.lintLevels.count == 2 else { throw fail("\(s.lintLevels.count) LINT levels instead of 2") }

        let wasEnabled = globallyEnabled
        baseAddress = UInt32(truncatingIfNeeded: s.apicBase & BaseMSR.baseMask)
        globallyEnabled = s.apicBase & BaseMSR.globalEnable != 0
        id = s.id
        tpr = s.tpr
        ldr = s.ldr
        dfr = s.dfr
        svr = s.svr
        isr = APICVectorSet(words: s.isr)
        tmr = APICVectorSet(words: s.tmr)
        irr = APICVectorSet(words: s.irr)
        esr = s.esr
        pendingErrors = s.pendingErrors
        icrLow = s.icrLow
        icrHigh = s.icrHigh
        lvt = s.lvt
        dcr = s.divideConfiguration
        timerInitialCount = s.timerInitialCount
        timerCount = s.timerCurrentCount
        // Wrapping: near power-on the base tick may lie "before" tick 0; only differences count.
        timerBaseTick = currentBusTick &- s.timerDividerPhase
        lintLevels = s.lintLevels
        extINTLatched = s.extINTLatched
        armTimer()
        updateMapping()
        if wasEnabled != globallyEnabled { globalEnableChanged?(globallyEnabled) }
        setINTRUnconditionally()
    }
}
