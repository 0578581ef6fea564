// What the machine tells the Hyper-V layer: processor count, frequencies, interrupt hints.

/// Settings shared by `HyperVCPUID` (what is advertised) and `HyperVPartition` (what answers),
/// so the two never disagree.
public struct HyperVConfiguration: Sendable, Equatable {
    /// Number of virtual processors (CPUID 0x4000_0005 EAX/EBX).
    public var processorCount: Int
    /// TSC frequency in Hz for HV_X64_MSR_TSC_FREQUENCY. The frequency MSRs (and CPUID
    /// 0x4000_0003 EAX bit 11 / EDX bit 8) are advertised only when both frequencies are set;
    /// Linux then skips TSC and LAPIC-timer calibration. The TSC here counts retired instructions,
    /// so give the rate the machine's instruction clock implies.
    public var tscFrequencyHz: UInt64?
    /// Local APIC timer input frequency in Hz for HV_X64_MSR_APIC_FREQUENCY (the LAPIC's bus clock).
    public var apicFrequencyHz: UInt64?
    /// CPUID 0x4000_0004 EAX bit 9 (DEPRECATING_AEOI_RECOMMENDED). When set, Linux programs SINT2
    /// without auto-EOI and EOIs the local APIC itself — no auto-EOI support needed in the APIC.
    public var deprecateAutoEOI: Bool
    /// Host build reported in CPUID 0x4000_0002 (printed by Linux only).
    public var buildNumber: UInt32
    public var majorVersion: UInt16
    public var minorVersion: UInt16

    public init(processorCount: Int = 1, tscFrequencyHz: UInt64? = nil, apicFrequencyHz: UInt64? = nil,
                deprecateAutoEOI: Bool = true, buildNumber: UInt32 = 17763, majorVersion: UInt16 = 10,
                minorVersion: UInt16 = 0) {
        precondition((1...64).contains(processorCount), "1–64 virtual processors")
        self.processorCount = processorCount
        self.tscFrequencyHz = tscFrequencyHz
        self.apicFrequencyHz = apicFrequencyHz
        self.deprecateAutoEOI = deprecateAutoEOI
        self.buildNumber = buildNumber
        self.majorVersion = majorVersion
        self.minorVersion = minorVersion
    }

    /// Whether HV_X64_MSR_TSC_FREQUENCY and HV_X64_MSR_APIC_FREQUENCY exist.
    public var hasFrequencyMSRs: Bool { tscFrequencyHz != nil && apicFrequencyHz != nil }
}
