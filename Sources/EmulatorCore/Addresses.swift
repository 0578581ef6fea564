// Distinct address-space types: guest-physical addresses, linear addresses and I/O ports.

/// An address on the guest's physical memory bus (32-bit on an i686 without PAE).
public struct GuestPhysicalAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32
    @inlinable public init(_ value: UInt32) { self.value = value }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { "0x" + String(value, radix: 16) }
}

/// An address after segmentation and before paging.
public struct LinearAddress: Hashable, Sendable {
    public var value: UInt32
    @inlinable public init(_ value: UInt32) { self.value = value }
}

/// A port in the 64 KiB x86 I/O space.
public struct IOPort: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt16
    @inlinable public init(_ value: UInt16) { self.value = value }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { "0x" + String(value, radix: 16) }
}

/// Width of a bus access.
public enum AccessWidth: Int, Sendable {
    case byte = 1, word = 2, dword = 4

    /// All-ones value of this width: what an unclaimed read returns.
    @inlinable public var mask: UInt32 {
        switch self {
        case .byte: return 0xFF
        case .word: return 0xFFFF
        case .dword: return 0xFFFF_FFFF
        }
    }
}
