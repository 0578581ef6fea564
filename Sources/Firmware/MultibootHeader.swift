// The multiboot (version 1) header a kernel carries near its start.

/// A multiboot header as the Multiboot Specification 0.6.96 defines it (section 3.1, "OS image
/// format"): magic 0x1BADB002, flags and a checksum making their sum zero, 4-byte aligned in
/// the first 8192 bytes of the file, then the a.out-kludge address fields when flag 16 is set.
public struct MultibootHeader: Equatable, Sendable {
    public static let magic: UInt32 = 0x1BAD_B002
    /// How far into the file the header may start.
    public static let searchLimit = 8192

    /// Header flags (section 3.1.2).
    public enum Flag {
        /// Modules must be page (4 KiB) aligned.
        public static let pageAlignModules: UInt32 = 1 << 0
        /// The kernel wants mem_lower/mem_upper (and the memory map).
        public static let memoryInfo: UInt32 = 1 << 1
        /// The kernel wants video mode information.
        public static let videoMode: UInt32 = 1 << 2
        /// The a.out-kludge address fields are valid and say how to load the file.
        public static let addressFields: UInt32 = 1 << 16
        /// Bits 0-15 a loader must fail on if it does not understand them; this one knows 0-2.
        static let requiredMask: UInt32 = 0xFFFF
        static let understood: UInt32 = pageAlignModules | memoryInfo | videoMode
    }

    /// The a.out-kludge fields (offsets 12-28 of the header).
    public struct AddressFields: Equatable, Sendable {
        /// Physical address the header's magic is to be loaded at.
        public var headerAddress: UInt32
        /// Physical address of the start of the text segment (file data loaded from here).
        public var loadAddress: UInt32
        /// End of the data segment; 0 means the rest of the file.
        public var loadEndAddress: UInt32
        /// End of the bss; 0 means no bss.
        public var bssEndAddress: UInt32
        public var entryAddress: UInt32
    }

    /// Offset of the magic in the file.
    public var offset: Int
    public var flags: UInt32
    /// Present when flag 16 is set.
    public var addressFields: AddressFields?

    /// Finds the first valid header. A magic with a bad checksum is skipped, as it may be data
    /// that happens to match; if no valid header follows, the error names that offset.
    public static func find(in bytes: [UInt8]) throws(MultibootError) -> MultibootHeader {
        var badChecksum: Int?
        // The 12 bytes of magic, flags and checksum lie wholly within the first 8192.
        let end = min(bytes.count, searchLimit)
        var offset = 0
        while offset + 12 <= end {
            defer { offset += 4 }
            guard readLE32(bytes, offset) == magic else { continue }
            let flags = readLE32(bytes, offset + 4)
            guard magic &+ flags &+ readLE32(bytes, offset + 8) == 0 else {
                if badChecksum == nil { badChecksum = offset }
                continue
            }
            var fields: AddressFields?
            if flags & Flag.addressFields != 0 {
                guard offset + 32 <= bytes.count else {
                    throw .badImage("the file ends inside the multiboot header's address fields")
                }
                fields = AddressFields(headerAddress: readLE32(bytes, offset + 12), loadAddress: readLE32(bytes, offset + 16),
                                       loadEndAddress: readLE32(bytes, offset + 20), bssEndAddress: readLE32(bytes, offset + 24),
                                       entryAddress: readLE32(bytes, offset + 28))
            }
            return MultibootHeader(offset: offset, flags: flags, addressFields: fields)
        }
        if let badChecksum { throw .badChecksum(offset: badChecksum) }
        throw .noHeader
    }

    /// Required bits (0-15) this loader does not understand.
    public var unsupportedRequiredFlags: UInt32 { flags & Flag.requiredMask & ~Flag.understood }
}

func readLE32(_ b: [UInt8], _ o: Int) -> UInt32 {
    UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
}

func readLE16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
