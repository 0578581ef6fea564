// AML NameString: a namespace path, absolute or relative (ACPI 6.5 §20.2.2, §5.3).

/// A path such as `\_SB.PCI0`, `^^LNKA` or `_HID`, encoded as a NameString:
/// a `\` root prefix or `^` parent prefixes, then NullName, one NameSeg, a DualNamePath (0x2E) or a
/// MultiNamePath (0x2F, count).
public struct AMLNamePath: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// True for a path starting at the root (`\`).
    public var isAbsolute: Bool
    /// Number of leading `^` (each goes up one scope); zero when `isAbsolute`.
    public var parentPrefixes: Int
    /// The NameSegs, outermost first; empty only for `\` itself.
    public var segments: [AMLNameSeg]

    public init(isAbsolute: Bool = false, parentPrefixes: Int = 0, segments: [AMLNameSeg]) {
        precondition(!(isAbsolute && parentPrefixes > 0), "a path is either rooted or relative")
        precondition(segments.count <= 255, "a MultiNamePath holds at most 255 NameSegs")
        self.isAbsolute = isAbsolute
        self.parentPrefixes = parentPrefixes
        self.segments = segments
    }

    /// A single-segment relative path.
    public init(_ seg: AMLNameSeg) {
        self.init(segments: [seg])
    }

    /// Parses ASL path syntax (`\_SB.PCI0.ISA`, `^^FOO`, `_S5`); nil if any part is invalid.
    public init?(parsing string: String) {
        var rest = Substring(string)
        var absolute = false
        var parents = 0
        if rest.first == "\\" {
            absolute = true
            rest = rest.dropFirst()
        } else {
            while rest.first == "^" {
                parents += 1
                rest = rest.dropFirst()
            }
        }
        var segs: [AMLNameSeg] = []
        if !rest.isEmpty {
            for part in rest.split(separator: ".", omittingEmptySubsequences: false) {
                guard let seg = AMLNameSeg(validating: String(part)) else { return nil }
                segs.append(seg)
            }
        }
        // Only the root itself may have no segments ("^" alone is not a path).
        guard !segs.isEmpty || absolute, segs.count <= 255 else { return nil }
        self.init(isAbsolute: absolute, parentPrefixes: parents, segments: segs)
    }

    /// A path written in source; an invalid one is a programming error.
    public init(stringLiteral value: String) {
        guard let path = AMLNamePath(parsing: value) else { preconditionFailure("invalid AML path \"\(value)\"") }
        self = path
    }

    /// The root scope, `\`.
    public static let root = AMLNamePath(isAbsolute: true, segments: [])

    /// This path with `seg` appended.
    public func appending(_ seg: AMLNameSeg) -> AMLNamePath {
        AMLNamePath(isAbsolute: isAbsolute, parentPrefixes: parentPrefixes, segments: segments + [seg])
    }

    /// The NameString encoding.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        if isAbsolute { out.append(AMLOpcode.rootChar) }
        out += Array(repeating: AMLOpcode.parentPrefixChar, count: parentPrefixes)
        switch segments.count {
        case 0:
            out.append(AMLOpcode.zero)  // NullName
        case 1:
            out += segments[0].bytes
        case 2:
            out.append(AMLOpcode.dualNamePrefix)
            out += segments[0].bytes + segments[1].bytes
        default:
            out.append(AMLOpcode.multiNamePrefix)
            out.append(UInt8(segments.count))
            for seg in segments { out += seg.bytes }
        }
        return out
    }

    /// ASL spelling with padded segments (`\_SB_.PCI0`), as `iasl -d` prints paths.
    public var description: String {
        (isAbsolute ? "\\" : String(repeating: "^", count: parentPrefixes))
            + segments.map(\.description).joined(separator: ".")
    }
}
