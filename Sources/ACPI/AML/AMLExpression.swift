// AML expressions (TermArg) and targets (SuperName) for method bodies (ACPI 6.5 §20.2.5).

/// Where an operator stores its result: a name, an argument, a local, Debug, or nowhere.
public enum AMLTarget: Sendable, Equatable {
    /// NullName: the result is only returned.
    case noTarget
    case name(AMLNamePath)
    /// `Arg0`–`Arg6`.
    case arg(Int)
    /// `Local0`–`Local7`.
    case local(Int)
    /// The `Debug` object.
    case debug

    /// The Target / SuperName encoding.
    public var encoded: [UInt8] {
        switch self {
        case .noTarget: return [AMLOpcode.zero]
        case .name(let path): return path.encoded
        case .arg(let n):
            precondition((0...6).contains(n), "Arg\(n) does not exist")
            return [AMLOpcode.arg0 + UInt8(n)]
        case .local(let n):
            precondition((0...7).contains(n), "Local\(n) does not exist")
            return [AMLOpcode.local0 + UInt8(n)]
        case .debug: return [AMLOpcode.extPrefix, AMLOpcode.extDebug]
        }
    }
}

/// A value computed at run time by the interpreter (a TermArg).
public indirect enum AMLExpression: Sendable, Equatable {
    /// A constant.
    case data(AMLData)
    /// A named object's value, or a call of a method taking no arguments.
    case name(AMLNamePath)
    /// A call of the method at `path` with these arguments (the callee's ArgCount must match).
    case call(AMLNamePath, [AMLExpression])
    /// `Arg0`–`Arg6`.
    case arg(Int)
    /// `Local0`–`Local7`.
    case local(Int)
    /// `Store (value, target)`, itself returning the stored value.
    case store(AMLExpression, AMLTarget)
    /// `Add (a, b, target)`.
    case add(AMLExpression, AMLExpression, AMLTarget = .noTarget)
    /// `Subtract (a, b, target)`.
    case subtract(AMLExpression, AMLExpression, AMLTarget = .noTarget)
    /// `And (a, b, target)`: bitwise.
    case and(AMLExpression, AMLExpression, AMLTarget = .noTarget)
    /// `Or (a, b, target)`: bitwise.
    case or(AMLExpression, AMLExpression, AMLTarget = .noTarget)
    /// `ShiftLeft (a, count, target)`.
    case shiftLeft(AMLExpression, AMLExpression, AMLTarget = .noTarget)
    /// `ShiftRight (a, count, target)`.
    case shiftRight(AMLExpression, AMLExpression, AMLTarget = .noTarget)
    /// `Not (a, target)`: bitwise complement.
    case not(AMLExpression, AMLTarget = .noTarget)
    /// `LAnd (a, b)`.
    case lAnd(AMLExpression, AMLExpression)
    /// `LOr (a, b)`.
    case lOr(AMLExpression, AMLExpression)
    /// `LNot (a)`.
    case lNot(AMLExpression)
    /// `LEqual (a, b)`.
    case lEqual(AMLExpression, AMLExpression)
    /// `LGreater (a, b)`.
    case lGreater(AMLExpression, AMLExpression)
    /// `LLess (a, b)`.
    case lLess(AMLExpression, AMLExpression)

    /// The AML encoding.
    public var encoded: [UInt8] {
        switch self {
        case .data(let data): return data.encoded
        case .name(let path): return path.encoded
        case .call(let path, let args): return path.encoded + args.flatMap(\.encoded)
        case .arg(let n): return AMLTarget.arg(n).encoded
        case .local(let n): return AMLTarget.local(n).encoded
        case .store(let value, let target): return [AMLOpcode.store] + value.encoded + target.encoded
        case .add(let a, let b, let t): return Self.binary(AMLOpcode.add, a, b, t)
        case .subtract(let a, let b, let t): return Self.binary(AMLOpcode.subtract, a, b, t)
        case .and(let a, let b, let t): return Self.binary(AMLOpcode.and, a, b, t)
        case .or(let a, let b, let t): return Self.binary(AMLOpcode.or, a, b, t)
        case .shiftLeft(let a, let b, let t): return Self.binary(AMLOpcode.shiftLeft, a, b, t)
        case .shiftRight(let a, let b, let t): return Self.binary(AMLOpcode.shiftRight, a, b, t)
        case .not(let a, let t): return [AMLOpcode.not] + a.encoded + t.encoded
        case .lAnd(let a, let b): return [AMLOpcode.lAnd] + a.encoded + b.encoded
        case .lOr(let a, let b): return [AMLOpcode.lOr] + a.encoded + b.encoded
        case .lNot(let a): return [AMLOpcode.lNot] + a.encoded
        case .lEqual(let a, let b): return [AMLOpcode.lEqual] + a.encoded + b.encoded
        case .lGreater(let a, let b): return [AMLOpcode.lGreater] + a.encoded + b.encoded
        case .lLess(let a, let b): return [AMLOpcode.lLess] + a.encoded + b.encoded
        }
    }

    private static func binary(_ op: UInt8, _ a: AMLExpression, _ b: AMLExpression, _ t: AMLTarget) -> [UInt8] {
        [op] + a.encoded + b.encoded + t.encoded
    }
}

extension AMLExpression: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: UInt64) { self = .data(.integer(value)) }
}
