// Debug-register breakpoints on data and I/O accesses (SDM Vol. 3 §17.2). Instruction
// breakpoints and single-step live in the run loop (CPU+Run.swift).

extension CPU {
    /// Recomputes the cached breakpoint state after DR0–DR7 change.
    func debugRegistersChanged(old: [UInt32]) {
        let d7 = dr[7]
        breakpointsArmed = d7 & 0xFF != 0
        var data = false
        for i in 0..<4 where d7 & (3 << (UInt32(i) * 2)) != 0 {
            let rw = (d7 >> (16 + UInt32(i) * 4)) & 3
            if rw == 1 || rw == 3 { data = true }
        }
        let changed = data != dataBreakpointsArmed || (data && (old[0] != dr[0] || old[1] != dr[1] || old[2] != dr[2]
            || old[3] != dr[3] || old[7] != dr[7]))
        dataBreakpointsArmed = data
        // Cached translations would let accesses bypass the checks in the slow path.
        if changed { flushTLB(includingGlobal: true) }
    }

    /// Length in bytes of breakpoint `i` from DR7.LENi (00 = 1, 01 = 2, 11 = 4; 10 is undefined
    /// on this CPU and treated as 8).
    private func breakpointLength(_ i: Int) -> UInt32 {
        switch (dr[7] >> (18 + UInt32(i) * 4)) & 3 {
        case 0: return 1
        case 1: return 2
        case 3: return 4
        default: return 8
        }
    }

    /// Whether the page of `linear` holds an armed data breakpoint (it must not be TLB-cached).
    func pageHasDataBreakpoint(_ linear: UInt32) -> Bool {
        let d7 = dr[7]
        for i in 0..<4 where d7 & (3 << (UInt32(i) * 2)) != 0 {
            let rw = (d7 >> (16 + UInt32(i) * 4)) & 3
            guard rw == 1 || rw == 3 else { continue }
            let start = dr[i] & ~(breakpointLength(i) - 1)
            let end = start &+ breakpointLength(i) &- 1
            if start >> 12 == linear >> 12 || end >> 12 == linear >> 12 { return true }
        }
        return false
    }

    /// Records data-breakpoint matches for an access of `size` bytes at `linear`.
    func checkDataBreakpoints(_ linear: UInt32, _ size: UInt32, write: Bool) {
        let d7 = dr[7]
        for i in 0..<4 where d7 & (3 << (UInt32(i) * 2)) != 0 {
            let rw = (d7 >> (16 + UInt32(i) * 4)) & 3
            guard rw == 3 || (rw == 1 && write) else { continue }
            let len = breakpointLength(i)
            let start = dr[i] & ~(len - 1)
            if linear <= start &+ len &- 1 && start <= linear &+ size &- 1 {
                pendingDR6 |= 1 << UInt32(i)
                dataBreakpointHit = true
            }
        }
    }

    /// Records I/O-breakpoint matches (R/W = 10, only with CR4.DE).
    func checkIOBreakpoints(_ port: UInt16, _ size: Int) {
        guard cr4 & CR4.de != 0 else { return }
        let d7 = dr[7]
        for i in 0..<4 where d7 & (3 << (UInt32(i) * 2)) != 0 {
            guard (d7 >> (16 + UInt32(i) * 4)) & 3 == 2 else { continue }
            let len = breakpointLength(i)
            let start = dr[i] & 0xFFFF & ~(len - 1)
            if UInt32(port) <= start &+ len &- 1 && start <= UInt32(port) &+ UInt32(size) &- 1 {
                pendingDR6 |= 1 << UInt32(i)
                dataBreakpointHit = true
            }
        }
    }
}
