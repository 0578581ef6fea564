// An interrupt request wire from a device to an interrupt controller.

/// One interrupt input of a controller (an ISA IRQ, an I/O APIC pin, a PCI INTx line).
/// Devices drive the level; edge-triggered inputs react to low→high transitions.
public protocol InterruptLine: AnyObject {
    func setLevel(_ high: Bool)
}

extension InterruptLine {
    public func raise() { setLevel(true) }
    public func lower() { setLevel(false) }
    /// A low→high→low pulse (edge-triggered sources such as the PIT output on IRQ0).
    public func pulse() {
        setLevel(true)
        setLevel(false)
    }
}
