// Indices of the Hyper-V synthetic MSRs (TLFS; Linux arch/x86/include/asm/hyperv-tlfs.h).

/// The synthetic MSR numbers this layer implements, and a few it deliberately does not.
///
/// See vmbus-facts.md §5 for the layout of each register.
public enum HyperVMSR {
    /// HV_X64_MSR_GUEST_OS_ID: who the guest is (Linux writes 0x8100_0006_01AA_0000 for 6.1.170).
    public static let guestOSID: UInt32 = 0x4000_0000
    /// HV_X64_MSR_HYPERCALL: bit 0 enable, bit 1 locked, bits 63:12 the hypercall page's PFN.
    public static let hypercall: UInt32 = 0x4000_0001
    /// HV_X64_MSR_VP_INDEX (read-only): this virtual processor's number.
    public static let vpIndex: UInt32 = 0x4000_0002
    /// HV_X64_MSR_TIME_REF_COUNT (read-only): partition reference time in 100 ns units.
    public static let timeReferenceCount: UInt32 = 0x4000_0020
    /// HV_X64_MSR_REFERENCE_TSC: not implemented (CPUID 0x4000_0003 EAX bit 9 stays clear).
    public static let referenceTSC: UInt32 = 0x4000_0021
    /// HV_X64_MSR_TSC_FREQUENCY (read-only): TSC frequency in Hz.
    public static let tscFrequency: UInt32 = 0x4000_0022
    /// HV_X64_MSR_APIC_FREQUENCY (read-only): local APIC timer input frequency in Hz.
    public static let apicFrequency: UInt32 = 0x4000_0023
    /// HV_X64_MSR_VP_ASSIST_PAGE: Linux writes it unconditionally; accepted and kept.
    public static let vpAssistPage: UInt32 = 0x4000_0073
    /// HV_X64_MSR_SCONTROL: bit 0 enables the SynIC.
    public static let scontrol: UInt32 = 0x4000_0080
    /// HV_X64_MSR_SVERSION (read-only): SynIC version, 1.
    public static let sversion: UInt32 = 0x4000_0081
    /// HV_X64_MSR_SIEFP: synthetic interrupt event flags page.
    public static let siefp: UInt32 = 0x4000_0082
    /// HV_X64_MSR_SIMP: synthetic interrupt message page.
    public static let simp: UInt32 = 0x4000_0083
    /// HV_X64_MSR_EOM (write-only): end of message.
    public static let eom: UInt32 = 0x4000_0084
    /// HV_X64_MSR_SINT0; SINTn is `sint0 + n` for n in 0...15.
    public static let sint0: UInt32 = 0x4000_0090
    /// HV_X64_MSR_SINT15.
    public static let sint15: UInt32 = 0x4000_009F
}
