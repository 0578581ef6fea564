// The Hyper-V side of a machine: enlightenments (CPUID, MSRs, hypercalls, SynIC) and the VMBus.

import Chipset
import EmulatorCore
import Foundation
import HyperV
import Storage
import VMBus
import VMBusDevices
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
    /// Synthetic SCSI controllers (up to `StorVSPDevice.Limits.disks` disks each), offered on the bus.
    let storageControllers: [StorVSPDevice]

    /// The disks' copy-on-write overlays with their snapshot names ("vmbus0", …), when the
    /// machine runs with `snapshotDisks`.
    let overlays: [(name: String, overlay: CopyOnWriteOverlay)]

    init(cpu: CPU, localAPIC: LocalAPIC, memory: PhysicalMemory, scheduler: Scheduler,
         disks: [MachineConfiguration.VMBusDisk], snapshotDisks: Bool) throws(ConfigurationError) {
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
        vmbus = VMBusServer(memory: memory, synics: [synic]) { line in
            FileHandle.standardError.write(Data("partita: vmbus: \(line)\n".utf8))
        }
        var opened: [any BlockDevice] = []
        var overlays: [(name: String, overlay: CopyOnWriteOverlay)] = []
        for (i, disk) in disks.enumerated() {
            do {
                let image = try RawFileBlockDevice(path: disk.path, readOnly: disk.readOnly)
                if snapshotDisks {
                    let overlay = try CopyOnWriteOverlay(base: image)
                    overlays.append(("vmbus\(i)", overlay))
                    opened.append(overlay)
                } else {
                    opened.append(image)
                }
            } catch {
                throw .badDisk("\(disk.path): \(error)")
            }
        }
        self.overlays = overlays
        var controllers: [StorVSPDevice] = []
        var rest = opened[...]
        while !rest.isEmpty {
            let chunk = Array(rest.prefix(StorVSPDevice.Limits.disks))
            rest = rest.dropFirst(chunk.count)
            // A stable instance GUID per controller, so a snapshot restores into the rebuilt machine.
            let controller = StorVSPDevice(disks: chunk, instanceID: StorVSPDevice.instanceID(controller: controllers.count),
                                           logger: { FileHandle.standardError.write(Data("partita: storvsp: \($0)\n".utf8)) })
            controllers.append(controller)
        }
        storageControllers = controllers
        hypercalls = Hypercalls(partition: partition, delegate: vmbus)
        cpu.msrHandler = msrs
        cpu.cpuidProvider = cpuid
        cpu.hypercallHandler = hypercalls
        cpu.hypervisorPresent = true
        for c in controllers { _ = vmbus.addDevice(c) }
    }

    /// Guest reboot: the partition, the VP's MSRs and SynIC, and the bus return to power-on.
    func reset() {
        partition.reset()
        msrs.reset()
        vmbus.reset()
    }

    /// Registry entries, in restore order (partition after the clock; disks — whose identity
    /// is checked — before the bus's channel state; the bus after the SynIC).
    var devices: [MachineDevice] {
        [MachineDevice("hyperv.partition", partition), MachineDevice("hyperv.vp0", msrs),
         MachineDevice("hyperv.synic0", synic)]
            + storageControllers.enumerated().map { MachineDevice("storvsp\($0.offset)", $0.element) }
            + [MachineDevice("vmbus", vmbus)]
    }
}
