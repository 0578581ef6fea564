// PLACEHOLDER until the x87 module lands: the FPU register file.
public struct FPUState: Equatable, Sendable {
    public init() {}
}
