// A PCI function POST found on bus 0.

/// What enumeration learned about one function: where it is, what it is, its interrupt pin
/// and the IRQ POST routed that pin to.
struct PCIFunctionRecord: Equatable {
    var device: UInt8
    var function: UInt8
    var vendorID: UInt16
    var deviceID: UInt16
    /// Class, subclass, programming interface (config 0Bh, 0Ah, 09h).
    var classCode: UInt32
    /// Config 3Dh: 0 none, 1–4 INTA#–INTD#.
    var interruptPin: UInt8
    /// PIRQ 0–3 (A–D) the pin is wired to, when it has one.
    var pirq: Int?
    /// The ISA IRQ written to config 3Ch (FFh: none).
    var irq: UInt8

    var devfn: UInt8 { device << 3 | function }
}
