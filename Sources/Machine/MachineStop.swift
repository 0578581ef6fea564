// Why a machine's run ended.

/// The reason `PCMachine.run` returned.
public enum MachineStop: Equatable, Sendable {
    /// The guest wrote to isa-debug-exit; the process should exit with this status.
    case debugExit(status: Int32)
    /// A triple fault (shutdown cycle).
    case tripleFault
    /// The wall-clock limit passed.
    case timeout
    /// The CPU halted with interrupts disabled and no event that could ever wake it.
    case haltedForever
    /// `requestStop()` was called.
    case stopped
}
