// A 256-bit set of interrupt vectors: the layout of the local APIC's IRR, ISR and TMR.

/// One bit per interrupt vector 0–255, as the local APIC's IRR, ISR and TMR hold them
/// (SDM Vol. 3 §10.8.4): register word `i` (at offset 0x10 × i) covers vectors 32i–32i+31.
struct APICVectorSet: Equatable {
    /// Vectors 64i–64i+63 in word `i`.
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    init() {}

    /// Builds the set from the eight 32-bit register words (fewer words leave the rest clear).
    init(words: [UInt32]) {
        for (i, w) in words.prefix(8).enumerated() { setWord(i, w) }
    }

    var isEmpty: Bool { w0 | w1 | w2 | w3 == 0 }

    /// The highest vector in the set (the one with the highest priority), or nil.
    var highest: UInt8? {
        if w3 != 0 { return UInt8(192 + 63 - w3.leadingZeroBitCount) }
        if w2 != 0 { return UInt8(128 + 63 - w2.leadingZeroBitCount) }
        if w1 != 0 { return UInt8(64 + 63 - w1.leadingZeroBitCount) }
        if w0 != 0 { return UInt8(63 - w0.leadingZeroBitCount) }
        return nil
    }

    func contains(_ v: UInt8) -> Bool { quad(Int(v) >> 6) & (1 << UInt64(v & 63)) != 0 }

    mutating func insert(_ v: UInt8) { setQuad(Int(v) >> 6, quad(Int(v) >> 6) | 1 << UInt64(v & 63)) }

    mutating func remove(_ v: UInt8) { setQuad(Int(v) >> 6, quad(Int(v) >> 6) & ~(1 << UInt64(v & 63))) }

    /// Register word `i` (0–7): vectors 32i–32i+31.
    func word(_ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: quad(i >> 1) >> (UInt64(i & 1) * 32)) }

    /// All eight register words, lowest vectors first.
    var words: [UInt32] { (0..<8).map(word) }

    private mutating func setWord(_ i: Int, _ value: UInt32) {
        let shift = UInt64(i & 1) * 32
        let q = quad(i >> 1) & ~(0xFFFF_FFFF << shift) | UInt64(value) << shift
        setQuad(i >> 1, q)
    }

    private func quad(_ i: Int) -> UInt64 {
        switch i {
        case 0: return w0
        case 1: return w1
        case 2: return w2
        default: return w3
        }
    }

    private mutating func setQuad(_ i: Int, _ value: UInt64) {
        switch i {
        case 0: w0 = value
        case 1: w1 = value
        case 2: w2 = value
        default: w3 = value
        }
    }
}
