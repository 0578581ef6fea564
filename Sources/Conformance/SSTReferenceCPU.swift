// The processor that captured a test suite, and what its differences from an i686 mean for checking.

/// The CPU a MOO file was captured from (its header's CPU id), with the comparison rules that follow
/// from how that CPU differs architecturally from the i686 under test.
public enum SSTReferenceCPU: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// 8088, 8086, V20, V30, 80186: 20 address lines, FLAGS bits 12–15 read as ones.
    case i8086Family(String)
    /// Intel/Harris 80286 ("C286").
    case i80286
    /// Intel 80386 / 386EX ("386E").
    case i80386
    case unknown(String)

    public init(cpuID: String) {
        switch cpuID.uppercased() {
        case "8088", "8086", "V20", "V30", "186", "188": self = .i8086Family(cpuID)
        case "286", "C286", "80286": self = .i80286
        case "386", "386E", "386EX", "80386": self = .i80386
        default: self = .unknown(cpuID)
        }
    }

    public var description: String {
        switch self {
        case .i8086Family(let id): return id
        case .i80286: return "80286"
        case .i80386: return "80386"
        case .unknown(let id): return "CPU '\(id)'"
        }
    }

    /// FLAGS bits compared at all (before per-opcode undefined-flag masks).
    ///
    /// 80286 and 8086: bits 0–11 only. In real mode the 286 holds FLAGS bits 12–15 (IOPL, NT,
    /// reserved) at zero — its PUSHF pushes zeros there whatever was loaded (see the 9C tests) — and
    /// the 8086 reads them as ones, while an i686 keeps IOPL/NT as written, so these bits say nothing
    /// about the instruction (suite README: "mask FLAGS bits 12–15 in real mode").
    /// 80386: bits 0–17 (no AC/VIF/VIP/ID on a 386; the 386EX captures carry junk there).
    public var comparedFlags: UInt32 {
        switch self {
        case .i8086Family, .i80286: return 0x0000_0FFF
        case .i80386: return 0x0003_FFFF
        case .unknown: return 0x0000_0FFF
        }
    }

    /// FLAGS bits taken from a test's initial state. The rest start clear, matching what the
    /// captured CPU actually held (see `comparedFlags`); VM is never loaded (these are real-mode tests).
    public var loadedFlags: UInt32 {
        switch self {
        case .i8086Family, .i80286, .unknown: return 0x0000_0FFF
        case .i80386: return 0x0001_7FFF
        }
    }

    /// Physical address bits the captured CPU drove (RAM addresses in the tests are taken modulo this).
    public var addressMask: UInt32 {
        switch self {
        case .i8086Family: return 0x000F_FFFF
        case .i80286: return 0x00FF_FFFF
        case .i80386, .unknown: return 0xFFFF_FFFF
        }
    }

    /// Whether FFFF:0010 and above wrap to the bottom of memory (20 address lines, i.e. A20 masked).
    public var wrapsAt1MiB: Bool {
        if case .i8086Family = self { return true }
        return false
    }
}
