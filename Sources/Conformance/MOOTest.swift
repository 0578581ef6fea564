// One single-step test case of a MOO file (`TEST` chunk).

/// One instruction's test: initial state, expected final state and identification.
public struct MOOTest: Equatable, Sendable {
    /// 0-based index within its file.
    public var index: UInt32
    /// Disassembly-style name from the generator (for example "add [bx+0Eh],bl").
    public var name: String
    /// The instruction bytes under test (prefixes included).
    public var bytes: [UInt8]
    public var initial: MOOCPUState
    public var final: MOOCPUState
    public var exception: MOOException?
    /// SHA-1 of the test (`HASH`), empty when absent; identifies the test in revocation lists.
    public var hash: [UInt8]
    /// Number of bus cycles recorded in `CYCL` (the cycles themselves are not kept).
    public var cycleCount: Int

    public init(index: UInt32, name: String, bytes: [UInt8], initial: MOOCPUState, final: MOOCPUState,
                exception: MOOException? = nil, hash: [UInt8] = [], cycleCount: Int = 0) {
        self.index = index
        self.name = name
        self.bytes = bytes
        self.initial = initial
        self.final = final
        self.exception = exception
        self.hash = hash
        self.cycleCount = cycleCount
    }

    /// Lower-case hexadecimal hash, the spelling revocation lists use.
    public var hashHex: String { hexString(hash) }

    /// The instruction bytes as "F6 38 F4".
    public var bytesHex: String { bytes.map { hexByte($0) }.joined(separator: " ") }
}
