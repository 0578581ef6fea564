// INT 15h E820h (the memory map) and 87h (block move above 1 MiB).

import EmulatorCore

extension BIOSServices {
    /// The map the BIOS reports: the same layout as a direct kernel boot (`E820Map.pc`), with the
    /// whole BIOS area 0xE0000–0xFFFFF reserved (the MP and SMBIOS tables live there).
    var e820: E820Map {
        E820Map.pc(ramSize: layout.ramSize, acpiSize: layout.acpiRegion.size, acpiNVSSize: layout.acpiNVSRegion.size,
                   biosAreaBase: 0xE_0000, firmwareSize: 0x2_0000)
    }

    func int15(_ f: inout BIOSRegisterFrame) {
        if f.eax == 0xE820 {
            memoryMap(&f)
        } else if f.ah == 0x87 {
            blockMove(&f)
        } else {
            f.ah = 0x86
            f.carryFlag = true
        }
    }

    /// E820h: EDX = "SMAP", EBX = continuation (0 first), ECX = buffer size (≥ 20), ES:DI =
    /// buffer. Returns EAX = "SMAP", ECX = 20, EBX = next continuation (0 after the last).
    func memoryMap(_ f: inout BIOSRegisterFrame) {
        let smap: UInt32 = 0x534D_4150
        let entries = e820.entries
        guard f.edx == smap, f.ecx >= 20, Int(f.ebx) < entries.count else {
            f.ah = 0x86
            f.carryFlag = true
            return
        }
        let e = entries[Int(f.ebx)]
        let record = E820Map(entries: [e]).encoded()
        guard guest.writeBytes(linear(f.es, f.di), record) else {
            f.ah = 0x86
            f.carryFlag = true
            return
        }
        f.eax = smap
        f.ecx = 20
        f.ebx = Int(f.ebx) + 1 < entries.count ? f.ebx + 1 : 0
        f.carryFlag = false
    }

    /// 87h: copies CX words between the source and destination descriptors of the GDT at
    /// ES:SI (entries 2 and 3: base bytes at +12h..+14h and +17h, +1Ah..+1Ch and +1Fh), with
    /// A20 on for the move as the BIOS's protected-mode copy has it. AH = 0 on success, 03h
    /// when the descriptors are not writable/readable data segments or the count is too large.
    func blockMove(_ f: inout BIOSRegisterFrame) {
        let words = Int(f.cx)
        guard words <= 0x8000, let gdt = guest.readBytes(linear(f.es, f.si), count: 0x30) else {
            f.ah = 0x01
            f.carryFlag = true
            return
        }
        func base(_ d: Int) -> UInt32 {
            UInt32(gdt[d + 2]) | UInt32(gdt[d + 3]) << 8 | UInt32(gdt[d + 4]) << 16 | UInt32(gdt[d + 7]) << 24
        }
        func limit(_ d: Int) -> UInt32 { UInt32(gdt[d]) | UInt32(gdt[d + 1]) << 8 }
        let source = base(0x10), destination = base(0x18), bytes = UInt32(words * 2)
        guard bytes == 0 || (limit(0x10) >= bytes - 1 && limit(0x18) >= bytes - 1) else {
            f.ah = 0x02
            f.carryFlag = true
            return
        }
        let a20 = memory.a20Mask
        memory.setA20(enabled: true)
        var i: UInt32 = 0
        while i < bytes {
            let v = memory.read(GuestPhysicalAddress(source &+ i), width: .word)
            memory.write(GuestPhysicalAddress(destination &+ i), width: .word, value: v)
            i += 2
        }
        memory.setA20(enabled: a20 == 0xFFFF_FFFF)
        f.ah = 0
        f.carryFlag = false
        f.flags |= BIOSRegisterFrame.zero
    }
}
