// Maps the ranges PCI functions decode onto the machine's memory and I/O buses, and moves them
// when software reprograms a BAR or turns decoding on or off.

import EmulatorCore

/// Keeps the MMIO regions of `PhysicalMemory` and the port claims of `PortIOBus` in step with
/// what PCI functions decode.
///
/// `attach(_:bar:to:)` watches one BAR of a configuration space: the target is mapped while the
/// BAR decodes (its address set and the Command register's I/O Space or Memory Space bit on),
/// moved when the address changes and unmapped when decoding stops. `move(_:from:to:)` does
/// the same for decoders outside the standard BARs (the PIIX4 PMBA register, say).
///
/// A memory target sees offsets from the start of its range (as `PhysicalMemory` passes them);
/// an I/O target sees absolute ports (as `PortIOBus` passes them) and can find its base with
/// `PCIConfigSpace.decodedRegion(_:)`.
///
/// Not handled: overlaps. A range placed over fixed devices or another BAR takes their ports or
/// pages while it decodes, and unmapping it leaves those ports unclaimed and those pages as RAM
/// or unmapped (as `PortIOBus.unregister` and `PhysicalMemory.unmapMMIO` do); firmware and
/// operating systems assign non-overlapping ranges.
public final class PCIBARMapper {
    /// What answers the accesses to a decoded range.
    public enum Target {
        case io(PortIODevice)
        case memory(MMIODevice)
    }

    private let memory: PhysicalMemory
    private let ports: PortIOBus
    /// Receives one line per range mapped or unmapped; nil keeps quiet.
    public var log: ((String) -> Void)?

    public init(memory: PhysicalMemory, ports: PortIOBus) {
        self.memory = memory
        self.ports = ports
    }

    /// Maps `target` wherever BAR `index` of `config` decodes, now and after every change.
    public func attach(_ config: PCIConfigSpace, bar index: Int, to target: Target) {
        precondition(config.bars[index] != nil, "BAR \(index) is not implemented")
        switch (config.bars[index]!, target) {
        case (.io, .io), (.memory, .memory): break
        default: preconditionFailure("BAR \(index)'s address space does not match the target")
        }
        config.barObservers.append { [unowned self] changed, old, new in
            guard changed == index else { return }
            move(target, from: old, to: new)
        }
        move(target, from: nil, to: config.decodedRegion(index))
    }

    /// Unmaps `target` from `old` and maps it at `new` (either may be nil).
    public func move(_ target: Target, from old: PCIBARRegion?, to new: PCIBARRegion?) {
        guard old != new else { return }
        if let old {
            switch target {
            case .io:
                if let r = old.ports { ports.unregister(ports: r) }
            case .memory:
                memory.unmapMMIO(base: old.base)
            }
            log?("PCI: unmapped \(old)")
        }
        if let new {
            switch target {
            case .io(let device):
                if let r = new.ports { ports.register(device, ports: r) }
            case .memory(let device):
                memory.mapMMIO(device, base: new.base, size: new.size)
            }
            log?("PCI: mapped \(new)")
        }
    }
}
