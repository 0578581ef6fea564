// The run loop: interrupts at instruction boundaries, single-step traps, fault delivery.

extension CPU {
    /// Executes up to `budget` instructions. Returns early on HLT (with nothing to wake it),
    /// shutdown, or `requestStop()`.
    public func run(budget: Int) -> CPUStopReason {
        var remaining = budget
        while remaining > 0 {
            if events != 0 || (intrLine && flagsReg & Flags.if != 0) {
                events &= ~Event.slowAccess
                if inShutdown { return .shutdown }
                if stopRequested {
                    stopRequested = false
                    return .stopRequested
                }
                if interruptShadow {
                    interruptShadow = false
                } else if nmiPending || (intrLine && flagsReg & Flags.if != 0) {
                    serviceExternalInterrupt()
                    if inShutdown { return .shutdown }
                }
                if halted { return .halted }
            }
            let debugging = flagsReg & (Flags.tf | Flags.rf) != 0 || breakpointsArmed
            if decodedBlocksEnabled && !debugging {
                let n = runBlock(budget: remaining)
                if n >= 0 {
                    remaining -= max(n, 1)
                    continue
                }
            }
            startEIP = eip
            do {
                if debugging {
                    try stepWithDebug()
                } else {
                    try executeInstruction()
                    instructionsRetired &+= 1
                }
            } catch {
                eip = startEIP
                deliverException(error)
            }
            remaining -= 1
        }
        return .budgetExhausted
    }

    /// Executes exactly one instruction (or delivers one pending interrupt) — for tests and debuggers.
    @discardableResult
    public func step() -> CPUStopReason { run(budget: 1) }

    private func serviceExternalInterrupt() {
        halted = false
        startEIP = eip
        if nmiPending {
            nmiPending = false
            do { try interrupt(2, source: .external, errorCode: nil) } catch { deliverException(error) }
            return
        }
        guard let ic = interruptController else { return }
        let vector = ic.acknowledgeInterrupt()
        do { try interrupt(vector, source: .external, errorCode: nil) } catch { deliverException(error) }
    }

    /// One instruction with instruction breakpoints (DR0–DR3, R/W = 00) checked before it and the
    /// single-step trap (TF sampled at the start) taken after it.
    private func stepWithDebug() throws(CPUFault) {
        let d7 = dr[7]
        if d7 & 0xFF != 0 && flagsReg & Flags.rf == 0 {
            let lin = segs[1].base &+ eip
            var hit: UInt32 = 0
            for i in 0..<4 where d7 & (3 << (UInt32(i) * 2)) != 0 {
                let rw = (d7 >> (16 + UInt32(i) * 4)) & 3
                if rw == 0 && dr[i] == lin { hit |= 1 << UInt32(i) }
            }
            if hit != 0 {
                pendingDR6 = hit
                throw CPUFault.db
            }
        }
        let tfAtStart = flagsReg & Flags.tf != 0
        suppressSingleStep = false
        // RF suppresses instruction breakpoints for one instruction only; an IRET inside this
        // instruction may set it again for the next one.
        flagsReg &= ~Flags.rf
        dataBreakpointHit = false
        try executeInstruction()
        instructionsRetired &+= 1
        if dataBreakpointHit {
            // Data and I/O breakpoints are traps: reported after the instruction completes,
            // together with a single-step trap when both apply.
            dataBreakpointHit = false
            if tfAtStart && !suppressSingleStep { pendingDR6 |= 0x4000 }
            startEIP = eip
            throw CPUFault.db
        }
        if tfAtStart && !suppressSingleStep {
            pendingDR6 = 0x4000
            startEIP = eip
            throw CPUFault.db
        }
    }
}
