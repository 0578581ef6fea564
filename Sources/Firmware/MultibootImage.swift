// A multiboot kernel file parsed into the pieces a loader copies into memory.

/// A multiboot (v1) kernel: its header and the segments to load, from the a.out-kludge address
/// fields when header flag 16 is set, otherwise from the ELF32 program headers (Multiboot
/// Specification 0.6.96, section 3.1.3 "The address fields of Multiboot header"; GRUB takes the
/// same precedence). Everything is checked against the file and the 32-bit address space here;
/// whether it fits the guest's RAM is the loader's check.
public struct MultibootImage: Sendable {
    /// Bytes to place at `address`, followed by zeros up to `memorySize` (the bss).
    public struct Segment: Equatable, Sendable {
        public var address: UInt32
        public var data: [UInt8]
        public var memorySize: UInt32
        /// One past the last byte the segment occupies.
        public var end: UInt64 { UInt64(address) + UInt64(memorySize) }
    }

    public enum Format: Equatable, Sendable { case elf, aOutKludge }

    public let header: MultibootHeader
    public let format: Format
    /// Non-empty segments in file order.
    public let segments: [Segment]
    /// Physical address the CPU starts at.
    public let entryPoint: UInt32

    public init(_ bytes: [UInt8]) throws(MultibootError) {
        let header = try MultibootHeader.find(in: bytes)
        let unsupported = header.unsupportedRequiredFlags
        guard unsupported == 0 else { throw .unsupportedFlags(unsupported) }
        self.header = header
        if let fields = header.addressFields {
            format = .aOutKludge
            (segments, entryPoint) = try Self.aOutSegments(bytes, headerOffset: header.offset, fields: fields)
        } else {
            format = .elf
            (segments, entryPoint) = try Self.elfSegments(bytes)
        }
    }

    /// One past the highest byte any segment occupies.
    public var end: UInt64 { segments.map(\.end).max() ?? 0 }

    /// The a.out kludge: the file from the header's position back to load_addr is loaded at
    /// load_addr, up to load_end_addr (or the end of the file), then zeros to bss_end_addr.
    static func aOutSegments(_ bytes: [UInt8], headerOffset: Int,
                             fields f: MultibootHeader.AddressFields) throws(MultibootError) -> ([Segment], UInt32) {
        func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
        guard f.loadAddress <= f.headerAddress else {
            throw .badImage("load_addr \(hex(f.loadAddress)) is above header_addr \(hex(f.headerAddress))")
        }
        let headerDistance = Int(f.headerAddress - f.loadAddress)
        guard headerDistance <= headerOffset else {
            throw .badImage("header_addr - load_addr (\(hex(UInt32(headerDistance)))) reaches before the start of the file")
        }
        let fileStart = headerOffset - headerDistance
        let loadSize: Int
        if f.loadEndAddress == 0 {
            loadSize = bytes.count - fileStart
        } else {
            guard f.loadEndAddress > f.loadAddress else {
                throw .badImage("load_end_addr \(hex(f.loadEndAddress)) is not above load_addr \(hex(f.loadAddress))")
            }
            loadSize = Int(f.loadEndAddress - f.loadAddress)
            guard fileStart + loadSize <= bytes.count else {
                throw .badImage("truncated: load_end_addr needs \(loadSize) bytes from file offset \(fileStart), the file has \(bytes.count - fileStart)")
            }
        }
        let loadEnd = UInt64(f.loadAddress) + UInt64(loadSize)
        var memoryEnd = loadEnd
        if f.bssEndAddress != 0 {
            guard UInt64(f.bssEndAddress) >= loadEnd else {
                throw .badImage("bss_end_addr \(hex(f.bssEndAddress)) is below the end of the loaded data")
            }
            memoryEnd = UInt64(f.bssEndAddress)
        }
        guard memoryEnd <= 1 << 32, memoryEnd - UInt64(f.loadAddress) <= UInt64(UInt32.max) else {
            throw .badImage("the image extends beyond 4 GiB")
        }
        guard f.entryAddress >= f.loadAddress, UInt64(f.entryAddress) < memoryEnd else {
            throw .badImage("entry_addr \(hex(f.entryAddress)) is outside the loaded image")
        }
        let segment = Segment(address: f.loadAddress, data: Array(bytes[fileStart..<(fileStart + loadSize)]),
                              memorySize: UInt32(memoryEnd - UInt64(f.loadAddress)))
        return ([segment], f.entryAddress)
    }
}
