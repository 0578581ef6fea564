// One documented, legitimate difference between a reference CPU's captures and an i686.

/// A behaviour of the captured CPU that an i686 legitimately does differently, with the reason.
///
/// An entry never changes how a test is compared: it is consulted only after a test fails, when
/// all its conditions hold. Most fields are then *verified*: the runner checks that the i686 did
/// exactly what the manuals say it does instead (see `Field`), so an entry cannot hide a
/// different bug in the same instruction.
public struct SSTAllowListEntry: Equatable, Sendable, CustomStringConvertible {
    /// When the entry applies. All conditions of an entry must hold.
    public enum Condition: Equatable, Sendable {
        /// The ModR/M reg field is one of these.
        case modrmReg(Set<Int>)
        /// The instruction accesses memory through SS (stack operation, BP-based or SS: operand).
        case stackSegmentAccess
        /// The instruction has a LOCK prefix an i686 rejects with #UD.
        case lockPrefixFaultsOnI686
        /// The instruction (BYTS without the trailing HLT) is longer than this many bytes.
        case longerThan(Int)
        /// The capture's EXCP vector is this one (nil: the capture took no exception).
        case capturedException(UInt8?)
        /// IDIV r/m8 or r/m16 whose quotient does not fit the destination (i686 rules, SDM IDIV).
        case signedQuotientOverflows
        /// A shift or rotate whose masked count is neither 0 nor 1.
        case shiftCountAboveOne
    }

    /// What differs, and how the runner verifies the i686 side.
    public enum Field: Equatable, Sendable {
        /// The whole outcome (the i686 executes what the reference CPU rejected). Not verifiable
        /// without an i686 capture, so any failure of a matching test is allowed.
        case wholeTest
        /// The reference CPU took exception `expected` where the i686 takes `actual`. Verified: the
        /// test re-runs with vector `actual` routed to `expected`'s handler through a different
        /// segment:offset, and must then match completely (which proves `actual` was taken).
        case exceptionVector(expected: UInt8, actual: UInt8)
        /// The i686 faults with this vector instead. Verified: the test re-runs with a HLT handler
        /// installed for the vector, and the fault must be precise — nothing but SP, CS:IP, IF/TF and
        /// the three pushed words changed, and the pushed CS:IP is the instruction's first byte.
        case raisesException(UInt8)
        /// The reference CPU changed these registers before faulting. Verified: these must be the
        /// only mismatches, and the i686 must have left them (and the pushed FLAGS image, for
        /// `eflags`) at their initial values, as a precise fault does — for a string instruction, at
        /// the values of the iteration that faulted (k completed iterations: CX − k, SI/DI ± k·size,
        /// the next access at offset FFFFh).
        case preciseFault([MOORegister])
        /// FLAGS bits the i686 leaves undefined for this case while the reference CPU defines them.
        /// Verified: the only mismatches are these bits of FLAGS (and of a pushed FLAGS image).
        case undefinedFlags(UInt32)
    }

    /// Reference CPU the entry is about.
    public var referenceCPU: SSTReferenceCPU
    /// Files it applies to (a key without reg covers every reg of that opcode); nil = every file.
    public var opcodes: [SSTOpcodeKey]?
    public var conditions: [Condition]
    public var field: Field
    /// Why the difference is legitimate, citing the manuals.
    public var reason: String

    public init(referenceCPU: SSTReferenceCPU, opcodes: [SSTOpcodeKey]? = nil, conditions: [Condition] = [],
                field: Field, reason: String) {
        self.referenceCPU = referenceCPU
        self.opcodes = opcodes
        self.conditions = conditions
        self.field = field
        self.reason = reason
    }

    /// Whether the entry covers `test` of file `key` captured on `cpu` (whatever the outcome).
    public func covers(cpu: SSTReferenceCPU, key: SSTOpcodeKey?, shape: SSTInstructionShape, test: MOOTest) -> Bool {
        guard cpu == referenceCPU else { return false }
        if let opcodes {
            guard let testKey = key ?? shape.opcodeKey else { return false }
            let reg = testKey.reg ?? shape.modrmReg
            guard opcodes.contains(where: { $0.opcode == testKey.opcode && ($0.reg == nil || $0.reg == reg) }) else {
                return false
            }
        }
        return conditions.allSatisfy { holds($0, shape: shape, test: test) }
    }

    private func holds(_ condition: Condition, shape: SSTInstructionShape, test: MOOTest) -> Bool {
        switch condition {
        case .modrmReg(let regs):
            return shape.modrmReg.map(regs.contains) ?? false
        case .stackSegmentAccess:
            return shape.usesStackSegment
        case .lockPrefixFaultsOnI686:
            return shape.lockPrefixFaultsOnI686
        case .longerThan(let n):
            let length = test.bytes.last == 0xF4 ? test.bytes.count - 1 : test.bytes.count
            return length > n
        case .capturedException(let vector):
            return test.exception?.vector == vector
        case .signedQuotientOverflows:
            return Self.signedQuotientOverflows(shape: shape, state: test.initial)
        case .shiftCountAboveOne:
            return (shape.shiftCount(in: test.initial) ?? 0) > 1
        }
    }

    /// IDIV (F6 /7, F7 /7): true when the divisor is non-zero and the truncated quotient does not fit
    /// the destination (−128…127 for AL, −32768…32767 for AX), so an i686 raises #DE.
    static func signedQuotientOverflows(shape: SSTInstructionShape, state: MOOCPUState) -> Bool {
        guard shape.opcode.count == 1, shape.modrmReg == 7 else { return false }
        let wide: Bool
        switch shape.opcode[0] {
        case 0xF6: wide = false
        case 0xF7: wide = true
        default: return false
        }
        guard let raw = shape.rmOperand(bits: wide ? 16 : 8, in: state) else { return false }
        let ax = state.registers[.eax] ?? 0, dx = state.registers[.edx] ?? 0
        let dividend = wide ? Int(Int32(bitPattern: (dx & 0xFFFF) << 16 | (ax & 0xFFFF))) : Int(Int16(truncatingIfNeeded: ax))
        let divisor = wide ? Int(Int16(truncatingIfNeeded: raw)) : Int(Int8(truncatingIfNeeded: raw))
        guard divisor != 0 else { return false }
        let quotient = dividend / divisor
        return wide ? !(-32768...32767).contains(quotient) : !(-128...127).contains(quotient)
    }

    public var description: String {
        var scope = opcodes.map { $0.map(\.description).joined(separator: ",") } ?? "all opcodes"
        for c in conditions {
            switch c {
            case .modrmReg(let regs): scope += " /" + regs.sorted().map(String.init).joined(separator: ",/")
            case .stackSegmentAccess: scope += ", SS accesses"
            case .lockPrefixFaultsOnI686: scope += ", LOCK on a non-lockable form"
            case .longerThan(let n): scope += ", longer than \(n) bytes"
            case .capturedException(let v): scope += v.map { ", captured exception \($0)" } ?? ", no captured exception"
            case .signedQuotientOverflows: scope += ", quotient overflows"
            case .shiftCountAboveOne: scope += ", count > 1"
            }
        }
        let what: String
        switch field {
        case .wholeTest: what = "whole outcome"
        case .exceptionVector(let expected, let actual): what = "exception \(expected) -> \(actual) (verified)"
        case .raisesException(let v): what = "i686 raises exception \(v) (verified)"
        case .preciseFault(let regs): what = "precise fault leaves \(regs.map(\.description).joined(separator: ",")) (verified)"
        case .undefinedFlags(let bits): what = "undefined on the i686: \(SSTMismatch.flagNames(bits)) (verified)"
        }
        return "\(referenceCPU) \(scope): \(what)"
    }
}
