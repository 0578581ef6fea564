// Direct kernel boot: the 32-bit Linux boot protocol (boot_params, command line, initrd).

import EmulatorCore
import X86

/// Loads a bzImage, an optional initrd and a command line into guest memory and puts the CPU at
/// the 32-bit entry point, as a boot loader following Documentation/arch/x86/boot.rst does
/// ("32-bit boot protocol"): flat 4 GiB segments with CS = 0x10 and DS = ES = SS = 0x18, paging
/// and interrupts off, ESI pointing at `boot_params`.
public enum LinuxBootLoader {
    /// Guest-physical layout of what the loader writes below 1 MiB.
    public enum Layout {
        public static let gdt: UInt32 = 0x1000
        public static let bootParams: UInt32 = 0x7000
        public static let commandLine: UInt32 = 0x2_0000
        public static let commandLineLimit = 0x1_0000
    }

    /// What was placed where (for logs and tests).
    public struct Placement: Equatable, Sendable {
        public var kernel: ClosedRange<UInt32>
        public var initrd: ClosedRange<UInt32>?
        public var entryPoint: UInt32
    }

    /// - Parameters:
    ///   - usableTop: end of the RAM the kernel and initrd may occupy (below the ACPI tables).
    ///   - rsdpAddress: the ACPI RSDP, passed in `boot_params.acpi_rsdp_addr` (protocol 2.14+).
    @discardableResult
    public static func load(kernel image: LinuxKernelImage, initrd: [UInt8]?, commandLine: String,
                            e820: E820Map, usableTop: UInt32, rsdpAddress: UInt32?,
                            memory: PhysicalMemory, cpu: CPU) throws(BootError) -> Placement {
        let cmdline = Array(commandLine.utf8)
        guard cmdline.count <= min(image.commandLineMax, Layout.commandLineLimit - 1) else {
            throw .unsupported("the command line is \(cmdline.count) bytes; this kernel accepts at most \(image.commandLineMax)")
        }
        let kernelBase = image.code32Start == 0 ? 0x10_0000 : image.code32Start
        let kernelSize = UInt32(image.protectedModeKernel.count)
        // The kernel decompresses in place and needs init_size bytes from its load address.
        let kernelEnd = kernelBase &+ max(kernelSize, image.initSize)
        guard kernelEnd <= usableTop else {
            throw .doesNotFit("the kernel needs memory up to \(hex(kernelEnd)) but RAM ends at \(hex(usableTop)); give more --memory")
        }
        var initrdRange: ClosedRange<UInt32>?
        if let initrd, !initrd.isEmpty {
            let size = UInt32(initrd.count)
            let limit = min(usableTop, image.initrdAddressMax &+ 1)
            guard size < limit else { throw .doesNotFit("the initrd (\(size) bytes) is larger than usable memory") }
            let start = (limit - size) & ~0xFFF
            guard start >= kernelEnd else {
                throw .doesNotFit("the initrd (\(size) bytes) does not fit above the kernel below \(hex(limit)); give more --memory")
            }
            memory.load(initrd, at: start)
            initrdRange = start...(start + size - 1)
        }
        memory.load(image.protectedModeKernel, at: kernelBase)

        // GDT: null, unused, then the flat code (0x10) and data (0x18) descriptors.
        let gdt: [UInt8] = [UInt8](repeating: 0, count: 16)
            + [0xFF, 0xFF, 0x00, 0x00, 0x00, 0x9B, 0xCF, 0x00]
            + [0xFF, 0xFF, 0x00, 0x00, 0x00, 0x93, 0xCF, 0x00]
        memory.load(gdt, at: Layout.gdt)
        memory.load(cmdline + [0], at: Layout.commandLine)

        // boot_params ("zero page").
        var bp = [UInt8](repeating: 0, count: 4096)
        func put(_ bytes: [UInt8], at offset: Int) { bp.replaceSubrange(offset..<(offset + bytes.count), with: bytes) }
        put(image.setupHeader, at: 0x1F1)
        bp[0x210] = 0xFF                       // type_of_loader: undefined loader
        bp[0x211] |= 0x80                      // loadflags.CAN_USE_HEAP
        put(le16(0xFE00), at: 0x224)           // heap_end_ptr
        put(le32(Layout.commandLine), at: 0x228)
        put(le32(initrdRange?.lowerBound ?? 0), at: 0x218)
        put(le32(initrdRange.map { $0.upperBound - $0.lowerBound + 1 } ?? 0), at: 0x21C)
        let extendedKiB = UInt32(min(UInt64(usableTop) > 0x10_0000 ? (UInt64(usableTop) - 0x10_0000) / 1024 : 0, 0xFFFF_FFFF))
        put(le16(UInt16(min(extendedKiB, 0xFFFF))), at: 0x002)  // screen_info.ext_mem_k
        put(le32(extendedKiB), at: 0x1E0)                       // alt_mem_k
        if let rsdp = rsdpAddress { put(le64(UInt64(rsdp)), at: 0x070) }  // acpi_rsdp_addr
        let table = e820.encoded()
        guard e820.entries.count <= 128 else { throw .unsupported("more than 128 E820 entries") }
        bp[0x1E8] = UInt8(e820.entries.count)
        put(table, at: 0x2D0)
        memory.load(bp, at: Layout.bootParams)

        cpu.reset()
        cpu.gdtrBase = Layout.gdt
        cpu.gdtrLimit = UInt32(gdt.count - 1)
        cpu.enterFlatProtectedMode(codeSelector: 0x10, dataSelector: 0x18)
        for r in CPU.Reg32.allCases { cpu[r] = 0 }
        cpu[.esi] = Layout.bootParams
        cpu.eip = kernelBase
        return Placement(kernel: kernelBase...(kernelBase + kernelSize - 1), initrd: initrdRange, entryPoint: kernelBase)
    }

    static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
}
