// Port 0x92 ("fast A20" / system control port A) and the 0xCF9 reset control register.

import EmulatorCore

/// System control port A at 0x92 (PS/2 and later chipsets): bit 1 opens the A20 gate, writing
/// bit 0 as 1 pulses the CPU reset line. Reads return bit 1 as the gate state.
public final class SystemControlPortA: PortIODevice {
    public static let port: UInt16 = 0x92
    /// Bit 1 (A20) as last written; internal so the saved state can reach it.
    var value: UInt8 = 0
    private let setA20: (Bool) -> Void
    private let resetCPU: () -> Void

    public init(setA20: @escaping (Bool) -> Void, resetCPU: @escaping () -> Void) {
        self.setA20 = setA20
        self.resetCPU = resetCPU
    }

    public func reset() { value = 0 }

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 { UInt32(value & 0x02) }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        let v = UInt8(truncatingIfNeeded: value)
        let old = self.value
        self.value = v & 0x02
        if (old ^ v) & 0x02 != 0 { setA20(v & 0x02 != 0) }
        if v & 0x01 != 0 { resetCPU() }
    }
}

/// The PIIX reset control register at 0xCF9: writing bit 2 (RST_CPU) as 1 resets the machine
/// (bit 1 selects a hard reset, which this machine treats the same way).
public final class ResetControl: PortIODevice {
    public static let port: UInt16 = 0xCF9
    /// Bits 1–3 as last written; internal so the saved state can reach it.
    var value: UInt8 = 0
    private let resetMachine: () -> Void

    public init(resetMachine: @escaping () -> Void) {
        self.resetMachine = resetMachine
    }

    public func reset() { value = 0 }

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 { UInt32(value) }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        let v = UInt8(truncatingIfNeeded: value)
        self.value = v & 0x0E
        if v & 0x04 != 0 { resetMachine() }
    }
}
