// EFLAGS with lazily computed arithmetic flags.

/// EFLAGS bit masks.
public enum Flags {
    public static let cf: UInt32 = 1 << 0
    public static let pf: UInt32 = 1 << 2
    public static let af: UInt32 = 1 << 4
    public static let zf: UInt32 = 1 << 6
    public static let sf: UInt32 = 1 << 7
    public static let tf: UInt32 = 1 << 8
    public static let `if`: UInt32 = 1 << 9
    public static let df: UInt32 = 1 << 10
    public static let of: UInt32 = 1 << 11
    public static let iopl: UInt32 = 3 << 12
    public static let nt: UInt32 = 1 << 14
    public static let rf: UInt32 = 1 << 16
    public static let vm: UInt32 = 1 << 17
    public static let ac: UInt32 = 1 << 18
    public static let vif: UInt32 = 1 << 19
    public static let vip: UInt32 = 1 << 20
    public static let id: UInt32 = 1 << 21
    /// The six arithmetic status flags.
    public static let arith: UInt32 = cf | pf | af | zf | sf | of
    /// Bits software can change on a P6 (bit 1 always reads 1).
    public static let writable: UInt32 = arith | tf | `if` | df | iopl | nt | rf | vm | ac | vif | vip | id
}

let parityTable: [Bool] = (0..<256).map { v in v.nonzeroBitCount % 2 == 0 }

extension CPU {
    /// EFLAGS with every lazy bit materialized.
    public var eflags: UInt32 {
        get {
            var f = flagsReg
            if lazyMask != 0 {
                f &= ~lazyMask
                f |= computeLazy() & lazyMask
            }
            return f | 2
        }
        set {
            flagsReg = (newValue & Flags.writable) | 2
            lazyMask = 0
            refreshAlignmentCheck()
        }
    }

    /// Sets EFLAGS as an instruction would, touching only `mask` bits (keeps the others).
    func writeFlags(_ value: UInt32, mask: UInt32) {
        let f = eflags
        flagsReg = ((f & ~mask) | (value & mask)) | 2
        lazyMask = 0
        if mask & Flags.ac != 0 { refreshAlignmentCheck() }
    }

    // The lazy arithmetic flags. `lzRes` is the result and `lzAux` the carry (ADD) or borrow
    // (SUB) out of every bit, both shifted left so the operand's sign bit is bit 31: ZF is
    // `lzRes == 0`, SF bit 31 of `lzRes`, CF bit 31 of `lzAux` (the carry out of the sign bit),
    // OF that carry XOR the carry into the sign bit (bit 30), AF the carry out of operand bit 3;
    // `lzTop` (the operand's sign-bit index) is needed only for PF and AF.
    // PERF: the common flags cost no size-dependent shift, and CF after ADD/SUB (read by every
    // INC/DEC, ADC/SBB, JB/JA) is a shift (scripts/callgrind-cpu.sh).

    /// How far `lzRes`/`lzAux` are shifted left for operand size `size` (0 = 8, 1 = 16, 2 = 32).
    @inline(__always) static func lazyShift(_ size: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: 32 &- (8 &<< size))
    }

    func computeLazy() -> UInt32 {
        var f: UInt32 = 0
        let r = lzRes, x = lzAux
        if x & 0x8000_0000 != 0 { f |= Flags.cf }
        if (x ^ (x &<< 1)) & 0x8000_0000 != 0 { f |= Flags.of }
        if (x &>> (34 &- lzTop)) & 1 != 0 { f |= Flags.af }
        if r == 0 { f |= Flags.zf }
        if r & 0x8000_0000 != 0 { f |= Flags.sf }
        if parityTable[Int((r &>> (31 &- lzTop)) & 0xFF)] { f |= Flags.pf }
        return f
    }

    @inline(__always) var cf: Bool {
        lazyMask & Flags.cf == 0 ? flagsReg & Flags.cf != 0 : lzAux & 0x8000_0000 != 0
    }
    @inline(__always) var zf: Bool {
        lazyMask & Flags.zf == 0 ? flagsReg & Flags.zf != 0 : lzRes == 0
    }
    @inline(__always) var sf: Bool {
        lazyMask & Flags.sf == 0 ? flagsReg & Flags.sf != 0 : lzRes & 0x8000_0000 != 0
    }
    @inline(__always) var of: Bool {
        if lazyMask & Flags.of == 0 { return flagsReg & Flags.of != 0 }
        let x = lzAux
        return (x ^ (x &<< 1)) & 0x8000_0000 != 0
    }
    @inline(__always) var pf: Bool {
        lazyMask & Flags.pf == 0 ? flagsReg & Flags.pf != 0 : parityTable[Int((lzRes &>> (31 &- lzTop)) & 0xFF)]
    }
    @inline(__always) var af: Bool {
        lazyMask & Flags.af == 0 ? flagsReg & Flags.af != 0 : (lzAux &>> (34 &- lzTop)) & 1 != 0
    }
    @inline(__always) var df: Bool { flagsReg & Flags.df != 0 }

    @inline(__always) func setCF(_ v: Bool) {
        if lazyMask & Flags.cf != 0 { materializeAll() }
        if v { flagsReg |= Flags.cf } else { flagsReg &= ~Flags.cf }
    }

    /// Replaces all lazy bits by their values.
    @inline(__always) func materializeAll() {
        if lazyMask != 0 {
            let v = computeLazy()
            flagsReg = (flagsReg & ~lazyMask) | (v & lazyMask)
            lazyMask = 0
        }
    }

    /// Records result `r` and carry vector `aux` of a `size` operation (0 = 8, 1 = 16, 2 = 32).
    @inline(__always) func setLazy(_ r: UInt32, _ aux: UInt32, _ size: Int) {
        let sh = CPU.lazyShift(size)
        lzRes = r &<< sh
        lzAux = aux &<< sh
        lzTop = 31 &- sh
    }

    /// Records only the result (CF, OF and AF are not lazy).
    @inline(__always) func setLazyResult(_ r: UInt32, _ size: Int) {
        let sh = CPU.lazyShift(size)
        lzRes = r &<< sh
        lzTop = 31 &- sh
    }

    /// ADD/ADC `r = a + b (+ carry)` (operands and result within the operand size).
    @inline(__always) func flagsAdd(_ a: UInt32, _ b: UInt32, _ r: UInt32, _ size: Int) {
        setLazy(r, (a & b) | ((a | b) & ~r), size)
        lazyMask = Flags.arith
    }
    /// SUB/SBB/CMP/NEG `r = a - b (- borrow)`.
    @inline(__always) func flagsSub(_ a: UInt32, _ b: UInt32, _ r: UInt32, _ size: Int) {
        setLazy(r, (~a & b) | ((~a | b) & r), size)
        lazyMask = Flags.arith
    }
    /// Logic ops: CF = OF = 0, AF = 0 (undefined architecturally), ZF/SF/PF from the result.
    /// CF, OF and AF go to `flagsReg`, so an INC/DEC or ADC after a logic op reads CF there.
    @inline(__always) func flagsLogic(_ r: UInt32, _ size: Int) {
        flagsReg &= ~Flags.arith
        setLazyResult(r, size)
        lazyMask = Flags.zf | Flags.sf | Flags.pf
    }
    /// INC/DEC: like ADD/SUB 1 but CF is preserved.
    @inline(__always) func flagsIncDec(_ a: UInt32, _ r: UInt32, _ size: Int, sub: Bool) {
        // A lazy CF is about to be overwritten: keep its value in `flagsReg`. PERF: a CF already
        // there (after a logic op or INC/DEC) costs one test, no store (bench cpu, alu).
        if lazyMask & Flags.cf != 0 { flagsReg = (flagsReg & ~Flags.cf) | (lzAux >> 31) }
        setLazy(r, sub ? (~a & 1) | ((~a | 1) & r) : (a & 1) | ((a | 1) & ~r), size)
        lazyMask = Flags.arith & ~Flags.cf
    }
    /// Sets ZF/SF/PF lazily from `r` and the given explicit values for CF/OF/AF.
    @inline(__always) func flagsResult(_ r: UInt32, _ size: Int, cf: Bool, of: Bool, af: Bool = false) {
        var f = flagsReg & ~Flags.arith
        if cf { f |= Flags.cf }
        if of { f |= Flags.of }
        if af { f |= Flags.af }
        flagsReg = f
        setLazyResult(r, size)
        lazyMask = Flags.zf | Flags.sf | Flags.pf
    }

    /// Evaluates condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc).
    @inline(__always) func condition(_ cc: Int) -> Bool {
        switch cc {
        case 0: return of
        case 1: return !of
        case 2: return cf
        case 3: return !cf
        case 4: return zf
        case 5: return !zf
        case 6: return cf || zf
        case 7: return !(cf || zf)
        case 8: return sf
        case 9: return !sf
        case 10: return pf
        case 11: return !pf
        case 12: return sf != of
        case 13: return sf == of
        case 14: return zf || (sf != of)
        default: return !zf && (sf == of)
        }
    }

    var iopl: Int { Int(flagsReg >> 12) & 3 }
}
