// AML NameSeg: one four-character component of a namespace path (ACPI 6.5 §20.2.2).

/// A four-character name: a lead character `A`–`Z` or `_`, then `A`–`Z`, `0`–`9` or `_`.
///
/// Shorter names are padded with `_` the way ASL does (`"ISA"` is `ISA_`); lower-case letters are
/// rejected rather than folded, since AML names are upper case.
public struct AMLNameSeg: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The four encoded characters.
    public let bytes: [UInt8]

    /// A name from 1–4 valid characters, padded with `_`; nil if `string` is not a valid NameSeg.
    public init?(validating string: String) {
        let chars = Array(string.utf8)
        guard (1...4).contains(chars.count) else { return nil }
        for (index, c) in chars.enumerated() {
            let isLead = c == UInt8(ascii: "_") || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
            let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
            guard isLead || (index > 0 && isDigit) else { return nil }
        }
        bytes = chars + Array(repeating: UInt8(ascii: "_"), count: 4 - chars.count)
    }

    /// A name written in source; an invalid one is a programming error.
    public init(stringLiteral value: String) {
        guard let seg = AMLNameSeg(validating: value) else { preconditionFailure("invalid AML NameSeg \"\(value)\"") }
        self = seg
    }

    /// The name as ASL prints it, padding included (`ISA_`).
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
