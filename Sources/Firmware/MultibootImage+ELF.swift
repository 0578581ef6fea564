// Loading a multiboot kernel from its ELF32 program headers.

extension MultibootImage {
    /// ELF header and program header fields used (System V ABI, "ELF Header", "Program Header").
    enum ELF {
        static let headerSize = 52
        static let programHeaderSize = 32
        static let classELF32: UInt8 = 1
        static let littleEndian: UInt8 = 1
        static let typeExecutable: UInt16 = 2
        static let machine386: UInt16 = 3
        static let loadSegment: UInt32 = 1
    }

    /// PT_LOAD segments at their physical addresses (p_paddr), and the entry point. An entry
    /// inside a segment's virtual range is translated to the physical one, as GRUB does, so
    /// higher-half kernels linked with p_vaddr != p_paddr start where they were loaded.
    static func elfSegments(_ bytes: [UInt8]) throws(MultibootError) -> ([Segment], UInt32) {
        guard bytes.count >= ELF.headerSize, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            throw .badImage("no a.out-kludge address fields (header flag 16) and not an ELF file")
        }
        guard bytes[4] == ELF.classELF32, bytes[5] == ELF.littleEndian else {
            throw .badImage("not a 32-bit little-endian ELF file (multiboot v1 loads ELF32 i386 only)")
        }
        guard readLE16(bytes, 16) == ELF.typeExecutable, readLE16(bytes, 18) == ELF.machine386 else {
            throw .badImage("not an i386 executable ELF file (e_type \(readLE16(bytes, 16)), e_machine \(readLE16(bytes, 18)))")
        }
        let entry = readLE32(bytes, 24)
        let tableOffset = UInt64(readLE32(bytes, 28))
        let entrySize = UInt64(readLE16(bytes, 42))
        let count = UInt64(readLE16(bytes, 44))
        guard count > 0, entrySize >= UInt64(ELF.programHeaderSize) else {
            throw .badImage("no program headers (e_phnum \(count), e_phentsize \(entrySize))")
        }
        guard tableOffset + count * entrySize <= UInt64(bytes.count) else {
            throw .badImage("truncated: the program headers end beyond the end of the file")
        }
        var segments: [Segment] = []
        var physicalEntry: UInt32?
        for i in 0..<Int(count) {
            let p = Int(tableOffset) + i * Int(entrySize)
            guard readLE32(bytes, p) == ELF.loadSegment else { continue }
            let fileOffset = UInt64(readLE32(bytes, p + 4))
            let virtualAddress = UInt64(readLE32(bytes, p + 8))
            let physicalAddress = UInt64(readLE32(bytes, p + 12))
            let fileSize = UInt64(readLE32(bytes, p + 16))
            let memorySize = UInt64(readLE32(bytes, p + 20))
            guard fileSize <= memorySize else {
                throw .badImage("segment \(i): p_filesz \(fileSize) is larger than p_memsz \(memorySize)")
            }
            guard fileOffset + fileSize <= UInt64(bytes.count) else {
                throw .badImage("truncated: segment \(i) needs file bytes up to \(fileOffset + fileSize), the file has \(bytes.count)")
            }
            guard physicalAddress + memorySize <= 1 << 32 else {
                throw .badImage("segment \(i) at physical 0x\(String(physicalAddress, radix: 16)) extends beyond 4 GiB")
            }
            guard memorySize > 0 else { continue }
            if physicalEntry == nil, UInt64(entry) >= virtualAddress, UInt64(entry) < virtualAddress + memorySize {
                physicalEntry = UInt32(physicalAddress + (UInt64(entry) - virtualAddress))
            }
            segments.append(Segment(address: UInt32(physicalAddress),
                                    data: Array(bytes[Int(fileOffset)..<Int(fileOffset + fileSize)]),
                                    memorySize: UInt32(memorySize)))
        }
        guard !segments.isEmpty else { throw .badImage("the ELF file has no PT_LOAD segment to load") }
        guard let physicalEntry else {
            throw .badImage("e_entry 0x\(String(entry, radix: 16)) is not inside any loaded segment")
        }
        return (segments, physicalEntry)
    }
}
