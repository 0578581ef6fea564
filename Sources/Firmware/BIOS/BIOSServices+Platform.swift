// POST's platform service: PCI, interrupt routing, and the ACPI, MP, SMBIOS and $PIR tables.

import ACPI
import EmulatorCore
import X86

extension BIOSServices {
    /// The PCI interrupt routing POST programs: PIRQA#/B# on IRQ 10, PIRQC#/D# on IRQ 11 (both
    /// among the layout's `_PRS` choices, so ACPI and the $PIR/MP tables agree with the chipset).
    var pirqIRQs: [UInt8] {
        let choices = layout.pirqIRQChoices
        let first = choices.contains(10) ? UInt8(10) : choices.first ?? 10
        let second = choices.contains(11) ? UInt8(11) : choices.last ?? 11
        return [first, first, second, second]
    }

    /// POST service 1. In: EBX = F-segment area (linear) and ECX its size, for the $PIR table,
    /// the SMBIOS entry point and the MP floating pointer; ESI/EDI = E-segment area and size for
    /// the MP configuration table and the SMBIOS structures. Both areas are shadow RAM POST has
    /// made writable. Enumerates PCI, then writes every table; CF=1 if a table did not fit.
    func platformSetup(_ f: inout BIOSRegisterFrame) {
        var enumerator = PCIEnumerator(config: PCIConfigPorts(ports: ports))
        enumerator.memoryLimit = layout.ioapicAddress.value
        enumerator.memoryBase = max(0xE000_0000, (layout.pciHoleStart.value + 0x0FFF_FFFF) & 0xF000_0000)
        enumerator.pirqIRQs = pirqIRQs
        enumerator.pmBase = layout.pmBase.value
        enumerator.sciIRQ = layout.sciIRQ
        let found = enumerator.run()
        var ok = true

        // ACPI: the same builder and placement as a direct kernel boot.
        do {
            let tables = try ACPITables.build(layout: layout, devices: acpiDevices)
            for t in tables.tables { memory.load(t.bytes, at: t.address.value) }
            acpiTables = tables
        } catch {
            log?("cannot build the ACPI tables: \(error)")
            ok = false
        }

        // E segment: MP configuration table, then the SMBIOS structures.
        var mp = MPTable(cpuSignature: CPU.signature, cpuFeatures: cpu.featureEDX)
        mp.localAPICAddress = layout.localAPICAddress.value
        mp.ioapicAddress = layout.ioapicAddress.value
        mp.ioapicID = layout.ioapicID
        mp.sciIRQ = layout.sciIRQ
        // One interrupt entry per device and pin (functions sharing a pin share the entry).
        var seen = Set<UInt16>()
        mp.pciInterrupts = found.compactMap { r in
            guard r.pirq != nil, seen.insert(UInt16(r.device) << 8 | UInt16(r.interruptPin)).inserted else { return nil }
            return MPTable.PCIInterrupt(device: r.device, pin: r.interruptPin, irq: r.irq)
        }
        let mpTable = mp.configurationTable()
        let smbios = SMBIOSTables(ramSize: UInt64(layout.ramSize), cpuSignature: CPU.signature, cpuFeatures: cpu.featureEDX)
        let structures = smbios.structures()
        let eBase = f.esi, eSize = Int(f.edi)
        let smbiosAddress = eBase + UInt32((mpTable.count + 15) & ~15)
        let eNeeded = Int(smbiosAddress - eBase) + structures.bytes.count

        // F segment: $PIR, SMBIOS entry point, MP floating pointer, each 16-byte aligned.
        let devices = Array(Set(found.map(\.device))).sorted()
        routingEntries = PCIRoutingTable.entries(devices: devices, routerDevice: layout.isaBridgeDevice,
                                                 irqChoices: layout.pirqIRQChoices)
        let pir = PCIRoutingTable.table(entries: routingEntries, routerDevice: layout.isaBridgeDevice)
        let fBase = f.ebx, fSize = Int(f.ecx)
        let smbiosEntry = fBase + UInt32((pir.count + 15) & ~15)
        let mpFloat = smbiosEntry + 32
        let fNeeded = Int(mpFloat - fBase) + 16

        if eNeeded <= eSize && fNeeded <= fSize {
            memory.load(mpTable, at: eBase)
            memory.load(structures.bytes, at: smbiosAddress)
            memory.load(pir, at: fBase)
            memory.load(SMBIOSTables.entryPoint(tableAddress: smbiosAddress, tableLength: structures.bytes.count,
                                                count: structures.count,
                                                maxStructureSize: SMBIOSTables.largestStructure(structures.bytes)),
                        at: smbiosEntry)
            memory.load(MPTable.floatingPointer(tableAddress: eBase), at: mpFloat)
        } else {
            log?("BIOS table areas too small: E segment needs \(eNeeded) of \(eSize), F segment \(fNeeded) of \(fSize)")
            ok = false
        }
        f.carryFlag = !ok
    }
}
