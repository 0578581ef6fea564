// A GUID in the byte order VMBus messages carry it.

/// A 16-byte GUID as it appears on the wire: the first u32 and the next two u16 fields
/// little-endian, the last 8 bytes as written (vmbus-facts.md §9.9).
public struct VMBusGUID: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The 16 wire bytes.
    public var bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses the canonical text form "ba6163d9-04a1-4d29-b605-72e2ffb1dc7f".
    public init?(_ text: String) {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return nil }
        func hex(_ s: Substring) -> [UInt8]? {
            var out: [UInt8] = []
            var i = s.startIndex
            while i < s.endIndex {
                let j = s.index(i, offsetBy: 2)
                guard let b = UInt8(s[i..<j], radix: 16) else { return nil }
                out.append(b)
                i = j
            }
            return out
        }
        guard let a = hex(groups[0]), let b = hex(groups[1]), let c = hex(groups[2]),
              let d = hex(groups[3]), let e = hex(groups[4]) else { return nil }
        bytes = a.reversed() + b.reversed() + c.reversed() + d + e
    }

    public static let zero = VMBusGUID(bytes: [UInt8](repeating: 0, count: 16))!

    public var description: String {
        func hex(_ r: [UInt8]) -> String { r.map { String($0 >> 4, radix: 16) + String($0 & 0xF, radix: 16) }.joined() }
        return [hex(bytes[0..<4].reversed()), hex(bytes[4..<6].reversed()), hex(bytes[6..<8].reversed()),
                hex(Array(bytes[8..<10])), hex(Array(bytes[10..<16]))].joined(separator: "-")
    }
}
