// Test kernels for the multiboot loader: hand-built ELF32 files around NASM-assembled code.

import TestSupport

enum MultibootTestImages {
    struct Segment {
        var physical: UInt32
        var virtual: UInt32
        var data: [UInt8]
        var memorySize: UInt32
    }

    /// An ELF32 i386 executable: ELF header, program headers, then segment i at file offset
    /// 0x1000 * (i + 1). `type`/`machine` let tests break it.
    static func elf(entry: UInt32, segments: [Segment], type: UInt16 = 2, machine: UInt16 = 3) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 0x1000 * (segments.count + 1))
        func put16(_ v: UInt16, _ o: Int) { out[o] = UInt8(v & 0xFF); out[o + 1] = UInt8(v >> 8) }
        func put32(_ v: UInt32, _ o: Int) { for i in 0..<4 { out[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
        out.replaceSubrange(0..<7, with: [0x7F, 0x45, 0x4C, 0x46, 1, 1, 1])
        put16(type, 16); put16(machine, 18); put32(1, 20)
        put32(entry, 24)
        put32(52, 28)                   // e_phoff
        put16(52, 40)                   // e_ehsize
        put16(32, 42); put16(UInt16(segments.count), 44)
        for (i, s) in segments.enumerated() {
            let p = 52 + 32 * i, offset = 0x1000 * (i + 1)
            put32(1, p); put32(UInt32(offset), p + 4); put32(s.virtual, p + 8); put32(s.physical, p + 12)
            put32(UInt32(s.data.count), p + 16); put32(s.memorySize, p + 20); put32(5, p + 24); put32(0x1000, p + 28)
            if out.count < offset + s.data.count { out += [UInt8](repeating: 0, count: offset + s.data.count - out.count) }
            out.replaceSubrange(offset..<(offset + s.data.count), with: s.data)
        }
        return out
    }

    static let header = """
        bits 32
        org 0x100000
            dd 0x1BADB002
            dd FLAGS
            dd -(0x1BADB002 + FLAGS)
        """

    /// A kernel that records what it was started with and reads the boot information, then
    /// halts: ESI = EAX, EDI = EBX, ECX = CS, EDX = DS, EBP = first byte of module 0,
    /// EAX = first byte of the command line, ESP = a dword of its bss (zero if cleared).
    static func recordingKernelCode(flags: UInt32 = 0x3) throws -> [UInt8] {
        try assemble("""
            FLAGS equ 0x\(String(flags, radix: 16))
            \(header)
            start:                          ; 0x10000C
                mov esi, eax
                mov edi, ebx
                mov ecx, cs
                mov edx, ds
                mov eax, [ebx + 24]         ; mods_addr
                mov eax, [eax]              ; mod_start of module 0
                movzx ebp, byte [eax]
                mov eax, [ebx + 16]         ; cmdline
                movzx eax, byte [eax]
                mov esp, [0x100000 + 0x1800]  ; in the bss
                hlt
            """)
    }

    /// The recording kernel as an ELF with a 0x1000-byte bss after its code.
    static func elfKernel(flags: UInt32 = 0x3, virtualBase: UInt32 = 0x10_0000) throws -> [UInt8] {
        let code = try recordingKernelCode(flags: flags)
        return elf(entry: virtualBase + 12,
                   segments: [Segment(physical: 0x10_0000, virtual: virtualBase, data: code, memorySize: 0x2000)])
    }
}
