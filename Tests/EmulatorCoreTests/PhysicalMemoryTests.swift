import Testing
@testable import EmulatorCore

private final class Registers: MMIODevice {
    var last: (UInt32, AccessWidth, UInt32)?
    func mmioRead(offset: UInt32, width: AccessWidth) -> UInt32 { 0xA000_0000 | offset }
    func mmioWrite(offset: UInt32, width: AccessWidth, value: UInt32) { last = (offset, width, value) }
}

@Suite("PhysicalMemory")
struct PhysicalMemoryTests {
    @Test("RAM reads back little-endian values, also across a page boundary")
    func ramRoundTrip() {
        let m = PhysicalMemory(ramSize: 1 << 20)
        m.write(GuestPhysicalAddress(0x1FFE), width: .dword, value: 0x1122_3344)
        #expect(m.read(GuestPhysicalAddress(0x1FFE), width: .dword) == 0x1122_3344)
        #expect(m.read(GuestPhysicalAddress(0x2000), width: .byte) == 0x22)
    }

    @Test("ROM is read-only and unmapped space floats high")
    func romAndUnmapped() {
        let m = PhysicalMemory(ramSize: 1 << 20)
        m.mapROM([1, 2, 3, 4], at: 0xFFFF_0000)
        m.write(GuestPhysicalAddress(0xFFFF_0000), width: .byte, value: 9)
        #expect(m.read(GuestPhysicalAddress(0xFFFF_0000), width: .dword) == 0x0403_0201)
        #expect(m.read(GuestPhysicalAddress(0x8000_0000), width: .word) == 0xFFFF)
    }

    @Test("MMIO accesses reach the device with region-relative offsets")
    func mmioDispatch() {
        let m = PhysicalMemory(ramSize: 1 << 20)
        let d = Registers()
        m.mapMMIO(d, base: 0xFEE0_0000, size: 0x1000)
        #expect(m.read(GuestPhysicalAddress(0xFEE0_0020), width: .dword) == 0xA000_0020)
        m.write(GuestPhysicalAddress(0xFEE0_00B0), width: .dword, value: 0)
        #expect(d.last?.0 == 0xB0)
        m.unmapMMIO(base: 0xFEE0_0000)
        #expect(m.read(GuestPhysicalAddress(0xFEE0_0020), width: .dword) == 0xFFFF_FFFF)
    }

    @Test("a closed A20 gate wraps addresses at 1 MiB")
    func a20Wraps() {
        let m = PhysicalMemory(ramSize: 2 << 20)
        m.write(GuestPhysicalAddress(0x10_0000), width: .byte, value: 0x55)
        m.setA20(enabled: false)
        #expect(m.read(GuestPhysicalAddress(0x10_0000), width: .byte) == 0)
        m.write(GuestPhysicalAddress(0x0), width: .byte, value: 0x66)
        m.setA20(enabled: true)
        #expect(m.read(GuestPhysicalAddress(0x10_0000), width: .byte) == 0x55)
        #expect(m.read(GuestPhysicalAddress(0x0), width: .byte) == 0x66)
    }

    @Test("shadow RAM (PAM): the four read/write routings of a segment between RAM and the ROM over it")
    func shadowRouting() {
        let m = PhysicalMemory(ramSize: 2 << 20)
        m.mapROM([UInt8](repeating: 0xAB, count: 0x1_0000), at: 0xF_0000)
        m.write(GuestPhysicalAddress(0xF_0000), width: .byte, value: 0x11)  // a ROM write: dropped
        #expect(m.read(GuestPhysicalAddress(0xF_0000), width: .byte) == 0xAB)

        // Write-only to RAM: reads still see the ROM, the write lands underneath (the BIOS copy).
        m.setShadow(base: 0xF_0000, size: 0x1_0000, readRAM: false, writeRAM: true)
        m.write(GuestPhysicalAddress(0xF_0000), width: .dword, value: 0x1234_5678)
        #expect(m.read(GuestPhysicalAddress(0xF_0000), width: .dword) == 0xABAB_ABAB)
        #expect(m.ram[0xF_0000] == 0x78)
        #expect(m.hostPage(0xF_0000)?.writable == false)

        // Read from RAM, writes dropped (firmware locks itself read-only).
        m.setShadow(base: 0xF_0000, size: 0x1_0000, readRAM: true, writeRAM: false)
        m.write(GuestPhysicalAddress(0xF_0000), width: .byte, value: 0xEE)
        #expect(m.read(GuestPhysicalAddress(0xF_0000), width: .dword) == 0x1234_5678)

        // Plain RAM.
        m.setShadow(base: 0xF_0000, size: 0x1_0000, readRAM: true, writeRAM: true)
        m.write(GuestPhysicalAddress(0xF_0000), width: .byte, value: 0xEE)
        #expect(m.read(GuestPhysicalAddress(0xF_0000), width: .byte) == 0xEE)
        #expect(m.hostPage(0xF_0000)?.writable == true)

        // Back to the ROM; where no ROM is mapped the segment floats high.
        m.setShadow(base: 0xF_0000, size: 0x1_0000, readRAM: false, writeRAM: false)
        #expect(m.read(GuestPhysicalAddress(0xF_0000), width: .byte) == 0xAB)
        m.setShadow(base: 0xC_0000, size: 0x4000, readRAM: false, writeRAM: false)
        #expect(m.read(GuestPhysicalAddress(0xC_0000), width: .word) == 0xFFFF)
    }

    @Test("a shadow write to a page holding decoded code invalidates it")
    func shadowWriteInvalidatesCode() {
        let m = PhysicalMemory(ramSize: 2 << 20)
        m.mapROM([UInt8](repeating: 0x90, count: 0x1_0000), at: 0xF_0000)
        m.setShadow(base: 0xF_0000, size: 0x1_0000, readRAM: false, writeRAM: true)
        m.markCodePage(0xF0)
        let generation = m.codeGeneration[0xF0]
        m.write(GuestPhysicalAddress(0xF_0010), width: .byte, value: 0xC3)
        #expect(m.codeGeneration[0xF0] != generation)
    }
}
