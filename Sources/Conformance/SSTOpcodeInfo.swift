// One opcode's entry in a SingleStepTests metadata.json.

/// What metadata.json says about one opcode (or one ModR/M reg of a group opcode).
public struct SSTOpcodeInfo: Equatable, Sendable {
    /// "normal", "alias", "undocumented", "undefined", "prefix", "fpu", "extension" …
    public var status: String
    /// The first architecture with this encoding ("86", "186", "286", "v30" …).
    public var arch: String?
    /// Undefined flags in the suite's notation, e.g. "o..szapc" (a letter = undefined).
    public var flags: String?
    /// FLAGS bits that are defined (set bits are compared); nil when nothing is undefined.
    public var flagsMask: UInt32?

    public init(status: String, arch: String? = nil, flags: String? = nil, flagsMask: UInt32? = nil) {
        self.status = status
        self.arch = arch
        self.flags = flags
        self.flagsMask = flagsMask
    }
}
