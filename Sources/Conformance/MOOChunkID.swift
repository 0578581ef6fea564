// Four-character chunk identifiers of the MOO container.

/// A MOO chunk id: four ASCII bytes read as a little-endian u32 (so `"MOO "` is 0x204F_4F4D).
public struct MOOChunkID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The id spelled by `text` (exactly four ASCII characters).
    public init(_ text: StaticString) {
        precondition(text.utf8CodeUnitCount == 4, "chunk ids have four characters")
        let p = text.utf8Start
        rawValue = UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
    }

    public var description: String {
        let scalars = (0..<4).map { i -> Character in
            let b = UInt8(truncatingIfNeeded: rawValue >> (8 * UInt32(i)))
            return (0x20..<0x7F).contains(b) ? Character(Unicode.Scalar(b)) : "?"
        }
        return String(scalars)
    }

    public static let header = MOOChunkID("MOO ")
    public static let meta = MOOChunkID("META")
    public static let test = MOOChunkID("TEST")
    public static let generatorMetadata = MOOChunkID("GMET")
    public static let name = MOOChunkID("NAME")
    public static let bytes = MOOChunkID("BYTS")
    public static let initial = MOOChunkID("INIT")
    public static let final = MOOChunkID("FINA")
    public static let registers16 = MOOChunkID("REGS")
    public static let registers32 = MOOChunkID("RG32")
    public static let registerMask16 = MOOChunkID("RMSK")
    public static let registerMask32 = MOOChunkID("RM32")
    public static let ram = MOOChunkID("RAM ")
    public static let queue = MOOChunkID("QUEU")
    public static let effectiveAddress32 = MOOChunkID("EA32")
    public static let cycles = MOOChunkID("CYCL")
    public static let exception = MOOChunkID("EXCP")
    public static let hash = MOOChunkID("HASH")
}
