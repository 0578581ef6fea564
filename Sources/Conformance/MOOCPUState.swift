// A CPU state snapshot of a MOO test (`INIT` or `FINA`).

/// Registers, memory bytes and prefetch queue before (`INIT`) or after (`FINA`) a test.
/// A final state lists only what changed.
public struct MOOCPUState: Equatable, Sendable {
    public var registers: MOORegisterSet
    /// Per-test masks of defined register bits (`RMSK`/`RM32` inside `FINA`), if any.
    public var registerMasks: MOORegisterSet?
    public var ram: [MOOMemoryByte]
    /// Prefetch-queue contents (`QUEU`); only cycle-accurate emulators use it.
    public var queue: [UInt8]
    public var effectiveAddress: MOOEffectiveAddress?

    public init(registers: MOORegisterSet, registerMasks: MOORegisterSet? = nil, ram: [MOOMemoryByte] = [],
                queue: [UInt8] = [], effectiveAddress: MOOEffectiveAddress? = nil) {
        self.registers = registers
        self.registerMasks = registerMasks
        self.ram = ram
        self.queue = queue
        self.effectiveAddress = effectiveAddress
    }
}
