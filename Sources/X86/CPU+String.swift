// String instructions (MOVS CMPS STOS LODS SCAS INS OUTS) with REP/REPE/REPNE.

extension CPU {
    /// Iterations a REP string instruction runs before yielding so interrupts can be taken;
    /// the instruction then restarts with the remaining count.
    static let repBatch = 16_384

    @inline(__always) func advanceIndex(_ r: Int, _ delta: UInt32) {
        if a32 { regs[r] = regs[r] &+ delta } else { setReg16(r, UInt16(truncatingIfNeeded: regs[r] &+ delta)) }
    }
    @inline(__always) func index(_ r: Int) -> UInt32 { a32 ? regs[r] : regs[r] & 0xFFFF }

    @inline(__always) func readSized(_ seg: Int, _ off: UInt32, _ size: Int) throws(CPUFault) -> UInt32 {
        switch size {
        case 0: return UInt32(try read8(seg, off))
        case 1: return UInt32(try read16(seg, off))
        default: return try read32(seg, off)
        }
    }
    @inline(__always) func writeSized(_ seg: Int, _ off: UInt32, _ size: Int, _ v: UInt32) throws(CPUFault) {
        switch size {
        case 0: try write8(seg, off, UInt8(truncatingIfNeeded: v))
        case 1: try write16(seg, off, UInt16(truncatingIfNeeded: v))
        default: try write32(seg, off, v)
        }
    }

    func stringOp(_ op: UInt8) throws(CPUFault) {
        let size = op & 1 == 0 ? 0 : sizeV
        let n: UInt32 = size == 0 ? 1 : (size == 1 ? 2 : 4)
        let delta = df ? 0 &- n : n
        let src = dataSeg
        if repPrefix == 0 {
            _ = try stringStep(op, size, delta, src)
            return
        }
        var iterations = 0
        // With TF set every iteration is single-stepped: the trap is taken with EIP still at
        // the REP instruction until the count runs out (SDM Vol. 3 §17.3.1.4).
        let batch = flagsReg & Flags.tf != 0 ? 1 : CPU.repBatch
        while true {
            let count = a32 ? regs[1] : regs[1] & 0xFFFF
            if count == 0 { return }
            if iterations >= batch {
                eip = startEIP
                return
            }
            let z = try stringStep(op, size, delta, src)
            if a32 { regs[1] = count &- 1 } else { setReg16(1, UInt16(truncatingIfNeeded: count &- 1)) }
            iterations += 1
            if op == 0xA6 || op == 0xA7 || op == 0xAE || op == 0xAF {
                if repPrefix == 0xF3 && !z { return }
                if repPrefix == 0xF2 && z { return }
            }
        }
    }

    /// One iteration; returns ZF for the comparing forms.
    @inline(__always) func stringStep(_ op: UInt8, _ size: Int, _ delta: UInt32, _ src: Int) throws(CPUFault) -> Bool {
        switch op {
        case 0xA4, 0xA5:
            let v = try readSized(src, index(6), size)
            try writeSized(0, index(7), size, v)
            advanceIndex(6, delta)
            advanceIndex(7, delta)
            return false
        case 0xA6, 0xA7:
            let a = try readSized(src, index(6), size)
            let b = try readSized(0, index(7), size)
            let r = (a &- b) & CPU.sizeMask(size)
            flagsSub(a, b, r, size)
            advanceIndex(6, delta)
            advanceIndex(7, delta)
            return r == 0
        case 0xAA, 0xAB:
            try writeSized(0, index(7), size, regs[0])
            advanceIndex(7, delta)
            return false
        case 0xAC, 0xAD:
            let v = try readSized(src, index(6), size)
            switch size {
            case 0: setReg8(0, UInt8(truncatingIfNeeded: v))
            case 1: setReg16(0, UInt16(truncatingIfNeeded: v))
            default: regs[0] = v
            }
            advanceIndex(6, delta)
            return false
        default:  // AE, AF: SCAS
            let a = regs[0] & CPU.sizeMask(size)
            let b = try readSized(0, index(7), size)
            let r = (a &- b) & CPU.sizeMask(size)
            flagsSub(a, b, r, size)
            advanceIndex(7, delta)
            return r == 0
        }
    }

    /// INS/OUTS (6C-6F).
    func stringIO(_ op: UInt8) throws(CPUFault) {
        let size = op & 1 == 0 ? 0 : sizeV
        let n: UInt32 = size == 0 ? 1 : (size == 1 ? 2 : 4)
        let delta = df ? 0 &- n : n
        let port = reg16(2)
        try checkIOPermission(port, Int(n))
        let src = dataSeg
        var iterations = 0
        let batch = flagsReg & Flags.tf != 0 ? 1 : CPU.repBatch
        while true {
            if repPrefix != 0 {
                let count = a32 ? regs[1] : regs[1] & 0xFFFF
                if count == 0 { return }
                if iterations >= batch { eip = startEIP; return }
            }
            if op <= 0x6D {
                // INS: the destination is checked before the port is read.
                _ = try linearForWrite(0, index(7), n - 1)
                let v = ioRead(port, Int(n))
                try writeSized(0, index(7), size, v)
                advanceIndex(7, delta)
            } else {
                let v = try readSized(src, index(6), size)
                ioWrite(port, Int(n), v)
                advanceIndex(6, delta)
            }
            if repPrefix == 0 { return }
            let count = a32 ? regs[1] : regs[1] & 0xFFFF
            if a32 { regs[1] = count &- 1 } else { setReg16(1, UInt16(truncatingIfNeeded: count &- 1)) }
            iterations += 1
        }
    }
}
