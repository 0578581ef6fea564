// Direct kernel boot of multiboot (version 1) kernels: segments, modules, boot information.

import EmulatorCore
import X86

/// Loads a multiboot kernel and its modules and enters it the way the Multiboot Specification
/// 0.6.96 requires (section 3.2, "Machine state"): EAX = 0x2BADB002, EBX = the physical address
/// of the boot information, flat 4 GiB code and data segments (CS = 0x10, the others 0x18, from
/// a GDT the loader leaves at `Layout.gdt`), protected mode without paging, interrupts off, A20
/// open. The kernel must set up its own GDT and stack before relying on them.
///
/// Memory: segments go where the kernel asks if that lies in usable RAM (the E820 map's usable
/// ranges below the end of RAM) and clear of the loader's low area; modules follow the kernel
/// on 4 KiB boundaries (whatever header flag 0 says); the boot information lives at
/// `Layout.info` in conventional memory with its module list, memory map and strings after it.
///
/// DEVIATION: header flag 2 (video mode wanted) is accepted and ignored: the kernel starts in
/// the text mode the machine is in, and the information structure has no VBE or framebuffer
/// fields set (flags bits 11 and 12 clear), which the specification lets a kernel detect.
public enum MultibootLoader {
    /// The value in EAX that tells the kernel a multiboot loader started it.
    public static let bootMagic: UInt32 = 0x2BAD_B002
    /// What the information structure's boot_loader_name says.
    public static let bootLoaderName = "Partita"

    /// Guest-physical layout of what the loader writes below 1 MiB.
    public enum Layout {
        /// The GDT behind CS = 0x10 and DS = 0x18.
        public static let gdt: UInt32 = 0x8000
        /// The information structure; what it points to follows it.
        public static let info: UInt32 = 0x9000
        /// The information area must end here, below the EBDA.
        public static let infoLimit: UInt32 = 0x9_F000
    }

    /// Where things were placed (for logs and tests).
    public struct Placement: Equatable, Sendable {
        /// Physical range of each loaded segment, bss included.
        public var segments: [Range<UInt64>]
        /// [mod_start, mod_end) of each module, in order.
        public var modules: [Range<UInt32>]
        /// The information structure's address (EBX).
        public var info: UInt32
        public var entryPoint: UInt32
    }

    /// Whether `bytes` carry a valid multiboot header, for choosing a loader. A Linux bzImage
    /// has none; check for a bzImage first anyway (QEMU's order).
    public static func isMultiboot(_ bytes: [UInt8]) -> Bool {
        (try? MultibootHeader.find(in: bytes)) != nil
    }

    /// Loads `kernel` and `modules` and puts the CPU at the kernel's entry point. Nothing is
    /// written to memory or the CPU unless everything fits.
    @discardableResult
    public static func load(kernel: MultibootImage, modules: [MultibootModule], commandLine: String,
                            e820: E820Map, memory: PhysicalMemory, cpu: CPU) throws(MultibootError) -> Placement {
        let usable = usableRanges(e820, ramSize: memory.ramSize)
        func isUsable(_ r: Range<UInt64>) -> Bool { usable.contains { $0.lowerBound <= r.lowerBound && r.upperBound <= $0.upperBound } }

        let segments = kernel.segments.map { UInt64($0.address)..<$0.end }
        for (i, s) in segments.enumerated() where !isUsable(s) {
            let ranges = usable.map { "\(hex($0.lowerBound))-\(hex($0.upperBound - 1))" }.joined(separator: ", ")
            throw .doesNotFit("kernel segment \(i) (\(hex(s.lowerBound))-\(hex(s.upperBound - 1))) is not in usable RAM"
                              + " (\(ranges)); give more --memory or relink the kernel")
        }

        // Modules go above the kernel and above 1 MiB, each on a page boundary.
        var placed: [MultibootInfoBuilder.Module] = []
        var next = pageAlign(max(kernel.end, 0x10_0000))
        for (i, module) in modules.enumerated() {
            let range = next..<(next + UInt64(module.data.count))
            guard range.isEmpty ? range.lowerBound < UInt64(memory.ramSize) : isUsable(range) else {
                throw .doesNotFit("module \(i) (\"\(module.commandLine)\", \(module.data.count) bytes) does not fit in usable RAM"
                                  + " above the kernel at \(hex(range.lowerBound)); give more --memory")
            }
            placed.append(.init(start: UInt32(range.lowerBound), end: UInt32(range.upperBound), commandLine: module.commandLine))
            next = pageAlign(range.upperBound)
        }

        let info = MultibootInfoBuilder(
            memoryLowerKiB: memoryLowerKiB(usable), memoryUpperKiB: memoryUpperKiB(usable),
            commandLine: commandLine, modules: placed, memoryMap: e820, bootLoaderName: bootLoaderName)
        let infoEnd = UInt64(Layout.info) + UInt64(info.encodedSize)
        guard infoEnd <= UInt64(Layout.infoLimit) else {
            throw .doesNotFit("the boot information (command lines, module list, memory map) takes \(info.encodedSize) bytes;"
                              + " at most \(Layout.infoLimit - Layout.info) fit below the EBDA")
        }
        guard infoEnd <= UInt64(memory.ramSize) else { throw .doesNotFit("RAM ends below the boot information at \(hex(infoEnd))") }
        let loaderArea = UInt64(Layout.gdt)..<infoEnd
        for (i, s) in segments.enumerated() where s.overlaps(loaderArea) {
            throw .doesNotFit("kernel segment \(i) (\(hex(s.lowerBound))-\(hex(s.upperBound - 1))) overlaps the loader's"
                              + " GDT and boot information at \(hex(loaderArea.lowerBound))-\(hex(loaderArea.upperBound - 1))")
        }

        for segment in kernel.segments {
            memory.copyIn(segment.data, at: segment.address)
            memory.zeroFill(at: segment.address + UInt32(segment.data.count),
                            count: Int(segment.memorySize) - segment.data.count)
        }
        for (module, place) in zip(modules, placed) { memory.copyIn(module.data, at: place.start) }
        // GDT: null, unused, then flat code (0x10) and data (0x18), as the Linux loader uses.
        let gdt: [UInt8] = [UInt8](repeating: 0, count: 16)
            + [0xFF, 0xFF, 0x00, 0x00, 0x00, 0x9B, 0xCF, 0x00]
            + [0xFF, 0xFF, 0x00, 0x00, 0x00, 0x93, 0xCF, 0x00]
        memory.copyIn(gdt, at: Layout.gdt)
        memory.copyIn(info.encoded(at: Layout.info), at: Layout.info)

        memory.setA20(enabled: true)
        cpu.reset()
        cpu.gdtrBase = Layout.gdt
        cpu.gdtrLimit = UInt32(gdt.count - 1)
        cpu.enterFlatProtectedMode(codeSelector: 0x10, dataSelector: 0x18)
        for r in CPU.Reg32.allCases { cpu[r] = 0 }
        cpu[.eax] = bootMagic
        cpu[.ebx] = Layout.info
        cpu.eip = kernel.entryPoint
        return Placement(segments: segments, modules: placed.map { $0.start..<$0.end },
                         info: Layout.info, entryPoint: kernel.entryPoint)
    }

    /// The E820 map's usable ranges below the end of RAM, adjacent ones merged.
    static func usableRanges(_ e820: E820Map, ramSize: UInt32) -> [Range<UInt64>] {
        var out: [Range<UInt64>] = []
        for e in e820.entries where e.type == .usable {
            let upper = min(e.end, UInt64(ramSize))
            guard e.base < upper else { continue }
            if let last = out.last, last.upperBound == e.base {
                out[out.count - 1] = last.lowerBound..<upper
            } else {
                out.append(e.base..<upper)
            }
        }
        return out
    }

    /// KiB of usable memory from 0, at most 640 (mem_lower).
    static func memoryLowerKiB(_ usable: [Range<UInt64>]) -> UInt32 {
        guard let r = usable.first(where: { $0.contains(0) }) else { return 0 }
        return UInt32(min(r.upperBound, 0xA_0000) / 1024)
    }

    /// KiB of usable memory contiguous from 1 MiB (mem_upper).
    static func memoryUpperKiB(_ usable: [Range<UInt64>]) -> UInt32 {
        guard let r = usable.first(where: { $0.contains(0x10_0000) }) else { return 0 }
        return UInt32(min((r.upperBound - 0x10_0000) / 1024, UInt64(UInt32.max)))
    }

    static func pageAlign(_ v: UInt64) -> UInt64 { (v + 0xFFF) & ~0xFFF }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}
