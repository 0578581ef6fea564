// One ISA IRQ wire as a PC with an I/O APIC has it: the same level reaches the 8259A and the I/O APIC.

import EmulatorCore

/// ISA IRQ `n` on a board with both interrupt controllers: the wire goes to input `n` of the
/// 8259A pair and to an I/O APIC pin (pin `n`, except IRQ 0, which the board routes to pin 2 — the
/// MADT says so with an interrupt source override). Which controller the guest listens to is its
/// choice (it masks the other), so both always see the level.
final class ISAInterruptLine: InterruptLine {
    private let picInput: InterruptLine
    private let ioapicInput: InterruptLine

    init(picInput: InterruptLine, ioapicInput: InterruptLine) {
        self.picInput = picInput
        self.ioapicInput = ioapicInput
    }

    func setLevel(_ high: Bool) {
        picInput.setLevel(high)
        ioapicInput.setLevel(high)
    }

    /// The I/O APIC pin ISA IRQ `irq` reaches on this board.
    static func ioapicPin(forIRQ irq: Int) -> Int { irq == 0 ? 2 : irq }
}
