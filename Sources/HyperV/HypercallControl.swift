// The 64-bit hypercall input control word (TLFS "Hypercall Inputs").

/// The control word a guest passes in EDX:EAX (32-bit) or RCX (64-bit).
///
/// Bits 15:0 call code, 16 fast, 26:17 variable header size (8-byte units), 43:32 rep count,
/// 59:48 rep start index; 31:27, 47:44 and 63:60 are reserved and must be zero.
public struct HypercallControl: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    enum Bits {
        static let fast: UInt64 = 1 << 16
        static let reserved: UInt64 = 0xF000_F000_F800_0000
    }

    /// Bits 15:0: the call code.
    public var code: UInt16 { UInt16(truncatingIfNeeded: rawValue) }
    /// Bit 16: input (and output) in registers instead of memory.
    public var isFast: Bool { rawValue & Bits.fast != 0 }
    /// Bits 26:17: size of the variable header in 8-byte units.
    public var variableHeaderSize: Int { Int((rawValue >> 17) & 0x3FF) }
    /// Bits 43:32: number of repetitions of a rep call.
    public var repCount: Int { Int((rawValue >> 32) & 0xFFF) }
    /// Bits 59:48: the first repetition to process.
    public var repStartIndex: Int { Int((rawValue >> 48) & 0xFFF) }
    /// True when any reserved bit is set.
    public var hasReservedBits: Bool { rawValue & Bits.reserved != 0 }
}
