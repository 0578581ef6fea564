// AML data objects: integers, strings, buffers, packages (ACPI 6.5 §20.2.3, §20.2.5.4).

/// A constant data object: what `Name()` binds and what a package holds.
public indirect enum AMLData: Sendable, Equatable {
    /// An integer in the smallest encoding: ZeroOp, OneOp, or Byte/Word/DWord/QWord prefix.
    case integer(UInt64)
    /// OnesOp: all ones at the table's integer width (32 bits in a revision-1 DSDT, 64 in
    /// revision 2+). Never chosen implicitly, since its value depends on the table revision.
    case ones
    /// A string of ASCII characters 0x01–0x7F (StringPrefix … NullChar).
    case string(String)
    /// A buffer holding exactly these bytes.
    case buffer([UInt8])
    /// A package of elements (PackageOp; VarPackageOp above 255 elements).
    case package([AMLData])
    /// A name inside a package, kept as a reference (e.g. the link device in a `_PRT` entry).
    case reference(AMLNamePath)

    /// `EISAID("PNP0A03")`: the compressed ID as an integer in the smallest encoding, as ASL
    /// compilers emit it (`PNP0000` compresses to 0xD041, a WordConst). An invalid ID is a
    /// programming error.
    public static func eisaID(_ id: String) -> AMLData {
        guard let value = EISAID.compress(id) else { preconditionFailure("invalid EISA ID \"\(id)\"") }
        return .integer(UInt64(value))
    }

    /// A `ResourceTemplate () { … }` buffer.
    public static func resourceTemplate(_ descriptors: [ResourceDescriptor]) -> AMLData {
        .buffer(ResourceTemplate(descriptors).encoded())
    }

    /// The AML encoding.
    public var encoded: [UInt8] {
        switch self {
        case .integer(let value):
            return AMLData.encodeInteger(value)
        case .ones:
            return [AMLOpcode.ones]
        case .string(let string):
            let chars = Array(string.utf8)
            precondition(chars.allSatisfy { (0x01...0x7F).contains($0) }, "AML strings are ASCII without NUL")
            return [AMLOpcode.stringPrefix] + chars + [0]
        case .buffer(let bytes):
            return [AMLOpcode.buffer] + AMLPkgLength.wrapping(AMLData.encodeInteger(UInt64(bytes.count)) + bytes)
        case .package(let elements):
            let body = elements.flatMap(\.encoded)
            if elements.count <= 255 {
                return [AMLOpcode.package] + AMLPkgLength.wrapping([UInt8(elements.count)] + body)
            }
            return [AMLOpcode.varPackage]
                + AMLPkgLength.wrapping(AMLData.encodeInteger(UInt64(elements.count)) + body)
        case .reference(let path):
            return path.encoded
        }
    }

    /// ZeroOp, OneOp, or the smallest prefixed constant holding `value`.
    static func encodeInteger(_ value: UInt64) -> [UInt8] {
        switch value {
        case 0: return [AMLOpcode.zero]
        case 1: return [AMLOpcode.one]
        case ...0xFF: return [AMLOpcode.bytePrefix, UInt8(value)]
        case ...0xFFFF:
            var out = [AMLOpcode.wordPrefix]
            out.appendLE(UInt16(value))
            return out
        case ...0xFFFF_FFFF:
            var out = [AMLOpcode.dwordPrefix]
            out.appendLE(UInt32(value))
            return out
        default:
            var out = [AMLOpcode.qwordPrefix]
            out.appendLE(value)
            return out
        }
    }
}

extension AMLData: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: UInt64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}
