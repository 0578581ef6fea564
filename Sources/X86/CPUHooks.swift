// The small protocols through which the CPU sees the rest of the machine.

/// Source of maskable external interrupts (the PIC pair or the local APIC). It drives
/// `CPU.intrLine` and answers the acknowledge cycle.
public protocol InterruptController: AnyObject {
    /// Acknowledges the highest-priority pending interrupt and returns its vector (INTA cycle).
    func acknowledgeInterrupt() -> UInt8
}

/// Extra CPUID leaves (for example the Hyper-V range 0x4000_0000–0x4000_00FF).
public protocol CPUIDProvider: AnyObject {
    /// Returns (eax, ebx, ecx, edx) for the leaf, or nil to let the CPU answer.
    func cpuid(leaf: UInt32, subleaf: UInt32) -> (UInt32, UInt32, UInt32, UInt32)?
}

/// Model-specific registers owned by the machine (APIC base, synthetic MSRs ...).
public protocol MSRHandler: AnyObject {
    /// Returns the value, or nil when this handler does not implement `index`.
    func readMSR(_ index: UInt32) -> UInt64?
    /// Returns false when this handler does not implement `index` (the CPU then raises #GP).
    func writeMSR(_ index: UInt32, value: UInt64) -> Bool
}

/// Receives VMCALL-style hypercalls (the Hyper-V hypercall page executes VMCALL, 0F 01 C1).
public protocol HypercallHandler: AnyObject {
    /// Handles the hypercall with the CPU's registers available; returns false to raise #UD.
    func hypercall(cpu: CPU) -> Bool
}

/// Why `CPU.run` returned.
public enum CPUStopReason: Equatable, Sendable {
    /// The instruction budget was used up.
    case budgetExhausted
    /// The CPU executed HLT with interrupts disabled or nothing pending (the caller advances time).
    case halted
    /// A triple fault (or a fault while delivering a double fault): the machine should reset or stop.
    case shutdown
    /// Something outside asked the CPU to stop early (`requestStop`).
    case stopRequested
}
