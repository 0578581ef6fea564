// Identifies what a SingleStepTests file covers: an opcode and, for group opcodes, a ModR/M reg.

/// An opcode under test, spelled as the test suites spell it: upper-case hex of the opcode bytes
/// ("F6", "0F01") plus the ModR/M reg field for group opcodes split per file ("F6.7" = F6 /7).
public struct SSTOpcodeKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var opcode: String
    public var reg: Int?

    public init(opcode: String, reg: Int? = nil) {
        self.opcode = opcode.uppercased()
        self.reg = reg
    }

    /// Parses file names such as `F6.7.MOO.gz`, `00.MOO`, `0F01.3.MOO.gz`; nil if the name does not
    /// start with a hex opcode.
    public init?(fileName: String) {
        var base = Substring(fileName.split(separator: "/").last ?? "")
        for suffix in [".gz", ".moo"] where base.lowercased().hasSuffix(suffix) {
            base = base.dropLast(suffix.count)
        }
        let parts = base.split(separator: ".", omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty, first.count % 2 == 0, first.allSatisfy(\.isHexDigit) else {
            return nil
        }
        var reg: Int?
        if parts.count >= 2 {
            guard parts.count == 2, let r = Int(parts[1]), (0...7).contains(r) else { return nil }
            reg = r
        }
        self.init(opcode: String(first), reg: reg)
    }

    /// The key for a raw opcode from a `META` chunk (0xF6 → "F6", 0x0F01 → "0F01").
    public init(rawOpcode: UInt32, reg: Int? = nil) {
        var digits = String(rawOpcode, radix: 16, uppercase: true)
        if digits.count % 2 == 1 { digits = "0" + digits }
        self.init(opcode: digits, reg: reg)
    }

    /// The opcode's bytes (["0F", "01"] → [0x0F, 0x01]).
    public var opcodeBytes: [UInt8] {
        var bytes: [UInt8] = []
        var i = opcode.startIndex
        while i < opcode.endIndex, let j = opcode.index(i, offsetBy: 2, limitedBy: opcode.endIndex) {
            bytes.append(UInt8(opcode[i..<j], radix: 16) ?? 0)
            i = j
        }
        return bytes
    }

    public var description: String { reg.map { "\(opcode).\($0)" } ?? opcode }

    public static func < (a: Self, b: Self) -> Bool {
        (a.opcode.count, a.opcode, a.reg ?? -1) < (b.opcode.count, b.opcode, b.reg ?? -1)
    }
}
