import Testing
import EmulatorCore
import Firmware
import TestSupport
import X86

@Suite("Linux boot protocol")
struct LinuxBootLoaderTests {
    /// A minimal bzImage: one setup sector after the boot sector, a 2.15 header, and `kernel`
    /// as the protected-mode part.
    static func bzImage(kernel: [UInt8], version: UInt16 = 0x020F, loadFlags: UInt8 = 1,
                        initSize: UInt32 = 0x10_0000) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 1024)
        func put32(_ v: UInt32, _ o: Int) { for i in 0..<4 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
        b[0x1F1] = 1
        b[0x1FE] = 0x55; b[0x1FF] = 0xAA
        b[0x200] = 0xEB; b[0x201] = 0x66
        b[0x202] = 0x48; b[0x203] = 0x64; b[0x204] = 0x72; b[0x205] = 0x53  // "HdrS"
        b[0x206] = UInt8(version & 0xFF); b[0x207] = UInt8(version >> 8)
        b[0x211] = loadFlags
        put32(0x10_0000, 0x214)
        put32(0x37FF_FFFF, 0x22C)
        put32(0x20_0000, 0x230)
        b[0x234] = 1
        put32(2047, 0x238)
        put32(initSize, 0x260)
        return b + kernel
    }

    @Test("a bzImage runs at code32_start in flat protected mode with ESI at boot_params holding the command line, initrd and E820 map")
    func bootsAndPassesBootParams() throws {
        // The "kernel" copies what it finds into registers and halts.
        let kernel = try assemble("""
            bits 32
            org 0x100000
                mov ebx, cs
                mov ecx, ds
                mov eax, [esi+0x228]        ; cmd_line_ptr
                movzx edx, byte [eax]       ; first command-line byte
                mov edi, [esi+0x218]        ; ramdisk_image
                mov ebp, [esi+0x21C]        ; ramdisk_size
                movzx eax, byte [esi+0x1E8] ; e820_entries
                hlt
            """)
        let memory = PhysicalMemory(ramSize: 64 << 20)
        let cpu = CPU(memory: memory, ports: PortIOBus())
        let image = try LinuxKernelImage(Self.bzImage(kernel: kernel))
        #expect(image.protocolVersion == 0x020F)
        let initrd = [UInt8](repeating: 0x5A, count: 10_000)
        let e820 = E820Map.pc(ramSize: 64 << 20, acpiSize: 0x1_0000)
        let placed = try LinuxBootLoader.load(kernel: image, initrd: initrd, commandLine: "console=ttyS0 quiet",
                                              e820: e820, usableTop: (64 << 20) - 0x1_0000, rsdpAddress: 0xF_6000,
                                              memory: memory, cpu: cpu)
        #expect(cpu.run(budget: 100) == .halted)
        #expect(cpu[.ebx] == 0x10 && cpu[.ecx] == 0x18, "__BOOT_CS / __BOOT_DS")
        #expect(cpu[.edx] == UInt32(UInt8(ascii: "c")))
        #expect(cpu[.edi] == placed.initrd?.lowerBound && cpu[.ebp] == 10_000)
        #expect(cpu[.edi] & 0xFFF == 0 && cpu[.edi] + 10_000 <= (64 << 20) - 0x1_0000, "page-aligned, below the ACPI area")
        #expect(cpu[.eax] == UInt32(e820.entries.count))
        #expect(memory.bytes(at: cpu[.edi], count: 4) == [0x5A, 0x5A, 0x5A, 0x5A])
        let bp = LinuxBootLoader.Layout.bootParams
        #expect(memory.bytes(at: bp + 0x210, count: 1) == [0xFF], "type_of_loader")
        #expect(memory.bytes(at: bp + 0x070, count: 4) == [0x00, 0x60, 0x0F, 0x00], "acpi_rsdp_addr")
        #expect(memory.bytes(at: bp + 0x2D0, count: 20) == e820.encoded().prefix(20).map { $0 }, "first E820 record")
    }

    @Test("images that are not bootable bzImages are refused with a reason")
    func refusesBadImages() {
        #expect(throws: BootError.self) { try LinuxKernelImage([UInt8](repeating: 0, count: 100)) }
        #expect(throws: BootError.self) { try LinuxKernelImage([UInt8](repeating: 0x90, count: 4096)) }
        #expect(throws: BootError.self) { try LinuxKernelImage(Self.bzImage(kernel: [0xF4], version: 0x0201)) }
        #expect(throws: BootError.self) { try LinuxKernelImage(Self.bzImage(kernel: [0xF4], loadFlags: 0)) }
        #expect(throws: BootError.self) { try LinuxKernelImage(Array(Self.bzImage(kernel: [0xF4]).prefix(1024))) }
        do {
            _ = try LinuxKernelImage(Self.bzImage(kernel: [0xF4], version: 0x0201))
        } catch {
            #expect("\(error)".contains("2.01") && "\(error)".contains("too old"))
        }
    }

    @Test("a kernel or initrd that does not fit in RAM is refused before anything is written")
    func refusesWhatDoesNotFit() throws {
        let memory = PhysicalMemory(ramSize: 4 << 20)
        let cpu = CPU(memory: memory, ports: PortIOBus())
        let image = try LinuxKernelImage(Self.bzImage(kernel: [0xF4], initSize: 8 << 20))
        #expect(throws: BootError.self) {
            try LinuxBootLoader.load(kernel: image, initrd: nil, commandLine: "", e820: .pc(ramSize: 4 << 20, acpiSize: 0),
                                     usableTop: 4 << 20, rsdpAddress: nil, memory: memory, cpu: cpu)
        }
        let small = try LinuxKernelImage(Self.bzImage(kernel: [0xF4], initSize: 0x1000))
        #expect(throws: BootError.self) {
            try LinuxBootLoader.load(kernel: small, initrd: [UInt8](repeating: 1, count: 5 << 20), commandLine: "",
                                     e820: .pc(ramSize: 4 << 20, acpiSize: 0), usableTop: 4 << 20, rsdpAddress: nil,
                                     memory: memory, cpu: cpu)
        }
        #expect(memory.bytes(at: 0x10_0000, count: 1) == [0], "nothing loaded")
    }

    @Test("the PC E820 map keeps legacy holes and reserves the APIC and firmware ranges")
    func pcMemoryMap() {
        let m = E820Map.pc(ramSize: 256 << 20, acpiSize: 0x2_0000)
        #expect(m.entries.first == .init(base: 0, length: 0x9_FC00, type: .usable))
        #expect(m.entries.contains(.init(base: 0x10_0000, length: (256 << 20) - 0x2_0000 - 0x10_0000, type: .usable)))
        #expect(m.entries.contains(.init(base: (256 << 20) - 0x2_0000, length: 0x2_0000, type: .acpiReclaimable)))
        #expect(m.entries.contains { $0.base == 0xFEE0_0000 && $0.type == .reserved })
        #expect(m.encoded().count == m.entries.count * 20)
    }
}
