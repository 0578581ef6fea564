// What one burst of DMA cycles did: how far it got and whether it reached terminal count.

/// The outcome of `DMAController.writeMemory` / `readMemory`.
public struct DMATransferResult: Equatable, Sendable {
    /// Device-buffer bytes moved (a multiple of 2 on the 16-bit channels 4–7). 0 when the channel
    /// could not run (masked, controller disabled, cascade closed).
    public var bytes: Int
    /// The channel's count rolled over from 0 to 0xFFFF during this burst: the 8237A drives EOP
    /// (the ISA "TC" line the floppy controller watches) on that last cycle.
    public var terminalCount: Bool

    public init(bytes: Int, terminalCount: Bool) {
        self.bytes = bytes
        self.terminalCount = terminalCount
    }
}
