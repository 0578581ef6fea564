// Per-file comparison settings: reference CPU, undefined-flag masks and allow-list.

/// Everything the runner needs to judge the tests of one file besides the tests themselves.
public struct SSTFileContext: Sendable {
    public var referenceCPU: SSTReferenceCPU
    /// The file's opcode (from its name, else from META); nil if neither says.
    public var key: SSTOpcodeKey?
    public var metadata: SSTMetadata?
    /// File-wide masks of defined register bits (top-level RMSK/RM32).
    public var fileRegisterMasks: MOORegisterSet?
    public var allowList: SSTAllowList
    /// Where the undefined-flag masks come from ("metadata.json", "Intel SDM (no metadata)").
    public let flagsMaskSource: String
    /// Compared FLAGS bits per ModR/M reg (index 0–7), and for instructions without a reg (index 8).
    private let flagsMasks: [UInt32]

    public init(referenceCPU: SSTReferenceCPU, key: SSTOpcodeKey?, metadata: SSTMetadata?,
                fileRegisterMasks: MOORegisterSet? = nil, allowList: SSTAllowList = .standard) {
        self.referenceCPU = referenceCPU
        self.key = key
        self.metadata = metadata
        self.fileRegisterMasks = fileRegisterMasks
        self.allowList = allowList
        flagsMaskSource = metadata != nil ? "metadata.json" : "Intel SDM (no metadata.json)"
        var masks: [UInt32] = []
        for reg in 0...8 {
            var mask = referenceCPU.comparedFlags
            if let key {
                let k = SSTOpcodeKey(opcode: key.opcode, reg: key.reg ?? (reg < 8 ? reg : nil))
                if let metadata {
                    if let defined = metadata.info(for: k)?.flagsMask {
                        // Suite masks cover the 16-bit FLAGS; bits above are not theirs to mask.
                        mask &= defined <= 0xFFFF ? defined | 0xFFFF_0000 : defined
                    }
                } else {
                    mask &= ~ArchitecturalFlagMasks.undefinedFlags(for: k)
                }
            }
            masks.append(mask)
        }
        flagsMasks = masks
    }

    /// Convenience: settings for `file` named `fileName`, with the suite metadata if any.
    public init(file: MOOFile, fileName: String, metadata: SSTMetadata?, allowList: SSTAllowList = .standard) {
        let key = SSTOpcodeKey(fileName: fileName)
            ?? file.metadata.flatMap { $0.opcode == 0xFFFF_FFFF ? nil : SSTOpcodeKey(rawOpcode: $0.opcode) }
        self.init(referenceCPU: SSTReferenceCPU(cpuID: file.header.cpuID), key: key, metadata: metadata,
                  fileRegisterMasks: file.registerMasks, allowList: allowList)
    }

    /// Defined FLAGS bits compared for an instruction of this shape.
    public func flagsMask(for shape: SSTInstructionShape) -> UInt32 {
        if let reg = key?.reg { return flagsMasks[reg] }
        if let reg = shape.modrmReg { return flagsMasks[reg] }
        return flagsMasks[8]
    }

    /// True if `hashHex` is on the suite's revocation list.
    public func isRevoked(_ hashHex: String) -> Bool {
        metadata?.revokedHashes.contains(hashHex) ?? false
    }
}
