// Why a machine's run ended.

/// The reason `PCMachine.run` returned.
public enum MachineStop: Equatable, Sendable {
    /// The guest wrote to isa-debug-exit; the process should exit with this status.
    case debugExit(status: Int32)
    /// The guest powered the machine off (ACPI S5); the process should exit with status 0.
    case powerOff
    /// A triple fault (shutdown cycle).
    case tripleFault
    /// The wall-clock limit passed.
    case timeout
    /// The CPU halted and nothing can wake it: no timer is armed and interrupts are disabled or
    /// there is no host input.
    case haltedForever
    /// `requestStop()` was called.
    case stopped
    /// The CPU retired the number of instructions `run` was given as `instructionLimit`.
    case instructionLimit
}
