// The multiboot information structure a loader leaves for the kernel (EBX at entry).

/// Encodes the Multiboot information structure (Multiboot Specification 0.6.96, section 3.3
/// "Boot information format") with everything it points to laid out after it: the module list,
/// the memory map, then the NUL-terminated strings. Pointers are physical, so the encoding
/// depends on the address it is placed at.
struct MultibootInfoBuilder {
    /// Flags of the information structure (which fields are valid).
    enum InfoFlag {
        static let memory: UInt32 = 1 << 0
        static let commandLine: UInt32 = 1 << 2
        static let modules: UInt32 = 1 << 3
        static let memoryMap: UInt32 = 1 << 6
        static let bootLoaderName: UInt32 = 1 << 9
    }

    /// A placed module: [start, end) and its command line.
    struct Module {
        var start: UInt32
        var end: UInt32
        var commandLine: String
    }

    /// The structure is 116 bytes up to the framebuffer colour info; rounded up so what
    /// follows stays 8-byte aligned.
    static let structureSize = 120
    static let moduleEntrySize = 16
    /// `size` (u32, which does not count itself) + base (u64) + length (u64) + type (u32).
    static let memoryMapEntrySize = 24

    var memoryLowerKiB: UInt32
    var memoryUpperKiB: UInt32
    var commandLine: String
    var modules: [Module]
    var memoryMap: E820Map
    var bootLoaderName: String

    /// Bytes the encoding will take (without encoding it).
    var encodedSize: Int {
        Self.structureSize + modules.count * Self.moduleEntrySize + memoryMap.entries.count * Self.memoryMapEntrySize
            + commandLine.utf8.count + 1 + bootLoaderName.utf8.count + 1
            + modules.reduce(0) { $0 + $1.commandLine.utf8.count + 1 }
    }

    func encoded(at base: UInt32) -> [UInt8] {
        let modulesAddress = base + UInt32(Self.structureSize)
        let mapAddress = modulesAddress + UInt32(modules.count * Self.moduleEntrySize)
        let mapLength = UInt32(memoryMap.entries.count * Self.memoryMapEntrySize)
        var strings: [UInt8] = []
        let stringsAddress = mapAddress + mapLength
        func string(_ s: String) -> UInt32 {
            let address = stringsAddress + UInt32(strings.count)
            strings += Array(s.utf8) + [0]
            return address
        }
        let commandLineAddress = string(commandLine)
        let nameAddress = string(bootLoaderName)
        let moduleStrings = modules.map { string($0.commandLine) }

        var info = [UInt8](repeating: 0, count: Self.structureSize)
        func put(_ value: UInt32, _ offset: Int) { info.replaceSubrange(offset..<(offset + 4), with: le32(value)) }
        put(InfoFlag.memory | InfoFlag.commandLine | InfoFlag.modules | InfoFlag.memoryMap | InfoFlag.bootLoaderName, 0)
        put(memoryLowerKiB, 4)
        put(memoryUpperKiB, 8)
        // boot_device (12) stays invalid: flag bit 1 is clear.
        put(commandLineAddress, 16)
        put(UInt32(modules.count), 20)
        put(modulesAddress, 24)
        put(mapLength, 44)
        put(mapAddress, 48)
        put(nameAddress, 64)

        var out = info
        for (module, stringAddress) in zip(modules, moduleStrings) {
            out += le32(module.start) + le32(module.end) + le32(stringAddress) + le32(0)
        }
        for e in memoryMap.entries {
            out += le32(20) + le64(e.base) + le64(e.length) + le32(e.type.rawValue)
        }
        return out + strings
    }
}
