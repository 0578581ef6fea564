// A typed builder for AML term lists: named objects, scopes, devices, methods, control flow.

/// Accumulates a TermList. Nested terms (Scope, Device, Method, If…) take a closure that fills a
/// child builder; the child's bytes are wrapped in a PkgLength when the closure returns.
///
/// Each method names the ASL it emits; the encodings follow ACPI 6.5 §20.2.5.
public struct AMLBuilder: Sendable {
    /// The TermList so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Appends pre-encoded AML (an escape hatch for terms this builder does not model).
    public mutating func append(raw: [UInt8]) {
        bytes += raw
    }

    /// `Name (name, value)`.
    public mutating func name(_ name: AMLNamePath, _ value: AMLData) {
        bytes += [AMLOpcode.name] + name.encoded + value.encoded
    }

    /// `Scope (path) { body }`.
    public mutating func scope(_ path: AMLNamePath, _ body: (inout AMLBuilder) -> Void) {
        bytes += [AMLOpcode.scope] + AMLPkgLength.wrapping(path.encoded + Self.build(body))
    }

    /// `Device (name) { body }`.
    public mutating func device(_ name: AMLNamePath, _ body: (inout AMLBuilder) -> Void) {
        bytes += [AMLOpcode.extPrefix, AMLOpcode.extDevice] + AMLPkgLength.wrapping(name.encoded + Self.build(body))
    }

    /// `Processor (name, id, pblkAddress, pblkLength) { body }` — deprecated since ACPI 6.4 in
    /// favour of `Device (ACPI0007)`, but the only processor declaration ACPI 1.0/2.0 OSes know.
    public mutating func processor(
        _ name: AMLNamePath, id: UInt8, pblkAddress: UInt32 = 0, pblkLength: UInt8 = 0,
        _ body: (inout AMLBuilder) -> Void = { _ in }
    ) {
        var content = name.encoded + [id]
        content.appendLE(pblkAddress)
        content.append(pblkLength)
        bytes += [AMLOpcode.extPrefix, AMLOpcode.extProcessor] + AMLPkgLength.wrapping(content + Self.build(body))
    }

    /// `Method (name, argumentCount, Serialized|NotSerialized, syncLevel) { body }`.
    ///
    /// Serialize a method that creates named objects (e.g. `CreateDWordField`, `Name`), so two
    /// threads never create the same name at once.
    public mutating func method(
        _ name: AMLNamePath, argumentCount: Int = 0, serialized: Bool = false, syncLevel: Int = 0,
        _ body: (inout AMLBuilder) -> Void
    ) {
        precondition((0...7).contains(argumentCount), "a method takes 0–7 arguments")
        precondition((0...15).contains(syncLevel), "SyncLevel is 0–15")
        // MethodFlags: bits 2:0 ArgCount, bit 3 SerializeFlag, bits 7:4 SyncLevel.
        let flags = UInt8(argumentCount) | (serialized ? 0x08 : 0) | UInt8(syncLevel) << 4
        bytes += [AMLOpcode.method] + AMLPkgLength.wrapping(name.encoded + [flags] + Self.build(body))
    }

    /// `Return (value)`.
    public mutating func `return`(_ value: AMLExpression) {
        bytes += [AMLOpcode.return] + value.encoded
    }

    /// `Store (value, target)`.
    public mutating func store(_ value: AMLExpression, into target: AMLTarget) {
        bytes += AMLExpression.store(value, target).encoded
    }

    /// An expression evaluated for its effect (e.g. `Or (PRQA, 0x80, PRQA)`, or a method call).
    public mutating func evaluate(_ expression: AMLExpression) {
        bytes += expression.encoded
    }

    /// `If (predicate) { then } Else { otherwise }` (no Else when `otherwise` is nil).
    public mutating func `if`(
        _ predicate: AMLExpression, then: (inout AMLBuilder) -> Void,
        else otherwise: ((inout AMLBuilder) -> Void)? = nil
    ) {
        bytes += [AMLOpcode.if] + AMLPkgLength.wrapping(predicate.encoded + Self.build(then))
        if let otherwise {
            bytes += [AMLOpcode.else] + AMLPkgLength.wrapping(Self.build(otherwise))
        }
    }

    /// `Notify (object, value)`.
    public mutating func notify(_ object: AMLNamePath, _ value: AMLExpression) {
        bytes += [AMLOpcode.notify] + object.encoded + value.encoded
    }

    /// `OperationRegion (name, space, offset, length)`.
    public mutating func operationRegion(
        _ name: AMLNamePath, space: AMLRegionSpace, offset: AMLExpression, length: AMLExpression
    ) {
        bytes += [AMLOpcode.extPrefix, AMLOpcode.extOpRegion] + name.encoded + [space.rawValue]
            + offset.encoded + length.encoded
    }

    /// `Field (region, access, Lock|NoLock, update) { elements }`.
    public mutating func field(
        _ region: AMLNamePath, access: AMLFieldAccess, lock: Bool = false, update: AMLFieldUpdate = .preserve,
        _ elements: [AMLFieldElement]
    ) {
        // FieldFlags: bits 3:0 AccessType, bit 4 LockRule, bits 6:5 UpdateRule.
        let flags = access.rawValue | (lock ? 0x10 : 0) | update.rawValue << 5
        bytes += [AMLOpcode.extPrefix, AMLOpcode.extField]
            + AMLPkgLength.wrapping(region.encoded + [flags] + elements.flatMap(\.encoded))
    }

    /// The width of a `Create…Field` over a buffer.
    public enum BufferFieldWidth: Sendable {
        case byte, word, dword

        var opcode: UInt8 {
            switch self {
            case .byte: return AMLOpcode.createByteField
            case .word: return AMLOpcode.createWordField
            case .dword: return AMLOpcode.createDWordField
            }
        }
    }

    /// `CreateByteField/CreateWordField/CreateDWordField (buffer, byteIndex, name)`.
    public mutating func createField(
        _ width: BufferFieldWidth, in buffer: AMLExpression, byteIndex: AMLExpression, name: AMLNamePath
    ) {
        bytes += [width.opcode] + buffer.encoded + byteIndex.encoded + name.encoded
    }

    /// The TermList a closure builds.
    static func build(_ body: (inout AMLBuilder) -> Void) -> [UInt8] {
        var child = AMLBuilder()
        body(&child)
        return child.bytes
    }
}
