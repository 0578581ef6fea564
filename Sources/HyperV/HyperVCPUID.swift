// The Hyper-V CPUID leaves 0x4000_0000–0x4000_FFFF.

import X86

/// Answers the hypervisor CPUID range the way a minimal Hyper-V does (vmbus-facts.md §2.4).
///
/// Linux 6.1 detects Hyper-V when CPUID.1:ECX bit 31 is set (the CPU's job, not this type's),
/// leaf 0x4000_0000 says "Microsoft Hv" with a max leaf in 0x4000_0005…0x4000_FFFF, and leaf
/// 0x4000_0003 EAX has HYPERCALL (bit 5) and VP_INDEX (bit 6).
///
/// Advertised, because `HyperVPartition`/`SyntheticMSRs`/`SynIC`/`Hypercalls` implement them:
/// TIME_REF_COUNT, SynIC, hypercall + guest OS ID MSRs, VP index; POST_MESSAGES and
/// SIGNAL_EVENTS; the frequency MSRs when configured; hint DEPRECATING_AEOI when configured.
/// Never advertised (each changes Linux's behaviour in ways this layer does not support):
/// synthetic timers (EAX 3), reference TSC page (EAX 9), reenlightenment (EAX 13), TSC invariant
/// control (EAX 15), partition ID (EBX 1 — Linux BUG()s if the call fails), CPU management
/// (EBX 12 — Linux believes it is the root partition), extended hypercalls (EBX 20), isolation
/// (EBX 22), crash MSRs (EDX 10), remote TLB flush hint (hint 2).
public final class HyperVCPUID: CPUIDProvider {
    public let configuration: HyperVConfiguration

    /// The leaf numbers and bits this provider uses.
    public enum Leaf {
        public static let vendor: UInt32 = 0x4000_0000
        public static let interface: UInt32 = 0x4000_0001
        public static let version: UInt32 = 0x4000_0002
        public static let features: UInt32 = 0x4000_0003
        public static let recommendations: UInt32 = 0x4000_0004
        public static let limits: UInt32 = 0x4000_0005
        /// The highest leaf reported in 0x4000_0000 EAX (the fact sheet's recommendation).
        public static let maximum: UInt32 = 0x4000_0006
    }

    /// CPUID 0x4000_0003 EAX ("privileges low") bits.
    public enum FeatureEAX {
        public static let timeReferenceCount: UInt32 = 1 << 1
        public static let synIC: UInt32 = 1 << 2
        public static let hypercall: UInt32 = 1 << 5
        public static let vpIndex: UInt32 = 1 << 6
        public static let frequencyMSRs: UInt32 = 1 << 11
    }

    /// CPUID 0x4000_0003 EBX ("privileges high") bits.
    public enum FeatureEBX {
        public static let postMessages: UInt32 = 1 << 4
        public static let signalEvents: UInt32 = 1 << 5
    }

    /// CPUID 0x4000_0003 EDX ("misc features") bits.
    public enum FeatureEDX {
        public static let frequencyMSRsAvailable: UInt32 = 1 << 8
    }

    /// CPUID 0x4000_0004 EAX ("hints") bits.
    public enum Hint {
        public static let deprecatingAutoEOI: UInt32 = 1 << 9
    }

    /// "Microsoft Hv" as EBX, ECX, EDX.
    static let vendorSignature: (UInt32, UInt32, UInt32) = (0x7263_694D, 0x666F_736F, 0x7648_2074)
    /// "Hv#1".
    static let interfaceSignature: UInt32 = 0x3123_7648

    public init(configuration: HyperVConfiguration = HyperVConfiguration()) {
        self.configuration = configuration
    }

    /// Leaves 0x4000_0000–0x4000_FFFF; zeros above `Leaf.maximum` (KVM's probe scans
    /// 0x4000_0100, 0x4000_0200 … and must find nothing). Other leaves are the CPU's.
    public func cpuid(leaf: UInt32, subleaf: UInt32) -> (UInt32, UInt32, UInt32, UInt32)? {
        guard leaf & 0xFFFF_0000 == 0x4000_0000 else { return nil }
        switch leaf {
        case Leaf.vendor:
            return (Leaf.maximum, Self.vendorSignature.0, Self.vendorSignature.1, Self.vendorSignature.2)
        case Leaf.interface:
            return (Self.interfaceSignature, 0, 0, 0)
        case Leaf.version:
            // EAX build, EBX major.minor, ECX service pack, EDX branch (31:24) and number (23:0).
            return (configuration.buildNumber,
                    UInt32(configuration.majorVersion) << 16 | UInt32(configuration.minorVersion), 0, 0)
        case Leaf.features:
            return (featuresEAX, FeatureEBX.postMessages | FeatureEBX.signalEvents, 0, featuresEDX)
        case Leaf.recommendations:
            // EBX: spinlock retry count, "never notify" (unused on i386).
            return (configuration.deprecateAutoEOI ? Hint.deprecatingAutoEOI : 0, 0xFFFF_FFFF, 0, 0)
        case Leaf.limits:
            let n = UInt32(configuration.processorCount)
            return (n, n, 0, 0)
        default:
            return (0, 0, 0, 0)
        }
    }

    /// CPUID 0x4000_0003 EAX.
    public var featuresEAX: UInt32 {
        var f = FeatureEAX.timeReferenceCount | FeatureEAX.synIC | FeatureEAX.hypercall | FeatureEAX.vpIndex
        if configuration.hasFrequencyMSRs { f |= FeatureEAX.frequencyMSRs }
        return f
    }

    /// CPUID 0x4000_0003 EDX.
    public var featuresEDX: UInt32 {
        configuration.hasFrequencyMSRs ? FeatureEDX.frequencyMSRsAvailable : 0
    }
}
