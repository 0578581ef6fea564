// Partition-wide Hyper-V state: guest OS ID, the hypercall page, reference time, frequencies.

import EmulatorCore
import X86

/// The state every virtual processor of a Hyper-V partition shares (TLFS "Partition Properties",
/// "Hypercall Interface", "Partition Reference Counter"; vmbus-facts.md §4–§6.1).
///
/// MSRs (through `SyntheticMSRs`, which each VP installs as its `MSRHandler`):
/// HV_X64_MSR_GUEST_OS_ID, HV_X64_MSR_HYPERCALL, HV_X64_MSR_TIME_REF_COUNT, and — when the
/// configuration gives frequencies — HV_X64_MSR_TSC_FREQUENCY / HV_X64_MSR_APIC_FREQUENCY.
///
/// Enabling the hypercall MSR writes the hypercall page into guest RAM at the given GPA through
/// `PhysicalMemory.write`, so decoded-code caches drop that page: `VMCALL; RET` (0F 01 C1 C3)
/// for the 32-bit convention, then INT3 padding. The CPU hands VMCALL to `Hypercalls`.
///
/// Not modelled: the reference TSC page (MSR 0x4000_0021; a TSC that counts retired
/// instructions stands still while the CPU halts, so it cannot follow virtual time), crash MSRs,
/// synthetic timers.
public final class HyperVPartition {
    public let configuration: HyperVConfiguration
    let memory: PhysicalMemory
    let scheduler: Scheduler

    /// HV_X64_MSR_GUEST_OS_ID as written.
    public internal(set) var guestOSID: UInt64 = 0
    /// HV_X64_MSR_HYPERCALL as RDMSR returns it.
    public internal(set) var hypercallMSR: UInt64 = 0
    /// Virtual time at which the reference counter reads zero (power-on or the last reset).
    var referenceTimeOrigin: VirtualTime

    /// HV_X64_MSR_HYPERCALL bits.
    public enum HypercallMSRBits {
        public static let enable: UInt64 = 1 << 0
        public static let locked: UInt64 = 1 << 1
        /// Bits 11:2 are reserved.
        public static let reserved: UInt64 = 0xFFC
        public static let pageMask: UInt64 = ~0xFFF
    }

    /// The code placed at the start of the hypercall page: VMCALL; RET. Linux enters it with a
    /// near indirect call, registers per §6.2, and expects a near return.
    public static let hypercallStub: [UInt8] = [0x0F, 0x01, 0xC1, 0xC3]
    /// Fills the rest of the page: INT3, so a stray jump into it traps instead of sliding.
    static let hypercallPadding: UInt8 = 0xCC

    public init(configuration: HyperVConfiguration = HyperVConfiguration(), memory: PhysicalMemory,
                scheduler: Scheduler) {
        self.configuration = configuration
        self.memory = memory
        self.scheduler = scheduler
        referenceTimeOrigin = scheduler.now
    }

    /// Guest reboot: OS ID and hypercall page cleared, the reference counter restarts at zero.
    public func reset() {
        guestOSID = 0
        hypercallMSR = 0
        referenceTimeOrigin = scheduler.now
    }

    /// Whether the guest enabled the hypercall page (VMCALL is #UD otherwise).
    public var hypercallsEnabled: Bool { hypercallMSR & HypercallMSRBits.enable != 0 }

    /// The GPA of the hypercall page.
    public var hypercallPageAddress: UInt64 { hypercallMSR & HypercallMSRBits.pageMask }

    /// HV_X64_MSR_TIME_REF_COUNT: 100 ns units of virtual time since power-on or reset.
    public var referenceCount: UInt64 {
        (scheduler.now.nanoseconds &- referenceTimeOrigin.nanoseconds) / 100
    }

    // MARK: MSRs

    /// The partition-wide MSRs; nil for any other index.
    func readMSR(_ index: UInt32) -> UInt64? {
        switch index {
        case HyperVMSR.guestOSID: return guestOSID
        case HyperVMSR.hypercall: return hypercallMSR
        case HyperVMSR.timeReferenceCount: return referenceCount
        case HyperVMSR.tscFrequency: return configuration.hasFrequencyMSRs ? configuration.tscFrequencyHz : nil
        case HyperVMSR.apicFrequency: return configuration.hasFrequencyMSRs ? configuration.apicFrequencyHz : nil
        default: return nil
        }
    }

    /// Writes a partition-wide MSR; nil when `index` is not one, false for a write that #GPs.
    func writeMSR(_ index: UInt32, value: UInt64) -> Bool? {
        switch index {
        case HyperVMSR.guestOSID:
            guestOSID = value
            // TLFS: clearing the guest OS ID disables the hypercall page (kexec's hyperv_cleanup).
            if value == 0 { hypercallMSR &= ~HypercallMSRBits.enable }
            return true
        case HyperVMSR.hypercall:
            return writeHypercallMSR(value)
        case HyperVMSR.timeReferenceCount, HyperVMSR.tscFrequency, HyperVMSR.apicFrequency:
            return readMSR(index) == nil ? nil : false  // read-only
        default:
            return nil
        }
    }

    private func writeHypercallMSR(_ value: UInt64) -> Bool {
        guard value & HypercallMSRBits.reserved == 0 else { return false }
        // A locked MSR keeps its value until reset; the write itself does not fault.
        if hypercallMSR & HypercallMSRBits.locked != 0 { return true }
        var newValue = value
        // TLFS: the page cannot be enabled before the guest has identified itself.
        if guestOSID == 0 { newValue &= ~HypercallMSRBits.enable }
        let old = hypercallMSR
        hypercallMSR = newValue
        let enabled = newValue & HypercallMSRBits.enable != 0
        let moved = (old ^ newValue) & HypercallMSRBits.pageMask != 0
        if enabled && (old & HypercallMSRBits.enable == 0 || moved) {
            installHypercallPage()
        }
        // DEVIATION: Hyper-V overlays the page and uncovers the guest's own contents when it is
        // disabled; here the stub stays in guest RAM (no guest depends on the old contents).
        return true
    }

    /// Writes the stub and padding into the hypercall page (skipped when the GPA is not RAM).
    func installHypercallPage() {
        guard let page = memory.guestRAM(hypercallPageAddress, length: Int(PhysicalMemory.pageSize)) else { return }
        var bytes = [UInt8](repeating: Self.hypercallPadding, count: Int(PhysicalMemory.pageSize))
        bytes.replaceSubrange(0..<Self.hypercallStub.count, with: Self.hypercallStub)
        memory.writeGuestBytes(bytes, at: page)
    }
}
