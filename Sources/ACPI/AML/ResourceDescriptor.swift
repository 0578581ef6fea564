// Resource data descriptors for _CRS/_PRS buffers (ACPI 6.5 §6.4.2 small, §6.4.3 large).

/// Edge or level triggering of an interrupt.
public enum InterruptTrigger: Sendable, Equatable { case edge, level }
/// Active-high or active-low signalling of an interrupt.
public enum InterruptPolarity: Sendable, Equatable { case activeHigh, activeLow }
/// Whether other devices may share an interrupt.
public enum InterruptSharing: Sendable, Equatable { case exclusive, shared }

/// Whether a device consumes a resource or produces it for its children (e.g. a bridge window).
public enum ResourceUsage: Sendable, Equatable { case consumer, producer }

/// One resource descriptor, named after the ASL macro that produces it.
public enum ResourceDescriptor: Sendable, Equatable {
    /// `IRQNoFlags () {irqs}`: edge, active-high, exclusive ISA interrupts (small, 0x22).
    case irqNoFlags([UInt8])
    /// `IRQ (trigger, polarity, sharing) {irqs}` (small, 0x23).
    case irq([UInt8], trigger: InterruptTrigger, polarity: InterruptPolarity, sharing: InterruptSharing,
             wakeCapable: Bool = false)
    /// `DMA (speed, BusMaster|NotBusMaster, size) {channels}` (small, 0x2A).
    case dma([UInt8], speed: DMASpeed = .compatibility, busMaster: Bool = false,
             transferSize: DMATransferSize = .transfer8)
    /// `IO (Decode16|Decode10, minimum, maximum, alignment, length)` (small, 0x47).
    case io(decode16: Bool = true, minimum: UInt16, maximum: UInt16, alignment: UInt8, length: UInt8)
    /// `FixedIO (base, length)`: a 10-bit decoded ISA range (small, 0x4B).
    case fixedIO(base: UInt16, length: UInt8)
    /// `Memory32Fixed (ReadWrite|ReadOnly, base, length)` (large, 0x86).
    case memory32Fixed(writable: Bool = true, base: UInt32, length: UInt32)
    /// `WordIO/WordBusNumber/DWordMemory/…`: an address-space window (large, 0x88/0x87/0x8A).
    case addressSpace(AddressSpaceDescriptor)
    /// `Interrupt (usage, trigger, polarity, sharing) {gsis}` (large, 0x89).
    case extendedInterrupt([UInt32], usage: ResourceUsage = .consumer, trigger: InterruptTrigger,
                           polarity: InterruptPolarity, sharing: InterruptSharing, wakeCapable: Bool = false)

    /// DMA channel speed (`_TYP`).
    public enum DMASpeed: UInt8, Sendable { case compatibility = 0, typeA = 1, typeB = 2, typeF = 3 }
    /// DMA transfer width (`_SIZ`).
    public enum DMATransferSize: UInt8, Sendable { case transfer8 = 0, transfer8_16 = 1, transfer16 = 2 }

    /// `IO (Decode16, base, base, 0x01, length)`: a fixed range with 16-bit decode.
    public static func io(_ base: UInt16, length: UInt8) -> ResourceDescriptor {
        .io(decode16: true, minimum: base, maximum: base, alignment: 1, length: length)
    }

    /// The descriptor bytes.
    public var encoded: [UInt8] {
        switch self {
        case .irqNoFlags(let irqs):
            var out: [UInt8] = [0x22]
            out.appendLE(Self.mask16(irqs))
            return out
        case .irq(let irqs, let trigger, let polarity, let sharing, let wake):
            var out: [UInt8] = [0x23]
            out.appendLE(Self.mask16(irqs))
            // Bit 0 _HE (edge), bit 3 _LL (active low), bit 4 _SHR, bit 5 _WKC.
            out.append((trigger == .edge ? 0x01 : 0) | (polarity == .activeLow ? 0x08 : 0)
                       | (sharing == .shared ? 0x10 : 0) | (wake ? 0x20 : 0))
            return out
        case .dma(let channels, let speed, let busMaster, let size):
            var mask: UInt8 = 0
            for c in channels {
                precondition(c < 8, "DMA channel \(c) does not exist")
                mask |= 1 << c
            }
            // Bits 6:5 _TYP, bit 2 _BM, bits 1:0 _SIZ.
            return [0x2A, mask, speed.rawValue << 5 | (busMaster ? 0x04 : 0) | size.rawValue]
        case .io(let decode16, let minimum, let maximum, let alignment, let length):
            var out: [UInt8] = [0x47, decode16 ? 0x01 : 0x00]
            out.appendLE(minimum)
            out.appendLE(maximum)
            out += [alignment, length]
            return out
        case .fixedIO(let base, let length):
            precondition(base <= 0x3FF, "FixedIO decodes 10 address bits")
            var out: [UInt8] = [0x4B]
            out.appendLE(base)
            out.append(length)
            return out
        case .memory32Fixed(let writable, let base, let length):
            var out: [UInt8] = [0x86, 0x09, 0x00, writable ? 0x01 : 0x00]
            out.appendLE(base)
            out.appendLE(length)
            return out
        case .addressSpace(let descriptor):
            return descriptor.encoded
        case .extendedInterrupt(let gsis, let usage, let trigger, let polarity, let sharing, let wake):
            precondition((1...255).contains(gsis.count), "an Interrupt descriptor lists 1–255 interrupts")
            var out: [UInt8] = [0x89]
            out.appendLE(UInt16(2 + 4 * gsis.count))
            // Bit 0 consumer, bit 1 _HE (edge), bit 2 _LL (active low), bit 3 _SHR, bit 4 _WKC.
            out.append((usage == .consumer ? 0x01 : 0) | (trigger == .edge ? 0x02 : 0)
                       | (polarity == .activeLow ? 0x04 : 0) | (sharing == .shared ? 0x08 : 0) | (wake ? 0x10 : 0))
            out.append(UInt8(gsis.count))
            for gsi in gsis { out.appendLE(gsi) }
            return out
        }
    }

    private static func mask16(_ irqs: [UInt8]) -> UInt16 {
        var mask: UInt16 = 0
        for irq in irqs {
            precondition(irq < 16, "ISA IRQ \(irq) does not exist")
            mask |= 1 << UInt16(irq)
        }
        return mask
    }
}

/// A Word, DWord or QWord address space descriptor (ACPI 6.5 §6.4.3.5.1–3): a memory, I/O or
/// bus-number range, usually a window a host bridge produces for its children.
public struct AddressSpaceDescriptor: Sendable, Equatable {
    /// Field width: selects WordXxx (0x88), DWordXxx (0x87) or QWordXxx (0x8A).
    public enum Width: Sendable, Equatable { case word, dword, qword }

    /// Memory cacheability (`_MEM`).
    public enum Cacheability: UInt8, Sendable {
        case nonCacheable = 0, cacheable = 1, writeCombining = 2, prefetchable = 3
    }

    /// Which I/O ranges a bridge passes (`_RNG`).
    public enum IORange: UInt8, Sendable { case nonISAOnly = 1, isaOnly = 2, entire = 3 }

    /// The Resource Type byte and its type-specific flags.
    public enum Kind: Sendable, Equatable {
        case memory(Cacheability, writable: Bool)
        case io(IORange)
        case busNumber
    }

    public var width: Width
    public var kind: Kind
    public var usage: ResourceUsage
    /// `SubDecode` rather than `PosDecode`.
    public var subtractiveDecode: Bool
    /// `MinFixed`: the minimum cannot be moved.
    public var minimumFixed: Bool
    /// `MaxFixed`: the maximum cannot be moved.
    public var maximumFixed: Bool
    public var granularity: UInt64
    public var minimum: UInt64
    public var maximum: UInt64
    public var translationOffset: UInt64
    public var length: UInt64

    public init(
        width: Width, kind: Kind, usage: ResourceUsage = .producer, subtractiveDecode: Bool = false,
        minimumFixed: Bool = true, maximumFixed: Bool = true, granularity: UInt64 = 0,
        minimum: UInt64, maximum: UInt64, translationOffset: UInt64 = 0, length: UInt64
    ) {
        self.width = width
        self.kind = kind
        self.usage = usage
        self.subtractiveDecode = subtractiveDecode
        self.minimumFixed = minimumFixed
        self.maximumFixed = maximumFixed
        self.granularity = granularity
        self.minimum = minimum
        self.maximum = maximum
        self.translationOffset = translationOffset
        self.length = length
    }

    /// A fixed window `minimum…maximum` (MinFixed, MaxFixed, PosDecode, producer), whose length is
    /// `maximum − minimum + 1` as the spec requires for a fixed-size, fixed-location range.
    public static func window(_ width: Width, _ kind: Kind, minimum: UInt64, maximum: UInt64,
                              granularity: UInt64 = 0) -> AddressSpaceDescriptor {
        precondition(maximum >= minimum, "window maximum below minimum")
        return AddressSpaceDescriptor(width: width, kind: kind, granularity: granularity,
                                      minimum: minimum, maximum: maximum, length: maximum - minimum + 1)
    }

    /// The descriptor bytes (without the optional ResourceSource fields).
    public var encoded: [UInt8] {
        let (tag, fieldSize): (UInt8, Int) = switch width {
        case .word: (0x88, 2)
        case .dword: (0x87, 4)
        case .qword: (0x8A, 8)
        }
        let resourceType: UInt8
        let typeFlags: UInt8
        switch kind {
        case .memory(let cacheability, let writable):
            // Bit 0 _RW, bits 2:1 _MEM; _MTP (AddressRangeMemory) and _TTP (TypeStatic) are 0.
            resourceType = 0
            typeFlags = (writable ? 0x01 : 0) | cacheability.rawValue << 1
        case .io(let range):
            // Bits 1:0 _RNG; _TTP (TypeStatic) and _TRS (DenseTranslation) are 0.
            resourceType = 1
            typeFlags = range.rawValue
        case .busNumber:
            resourceType = 2
            typeFlags = 0
        }
        // General flags: bit 0 consumer, bit 1 _DEC (subtractive), bit 2 _MIF, bit 3 _MAF.
        let generalFlags: UInt8 = (usage == .consumer ? 0x01 : 0) | (subtractiveDecode ? 0x02 : 0)
            | (minimumFixed ? 0x04 : 0) | (maximumFixed ? 0x08 : 0)
        var out: [UInt8] = [tag]
        out.appendLE(UInt16(3 + 5 * fieldSize))
        out += [resourceType, generalFlags, typeFlags]
        for value in [granularity, minimum, maximum, translationOffset, length] {
            precondition(fieldSize == 8 || value >> (8 * fieldSize) == 0, "value 0x\(String(value, radix: 16)) too wide")
            for i in 0..<fieldSize { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
        }
        return out
    }
}

/// The byte list of `ResourceTemplate () { … }`: descriptors followed by an End Tag.
public struct ResourceTemplate: Sendable, Equatable {
    public var descriptors: [ResourceDescriptor]

    public init(_ descriptors: [ResourceDescriptor]) {
        self.descriptors = descriptors
    }

    /// The descriptors and the End Tag (0x79) with checksum 0, which tells the OS not to verify
    /// the checksum (ACPI 6.5 §6.4.2.9) — what ASL compilers emit too.
    public func encoded() -> [UInt8] {
        descriptors.flatMap(\.encoded) + [0x79, 0x00]
    }
}
