// The VMBus root device in the DSDT, through which hv_vmbus finds the bus.

import ACPI

/// `\_SB.VMOD.VMBS`, the ACPI device Linux's `hv_vmbus` binds to (vmbus-facts.md §8).
///
/// Linux 6.1 matches `_HID` or `_CID` "VMBUS" / "VMBus" (`vmbus_acpi_device_ids` in
/// drivers/hv/vmbus_drv.c; module alias `acpi*:VMBUS:*`), requires a `_CRS` (an empty one is
/// fine: without one the probe fails with -ENODEV) and takes only DWord/QWord memory
/// descriptors from it and from its ancestors as the "hyperv mmio" pool that `hyperv_drm`
/// allocates VRAM from. On x86 the VMBus interrupt is the IDT vector the guest programs into
/// SINT2, never an ACPI interrupt.
///
/// ```asl
/// Device (VMOD) {                              // only with an MMIO window
///     Name (_HID, "ACPI0004")
///     Name (_UID, Zero)
///     Name (_CRS, ResourceTemplate () {
///         DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
///                      0x00000000, <base>, <base + size - 1>, 0x00000000, <size>)
///     })
///     Device (VMBS) {
///         Name (_HID, "VMBUS")
///         Name (_CID, "VMBus")
///         Name (_UID, Zero)
///         Name (_STA, 0x0F)
///         Name (_CRS, ResourceTemplate () {})  // or IRQNoFlags () {irq} when `legacyIRQ` is set
///     }
/// }
/// ```
/// Without an MMIO window `VMBS` sits directly in `\_SB`.
public struct VMBusACPIDevice: ACPIDeviceDescribing, Sendable, Equatable {
    /// Guest-physical window for VMBus devices' MMIO (hyperv_drm's VRAM); nil for none. Choose a
    /// hole: not RAM, not a PCI window, below 4 GiB (i386 truncates QWord ranges), 1 MiB aligned,
    /// not spanning 0xFED4_0000.
    public var mmioWindow: ClosedRange<UInt32>?
    /// An ISA IRQ to list in `_CRS` as Hyper-V's own firmware does. Linux on x86 ignores it
    /// (vector 0xF3 is used instead); nil lists nothing.
    public var legacyIRQ: UInt8?

    public init(mmioWindow: ClosedRange<UInt32>? = nil, legacyIRQ: UInt8? = nil) {
        if let w = mmioWindow {
            precondition(w.lowerBound % 0x10_0000 == 0 && (UInt64(w.upperBound) + 1) % 0x10_0000 == 0,
                         "the VMBus MMIO window must be whole, 1 MiB-aligned megabytes")
            precondition(w.lowerBound >= 0x10_0000, "Linux ignores VMBus ranges below 1 MiB")
        }
        if let irq = legacyIRQ { precondition(irq < 16, "ISA IRQ \(irq) does not exist") }
        self.mmioWindow = mmioWindow
        self.legacyIRQ = legacyIRQ
    }

    public func appendAML(into scope: inout AMLBuilder) {
        guard let window = mmioWindow else {
            appendBus(into: &scope)
            return
        }
        scope.device("VMOD") { module in
            module.name("_HID", .string("ACPI0004"))
            module.name("_UID", .integer(0))
            module.name("_CRS", .resourceTemplate([
                .addressSpace(.window(.dword, .memory(.cacheable, writable: true),
                                      minimum: UInt64(window.lowerBound), maximum: UInt64(window.upperBound))),
            ]))
            appendBus(into: &module)
        }
    }

    private func appendBus(into scope: inout AMLBuilder) {
        scope.device("VMBS") { bus in
            bus.name("_HID", .string("VMBUS"))
            bus.name("_CID", .string("VMBus"))
            bus.name("_UID", .integer(0))
            // Present, enabled, shown in UI, functioning.
            bus.name("_STA", .integer(0x0F))
            bus.name("_CRS", .resourceTemplate(legacyIRQ.map { [.irqNoFlags([$0])] } ?? []))
        }
    }
}
