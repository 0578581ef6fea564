// One difference between a test's expected final state and the emulated one.

/// A register, register part or memory byte whose compared bits differ.
public struct SSTMismatch: Equatable, Sendable, CustomStringConvertible {
    public enum Location: Hashable, Sendable {
        /// A register by display name ("ax", "eflags", "eax[31:16]", "cs.base" …).
        case register(String)
        case memory(address: UInt32)
    }

    public var location: Location
    /// The architectural register a register mismatch is about (nil for memory and segment bases).
    public var register: MOORegister?
    public var expected: UInt32
    public var actual: UInt32
    /// Bits that were compared (undefined bits excluded).
    public var mask: UInt32
    /// Hex digits to print (2 for a byte, 4 for a 16-bit register, 8 for 32-bit).
    public var digits: Int
    /// Extra explanation ("pushed FLAGS", "differs in: ZF PF" …).
    public var note: String?

    public init(location: Location, register: MOORegister? = nil, expected: UInt32, actual: UInt32, mask: UInt32,
                digits: Int, note: String? = nil) {
        self.location = location
        self.register = register
        self.expected = expected
        self.actual = actual
        self.mask = mask
        self.digits = digits
        self.note = note
    }

    public var isMemory: Bool {
        if case .memory = location { return true }
        return false
    }

    public var description: String {
        let name: String
        switch location {
        case .register(let r): name = r
        case .memory(let a): name = "ram[\(hex(a, digits: 5))]"
        }
        let full: UInt32 = digits >= 8 ? 0xFFFF_FFFF : (1 << (4 * UInt32(digits))) - 1
        var s = "\(name): expected \(hex(expected, digits: digits)) got \(hex(actual, digits: digits))"
        if mask & full != full { s += " (compared bits \(hex(mask & full, digits: digits)))" }
        if let note { s += "; \(note)" }
        return s
    }

    /// "CF ZF" for the FLAGS bits set in `bits`.
    static func flagNames(_ bits: UInt32) -> String {
        let names: [(UInt32, String)] = [
            (1 << 0, "CF"), (1 << 1, "bit1"), (1 << 2, "PF"), (1 << 3, "bit3"), (1 << 4, "AF"), (1 << 5, "bit5"),
            (1 << 6, "ZF"), (1 << 7, "SF"), (1 << 8, "TF"), (1 << 9, "IF"), (1 << 10, "DF"), (1 << 11, "OF"),
            (3 << 12, "IOPL"), (1 << 14, "NT"), (1 << 15, "bit15"), (1 << 16, "RF"), (1 << 17, "VM"),
            (1 << 18, "AC"), (1 << 19, "VIF"), (1 << 20, "VIP"), (1 << 21, "ID"),
        ]
        return names.filter { bits & $0.0 != 0 }.map(\.1).joined(separator: " ")
    }
}
