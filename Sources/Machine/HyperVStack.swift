// The Hyper-V side of a machine: enlightenments (CPUID, MSRs, hypercalls, SynIC) and the VMBus.

import Chipset
import EmulatorCore
import HyperV
import VMBus
import X86

/// Everything `--hyperv` adds, wired to one CPU and its local APIC. The CPU holds its hooks
/// weakly, so the machine keeps this object.
final class HyperVStack {
    let configuration: HyperVConfiguration
    let partition: HyperVPartition
    let synic: SynIC
    let msrs: SyntheticMSRs
    let cpuid: HyperVCPUID
    let hypercalls: Hypercalls
    let vmbus: VMBusServer

    init(cpu: CPU, localAPIC: LocalAPIC, memory: PhysicalMemory, scheduler: Scheduler) {
        configuration = HyperVConfiguration(processorCount: 1)
        partition = HyperVPartition(configuration: configuration, memory: memory, scheduler: scheduler)
        let apicID = localAPIC.configuration.apicID
        synic = SynIC(vpIndex: 0, memory: memory) { [unowned localAPIC] vector, _ in
            // Linux is told to EOI itself (the auto-EOI-deprecated hint), so a fixed,
            // edge-triggered interrupt to this CPU's APIC is the whole delivery.
            _ = localAPIC.receive(APICMessage(vector: vector, deliveryMode: .fixed, logicalDestination: false,
                                              destination: apicID, levelTriggered: false))
        }
        // After the APIC attached itself: the synthetic MSRs answer first and pass the rest on.
        msrs = SyntheticMSRs(partition: partition, synic: synic, next: localAPIC)
        cpuid = HyperVCPUID(configuration: configuration)
        vmbus = VMBusServer(memory: memory, synics: [synic])
        hypercalls = Hypercalls(partition: partition, delegate: vmbus)
        cpu.msrHandler = msrs
        cpu.cpuidProvider = cpuid
        cpu.hypercallHandler = hypercalls
        cpu.hypervisorPresent = true
    }

    /// Guest reboot: the partition, the VP's MSRs and SynIC, and the bus return to power-on.
    func reset() {
        partition.reset()
        msrs.reset()
        vmbus.reset()
    }

    /// Registry entries, in restore order (partition after the clock, the bus after the SynIC).
    var devices: [MachineDevice] {
        [MachineDevice("hyperv.partition", partition), MachineDevice("hyperv.vp0", msrs),
         MachineDevice("hyperv.synic0", synic), MachineDevice("vmbus", vmbus)]
    }
}
