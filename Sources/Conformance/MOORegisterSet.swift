// A partial register file from a MOO `REGS`/`RG32` (values) or `RMSK`/`RM32` (masks) chunk.

/// The registers one chunk lists. Final-state chunks list only registers that changed, so each
/// register is either present with a value or absent.
public struct MOORegisterSet: Equatable, Sendable {
    /// Whether the chunk was the 16-bit (`REGS`/`RMSK`) or 32-bit (`RG32`/`RM32`) form.
    public enum Width: Equatable, Sendable {
        case bits16, bits32
    }

    public let width: Width
    /// Bit `r.rawValue` is set when register `r` is present.
    public private(set) var presence: UInt32 = 0
    private var values: [UInt32]

    public init(width: Width) {
        self.width = width
        values = [UInt32](repeating: 0, count: MOORegister.allCases.count)
    }

    public subscript(register: MOORegister) -> UInt32? {
        get { presence & (1 << UInt32(register.rawValue)) != 0 ? values[register.rawValue] : nil }
        set {
            if let newValue {
                values[register.rawValue] = newValue
                presence |= 1 << UInt32(register.rawValue)
            } else {
                values[register.rawValue] = 0
                presence &= ~(1 << UInt32(register.rawValue))
            }
        }
    }

    public var isEmpty: Bool { presence == 0 }

    /// Present registers in `RG32` order.
    public var registers: [MOORegister] { MOORegister.allCases.filter { self[$0] != nil } }

    /// The register's name in this set's width (`ax` for 16-bit sets, `eax` for 32-bit ones).
    public func name(of register: MOORegister) -> String {
        width == .bits16 ? register.name16 : register.description
    }
}
