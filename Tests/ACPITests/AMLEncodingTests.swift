// Golden-byte tests for the AML encoder: names, data objects, PkgLength, EISAID, terms.
// Each expectation shows the ASL it encodes; the bytes were worked out from ACPI 6.5 §20.

import Testing
@testable import ACPI

@Suite("AML names")
struct AMLNameTests {
    @Test("a NameSeg shorter than four characters is padded with underscores")
    func nameSegPadding() {
        #expect(AMLNameSeg("ISA").bytes == Array("ISA_".utf8))
        #expect(AMLNameSeg("_S5").description == "_S5_")
        #expect(AMLNameSeg("PCI0").bytes == hex("50 43 49 30"))
    }

    @Test("invalid NameSegs are rejected: digit first, lower case, too long, empty")
    func invalidNameSegs() {
        #expect(AMLNameSeg(validating: "0ABC") == nil)
        #expect(AMLNameSeg(validating: "pci0") == nil)
        #expect(AMLNameSeg(validating: "PCI00") == nil)
        #expect(AMLNameSeg(validating: "") == nil)
        #expect(AMLNameSeg(validating: "A-B") == nil)
    }

    @Test("paths encode as NameSeg, DualNamePath, MultiNamePath, with root and parent prefixes")
    func namePaths() {
        // _HID
        #expect(AMLNamePath("_HID").encoded == hex("5F 48 49 44"))
        // \_SB
        #expect(AMLNamePath("\\_SB").encoded == hex("5C 5F 53 42 5F"))
        // \_SB.PCI0: RootChar DualNamePrefix seg seg
        #expect(AMLNamePath("\\_SB.PCI0").encoded == hex("5C 2E 5F 53 42 5F 50 43 49 30"))
        // \_SB.PCI0.ISA: RootChar MultiNamePrefix count=3 seg seg seg
        #expect(AMLNamePath("\\_SB.PCI0.ISA").encoded
                == hex("5C 2F 03 5F 53 42 5F 50 43 49 30 49 53 41 5F"))
        // ^^FOO
        #expect(AMLNamePath("^^FOO").encoded == hex("5E 5E 46 4F 4F 5F"))
        // \ alone: RootChar NullName
        #expect(AMLNamePath.root.encoded == hex("5C 00"))
    }

    @Test("path parsing rejects empty segments and bare parent prefixes")
    func invalidPaths() {
        #expect(AMLNamePath(parsing: "\\_SB..PCI0") == nil)
        #expect(AMLNamePath(parsing: "^") == nil)
        #expect(AMLNamePath(parsing: "") == nil)
        #expect(AMLNamePath(parsing: "\\^FOO") == nil)
        #expect(AMLNamePath(parsing: "\\_SB.PCI0")?.description == "\\_SB_.PCI0")
    }
}

@Suite("AML data objects")
struct AMLDataTests {
    @Test("integers take the smallest encoding: ZeroOp, OneOp, Byte, Word, DWord, QWord prefixes")
    func integers() {
        #expect(AMLData.integer(0).encoded == hex("00"))  // Zero
        #expect(AMLData.integer(1).encoded == hex("01"))  // One
        #expect(AMLData.integer(2).encoded == hex("0A 02"))  // 0x02
        #expect(AMLData.integer(0xFF).encoded == hex("0A FF"))  // 0xFF
        #expect(AMLData.integer(0x100).encoded == hex("0B 00 01"))  // 0x0100
        #expect(AMLData.integer(0xFFFF).encoded == hex("0B FF FF"))  // 0xFFFF
        #expect(AMLData.integer(0x1_0000).encoded == hex("0C 00 00 01 00"))  // 0x00010000
        #expect(AMLData.integer(0xFFFF_FFFF).encoded == hex("0C FF FF FF FF"))  // 0xFFFFFFFF
        #expect(AMLData.integer(0x1_0000_0000).encoded == hex("0E 00 00 00 00 01 00 00 00"))
        #expect(AMLData.ones.encoded == hex("FF"))  // Ones
    }

    @Test("strings end with a NUL after StringPrefix and the characters")
    func strings() {
        // "ab"
        #expect(AMLData.string("ab").encoded == hex("0D 61 62 00"))
        #expect(AMLData.string("").encoded == hex("0D 00"))
    }

    @Test("a buffer is BufferOp PkgLength BufferSize bytes")
    func buffers() {
        // Buffer (0x03) { 0x01, 0x02, 0x03 }
        #expect(AMLData.buffer([1, 2, 3]).encoded == hex("11 06 0A 03 01 02 03"))
        // Buffer (Zero) {}
        #expect(AMLData.buffer([]).encoded == hex("11 02 00"))
    }

    @Test("a package is PackageOp PkgLength NumElements elements, with references as bare names")
    func packages() {
        // Package (0x03) { One, 0x10, "A" }
        #expect(AMLData.package([1, 0x10, "A"]).encoded == hex("12 08 03 01 0A 10 0D 41 00"))
        // Package (0x04) { 0x0001FFFF, Zero, LNKA, Zero }
        #expect(AMLData.package([0x1_FFFF, 0, .reference("LNKA"), 0]).encoded
                == hex("12 0D 04 0C FF FF 01 00 00 4C 4E 4B 41 00"))
    }

    @Test("more than 255 elements use VarPackageOp with an integer count")
    func varPackage() {
        // Package (0x0100) { Zero, … } → VarPackageOp, PkgLength 261 (0x45 0x10), WordConst 0x0100
        let encoded = AMLData.package(Array(repeating: 0, count: 256)).encoded
        #expect(Array(encoded.prefix(6)) == hex("13 45 10 0B 00 01"))
        #expect(encoded.count == 6 + 256)
        #expect(encoded.dropFirst(6).allSatisfy { $0 == 0 })
    }
}

@Suite("AML PkgLength")
struct AMLPkgLengthTests {
    @Test("raw values at each encoding boundary: 63/64, 4095/4096, 2^20-1/2^20, 2^28-1")
    func rawBoundaries() {
        #expect(AMLPkgLength.encode(0) == hex("00"))
        #expect(AMLPkgLength.encode(63) == hex("3F"))
        #expect(AMLPkgLength.encode(64) == hex("40 04"))
        #expect(AMLPkgLength.encode(0x123) == hex("43 12"))
        #expect(AMLPkgLength.encode(4095) == hex("4F FF"))
        #expect(AMLPkgLength.encode(4096) == hex("80 00 01"))
        #expect(AMLPkgLength.encode(0xF_FFFF) == hex("8F FF FF"))
        #expect(AMLPkgLength.encode(0x10_0000) == hex("C0 00 00 01"))
        #expect(AMLPkgLength.encode(0x0FFF_FFFF) == hex("CF FF FF FF"))
    }

    @Test("a wrapped package counts its own PkgLength bytes, growing the prefix at the edges")
    func wrappingBoundaries() {
        // 62 bytes of content + 1 length byte = 63: still one byte.
        #expect(Array(AMLPkgLength.wrapping(Array(repeating: 0, count: 62)).prefix(1)) == hex("3F"))
        // 63 bytes + 1 = 64 does not fit one byte; 63 + 2 = 65 = 0x41.
        #expect(Array(AMLPkgLength.wrapping(Array(repeating: 0, count: 63)).prefix(2)) == hex("41 04"))
        // 4093 + 2 = 4095: the largest two-byte total.
        #expect(Array(AMLPkgLength.wrapping(Array(repeating: 0, count: 4093)).prefix(2)) == hex("4F FF"))
        // 4094 + 2 = 4096 does not fit two bytes; 4094 + 3 = 4097 = 0x1001.
        #expect(Array(AMLPkgLength.wrapping(Array(repeating: 0, count: 4094)).prefix(3)) == hex("81 00 01"))
        // 2^20 - 4 + 3 = 2^20 - 1: largest three-byte total; one more needs four bytes.
        #expect(Array(AMLPkgLength.wrapping(Array(repeating: 0, count: 0xF_FFFC)).prefix(3)) == hex("8F FF FF"))
        #expect(Array(AMLPkgLength.wrapping(Array(repeating: 0, count: 0xF_FFFD)).prefix(4)) == hex("C1 00 00 01"))
    }

    @Test("decoding a wrapped length gives back prefix plus content size for every size to 70000")
    func wrappingRoundTrip() {
        for count in Array(0..<300) + Array(4000..<4200) + [65_000, 70_000] {
            let wrapped = AMLPkgLength.wrapping(Array(repeating: 0xAA, count: count))
            let lead = Int(wrapped[0])
            let following = lead >> 6
            var value = following == 0 ? lead & 0x3F : lead & 0x0F
            for i in 0..<following { value |= Int(wrapped[1 + i]) << (4 + 8 * i) }
            #expect(value == count + 1 + following, "content \(count)")
            #expect(wrapped.count == value)
        }
    }
}

@Suite("EISAID")
struct EISAIDTests {
    @Test("PNP IDs compress to the documented integers")
    func compress() {
        #expect(EISAID.compress("PNP0A03") == 0x030A_D041)
        #expect(EISAID.compress("PNP0000") == 0x0000_D041)
        #expect(EISAID.compress("PNP0C0F") == 0x0F0C_D041)
        #expect(EISAID.compress("PNP0501") == 0x0105_D041)
        // A=1, B=2, C=3: vendor word 0x0443.
        #expect(EISAID.compress("ABC1234") == 0x3412_4304)
    }

    @Test("malformed IDs are rejected")
    func malformed() {
        #expect(EISAID.compress("PNP0A0") == nil)
        #expect(EISAID.compress("pnp0A03") == nil)
        #expect(EISAID.compress("PNP0G03") == nil)
        #expect(EISAID.compress("PN10A03") == nil)
        #expect(EISAID.compress("PNP0a03") == nil)
        #expect(EISAID.compress("PNP+A03") == nil)
    }

    @Test("an EISAID constant uses the smallest integer encoding, as ASL compilers emit it")
    func encoding() {
        // EisaId ("PNP0A03")
        #expect(AMLData.eisaID("PNP0A03").encoded == hex("0C 41 D0 0A 03"))
        // EisaId ("PNP0000") = 0xD041
        #expect(AMLData.eisaID("PNP0000").encoded == hex("0B 41 D0"))
    }
}

@Suite("AML terms")
struct AMLTermTests {
    private func build(_ body: (inout AMLBuilder) -> Void) -> [UInt8] {
        var b = AMLBuilder()
        body(&b)
        return b.bytes
    }

    @Test("Name binds a NameSeg to a data object")
    func name() {
        // Name (_HID, EisaId ("PNP0A03"))
        #expect(build { $0.name("_HID", .eisaID("PNP0A03")) } == hex("08 5F 48 49 44 0C 41 D0 0A 03"))
        // Name (_ADR, Zero)
        #expect(build { $0.name("_ADR", 0) } == hex("08 5F 41 44 52 00"))
        // Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero })
        #expect(build { $0.name("_S5", .package([0, 0, 0, 0])) } == hex("08 5F 53 35 5F 12 06 04 00 00 00 00"))
    }

    @Test("Scope and Device wrap their term lists in PkgLengths")
    func scopeAndDevice() {
        // Scope (\_SB) { Device (PCI0) { Name (_ADR, Zero) } }
        let bytes = build { b in
            b.scope("\\_SB") { $0.device("PCI0") { $0.name("_ADR", 0) } }
        }
        #expect(bytes == hex("10 13 5C 5F 53 42 5F 5B 82 0B 50 43 49 30 08 5F 41 44 52 00"))
    }

    @Test("Method flags carry the argument count, serialization and sync level")
    func methods() {
        // Method (_STA, 0, NotSerialized) { Return (0x0F) }
        #expect(build { $0.method("_STA") { $0.return(0x0F) } } == hex("14 09 5F 53 54 41 00 A4 0A 0F"))
        // Method (_SRS, 1, Serialized) {}
        #expect(build { $0.method("_SRS", argumentCount: 1, serialized: true) { _ in } } == hex("14 06 5F 53 52 53 09"))
        // Method (FOO, 7, Serialized, 15) {}
        #expect(build { $0.method("FOO", argumentCount: 7, serialized: true, syncLevel: 15) { _ in } }
                == hex("14 06 46 4F 4F 5F FF"))
    }

    @Test("Processor declares an ID and an empty P_BLK")
    func processor() {
        // Processor (CPU0, 0x00, 0x00000000, 0x00) {}
        #expect(build { $0.processor("CPU0", id: 0) } == hex("5B 83 0B 43 50 55 30 00 00 00 00 00 00"))
    }

    @Test("If and Else take a predicate and term lists")
    func ifElse() {
        // If (And (PRQA, 0x80)) { Return (0x09) } Else { Return (0x0B) }
        let bytes = build { b in
            b.if(.and(.name("PRQA"), 0x80), then: { $0.return(0x09) }, else: { $0.return(0x0B) })
        }
        #expect(bytes == hex("A0 0C 7B 50 52 51 41 0A 80 00 A4 0A 09 A1 04 A4 0A 0B"))
    }

    @Test("Store, Or with a target, and CreateDWordField over an argument")
    func storeAndFields() {
        // Store (IRQN, \_SB.PCI0.ISA.PRQA)
        #expect(build { $0.store(.name("IRQN"), into: .name("\\_SB.PCI0.ISA.PRQA")) }
                == hex("70 49 52 51 4E 5C 2F 04 5F 53 42 5F 50 43 49 30 49 53 41 5F 50 52 51 41"))
        // Or (PRQA, 0x80, PRQA)
        #expect(build { $0.evaluate(.or(.name("PRQA"), 0x80, .name("PRQA"))) }
                == hex("7D 50 52 51 41 0A 80 50 52 51 41"))
        // CreateDWordField (Arg0, 0x05, IRQN)
        #expect(build { $0.createField(.dword, in: .arg(0), byteIndex: 5, name: "IRQN") }
                == hex("8A 68 0A 05 49 52 51 4E"))
        // Store (LLess (Local0, One), Local7)
        #expect(build { $0.store(.lLess(.local(0), 1), into: .local(7)) } == hex("70 95 60 01 67"))
        // Notify (\_SB.PCI0, 0x01)
        #expect(build { $0.notify("\\_SB.PCI0", 1) } == hex("86 5C 2E 5F 53 42 5F 50 43 49 30 01"))
    }

    @Test("OperationRegion and Field encode space, flags and bit widths")
    func operationRegionAndField() {
        // OperationRegion (PIRQ, PCI_Config, 0x60, 0x04)
        #expect(build { $0.operationRegion("PIRQ", space: .pciConfig, offset: 0x60, length: 0x04) }
                == hex("5B 80 50 49 52 51 02 0A 60 0A 04"))
        // Field (PIRQ, ByteAcc, NoLock, Preserve) { PRQA, 8, PRQB, 8 }
        #expect(build { $0.field("PIRQ", access: .byte, [.named("PRQA", bits: 8), .named("PRQB", bits: 8)]) }
                == hex("5B 81 10 50 49 52 51 01 50 52 51 41 08 50 52 51 42 08"))
        // Field (REGS, DWordAcc, Lock, WriteAsZeros) { , 16, FOO, 100 }: flags 0x03 | 0x10 | 0x40
        #expect(build { $0.field("REGS", access: .dword, lock: true, update: .writeAsZeros,
                                 [.reserved(bits: 16), .named("FOO", bits: 100)]) }
                == hex("5B 81 0E 52 45 47 53 53 00 10 46 4F 4F 5F 44 06"))
    }
}
