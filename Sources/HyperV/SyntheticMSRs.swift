// The MSR handler of one Hyper-V virtual processor: synthetic MSRs first, then the next handler.

import X86

/// What one VP's RDMSR/WRMSR see of Hyper-V (vmbus-facts.md §5): the partition-wide MSRs of
/// `HyperVPartition`, this VP's VP_INDEX and VP_ASSIST_PAGE, and its `SynIC`'s MSRs. Every other
/// index goes to `next` (the local APIC's IA32_APIC_BASE handler), then to the CPU's own MSRs.
///
/// A write that the TLFS makes #GP (reserved bits, read-only MSRs, an invalid SINT vector)
/// returns false; since no CPU-internal MSR lives at 0x4000_00xx, the CPU then raises #GP.
/// Unimplemented synthetic MSRs #GP too (Linux only reads those it was told exist).
public final class SyntheticMSRs: MSRHandler {
    public let partition: HyperVPartition
    public let synic: SynIC
    /// HV_X64_MSR_VP_INDEX.
    public let vpIndex: UInt32
    /// Asked for every index this handler does not implement (e.g. the `LocalAPIC`). Held
    /// strongly: the CPU's `msrHandler` is weak, so the machine keeps this object alive.
    public var next: (any MSRHandler)?

    /// HV_X64_MSR_VP_ASSIST_PAGE as written (Linux writes it unconditionally; nothing uses it
    /// on 32-bit because APIC_ACCESS is not advertised).
    public internal(set) var vpAssistPage: UInt64 = 0

    public init(partition: HyperVPartition, synic: SynIC, next: (any MSRHandler)? = nil) {
        self.partition = partition
        self.synic = synic
        self.vpIndex = UInt32(synic.vpIndex)
        self.next = next
    }

    /// Guest reboot: this VP's registers and its SynIC (the partition resets separately).
    public func reset() {
        vpAssistPage = 0
        synic.reset()
    }

    public func readMSR(_ index: UInt32) -> UInt64? {
        if let v = partition.readMSR(index) ?? synic.readMSR(index) { return v }
        switch index {
        case HyperVMSR.vpIndex: return UInt64(vpIndex)
        case HyperVMSR.vpAssistPage: return vpAssistPage
        default: return next?.readMSR(index)
        }
    }

    public func writeMSR(_ index: UInt32, value: UInt64) -> Bool {
        if let ok = partition.writeMSR(index, value: value) ?? synic.writeMSR(index, value: value) { return ok }
        switch index {
        case HyperVMSR.vpIndex:
            return false  // read-only
        case HyperVMSR.vpAssistPage:
            // Bit 0 enable, bits 11:1 reserved-preserve, 63:12 PFN: any value is kept.
            vpAssistPage = value
            return true
        default:
            return next?.writeMSR(index, value: value) ?? false
        }
    }
}
