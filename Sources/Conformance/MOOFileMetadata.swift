// Per-file metadata of a MOO container (`META` chunk).

/// What the file tests: opcode, mnemonic, CPU type and mode.
public struct MOOFileMetadata: Equatable, Sendable {
    public var majorVersion: UInt8
    public var minorVersion: UInt8
    /// The generator's CPU-model enumeration.
    public var cpuType: UInt8
    /// Raw opcode under test; 0xFFFF_FFFF when the file mixes opcodes.
    public var opcode: UInt32
    /// Mnemonic, trailing spaces removed.
    public var mnemonic: String
    public var testCount: UInt32
    public var seed: UInt64
    /// 0 = real mode.
    public var cpuMode: UInt8

    public init(majorVersion: UInt8, minorVersion: UInt8, cpuType: UInt8, opcode: UInt32, mnemonic: String,
                testCount: UInt32, seed: UInt64, cpuMode: UInt8) {
        self.majorVersion = majorVersion
        self.minorVersion = minorVersion
        self.cpuType = cpuType
        self.opcode = opcode
        self.mnemonic = mnemonic
        self.testCount = testCount
        self.seed = seed
        self.cpuMode = cpuMode
    }
}
