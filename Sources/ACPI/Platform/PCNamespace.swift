// The DSDT namespace of this PC: processors, PCI root bridge, PIRQ links, ISA devices, \_S5.

/// Builds the DSDT's TermList from a `PlatformLayout`. In ASL (values from the default layout):
///
/// ```
/// DefinitionBlock ("", "DSDT", 1, "PARTIT", "PARTITA ", 1) {
///   Scope (\_PR) { Processor (CPU0, 0x00, 0x00000000, 0x00) {} }   // one per processor
///   Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero })          // SLP_TYP = s5SleepType
///   Scope (\_SB) {
///     Device (LNKA) { … }  …  Device (LNKD) { … }
///     Device (PCI0) {
///       Name (_HID, EisaId ("PNP0A03"))  Name (_ADR, Zero)  Name (_UID, Zero)
///       Name (_CRS, ResourceTemplate () {
///         WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0, 0xFF, 0, 0x100)
///         IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
///         WordIO (…, EntireRange, 0, 0x0000, 0x0CF7, 0, 0x0CF8)
///         WordIO (…, EntireRange, 0, 0x0D00, 0xFFFF, 0, 0xF300)
///         DWordMemory (…, Cacheable, ReadWrite, 0, 0x000A0000, 0x000BFFFF, 0, 0x00020000)
///         DWordMemory (…, NonCacheable, ReadWrite, 0, <top of RAM>, 0xFEBFFFFF, 0, <length>)
///       })
///       Name (_PRT, Package () { Package () { 0x0001FFFF, 0, LNKB, 0 }, … })  // devices 1-31
///       Device (ISA) {
///         Name (_ADR, 0x00010000)
///         OperationRegion (PIRQ, PCI_Config, 0x60, 0x04)
///         Field (PIRQ, ByteAcc, NoLock, Preserve) { PRQA, 8, PRQB, 8, PRQC, 8, PRQD, 8 }
///         Device (PIC) …  Device (DMA) …  Device (TMR) …  Device (RTC) …  Device (SPKR) …
///         Device (KBD) …  Device (MOU) …  Device (COM1) …  Device (SYSR) …
///       }
///     }
///     <ACPIDeviceDescribing devices>
///   }
/// }
/// ```
///
/// With `.ioapicDirect` routing the `_PRT` entries are `{ 0xSSSSFFFF, pin, Zero, 16 + PIRQ }`
/// and there are no link devices or PIRQ field.
public enum PCNamespace {
    /// The TermList (the DSDT body).
    public static func aml(layout: PlatformLayout, devices: [any ACPIDeviceDescribing] = []) -> [UInt8] {
        var b = AMLBuilder()
        b.scope("\\_PR") { pr in
            for cpu in 0..<layout.processorCount {
                pr.processor(AMLNamePath(processorName(cpu)), id: UInt8(cpu))
            }
        }
        let s5 = UInt64(layout.s5SleepType)
        b.name("_S5", .package([.integer(s5), .integer(s5), 0, 0]))
        b.scope("\\_SB") { sb in
            // The links come before PCI0 so that `_PRT`'s references to them point backwards:
            // an interpreter resolving package references at load time then finds them too.
            if layout.pciInterruptRouting == .pirqLinks {
                for link in 0..<4 { pirqLink(link, into: &sb, layout: layout) }
            }
            sb.device("PCI0") { pci in
                pciRootBridge(into: &pci, layout: layout)
            }
            for device in devices { device.appendAML(into: &sb) }
        }
        return b.bytes
    }

    /// `CPU0`…`CPUF`, then `CP10`…`CPFE`: four-character names unique per processor.
    static func processorName(_ index: Int) -> AMLNameSeg {
        let hex = Array("0123456789ABCDEF".utf8)
        let name = index < 16
            ? "CPU" + String(UnicodeScalar(hex[index]))
            : "CP" + String(UnicodeScalar(hex[index >> 4])) + String(UnicodeScalar(hex[index & 0xF]))
        return AMLNameSeg(stringLiteral: name)
    }

    /// The four PIRQ registers' field names, PIRQA…PIRQD.
    static let pirqFields: [AMLNameSeg] = ["PRQA", "PRQB", "PRQC", "PRQD"]
    /// The link devices, PIRQA…PIRQD.
    static let linkNames: [AMLNameSeg] = ["LNKA", "LNKB", "LNKC", "LNKD"]

    /// `\_SB.PCI0`: the host bridge, its windows, the `_PRT` and the ISA bridge.
    static func pciRootBridge(into pci: inout AMLBuilder, layout: PlatformLayout) {
        pci.name("_HID", .eisaID("PNP0A03"))
        // ACPI 6.5 §6.1 wants _HID or _ADR, not both (iasl warning 3073); _ADR 0 on the root
        // bridge is kept as PC firmware has long had it, and OSes ignore it there.
        pci.name("_ADR", 0)
        pci.name("_UID", 0)
        let holeStart = UInt64(layout.pciHoleStart.value)
        pci.name("_CRS", .resourceTemplate([
            .addressSpace(.window(.word, .busNumber, minimum: 0, maximum: 0xFF)),
            // The configuration mechanism #1 ports, consumed by the bridge itself.
            .io(decode16: true, minimum: 0x0CF8, maximum: 0x0CF8, alignment: 1, length: 8),
            .addressSpace(.window(.word, .io(.entire), minimum: 0x0000, maximum: 0x0CF7)),
            .addressSpace(.window(.word, .io(.entire), minimum: 0x0D00, maximum: 0xFFFF)),
            .addressSpace(.window(.dword, .memory(.cacheable, writable: true), minimum: 0xA_0000, maximum: 0xB_FFFF)),
            .addressSpace(.window(.dword, .memory(.nonCacheable, writable: true),
                                  minimum: holeStart, maximum: UInt64(PlatformLayout.pciHoleEnd.value))),
        ]))
        pci.name("_PRT", .package(routingTable(layout: layout)))
        pci.device("ISA") { isa in
            isaBridge(into: &isa, layout: layout)
        }
    }

    /// One `_PRT` entry per INTx pin of devices 1–31 on bus 0 (device 0, the host bridge, has
    /// none): `{ Address 0xSSSSFFFF (any function), Pin, Source, SourceIndex }`.
    static func routingTable(layout: PlatformLayout) -> [AMLData] {
        var entries: [AMLData] = []
        for slot in 1..<32 {
            for pin in 0..<4 {
                let pirq = PlatformLayout.pirq(slot: slot, pin: pin)
                let address = AMLData.integer(UInt64(slot) << 16 | 0xFFFF)
                switch layout.pciInterruptRouting {
                case .pirqLinks:
                    let link = AMLData.reference(AMLNamePath(linkNames[pirq]))
                    entries.append(.package([address, .integer(UInt64(pin)), link, 0]))
                case .ioapicDirect:
                    entries.append(.package([address, .integer(UInt64(pin)), 0,
                                             .integer(UInt64(PlatformLayout.gsi(forPIRQ: pirq)))]))
                }
            }
        }
        return entries
    }

    /// `\_SB.PCI0.ISA`: the PIIX function 0 with its PIRQ route registers and the ISA devices.
    static func isaBridge(into isa: inout AMLBuilder, layout: PlatformLayout) {
        isa.name("_ADR", .integer(UInt64(layout.isaBridgeDevice) << 16))
        if layout.pciInterruptRouting == .pirqLinks {
            // PIIX PIRQRC[A:D]: bit 7 IRQEN# (1 = not routed), bits 3:0 the ISA IRQ.
            isa.operationRegion("PIRQ", space: .pciConfig, offset: 0x60, length: 0x04)
            isa.field("PIRQ", access: .byte, lock: false, update: .preserve,
                      pirqFields.map { .named($0, bits: 8) })
        }
        isaDevice("PIC", hid: "PNP0000", into: &isa, resources: [
            .io(0x0020, length: 2), .io(0x00A0, length: 2),
            .io(0x04D0, length: 2),  // PIIX ELCR: edge/level control
            .irqNoFlags([2]),
        ])
        isaDevice("DMA", hid: "PNP0200", into: &isa, resources: [
            .dma([4]),
            .io(0x0000, length: 0x10), .io(0x0081, length: 3), .io(0x0087, length: 1),
            .io(0x0089, length: 3), .io(0x008F, length: 1), .io(0x00C0, length: 0x20),
        ])
        isaDevice("TMR", hid: "PNP0100", into: &isa, resources: [.io(0x0040, length: 4), .irqNoFlags([0])])
        isaDevice("RTC", hid: "PNP0B00", into: &isa, resources: [.io(0x0070, length: 2), .irqNoFlags([8])])
        isaDevice("SPKR", hid: "PNP0800", into: &isa, resources: [.io(0x0061, length: 1)])
        isaDevice("KBD", hid: "PNP0303", into: &isa, resources: [
            .io(0x0060, length: 1), .io(0x0064, length: 1), .irqNoFlags([1]),
        ])
        isaDevice("MOU", hid: "PNP0F13", into: &isa, resources: [.irqNoFlags([12])])
        isaDevice("COM1", hid: "PNP0501", uid: 1, into: &isa, resources: [.io(0x03F8, length: 8), .irqNoFlags([4])])
        // Motherboard resources no other device claims, so the OS keeps PCI BARs off them.
        var reserved: [ResourceDescriptor] = [.io(layout.pmBase.value, length: PlatformLayout.pmBlockLength)]
        // SMI_CMD is the PIIX4's APM control port; its status port (APMS) follows it.
        if let smi = layout.smiCommandPort { reserved.append(.io(smi.value, length: 2)) }
        isaDevice("SYSR", hid: "PNP0C02", uid: 1, into: &isa, resources: reserved)
    }

    /// `Device (name) { Name (_HID, EisaId (hid)) [Name (_UID, uid)] Name (_CRS, …) }`.
    static func isaDevice(_ name: AMLNameSeg, hid: String, uid: UInt64? = nil, into scope: inout AMLBuilder,
                          resources: [ResourceDescriptor]) {
        scope.device(AMLNamePath(name)) { d in
            d.name("_HID", .eisaID(hid))
            if let uid { d.name("_UID", .integer(uid)) }
            d.name("_CRS", .resourceTemplate(resources))
        }
    }

    /// `\_SB.LNKx`: a PCI interrupt link device over PIIX register PIRQRCx.
    ///
    /// ```
    /// Device (LNKA) {
    ///   Name (_HID, EisaId ("PNP0C0F"))
    ///   Name (_UID, One)
    ///   Name (_PRS, ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11} })
    ///   Method (_STA, 0, NotSerialized) {
    ///     If (And (\_SB.PCI0.ISA.PRQA, 0x80)) { Return (0x09) }   // present, disabled
    ///     Return (0x0B)                                          // present, enabled, functioning
    ///   }
    ///   Method (_DIS, 0, NotSerialized) { Or (\_SB.PCI0.ISA.PRQA, 0x80, \_SB.PCI0.ISA.PRQA) }
    ///   Method (_CRS, 0, Serialized) {
    ///     Name (RTPL, ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {0} })
    ///     CreateDWordField (RTPL, 0x05, IRQN)
    ///     If (LLess (\_SB.PCI0.ISA.PRQA, 0x80)) { And (\_SB.PCI0.ISA.PRQA, 0x0F, IRQN) }
    ///     Return (RTPL)
    ///   }
    ///   Method (_SRS, 1, Serialized) {
    ///     CreateDWordField (Arg0, 0x05, IRQN)
    ///     Store (IRQN, \_SB.PCI0.ISA.PRQA)                       // IRQ in bits 3:0, IRQEN# clear
    ///   }
    /// }
    /// ```
    ///
    /// Level, active high: the polarity the chipset presents on both the 8259 (through ELCR) and
    /// the I/O APIC, the same as the SCI's.
    static func pirqLink(_ index: Int, into sb: inout AMLBuilder, layout: PlatformLayout) {
        let registerPath = AMLNamePath(isAbsolute: true, segments: ["_SB", "PCI0", "ISA", pirqFields[index]])
        let register = AMLExpression.name(registerPath)
        let registerTarget = AMLTarget.name(registerPath)
        func interrupt(_ irqs: [UInt32]) -> AMLData {
            .resourceTemplate([.extendedInterrupt(irqs, trigger: .level, polarity: .activeHigh, sharing: .shared)])
        }
        // Offset of the first interrupt number in an Extended Interrupt descriptor.
        let irqOffset: AMLExpression = 5
        sb.device(AMLNamePath(linkNames[index])) { d in
            d.name("_HID", .eisaID("PNP0C0F"))
            d.name("_UID", .integer(UInt64(index + 1)))
            d.name("_PRS", interrupt(layout.pirqIRQChoices.map(UInt32.init)))
            d.method("_STA") { m in
                m.if(.and(register, 0x80), then: { $0.return(0x09) })
                m.return(0x0B)
            }
            d.method("_DIS") { m in
                m.evaluate(.or(register, 0x80, registerTarget))
            }
            d.method("_CRS", serialized: true) { m in
                m.name("RTPL", interrupt([0]))
                m.createField(.dword, in: .name("RTPL"), byteIndex: irqOffset, name: "IRQN")
                m.if(.lLess(register, 0x80), then: { $0.evaluate(.and(register, 0x0F, .name("IRQN"))) })
                m.return(.name("RTPL"))
            }
            d.method("_SRS", argumentCount: 1, serialized: true) { m in
                m.createField(.dword, in: .arg(0), byteIndex: irqOffset, name: "IRQN")
                m.store(.name("IRQN"), into: registerTarget)
            }
        }
    }
}
