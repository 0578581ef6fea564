// Assembles every ACPI table for a PlatformLayout: contents, addresses, lengths, checksums.

import EmulatorCore

/// The tables of one machine, each with the address it must be written to.
///
/// Placement inside `layout.acpiRegion`: the FACS at its base (the ACPI NVS page, 64-byte
/// aligned), then from base + 4 KiB the DSDT, FADT, MADT and RSDT, each 16-byte aligned. The RSDP
/// goes to `layout.rsdpAddress`. Everything is 32-bit addressed (RSDP revision 0 → RSDT).
public struct ACPITables: Sendable, Equatable {
    /// Which kind of memory a table lives in (for the E820 map).
    public enum MemoryKind: Sendable, Equatable {
        /// The BIOS area or EBDA (the RSDP): reserved, not RAM handed to the OS.
        case biosArea
        /// E820 type 4, ACPI NVS (the FACS).
        case nvs
        /// E820 type 3, ACPI reclaimable (the other tables).
        case reclaimable
    }

    /// One table and where it goes.
    public struct Table: Sendable, Equatable {
        /// `"RSD PTR "` for the RSDP, else the 4-character signature (`"FACP"` for the FADT).
        public var signature: String
        public var address: GuestPhysicalAddress
        public var bytes: [UInt8]
        public var kind: MemoryKind
    }

    /// Where the OS finds the RSDP.
    public let rsdpAddress: GuestPhysicalAddress
    /// RSDP, FACS, DSDT, FADT, MADT, RSDT — write each at its address.
    public let tables: [Table]

    /// The table with this signature, if built.
    public subscript(signature: String) -> Table? {
        tables.first { $0.signature == signature }
    }

    /// Builds all tables for `layout`, with `devices` appended to `\_SB` in the DSDT.
    public static func build(
        layout: PlatformLayout, devices: [any ACPIDeviceDescribing] = [], identity: ACPITableIdentity = .partita
    ) throws(PlatformLayoutError) -> ACPITables {
        try layout.validate()
        let nvs = layout.acpiNVSRegion
        let reclaim = layout.acpiReclaimRegion
        var cursor = reclaim.base.value
        func place(_ size: Int) -> GuestPhysicalAddress {
            let address = GuestPhysicalAddress(cursor)
            cursor += (UInt32(size) + 15) & ~15
            return address
        }

        let facsAddress = nvs.base
        let dsdtBytes = DSDT(identity: identity, aml: PCNamespace.aml(layout: layout, devices: devices)).encoded
        let dsdtAddress = place(dsdtBytes.count)

        var fadt = FADT(
            facsAddress: facsAddress, dsdtAddress: dsdtAddress, sciInterrupt: UInt16(layout.sciIRQ),
            smiCommandPort: layout.smiCommandPort, acpiEnable: layout.acpiEnableValue,
            acpiDisable: layout.acpiDisableValue, pmBase: layout.pmBase, gpe0Block: layout.gpe0Block,
            century: layout.rtcCenturyIndex)
        fadt.identity = identity
        if !layout.fixedPowerButton { fadt.flags.insert(.powerButtonIsControlMethod) }
        if layout.pmTimerIs32Bit { fadt.flags.insert(.timerValueExtended) }
        if let reset = layout.resetRegister {
            fadt.flags.insert(.resetRegisterSupported)
            fadt.resetRegister = .io(reset.port.value, bytes: 1)
            fadt.resetValue = reset.value
        }
        let fadtBytes = fadt.encoded
        let fadtAddress = place(fadtBytes.count)

        var madt = MADT(localAPICAddress: layout.localAPICAddress, entries: madtEntries(layout: layout))
        madt.identity = identity
        let madtBytes = madt.encoded
        let madtAddress = place(madtBytes.count)

        let rsdtBytes = RSDT(identity: identity, entries: [fadtAddress, madtAddress]).encoded
        let rsdtAddress = place(rsdtBytes.count)

        guard UInt64(cursor) <= reclaim.end else {
            throw .tablesDoNotFit(needed: Int(cursor - layout.acpiRegion.base.value), available: Int(layout.acpiRegion.size))
        }

        // The hardware signature changes whenever the described hardware does.
        let facs = FACS(hardwareSignature: fnv1a(dsdtBytes + madtBytes))
        let rsdp = RSDP(oemID: identity.oemID, rsdtAddress: rsdtAddress)
        return ACPITables(rsdpAddress: layout.rsdpAddress, tables: [
            Table(signature: "RSD PTR ", address: layout.rsdpAddress, bytes: rsdp.encoded, kind: .biosArea),
            Table(signature: "FACS", address: facsAddress, bytes: facs.encoded, kind: .nvs),
            Table(signature: "DSDT", address: dsdtAddress, bytes: dsdtBytes, kind: .reclaimable),
            Table(signature: "FACP", address: fadtAddress, bytes: fadtBytes, kind: .reclaimable),
            Table(signature: "APIC", address: madtAddress, bytes: madtBytes, kind: .reclaimable),
            Table(signature: "RSDT", address: rsdtAddress, bytes: rsdtBytes, kind: .reclaimable),
        ])
    }

    /// The MADT's structures: one local APIC per processor, the I/O APIC, the ISA overrides
    /// (PIT IRQ0 on input 2 as the I/O APIC is wired; the SCI level, active high) and LINT1 as NMI
    /// on every processor.
    static func madtEntries(layout: PlatformLayout) -> [MADT.Entry] {
        var entries: [MADT.Entry] = (0..<layout.processorCount).map {
            .localAPIC(processorUID: UInt8($0), apicID: UInt8($0))
        }
        entries.append(.ioAPIC(id: layout.ioapicID, address: layout.ioapicAddress, gsiBase: 0))
        entries.append(.interruptSourceOverride(source: 0, gsi: 2, flags: .busDefault))
        entries.append(.interruptSourceOverride(
            source: layout.sciIRQ, gsi: UInt32(layout.sciIRQ),
            flags: MADT.MPSINTIFlags(polarity: .activeHigh, trigger: .level)))
        entries.append(.localAPICNMI(
            processorUID: 0xFF, flags: MADT.MPSINTIFlags(polarity: .activeHigh, trigger: .edge), lint: 1))
        return entries
    }

    /// 32-bit FNV-1a.
    static func fnv1a(_ bytes: [UInt8]) -> UInt32 {
        bytes.reduce(0x811C_9DC5) { ($0 ^ UInt32($1)) &* 0x0100_0193 }
    }
}
