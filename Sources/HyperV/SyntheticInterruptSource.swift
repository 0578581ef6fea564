// One SINTx register of the synthetic interrupt controller.

/// HV_X64_MSR_SINTx (TLFS "SINTx Registers"): bits 7:0 vector, 16 masked, 17 auto-EOI,
/// 18 polling; every other bit is reserved. Power-on value: masked (0x1_0000).
public struct SyntheticInterruptSource: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    enum Bits {
        static let vector: UInt64 = 0xFF
        static let masked: UInt64 = 1 << 16
        static let autoEOI: UInt64 = 1 << 17
        static let polling: UInt64 = 1 << 18
        static let reserved: UInt64 = ~(vector | masked | autoEOI | polling)
    }

    /// The reset value.
    public static let powerOn = SyntheticInterruptSource(rawValue: Bits.masked)

    /// Bits 7:0: the local APIC vector raised for this SINT.
    public var vector: UInt8 { UInt8(truncatingIfNeeded: rawValue) }
    /// Bit 16: nothing is delivered while set.
    public var isMasked: Bool { rawValue & Bits.masked != 0 }
    /// Bit 17: the APIC should end the interrupt itself when the CPU accepts it.
    public var autoEOI: Bool { rawValue & Bits.autoEOI != 0 }
    /// Bit 18: messages are written but no interrupt is raised (the guest polls).
    public var polling: Bool { rawValue & Bits.polling != 0 }
    /// Any reserved bit set (WRMSR #GPs).
    public var hasReservedBits: Bool { rawValue & Bits.reserved != 0 }
    /// TLFS: vectors 0–15 are invalid for an unmasked SINT (WRMSR #GPs).
    public var hasInvalidVector: Bool { !isMasked && vector < 16 }
}
