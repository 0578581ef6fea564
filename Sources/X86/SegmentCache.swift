// The hidden part of a segment register: selector plus the cached descriptor.

/// A segment register with its descriptor cache (base, limit, access rights).
public struct SegmentCache: Equatable, Sendable {
    public var selector: UInt16 = 0
    public var base: UInt32 = 0
    /// Effective byte limit (granularity already applied).
    public var limit: UInt32 = 0xFFFF
    /// Access-rights byte of the descriptor: P, DPL, S, type.
    public var access: UInt8 = 0x93
    /// Upper flags nibble of the descriptor: G (bit 3), D/B (bit 2), AVL (bit 0).
    public var flags: UInt8 = 0
    /// False for a null selector loaded in protected mode: every access faults.
    public var usable: Bool = true
    /// Access checks derived from the descriptor and the mode (see `CPU.refreshRights`):
    /// bit 0 readable, bit 1 writable, bit 2 expand-down, plus `flatRead`/`flatWrite`. Every
    /// change of limit or access rights is followed by `refreshRights`; a cache built anew has
    /// neither flat bit, so it takes the checked path until then.
    public var rights: UInt8 = 3

    /// Readable (or writable), expand-up, limit 4 GiB - 1: no limit check.
    public static let flatRead: UInt8 = 1 << 3
    public static let flatWrite: UInt8 = 1 << 4

    public init() {}

    public init(selector: UInt16, base: UInt32, limit: UInt32, access: UInt8, flags: UInt8, usable: Bool = true) {
        self.selector = selector
        self.base = base
        self.limit = limit
        self.access = access
        self.flags = flags
        self.usable = usable
    }

    /// Sets `flatRead`/`flatWrite` from the rights bits 0–2 and the limit.
    mutating func addFlatBits() {
        rights &= 7
        guard limit == 0xFFFF_FFFF else { return }
        if rights & 5 == 1 { rights |= SegmentCache.flatRead }
        if rights & 6 == 2 { rights |= SegmentCache.flatWrite }
    }

    /// D/B bit: 32-bit default operand size (code) or 32-bit stack pointer (stack).
    @inlinable public var big: Bool { flags & 0x4 != 0 }
    @inlinable public var isCode: Bool { access & 0x18 == 0x18 }
    @inlinable public var isExpandDown: Bool { access & 0x1C == 0x14 }
    @inlinable public var dpl: Int { Int(access >> 5) & 3 }
}

/// Segment register numbers in x86 encoding order.
public enum SegmentRegister: Int, CaseIterable, Sendable {
    case es = 0, cs, ss, ds, fs, gs
}
