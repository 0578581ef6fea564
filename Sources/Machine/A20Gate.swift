// The A20 line: the OR of the keyboard controller's output-port bit and port 0x92's bit.

import EmulatorCore

/// Address line 20 is enabled while either of its two sources asks for it: the 8042's output
/// port bit 1 (the classic gate) or System Control Port A bit 1 ("fast A20"). Each source reports
/// its own state; the memory follows their OR.
final class A20Gate {
    private let memory: PhysicalMemory
    private(set) var keyboardController = true
    private(set) var portA = false

    init(memory: PhysicalMemory) { self.memory = memory }

    func setKeyboardController(_ on: Bool) {
        keyboardController = on
        apply()
    }

    func setPortA(_ on: Bool) {
        portA = on
        apply()
    }

    /// Power-on: the 8042 output port has A20 set, port 0x92 has it clear.
    func reset() {
        keyboardController = true
        portA = false
        apply()
    }

    /// Sets both sources at once (snapshot restore).
    func restore(keyboardController: Bool, portA: Bool) {
        self.keyboardController = keyboardController
        self.portA = portA
        apply()
    }

    private func apply() { memory.setA20(enabled: keyboardController || portA) }
}
