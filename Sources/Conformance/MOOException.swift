// The exception record of a MOO test (`EXCP`).

/// An exception or software interrupt the captured CPU took during the test. The test then ran
/// into the handler named by the interrupt vector table, which ends in HLT.
public struct MOOException: Equatable, Sendable {
    public var vector: UInt8
    /// Physical address of the FLAGS image the CPU pushed (its undefined bits are masked too).
    public var flagsAddress: UInt32

    public init(vector: UInt8, flagsAddress: UInt32) {
        self.vector = vector
        self.flagsAddress = flagsAddress
    }
}
