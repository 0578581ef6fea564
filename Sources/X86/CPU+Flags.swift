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

    /// Sign bit and mask of the lazy operand size (branch-free: 8 << size bits).
    /// PERF: masking shifts (`&<<`, `&>>`); Swift's smart shifts on an `Int` size cost ~20 host
    /// instructions per flag test (`partita bench cpu`, Jcc after ALU ops).
    @inline(__always) var lzMSB: UInt32 { 1 &<< UInt32(truncatingIfNeeded: (8 &<< lzSize) &- 1) }
    @inline(__always) var lzMask: UInt32 { UInt32.max &>> UInt32(truncatingIfNeeded: 32 &- (8 &<< lzSize)) }

    func computeLazy() -> UInt32 {
        var f: UInt32 = 0
        let r = lzRes, a = lzOp1, b = lzOp2, msb = lzMSB
        if lazyMask & Flags.cf != 0 {
            let c: UInt32 = lzSub ? ((~a & b) | ((~a | b) & r)) : ((a & b) | ((a | b) & ~r))
            if c & msb != 0 { f |= Flags.cf }
        }
        if lazyMask & Flags.of != 0 {
            let o: UInt32 = lzSub ? ((a ^ b) & (a ^ r)) : ((a ^ r) & (b ^ r))
            if o & msb != 0 { f |= Flags.of }
        }
        if (a ^ b ^ r) & 0x10 != 0 { f |= Flags.af }
        if r & lzMask == 0 { f |= Flags.zf }
        if r & msb != 0 { f |= Flags.sf }
        if parityTable[Int(r & 0xFF)] { f |= Flags.pf }
        return f
    }

    @inline(__always) var cf: Bool {
        if lazyMask & Flags.cf == 0 { return flagsReg & Flags.cf != 0 }
        let a = lzOp1, b = lzOp2, r = lzRes
        let c: UInt32 = lzSub ? ((~a & b) | ((~a | b) & r)) : ((a & b) | ((a | b) & ~r))
        return c & lzMSB != 0
    }
    @inline(__always) var zf: Bool {
        lazyMask & Flags.zf == 0 ? flagsReg & Flags.zf != 0 : lzRes & lzMask == 0
    }
    @inline(__always) var sf: Bool {
        lazyMask & Flags.sf == 0 ? flagsReg & Flags.sf != 0 : lzRes & lzMSB != 0
    }
    @inline(__always) var of: Bool {
        if lazyMask & Flags.of == 0 { return flagsReg & Flags.of != 0 }
        let a = lzOp1, b = lzOp2, r = lzRes
        let o: UInt32 = lzSub ? ((a ^ b) & (a ^ r)) : ((a ^ r) & (b ^ r))
        return o & lzMSB != 0
    }
    @inline(__always) var pf: Bool {
        lazyMask & Flags.pf == 0 ? flagsReg & Flags.pf != 0 : parityTable[Int(lzRes & 0xFF)]
    }
    @inline(__always) var af: Bool {
        lazyMask & Flags.af == 0 ? flagsReg & Flags.af != 0 : (lzOp1 ^ lzOp2 ^ lzRes) & 0x10 != 0
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

    /// Size code: 0 = 8 bit, 1 = 16 bit, 2 = 32 bit.
    @inline(__always) func setSize(_ size: Int) {
        lzSize = size
    }

    @inline(__always) func flagsAdd(_ a: UInt32, _ b: UInt32, _ r: UInt32, _ size: Int) {
        lzOp1 = a; lzOp2 = b; lzRes = r; lzSub = false; setSize(size)
        lazyMask = Flags.arith
    }
    @inline(__always) func flagsSub(_ a: UInt32, _ b: UInt32, _ r: UInt32, _ size: Int) {
        lzOp1 = a; lzOp2 = b; lzRes = r; lzSub = true; setSize(size)
        lazyMask = Flags.arith
    }
    /// Logic ops: CF = OF = 0, AF = 0 (undefined architecturally), ZF/SF/PF from the result.
    @inline(__always) func flagsLogic(_ r: UInt32, _ size: Int) {
        flagsReg &= ~Flags.arith
        lzRes = r; lzOp1 = 0; lzOp2 = 0; setSize(size)
        lazyMask = Flags.zf | Flags.sf | Flags.pf
    }
    /// INC/DEC: like ADD/SUB 1 but CF is preserved.
    @inline(__always) func flagsIncDec(_ a: UInt32, _ r: UInt32, _ size: Int, sub: Bool) {
        let c = cf
        if c { flagsReg |= Flags.cf } else { flagsReg &= ~Flags.cf }
        lzOp1 = a; lzOp2 = 1; lzRes = r; lzSub = sub; setSize(size)
        lazyMask = Flags.arith & ~Flags.cf
    }
    /// Sets ZF/SF/PF lazily from `r` and the given explicit values for CF/OF/AF.
    @inline(__always) func flagsResult(_ r: UInt32, _ size: Int, cf: Bool, of: Bool, af: Bool = false) {
        var f = flagsReg & ~Flags.arith
        if cf { f |= Flags.cf }
        if of { f |= Flags.of }
        if af { f |= Flags.af }
        flagsReg = f
        lzRes = r; lzOp1 = 0; lzOp2 = af ? 0x10 : 0; setSize(size)
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
