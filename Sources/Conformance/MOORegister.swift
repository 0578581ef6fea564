// The registers a MOO register chunk can carry, in the RG32 bit order.

/// A register named by MOO `REGS`/`RG32` chunks. Raw values are the `RG32` bitmask positions;
/// the 16-bit `REGS` order is `regsOrder`. 16-bit chunks store ax…di, ip and flags in the
/// corresponding 32-bit register.
public enum MOORegister: Int, CaseIterable, Sendable, CustomStringConvertible {
    case cr0 = 0, cr3, eax, ebx, ecx, edx, esi, edi, ebp, esp, cs, ds, es, fs, gs, ss, eip, eflags, dr6, dr7

    /// Bit order of a `REGS`/`RMSK` bitmask: ax bx cx dx cs ss ds es sp bp si di ip flags.
    public static let regsOrder: [MOORegister] = [
        .eax, .ebx, .ecx, .edx, .cs, .ss, .ds, .es, .esp, .ebp, .esi, .edi, .eip, .eflags,
    ]

    /// Bit order of an `RG32`/`RM32` bitmask (the raw values).
    public static let rg32Order: [MOORegister] = allCases

    public var isSegment: Bool {
        switch self {
        case .cs, .ds, .es, .fs, .gs, .ss: return true
        default: return false
        }
    }

    /// The name used in 32-bit register chunks.
    public var description: String {
        switch self {
        case .cr0: return "cr0"
        case .cr3: return "cr3"
        case .eax: return "eax"
        case .ebx: return "ebx"
        case .ecx: return "ecx"
        case .edx: return "edx"
        case .esi: return "esi"
        case .edi: return "edi"
        case .ebp: return "ebp"
        case .esp: return "esp"
        case .cs: return "cs"
        case .ds: return "ds"
        case .es: return "es"
        case .fs: return "fs"
        case .gs: return "gs"
        case .ss: return "ss"
        case .eip: return "eip"
        case .eflags: return "eflags"
        case .dr6: return "dr6"
        case .dr7: return "dr7"
        }
    }

    /// The name used in 16-bit register chunks (ax, ip, flags …).
    public var name16: String {
        switch self {
        case .eax: return "ax"
        case .ebx: return "bx"
        case .ecx: return "cx"
        case .edx: return "dx"
        case .esi: return "si"
        case .edi: return "di"
        case .ebp: return "bp"
        case .esp: return "sp"
        case .eip: return "ip"
        case .eflags: return "flags"
        default: return description
        }
    }
}
