// VMBus protocol versions (major << 16 | minor).

/// A VMBus protocol version as INITIATE_CONTACT carries it (vmbus-facts.md §9.1).
public struct VMBusVersion: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let win8 = Self(rawValue: 0x0002_0004)
    public static let win8_1 = Self(rawValue: 0x0003_0000)
    public static let win10 = Self(rawValue: 0x0004_0000)
    public static let win10_4_1 = Self(rawValue: 0x0004_0001)
    public static let win10_5 = Self(rawValue: 0x0005_0000)
    public static let win10_5_1 = Self(rawValue: 0x0005_0001)
    public static let win10_5_2 = Self(rawValue: 0x0005_0002)
    public static let win10_5_3 = Self(rawValue: 0x0005_0003)

    /// Every version Linux 6.1 offers, newest first (`vmbus_versions[]`); all are accepted.
    public static let linuxOffered: [VMBusVersion] = [.win10_5_3, .win10_5_2, .win10_5_1, .win10_5, .win10_4_1,
                                                     .win10, .win8_1, .win8]

    public var major: UInt16 { UInt16(rawValue >> 16) }
    public var minor: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// ≥ 5.0: INITIATE_CONTACT goes to connection 4 and later messages to msg_conn_id.
    public var usesMessageConnectionID: Bool { self >= .win10_5 }
    /// 5.3: MODIFYCHANNEL must be answered.
    public var answersModifyChannel: Bool { self >= .win10_5_3 }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "\(major).\(minor)" }
}
