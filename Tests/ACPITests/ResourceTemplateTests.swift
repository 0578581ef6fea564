// Golden-byte tests for resource descriptors (ACPI 6.5 §6.4), with the ASL macro each encodes.

import Testing
@testable import ACPI

@Suite("Resource templates")
struct ResourceTemplateTests {
    @Test("IO and FixedIO descriptors")
    func ioPorts() {
        // IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
        #expect(ResourceDescriptor.io(0x03F8, length: 8).encoded == hex("47 01 F8 03 F8 03 01 08"))
        // IO (Decode10, 0x0100, 0x01F0, 0x10, 0x08)
        #expect(ResourceDescriptor.io(decode16: false, minimum: 0x100, maximum: 0x1F0, alignment: 0x10, length: 8)
                .encoded == hex("47 00 00 01 F0 01 10 08"))
        // FixedIO (0x0060, 0x01)
        #expect(ResourceDescriptor.fixedIO(base: 0x60, length: 1).encoded == hex("4B 60 00 01"))
    }

    @Test("IRQ descriptors without and with flags")
    func irqs() {
        // IRQNoFlags () {4}
        #expect(ResourceDescriptor.irqNoFlags([4]).encoded == hex("22 10 00"))
        // IRQNoFlags () {12}
        #expect(ResourceDescriptor.irqNoFlags([12]).encoded == hex("22 00 10"))
        // IRQ (Level, ActiveLow, Shared) {5, 10, 11}: mask 0x0C20, flags _LL | _SHR
        #expect(ResourceDescriptor.irq([5, 10, 11], trigger: .level, polarity: .activeLow, sharing: .shared)
                .encoded == hex("23 20 0C 18"))
        // IRQ (Edge, ActiveHigh, Exclusive, , , ) {1}
        #expect(ResourceDescriptor.irq([1], trigger: .edge, polarity: .activeHigh, sharing: .exclusive)
                .encoded == hex("23 02 00 01"))
        // IRQ (Level, ActiveLow, Shared, WakeCapable) {9}
        #expect(ResourceDescriptor.irq([9], trigger: .level, polarity: .activeLow, sharing: .shared, wakeCapable: true)
                .encoded == hex("23 00 02 38"))
    }

    @Test("DMA descriptors")
    func dma() {
        // DMA (Compatibility, NotBusMaster, Transfer8, ) {4}
        #expect(ResourceDescriptor.dma([4]).encoded == hex("2A 10 00"))
        // DMA (TypeF, BusMaster, Transfer16, ) {5, 6}
        #expect(ResourceDescriptor.dma([5, 6], speed: .typeF, busMaster: true, transferSize: .transfer16)
                .encoded == hex("2A 60 66"))
    }

    @Test("Extended Interrupt descriptors list 32-bit interrupt numbers")
    func extendedInterrupt() {
        // Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, ) {5, 10, 11}
        #expect(ResourceDescriptor.extendedInterrupt([5, 10, 11], trigger: .level, polarity: .activeHigh,
                                                     sharing: .shared).encoded
                == hex("89 0E 00 09 03 05 00 00 00 0A 00 00 00 0B 00 00 00"))
        // Interrupt (ResourceConsumer, Edge, ActiveLow, Exclusive, ,, ) {9}
        #expect(ResourceDescriptor.extendedInterrupt([9], trigger: .edge, polarity: .activeLow,
                                                     sharing: .exclusive).encoded
                == hex("89 06 00 07 01 09 00 00 00"))
        // Interrupt (ResourceProducer, Level, ActiveLow, Shared, ,, ) {16}
        #expect(ResourceDescriptor.extendedInterrupt([16], usage: .producer, trigger: .level, polarity: .activeLow,
                                                     sharing: .shared).encoded
                == hex("89 06 00 0C 01 10 00 00 00"))
    }

    @Test("Memory32Fixed descriptor")
    func memory32Fixed() {
        // Memory32Fixed (ReadWrite, 0xFEC00000, 0x00001000)
        #expect(ResourceDescriptor.memory32Fixed(base: 0xFEC0_0000, length: 0x1000).encoded
                == hex("86 09 00 01 00 00 C0 FE 00 10 00 00"))
        // Memory32Fixed (ReadOnly, 0x000F0000, 0x00010000)
        #expect(ResourceDescriptor.memory32Fixed(writable: false, base: 0xF_0000, length: 0x1_0000).encoded
                == hex("86 09 00 00 00 00 0F 00 00 00 01 00"))
    }

    @Test("Word and DWord address space descriptors for root bridge windows")
    func addressSpaces() {
        // WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0x0000, 0x0000, 0x00FF, 0x0000, 0x0100)
        #expect(ResourceDescriptor.addressSpace(.window(.word, .busNumber, minimum: 0, maximum: 0xFF)).encoded
                == hex("88 0D 00 02 0C 00 00 00 00 00 FF 00 00 00 00 01"))
        // WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
        //         0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300)
        #expect(ResourceDescriptor.addressSpace(.window(.word, .io(.entire), minimum: 0x0D00, maximum: 0xFFFF))
                .encoded == hex("88 0D 00 01 0C 03 00 00 00 0D FF FF 00 00 00 F3"))
        // DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
        //              0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000)
        #expect(ResourceDescriptor.addressSpace(.window(.dword, .memory(.cacheable, writable: true),
                                                        minimum: 0xA_0000, maximum: 0xB_FFFF)).encoded
                == hex("87 17 00 00 0C 03 00 00 00 00 00 00 0A 00 FF FF 0B 00 00 00 00 00 00 00 02 00"))
        // DWordIO (ResourceConsumer, MinNotFixed, MaxNotFixed, SubDecode, ISAOnlyRanges, 0x0, 0x0, 0xFFFF, 0x0, 0x0)
        let subtractive = AddressSpaceDescriptor(width: .dword, kind: .io(.isaOnly), usage: .consumer,
                                                 subtractiveDecode: true, minimumFixed: false, maximumFixed: false,
                                                 minimum: 0, maximum: 0xFFFF, length: 0)
        #expect(subtractive.encoded
                == hex("87 17 00 01 03 02 00 00 00 00 00 00 00 00 FF FF 00 00 00 00 00 00 00 00 00 00"))
        // QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Prefetchable, ReadWrite,
        //              0x0, 0x100000000, 0x1FFFFFFFF, 0x0, 0x100000000)
        let high = AddressSpaceDescriptor.window(.qword, .memory(.prefetchable, writable: true),
                                                 minimum: 0x1_0000_0000, maximum: 0x1_FFFF_FFFF)
        #expect(high.encoded == hex("""
            8A 2B 00 00 0C 07 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 FF FF FF FF 01 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00
            """))
    }

    @Test("a template ends with an End Tag whose checksum is zero")
    func template() {
        // ResourceTemplate () { IO (Decode16, 0x0060, 0x0060, 0x01, 0x01) IRQNoFlags () {1} }
        let template = ResourceTemplate([.io(0x60, length: 1), .irqNoFlags([1])])
        #expect(template.encoded() == hex("47 01 60 00 60 00 01 01 22 02 00 79 00"))
        // Name (_CRS, ResourceTemplate () { … }): BufferOp PkgLength BufferSize(0x0D) bytes
        var b = AMLBuilder()
        b.name("_CRS", .resourceTemplate([.io(0x60, length: 1), .irqNoFlags([1])]))
        #expect(b.bytes == hex("08 5F 43 52 53 11 10 0A 0D 47 01 60 00 60 00 01 01 22 02 00 79 00"))
        // ResourceTemplate () {}
        #expect(ResourceTemplate([]).encoded() == hex("79 00"))
    }
}
