// Tests of the assembled table set: placement, pointers, checksums, layout validation, the device hook.

import EmulatorCore
import Testing
@testable import ACPI

/// A stand-in for a device that describes itself (like the later VMBus device).
private struct FakeVMBusDevice: ACPIDeviceDescribing {
    func appendAML(into scope: inout AMLBuilder) {
        scope.device("VMOD") { d in
            d.name("_HID", "VMBUS")
            d.name("_UID", 0)
            d.name("_CRS", .resourceTemplate([.irqNoFlags([5])]))
        }
    }
}

@Suite("ACPITables.build")
struct ACPITablesTests {
    let layout = PlatformLayout(ramSize: 256 << 20)

    @Test("every table sums to zero and its Length field matches its size")
    func checksumsAndLengths() throws {
        let tables = try ACPITables.build(layout: layout)
        #expect(tables.tables.map(\.signature) == ["RSD PTR ", "FACS", "DSDT", "FACP", "APIC", "RSDT"])
        for table in tables.tables where table.signature != "RSD PTR " {
            let r = TableReader(table.bytes)
            #expect(r.length == table.bytes.count, "\(table.signature)")
            #expect(r.signature == table.signature)
            if table.signature != "FACS" { #expect(r.checksumIsValid, "\(table.signature)") }
        }
        #expect(TableReader(try #require(tables["RSD PTR "]).bytes).checksumIsValid)
    }

    @Test("RSDP → RSDT → FADT and MADT; FADT → FACS and DSDT, at the addresses the tables are placed")
    func pointers() throws {
        let tables = try ACPITables.build(layout: layout)
        let rsdp = try #require(tables["RSD PTR "])
        #expect(rsdp.address == layout.rsdpAddress && tables.rsdpAddress == layout.rsdpAddress)
        let rsdt = try #require(tables["RSDT"])
        #expect(TableReader(rsdp.bytes).u32(16) == rsdt.address.value)
        let r = TableReader(rsdt.bytes)
        let entries = stride(from: 36, to: r.length, by: 4).map { r.u32($0) }
        let fadt = try #require(tables["FACP"])
        let madt = try #require(tables["APIC"])
        #expect(entries == [fadt.address.value, madt.address.value])
        let f = TableReader(fadt.bytes)
        #expect(f.u32(36) == tables["FACS"]?.address.value)
        #expect(f.u32(40) == tables["DSDT"]?.address.value)
        #expect(f.u64(132) == UInt64(f.u32(36)) && f.u64(140) == UInt64(f.u32(40)))
    }

    @Test("the FACS opens the NVS page; the rest follow 16-byte aligned inside the reclaimable part")
    func placement() throws {
        let tables = try ACPITables.build(layout: layout)
        let facs = try #require(tables["FACS"])
        #expect(facs.address == layout.acpiRegion.base && facs.kind == .nvs)
        #expect(facs.address.value % FACS.alignment == 0)
        #expect(layout.acpiRegion.base.value == (256 << 20) - (64 << 10))
        #expect(layout.acpiNVSRegion.size == 4096)
        var previousEnd = UInt64(layout.acpiReclaimRegion.base.value)
        for signature in ["DSDT", "FACP", "APIC", "RSDT"] {
            let table = try #require(tables[signature])
            #expect(table.kind == .reclaimable)
            #expect(table.address.value % 16 == 0)
            #expect(UInt64(table.address.value) >= previousEnd)
            previousEnd = UInt64(table.address.value) + UInt64(table.bytes.count)
            #expect(layout.acpiReclaimRegion.contains(.init(base: table.address, size: UInt32(table.bytes.count))))
        }
    }

    @Test("FADT reflects the layout's PM block, SCI, SMI command, reset register and century")
    func fadtFromLayout() throws {
        let f = TableReader(try #require(try ACPITables.build(layout: layout)["FACP"]).bytes)
        #expect(f.u16(46) == 9)
        #expect(f.u32(48) == 0xB2 && f.u8(52) == 0xF1 && f.u8(53) == 0xF0)
        #expect(f.u32(56) == 0x600 && f.u32(64) == 0x604 && f.u32(76) == 0x608)
        #expect(f.u32(80) == 0x60C && f.u8(92) == 4 && f.gas(220) == (space: 1, bitWidth: 32, address: 0x60C))
        #expect(f.u8(108) == 0x32)
        #expect(f.u32(112) & (1 << 10) != 0 && f.gas(116).address == 0xCF9 && f.u8(128) == 6)
        #expect(f.u32(112) & (1 << 4) == 0)  // fixed power button
        #expect(f.u32(112) & (1 << 8) == 0)  // 24-bit PM timer
    }

    @Test("MADT lists every CPU, the I/O APIC, IRQ0→GSI2, the SCI level/high, and LINT1 NMI")
    func madtFromLayout() throws {
        var twoCPUs = layout
        twoCPUs.processorCount = 2
        twoCPUs.ioapicID = 2
        let madt = try #require(try ACPITables.build(layout: twoCPUs)["APIC"])
        #expect(TableReader(madt.bytes).u32(36) == 0xFEE0_0000)
        #expect(TableReader(madt.bytes).u32(40) & 1 == 1)  // PCAT_COMPAT
        #expect(ParsedMADTEntry.parse(madt.bytes) == [
            .localAPIC(uid: 0, apicID: 0, flags: 1),
            .localAPIC(uid: 1, apicID: 1, flags: 1),
            .ioAPIC(id: 2, address: 0xFEC0_0000, gsiBase: 0),
            .override(bus: 0, source: 0, gsi: 2, flags: 0),
            .override(bus: 0, source: 9, gsi: 9, flags: 0x000D),
            .localAPICNMI(uid: 0xFF, flags: 0x0005, lint: 1),
        ])
    }

    @Test("the DSDT contains the PC devices, the S5 package and processor objects")
    func dsdtContents() throws {
        let dsdt = try #require(try ACPITables.build(layout: layout)["DSDT"]).bytes
        for name in ["PCI0", "ISA_", "PIC_", "DMA_", "TMR_", "RTC_", "SPKR", "KBD_", "MOU_", "COM1", "SYSR",
                     "LNKA", "LNKB", "LNKC", "LNKD", "_PRT", "_S5_", "CPU0"] {
            #expect(dsdt.contains(Array(name.utf8)), "\(name)")
        }
        // Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero })
        #expect(dsdt.contains(hex("08 5F 53 35 5F 12 06 04 00 00 00 00")))
        // Processor (CPU0, 0x00, 0x00000000, 0x00) {}
        #expect(dsdt.contains(hex("5B 83 0B 43 50 55 30 00 00 00 00 00 00")))
    }

    @Test("S5 SLP_TYP follows the layout")
    func s5FromLayout() throws {
        var l = layout
        l.s5SleepType = 5
        let dsdt = try #require(try ACPITables.build(layout: l)["DSDT"]).bytes
        // Name (_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })
        #expect(dsdt.contains(hex("08 5F 53 35 5F 12 08 04 0A 05 0A 05 00 00")))
    }

    @Test("devices that describe themselves are appended inside \\_SB, and change the hardware signature")
    func deviceHook() throws {
        let plain = try ACPITables.build(layout: layout)
        let withDevice = try ACPITables.build(layout: layout, devices: [FakeVMBusDevice()])
        let dsdt = try #require(withDevice["DSDT"]).bytes
        #expect(dsdt.count > (try #require(plain["DSDT"])).bytes.count)
        // Device (VMOD) { Name (_HID, "VMBUS") … }, after the built-in devices.
        #expect(dsdt.contains(Array("VMOD".utf8) + hex("08 5F 48 49 44 0D") + Array("VMBUS".utf8) + [0]))
        let vmod = try #require(dsdt.firstRange(of: Array("VMOD".utf8)))
        for builtIn in ["LNKD", "PCI0", "SYSR"] {
            #expect(vmod.lowerBound > (try #require(dsdt.firstRange(of: Array(builtIn.utf8)))).lowerBound)
        }
        // Top level: Scope (\_PR), Name (_S5, Package), then Scope (\_SB) running to the table's end,
        // so its PkgLength covers the appended device.
        var offset = ACPITableHeader.size
        #expect(dsdt[offset] == 0x10)
        offset += 1 + decodePkgLength(dsdt, at: offset + 1)
        #expect(Array(dsdt[offset..<offset + 5]) == hex("08 5F 53 35 5F") && dsdt[offset + 5] == 0x12)
        offset += 6 + decodePkgLength(dsdt, at: offset + 6)
        #expect(dsdt[offset] == 0x10)
        let nameStart = offset + 1 + AMLPkgLength.encode(decodePkgLength(dsdt, at: offset + 1)).count
        #expect(Array(dsdt[nameStart..<nameStart + 5]) == hex("5C 5F 53 42 5F"))
        #expect(offset + 1 + decodePkgLength(dsdt, at: offset + 1) == dsdt.count)
        let plainFACS = TableReader(plain["FACS"]!.bytes).u32(8)
        let deviceFACS = TableReader(withDevice["FACS"]!.bytes).u32(8)
        #expect(plainFACS != deviceFACS)
    }

    @Test("direct I/O APIC routing gives GSIs 16-19 in _PRT and no link devices")
    func directRouting() throws {
        var l = layout
        l.pciInterruptRouting = .ioapicDirect
        let dsdt = try #require(try ACPITables.build(layout: l)["DSDT"]).bytes
        #expect(!dsdt.contains(Array("LNKA".utf8)))
        #expect(!dsdt.contains(Array("PRQA".utf8)))
        // Package (0x04) { 0x0001FFFF, Zero, Zero, 0x11 }: device 1 INTA# → PIRQB → GSI 17
        #expect(dsdt.contains(hex("12 0B 04 0C FF FF 01 00 00 00 0A 11")))
        // Package (0x04) { 0x0003FFFF, One, Zero, 0x10 }: device 3 INTB# → PIRQA → GSI 16
        #expect(dsdt.contains(hex("12 0B 04 0C FF FF 03 00 01 00 0A 10")))
    }

    @Test("the same layout builds the same bytes")
    func deterministic() throws {
        #expect(try ACPITables.build(layout: layout) == (try ACPITables.build(layout: layout)))
    }

    @Test("tables that outgrow the ACPI region are refused with a size message")
    func regionTooSmall() throws {
        var l = layout
        l.acpiRegion = .init(base: GuestPhysicalAddress((256 << 20) - 8192), size: 8192)
        struct Bulky: ACPIDeviceDescribing {
            func appendAML(into scope: inout AMLBuilder) {
                scope.name("BLOB", .buffer(Array(repeating: 0, count: 5000)))
            }
        }
        #expect(throws: PlatformLayoutError.self) { try ACPITables.build(layout: l, devices: [Bulky()]) }
        #expect(throws: Never.self) { try ACPITables.build(layout: l) }
    }
}

/// The value of the PkgLength starting at `offset`.
private func decodePkgLength(_ bytes: [UInt8], at offset: Int) -> Int {
    let lead = Int(bytes[offset])
    let following = lead >> 6
    if following == 0 { return lead & 0x3F }
    var value = lead & 0x0F
    for i in 0..<following { value |= Int(bytes[offset + 1 + i]) << (4 + 8 * i) }
    return value
}

@Suite("PlatformLayout")
struct PlatformLayoutTests {
    @Test("defaults: tables in the top 64 KiB of RAM, RSDP at 0xE0000, PCI hole from top of RAM")
    func defaults() throws {
        let l = PlatformLayout(ramSize: 128 << 20)
        try l.validate()
        #expect(l.acpiRegion == .init(base: GuestPhysicalAddress((128 << 20) - 0x1_0000), size: 0x1_0000))
        #expect(l.acpiNVSRegion == .init(base: GuestPhysicalAddress((128 << 20) - 0x1_0000), size: 0x1000))
        #expect(l.acpiReclaimRegion == .init(base: GuestPhysicalAddress((128 << 20) - 0xF000), size: 0xF000))
        #expect(l.rsdpAddress == GuestPhysicalAddress(0xE_0000))
        #expect(l.pciHoleStart == GuestPhysicalAddress(128 << 20))
        #expect(l.pm1aEventBlock == IOPort(0x600) && l.pm1aControlBlock == IOPort(0x604))
        #expect(l.pmTimerBlock == IOPort(0x608))
        #expect(l.gpe0Block == FADT.GPEBlock(port: IOPort(0x60C), length: 4))
        #expect(l.ioapicID == 1 && l.sciIRQ == 9)
    }

    @Test("PIRQ wiring rotates by slot and pin: device 1 INTA# is PIRQB, device 4 INTA# PIRQA")
    func pirqRotation() {
        #expect(PlatformLayout.pirq(slot: 1, pin: 0) == 1)
        #expect(PlatformLayout.pirq(slot: 1, pin: 3) == 0)
        #expect(PlatformLayout.pirq(slot: 2, pin: 0) == 2)
        #expect(PlatformLayout.pirq(slot: 3, pin: 0) == 3)
        #expect(PlatformLayout.pirq(slot: 4, pin: 0) == 0)
        #expect(PlatformLayout.pirq(slot: 4, pin: 1) == 1)
        #expect(PlatformLayout.gsi(forPIRQ: 3) == 19)
    }

    @Test("inconsistent layouts are refused with the field at fault")
    func validation() {
        func error(_ edit: (inout PlatformLayout) -> Void) -> PlatformLayoutError? {
            var l = PlatformLayout(ramSize: 64 << 20)
            edit(&l)
            do { try l.validate() } catch { return error }
            return nil
        }
        #expect(error { _ in } == nil)
        #expect(error { $0.ramSize = 1 << 20 } == .badRAMSize(1 << 20))
        #expect(error { $0.rsdpAddress = GuestPhysicalAddress(0xE_0008) } == .badRSDPAddress(GuestPhysicalAddress(0xE_0008)))
        #expect(error { $0.rsdpAddress = GuestPhysicalAddress(0x10_0000) } != nil)
        #expect(error { $0.pciHoleStart = GuestPhysicalAddress(32 << 20) } == .badPCIHole(GuestPhysicalAddress(32 << 20)))
        #expect(error { $0.acpiRegion.base = GuestPhysicalAddress(64 << 20) } != nil)
        #expect(error { $0.acpiRegion.base = GuestPhysicalAddress(0x1234_0010) } != nil)
        #expect(error { $0.ioapicID = 0 } == .ioapicIDInUse(0))
        #expect(error { $0.sciIRQ = 16 } == .badSCIIRQ(16))
        #expect(error { $0.pmBase = IOPort(0x610) } == .badPMBase(IOPort(0x610)))
        #expect(error { $0.gpe0Length = 3 } == .badGPE0Length(3))
        #expect(error { $0.s5SleepType = 8 } == .badSleepType(8))
        #expect(error { $0.pirqIRQChoices = [] } == .badPIRQChoices([]))
        #expect(error { $0.pirqIRQChoices = [5, 8] } == .badPIRQChoices([5, 8]))
        #expect(error { $0.processorCount = 15; $0.ioapicID = 15 } == nil)
        #expect(error { $0.processorCount = 16; $0.ioapicID = 16 } == .badProcessorCount(16))
        #expect(error { $0.ioapicID = 16 } == .ioapicIDInUse(16))
        #expect(error { $0.processorCount = 0 } == .badProcessorCount(0))
        #expect(error { $0.pciInterruptRouting = .ioapicDirect; $0.ioapicInputCount = 16 } == .tooFewIOAPICInputs(16))
        #expect(PlatformLayoutError.badPMBase(IOPort(0x610)).description.contains("0x40"))
    }
}
