// Tests of each table builder: layout of fields, lengths, checksums.

import EmulatorCore
import Testing
@testable import ACPI

@Suite("ACPI tables")
struct TableTests {
    @Test("the table header carries signature, length, revision, OEM and creator fields, and sums to zero")
    func header() {
        let table = ACPITableHeader.table(signature: "TEST", revision: 7, identity: .partita, body: [1, 2, 3])
        let r = TableReader(table)
        #expect(r.signature == "TEST")
        #expect(r.length == 39 && table.count == 39)
        #expect(r.revision == 7)
        #expect(r.ascii(10, 6) == "PARTIT")
        #expect(r.ascii(16, 8) == "PARTITA ")
        #expect(r.u32(24) == 1)
        #expect(r.ascii(28, 4) == "PRTA")
        #expect(r.u32(32) == 1)
        #expect(r.checksumIsValid)
        #expect(Array(table.suffix(3)) == [1, 2, 3])
    }

    @Test("RSDP 1.0: 20 bytes, revision 0, RSDT address, checksum over the structure")
    func rsdp() {
        let bytes = RSDP(rsdtAddress: GuestPhysicalAddress(0x0FFF_1234)).encoded
        let r = TableReader(bytes)
        #expect(bytes.count == 20)
        #expect(r.ascii(0, 8) == "RSD PTR ")
        #expect(r.ascii(9, 6) == "PARTIT")
        #expect(r.u8(15) == 0)
        #expect(r.u32(16) == 0x0FFF_1234)
        #expect(r.checksumIsValid)
    }

    @Test("RSDT lists 32-bit table addresses after the header")
    func rsdt() {
        let bytes = RSDT(entries: [GuestPhysicalAddress(0x1000), GuestPhysicalAddress(0x2000)]).encoded
        let r = TableReader(bytes)
        #expect(r.signature == "RSDT" && r.revision == 1)
        #expect(r.length == 44 && bytes.count == 44)
        #expect(r.u32(36) == 0x1000 && r.u32(40) == 0x2000)
        #expect(r.checksumIsValid)
    }

    @Test("FACS is 64 bytes, version 1, with the hardware signature and no checksum field")
    func facs() {
        let bytes = FACS(hardwareSignature: 0xCAFE_F00D).encoded
        let r = TableReader(bytes)
        #expect(bytes.count == 64)
        #expect(r.signature == "FACS" && r.length == 64)
        #expect(r.u32(8) == 0xCAFE_F00D)
        #expect(r.u32(12) == 0 && r.u32(16) == 0 && r.u32(20) == 0)  // waking vector, lock, flags
        #expect(r.u8(32) == 1)
    }

    @Test("FADT revision 3: pointers, PM blocks, SCI, SMI, flags, reset register, X_ fields agree")
    func fadt() {
        var fadt = FADT(facsAddress: GuestPhysicalAddress(0x0FFF_0000), dsdtAddress: GuestPhysicalAddress(0x0FFF_1000),
                        sciInterrupt: 9, smiCommandPort: IOPort(0xB2), acpiEnable: 0xF1, acpiDisable: 0xF0,
                        pmBase: IOPort(0x600), gpe0Block: FADT.GPEBlock(port: IOPort(0x60C), length: 4), century: 0x32)
        fadt.flags.insert(.resetRegisterSupported)
        fadt.resetRegister = .io(0xCF9, bytes: 1)
        fadt.resetValue = 0x06
        let bytes = fadt.encoded
        let r = TableReader(bytes)
        #expect(r.signature == "FACP" && r.revision == 3)
        #expect(r.length == 244 && bytes.count == 244)
        #expect(r.checksumIsValid)
        #expect(r.u32(36) == 0x0FFF_0000 && r.u32(40) == 0x0FFF_1000)
        #expect(r.u16(46) == 9)
        #expect(r.u32(48) == 0xB2 && r.u8(52) == 0xF1 && r.u8(53) == 0xF0)
        #expect(r.u32(56) == 0x600 && r.u32(64) == 0x604 && r.u32(76) == 0x608 && r.u32(80) == 0x60C)
        #expect(r.u32(60) == 0 && r.u32(68) == 0 && r.u32(72) == 0 && r.u32(84) == 0)
        #expect(r.u8(88) == 4 && r.u8(89) == 2 && r.u8(90) == 0 && r.u8(91) == 4 && r.u8(92) == 4)
        #expect(r.u16(96) > 100 && r.u16(98) > 1000)  // C2 and C3 unsupported
        #expect(r.u8(108) == 0x32)
        #expect(r.u16(109) == 0x0003)  // LEGACY_DEVICES | 8042
        // WBINVD | PROC_C1 | SLP_BUTTON | FIX_RTC | RESET_REG_SUP
        #expect(r.u32(112) == 0x0000_0465)
        #expect(r.gas(116) == (space: 1, bitWidth: 8, address: 0xCF9))
        #expect(r.u8(128) == 0x06)
        #expect(r.u64(132) == 0x0FFF_0000 && r.u64(140) == 0x0FFF_1000)
        #expect(r.gas(148) == (space: 1, bitWidth: 32, address: 0x600))
        #expect(r.gas(172) == (space: 1, bitWidth: 16, address: 0x604))
        #expect(r.gas(208) == (space: 1, bitWidth: 32, address: 0x608))
        #expect(r.gas(220) == (space: 1, bitWidth: 32, address: 0x60C))
        for unused in [160, 184, 196, 232] { #expect(r.gas(unused) == (space: 0, bitWidth: 0, address: 0)) }
    }

    @Test("FADT without SMI_CMD or GPE0 writes zeros there")
    func fadtAlwaysACPI() {
        let fadt = FADT(facsAddress: GuestPhysicalAddress(0x1000), dsdtAddress: GuestPhysicalAddress(0x2000),
                        sciInterrupt: 9, smiCommandPort: nil, acpiEnable: 0, acpiDisable: 0, pmBase: IOPort(0xB000))
        let r = TableReader(fadt.encoded)
        #expect(r.u32(48) == 0 && r.u32(80) == 0 && r.u8(92) == 0)
        #expect(r.u32(56) == 0xB000 && r.u32(76) == 0xB008)
        #expect(r.gas(220) == (space: 0, bitWidth: 0, address: 0))
        #expect(r.checksumIsValid)
    }

    @Test("MADT structures have the spec's types and lengths and parse back")
    func madt() {
        let madt = MADT(localAPICAddress: GuestPhysicalAddress(0xFEE0_0000), entries: [
            .localAPIC(processorUID: 0, apicID: 0),
            .ioAPIC(id: 1, address: GuestPhysicalAddress(0xFEC0_0000), gsiBase: 0),
            .interruptSourceOverride(source: 0, gsi: 2, flags: .busDefault),
            .interruptSourceOverride(source: 9, gsi: 9, flags: .init(polarity: .activeHigh, trigger: .level)),
            .localAPICNMI(processorUID: 0xFF, flags: .init(polarity: .activeHigh, trigger: .edge), lint: 1),
        ])
        let bytes = madt.encoded
        let r = TableReader(bytes)
        #expect(r.signature == "APIC" && r.revision == 1)
        #expect(r.length == 44 + 8 + 12 + 10 + 10 + 6 && bytes.count == r.length)
        #expect(r.checksumIsValid)
        #expect(r.u32(36) == 0xFEE0_0000 && r.u32(40) == 1)
        // Processor Local APIC: type 0, length 8, UID 0, APIC ID 0, enabled
        #expect(Array(bytes[44..<52]) == hex("00 08 00 00 01 00 00 00"))
        #expect(ParsedMADTEntry.parse(bytes) == [
            .localAPIC(uid: 0, apicID: 0, flags: 1),
            .ioAPIC(id: 1, address: 0xFEC0_0000, gsiBase: 0),
            .override(bus: 0, source: 0, gsi: 2, flags: 0),
            .override(bus: 0, source: 9, gsi: 9, flags: 0x000D),
            .localAPICNMI(uid: 0xFF, flags: 0x0005, lint: 1),
        ])
    }

    @Test("DSDT wraps its AML in a revision-1 header")
    func dsdt() {
        let bytes = DSDT(aml: [0x08, 0x5F, 0x53, 0x35, 0x5F, 0x00]).encoded
        let r = TableReader(bytes)
        #expect(r.signature == "DSDT" && r.revision == 1 && r.length == 42)
        #expect(r.checksumIsValid)
        #expect(Array(bytes.suffix(6)) == hex("08 5F 53 35 5F 00"))
    }
}
