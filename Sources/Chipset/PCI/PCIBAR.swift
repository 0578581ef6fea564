// Base Address Registers: what a function asks for, and the range it decodes once programmed.

/// What a Base Address Register requests (PCI Local Bus Specification 3.0, 6.2.5.1).
public enum PCIBARKind: Equatable, Sendable {
    /// An I/O range of `size` bytes (a power of two, 4–256). Bit 0 of the BAR reads 1.
    /// Address bits 31:2 are writable, as on QEMU's devices: firmware sizes a BAR by writing
    /// all ones and SeaBIOS takes the size from all 32 bits (hardwiring the upper 16 bits to 0,
    /// which the specification allows, makes it compute a size near 4 GiB and give up). An
    /// address that does not fit the 64 KiB I/O space decodes nothing.
    case io(size: UInt32)
    /// A 32-bit memory range of `size` bytes (a power of two, at least 16) anywhere below 4 GiB.
    /// Bit 3 says whether it is prefetchable.
    case memory(size: UInt32, prefetchable: Bool)

    public var size: UInt32 {
        switch self {
        case .io(let size), .memory(let size, _): return size
        }
    }

    /// The BAR's read-only low bits (space indicator, type, prefetchable).
    var typeBits: UInt32 {
        switch self {
        case .io: return 0x1
        case .memory(_, let prefetchable): return prefetchable ? 0x8 : 0x0
        }
    }

    /// The BAR bits software can write: the address bits at and above the size.
    var writeMask: UInt32 {
        switch self {
        case .io(let size): return ~(size - 1) & 0xFFFF_FFFC
        case .memory(let size, _): return ~(size - 1) & 0xFFFF_FFF0
        }
    }
}

/// Which address space a decoded range is in.
public enum PCIAddressSpace: Equatable, Sendable {
    case io, memory
}

/// A range a function currently decodes: its BAR holds an address and the Command register's
/// I/O Space or Memory Space bit is set.
public struct PCIBARRegion: Equatable, Sendable, CustomStringConvertible {
    public var space: PCIAddressSpace
    /// First address (a port number for `.io`).
    public var base: UInt32
    public var size: UInt32

    public init(space: PCIAddressSpace, base: UInt32, size: UInt32) {
        self.space = space
        self.base = base
        self.size = size
    }

    /// The last address of the range.
    public var last: UInt32 { base &+ (size &- 1) }

    /// The range as I/O ports (nil for memory ranges).
    public var ports: ClosedRange<UInt16>? {
        guard space == .io, last <= 0xFFFF else { return nil }
        return UInt16(base)...UInt16(last)
    }

    public var description: String {
        "\(space == .io ? "I/O" : "memory") 0x\(String(base, radix: 16))-0x\(String(last, radix: 16))"
    }
}
