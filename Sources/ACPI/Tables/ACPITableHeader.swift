// The 36-byte System Description Table Header shared by every table but the RSDP and FACS
// (ACPI 6.5 §5.2.6), and the byte checksum (§5.2.5.3, §5.2.6).

/// Who made a table: the OEM and creator fields of the header.
public struct ACPITableIdentity: Sendable, Equatable {
    /// OEM ID, exactly 6 ASCII characters.
    public var oemID: String
    /// OEM Table ID, exactly 8 ASCII characters (the same for every table: Linux and Windows match
    /// quirks on the pair OEM ID + OEM Table ID).
    public var oemTableID: String
    public var oemRevision: UInt32
    /// Creator ID (the tool that built the table), exactly 4 ASCII characters.
    public var creatorID: String
    public var creatorRevision: UInt32

    public init(oemID: String = "PARTIT", oemTableID: String = "PARTITA ", oemRevision: UInt32 = 1,
                creatorID: String = "PRTA", creatorRevision: UInt32 = 1) {
        self.oemID = oemID
        self.oemTableID = oemTableID
        self.oemRevision = oemRevision
        self.creatorID = creatorID
        self.creatorRevision = creatorRevision
    }

    /// Partita's identity.
    public static let partita = ACPITableIdentity()
}

/// Helpers to lay out a table: header, checksum.
public enum ACPITableHeader {
    /// Size of the header in bytes.
    public static let size = 36
    /// Offset of the Length field.
    public static let lengthOffset = 4
    /// Offset of the Checksum field.
    public static let checksumOffset = 9

    /// A complete table: header with `signature` and `revision`, then `body`, with Length and
    /// Checksum filled in so the whole table sums to zero.
    public static func table(signature: String, revision: UInt8, identity: ACPITableIdentity,
                             body: [UInt8]) -> [UInt8] {
        var out = ascii(signature, count: 4)
        out.appendLE(UInt32(size + body.count))
        out.append(revision)
        out.append(0)  // checksum, filled below
        out += ascii(identity.oemID, count: 6)
        out += ascii(identity.oemTableID, count: 8)
        out.appendLE(identity.oemRevision)
        out += ascii(identity.creatorID, count: 4)
        out.appendLE(identity.creatorRevision)
        out += body
        out[checksumOffset] = checksumByte(for: out)
        return out
    }

    /// The byte that makes `bytes` (with that byte currently 0) sum to zero modulo 256.
    public static func checksumByte(for bytes: some Sequence<UInt8>) -> UInt8 {
        0 &- bytes.reduce(0, &+)
    }

    /// `string`'s ASCII bytes; it must be exactly `count` characters.
    static func ascii(_ string: String, count: Int) -> [UInt8] {
        let bytes = Array(string.utf8)
        precondition(bytes.count == count && bytes.allSatisfy { (0x20...0x7E).contains($0) },
                     "\"\(string)\" must be exactly \(count) printable ASCII characters")
        return bytes
    }
}

/// A Generic Address Structure (ACPI 6.5 §5.2.3.2): where a register lives, 12 bytes.
public struct GenericAddress: Sendable, Equatable {
    /// Address Space ID.
    public enum Space: UInt8, Sendable { case systemMemory = 0, systemIO = 1, pciConfig = 2 }

    public var space: Space
    /// Register width in bits.
    public var bitWidth: UInt8
    public var bitOffset: UInt8
    /// Access Size: 0 undefined (legacy, and the only value ACPI 2.0 allows), 1 byte … 4 qword.
    public var accessSize: UInt8
    public var address: UInt64

    public init(space: Space, bitWidth: UInt8, bitOffset: UInt8 = 0, accessSize: UInt8 = 0, address: UInt64) {
        self.space = space
        self.bitWidth = bitWidth
        self.bitOffset = bitOffset
        self.accessSize = accessSize
        self.address = address
    }

    /// An I/O port register `bytes` wide (access size left undefined, as in an ACPI 2.0 FADT).
    public static func io(_ port: UInt16, bytes: Int) -> GenericAddress {
        GenericAddress(space: .systemIO, bitWidth: UInt8(8 * bytes), address: UInt64(port))
    }

    /// The all-zero structure: "not present".
    public static let unused = GenericAddress(space: .systemMemory, bitWidth: 0, address: 0)

    public var encoded: [UInt8] {
        var out: [UInt8] = [space.rawValue, bitWidth, bitOffset, accessSize]
        out.appendLE(address)
        return out
    }
}
