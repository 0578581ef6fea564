import Testing
import EmulatorCore
import Firmware
import TestSupport
import X86

@Suite("Multiboot loader")
struct MultibootLoaderTests {
    static let ram: UInt32 = 32 << 20
    static let e820 = E820Map.pc(ramSize: ram, acpiSize: 0x1_0000)

    func machine() -> (PhysicalMemory, CPU) {
        let memory = PhysicalMemory(ramSize: Self.ram)
        return (memory, CPU(memory: memory, ports: PortIOBus()))
    }

    func u32(_ memory: PhysicalMemory, _ address: UInt32) -> UInt32 {
        memory.bytes(at: address, count: 4).enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }

    func u64(_ memory: PhysicalMemory, _ address: UInt32) -> UInt64 {
        UInt64(u32(memory, address)) | UInt64(u32(memory, address + 4)) << 32
    }

    func cString(_ memory: PhysicalMemory, _ address: UInt32) -> String {
        var bytes: [UInt8] = []
        var a = address
        while bytes.count < 4096, let b = memory.bytes(at: a, count: 1).first, b != 0 { bytes.append(b); a += 1 }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("an ELF kernel runs at e_entry in flat protected mode with EAX = 0x2BADB002 and EBX at the boot information")
    func elfKernelEntryState() throws {
        let (memory, cpu) = machine()
        memory.load([UInt8](repeating: 0xCC, count: 0x3000), at: 0x10_0000)  // stale bytes where the bss goes
        memory.setA20(enabled: false)
        let image = try MultibootImage(MultibootTestImages.elfKernel())
        #expect(image.format == .elf && image.entryPoint == 0x10_000C)
        let modules = [MultibootModule(data: [0xAB] + [UInt8](repeating: 7, count: 4999), commandLine: "mod1 --verbose"),
                       MultibootModule(data: Array("second".utf8), commandLine: "mod2")]
        let placed = try MultibootLoader.load(kernel: image, modules: modules, commandLine: "quiet root=/dev/ram0",
                                              e820: Self.e820, memory: memory, cpu: cpu)
        #expect(cpu.eflags & Flags.if == 0, "interrupts off")
        #expect(cpu.protectedMode && !cpu.pagingEnabled)
        #expect(memory.a20Mask == 0xFFFF_FFFF, "A20 open")
        for s in [SegmentRegister.cs, .ds, .es, .fs, .gs, .ss] {
            #expect(cpu.segment(s).base == 0 && cpu.segment(s).limit == 0xFFFF_FFFF, "\(s) flat")
        }
        #expect(cpu.segment(.cs).flags & 0x4 != 0, "32-bit code segment")

        #expect(cpu.run(budget: 100) == .halted)
        #expect(cpu[.esi] == 0x2BAD_B002)
        #expect(cpu[.edi] == placed.info && placed.info == MultibootLoader.Layout.info)
        #expect(cpu[.ecx] == 0x10 && cpu[.edx] == 0x18)
        #expect(cpu[.ebp] == 0xAB, "the kernel found module 0 through mods_addr")
        #expect(cpu[.eax] == UInt32(UInt8(ascii: "q")), "and its command line")
        #expect(cpu[.esp] == 0, "the bss is zeroed")
        #expect(memory.bytes(at: 0x10_1000, count: 0x1000).allSatisfy { $0 == 0 })
    }

    @Test("the boot information holds memory sizes, command line, page-aligned modules above the kernel, the E820 map and the loader name")
    func bootInformation() throws {
        let (memory, cpu) = machine()
        let image = try MultibootImage(MultibootTestImages.elfKernel())
        let modules = [MultibootModule(data: [UInt8](repeating: 1, count: 5000), commandLine: "mod1 --verbose"),
                       MultibootModule(data: Array("second".utf8), commandLine: "mod2")]
        let placed = try MultibootLoader.load(kernel: image, modules: modules, commandLine: "quiet",
                                              e820: Self.e820, memory: memory, cpu: cpu)
        let info = placed.info
        let flags = u32(memory, info)
        #expect(flags == 0x24D, "mem, cmdline, mods, mmap, boot loader name; no boot device")
        #expect(u32(memory, info + 4) == 639, "mem_lower: 0 to the EBDA")
        #expect(u32(memory, info + 8) == (Self.ram - 0x1_0000 - 0x10_0000) / 1024, "mem_upper: 1 MiB to the ACPI tables")
        #expect(cString(memory, u32(memory, info + 16)) == "quiet")
        #expect(cString(memory, u32(memory, info + 64)) == "Partita")

        #expect(u32(memory, info + 20) == 2)
        let mods = u32(memory, info + 24)
        let start0 = u32(memory, mods), end0 = u32(memory, mods + 4)
        let start1 = u32(memory, mods + 16), end1 = u32(memory, mods + 20)
        #expect(start0 == 0x10_2000, "first page after the kernel's 0x2000 bytes")
        #expect(end0 == start0 + 5000 && start1 == 0x10_4000 && end1 == start1 + 6)
        #expect(start0 & 0xFFF == 0 && start1 & 0xFFF == 0)
        #expect(cString(memory, u32(memory, mods + 8)) == "mod1 --verbose")
        #expect(cString(memory, u32(memory, mods + 24)) == "mod2")
        #expect(memory.bytes(at: start1, count: 6) == Array("second".utf8))
        #expect(placed.modules == [start0..<end0, start1..<end1])

        let mmapLength = u32(memory, info + 44), mmap = u32(memory, info + 48)
        #expect(mmapLength == UInt32(Self.e820.entries.count * 24))
        for (i, e) in Self.e820.entries.enumerated() {
            let p = mmap + UInt32(i * 24)
            #expect(u32(memory, p) == 20, "size field excludes itself")
            #expect(u64(memory, p + 4) == e.base && u64(memory, p + 12) == e.length && u32(memory, p + 20) == e.type.rawValue)
        }
        #expect(mmap + mmapLength <= MultibootLoader.Layout.infoLimit)
    }

    @Test("a higher-half ELF (p_vaddr != p_paddr) is entered at the physical address of e_entry")
    func higherHalfEntry() throws {
        let (memory, cpu) = machine()
        let image = try MultibootImage(MultibootTestImages.elfKernel(virtualBase: 0xC010_0000))
        #expect(image.entryPoint == 0x10_000C)
        try MultibootLoader.load(kernel: image, modules: [MultibootModule(data: [0x42], commandLine: "m")],
                                 commandLine: "x", e820: Self.e820, memory: memory, cpu: cpu)
        #expect(cpu.run(budget: 100) == .halted)
        #expect(cpu[.esi] == 0x2BAD_B002 && cpu[.ebp] == 0x42)
    }

    @Test("an a.out-kludge kernel loads from its header's address fields, with its bss cleared")
    func aOutKludge() throws {
        let (memory, cpu) = machine()
        memory.load([UInt8](repeating: 0xCC, count: 0x2000), at: 0x20_0000)
        let kernel = try assemble("""
            bits 32
            org 0x200000
            FLAGS equ 0x00010002
            header:
                dd 0x1BADB002
                dd FLAGS
                dd -(0x1BADB002 + FLAGS)
                dd header, header, data_end, bss_end, start
            start:
                mov esi, eax
                mov edi, ebx
                mov ecx, [bss_word]
                mov ebp, [data_word]
                hlt
            data_word: dd 0x12345678
            data_end:
            bss_word equ data_end + 0x100
            bss_end equ data_end + 0x1000
            """)
        let image = try MultibootImage(kernel)
        #expect(image.format == .aOutKludge && image.entryPoint == 0x20_0020)
        #expect(image.segments.count == 1 && image.segments[0].memorySize == UInt32(kernel.count) + 0x1000)
        #expect(MultibootLoader.isMultiboot(kernel))
        try MultibootLoader.load(kernel: image, modules: [], commandLine: "", e820: Self.e820, memory: memory, cpu: cpu)
        #expect(cpu.run(budget: 100) == .halted)
        #expect(cpu[.esi] == 0x2BAD_B002 && cpu[.edi] == MultibootLoader.Layout.info)
        #expect(cpu[.ecx] == 0 && cpu[.ebp] == 0x1234_5678)
        #expect(u32(memory, MultibootLoader.Layout.info + 20) == 0, "no modules")
    }

    @Test("files without a valid header are refused: none, bad checksum, past 8192 bytes, unknown required flags")
    func headerErrors() throws {
        #expect(throws: MultibootError.noHeader) { try MultibootImage([UInt8](repeating: 0, count: 10_000)) }
        var bad = try MultibootTestImages.elfKernel()
        bad[0x1008] ^= 1
        #expect(throws: MultibootError.badChecksum(offset: 0x1000)) { try MultibootImage(bad) }
        #expect(!MultibootLoader.isMultiboot(bad))
        let late = [UInt8](repeating: 0, count: 8192) + (try MultibootTestImages.recordingKernelCode())
        #expect(throws: MultibootError.noHeader) { try MultibootImage(late) }
        #expect(throws: MultibootError.unsupportedFlags(0x10)) {
            try MultibootImage(MultibootTestImages.elfKernel(flags: 0x13))
        }
        // Bit 2 (video mode) is accepted; bits 16-31 other than 16 are optional.
        _ = try MultibootImage(MultibootTestImages.elfKernel(flags: 0x0002_0007))
        #expect(MultibootError.badChecksum(offset: 0x1000).description.contains("checksum"))
    }

    @Test("malformed ELF files are refused with a reason: truncated, not i386, no loadable segment")
    func elfErrors() throws {
        let good = try MultibootTestImages.elfKernel()
        let code = try MultibootTestImages.recordingKernelCode()
        func reason(_ bytes: [UInt8]) -> String {
            do { _ = try MultibootImage(bytes); return "accepted" } catch { return error.description }
        }
        #expect(reason(Array(good.prefix(0x1000 + code.count - 1))).contains("truncated"))
        var shortHeaders = good
        shortHeaders.replaceSubrange(28..<32, with: [0xF0, 0xFF, 0xFF, 0x00])  // e_phoff far away
        #expect(reason(shortHeaders).contains("truncated"))
        let notI386 = MultibootTestImages.elf(entry: 0x10_000C, segments: [.init(physical: 0x10_0000, virtual: 0x10_0000, data: code, memorySize: 0x1000)], machine: 62)
        #expect(reason(notI386).contains("i386"))
        let relocatable = MultibootTestImages.elf(entry: 0x10_000C, segments: [.init(physical: 0x10_0000, virtual: 0x10_0000, data: code, memorySize: 0x1000)], type: 1)
        #expect(reason(relocatable).contains("executable"))
        let bssSmaller = MultibootTestImages.elf(entry: 0x10_000C, segments: [.init(physical: 0x10_0000, virtual: 0x10_0000, data: code, memorySize: 4)])
        #expect(reason(bssSmaller).contains("p_filesz"))
        let wraps = MultibootTestImages.elf(entry: 0xFFFF_F00C, segments: [.init(physical: 0xFFFF_F000, virtual: 0xFFFF_F000, data: code, memorySize: 0x2000)])
        #expect(reason(wraps).contains("4 GiB"))
        let badEntry = MultibootTestImages.elf(entry: 0x50_0000, segments: [.init(physical: 0x10_0000, virtual: 0x10_0000, data: code, memorySize: 0x1000)])
        #expect(reason(badEntry).contains("e_entry"))
        #expect(reason(Array(code) + [UInt8](repeating: 0, count: 64)).contains("not an ELF"))
    }

    @Test("kernels and modules that do not fit in RAM are refused before anything is written")
    func doesNotFit() throws {
        let (memory, cpu) = machine()
        let code = try MultibootTestImages.recordingKernelCode()
        let beyond = try MultibootImage(MultibootTestImages.elf(
            entry: 0x1FF_F00C, segments: [.init(physical: 0x1FF_F000, virtual: 0x1FF_F000, data: code, memorySize: 0x2000)]))
        #expect(throws: MultibootError.self) {
            try MultibootLoader.load(kernel: beyond, modules: [], commandLine: "", e820: Self.e820, memory: memory, cpu: cpu)
        }
        let inHole = try MultibootImage(MultibootTestImages.elf(
            entry: 0xF_000C, segments: [.init(physical: 0xF_0000, virtual: 0xF_0000, data: code, memorySize: 0x1000)]))
        #expect(throws: MultibootError.self) {
            try MultibootLoader.load(kernel: inHole, modules: [], commandLine: "", e820: Self.e820, memory: memory, cpu: cpu)
        }
        let overInfo = try MultibootImage(MultibootTestImages.elf(
            entry: 0x800C, segments: [.init(physical: 0x8000, virtual: 0x8000, data: code, memorySize: 0x1000)]))
        do {
            try MultibootLoader.load(kernel: overInfo, modules: [], commandLine: "", e820: Self.e820, memory: memory, cpu: cpu)
            Issue.record("a kernel over the boot information was accepted")
        } catch {
            #expect(error.description.contains("overlaps"))
        }
        let fine = try MultibootImage(MultibootTestImages.elfKernel())
        do {
            try MultibootLoader.load(kernel: fine, modules: [MultibootModule(data: [UInt8](repeating: 1, count: 40 << 20), commandLine: "big")],
                                     commandLine: "", e820: Self.e820, memory: memory, cpu: cpu)
            Issue.record("a 40 MiB module in 32 MiB was accepted")
        } catch {
            #expect(error.description.contains("module 0") && error.description.contains("--memory"))
        }
        #expect(memory.bytes(at: 0x10_0000, count: 4) == [0, 0, 0, 0], "nothing loaded")
        #expect(memory.bytes(at: MultibootLoader.Layout.info, count: 4) == [0, 0, 0, 0])
    }
}
