import Foundation
import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

@Suite("PCI configuration space, BARs and decode mapping")
struct PCIConfigSpaceTests {
    static let devfn = PCIBench.devfn(PCIBench.deviceSlot, 0)

    /// Linux pci_size: the lowest set bit of the read-back mask is the size.
    static func size(_ readBack: UInt32, mask: UInt32) -> UInt32 {
        let s = readBack & mask
        return s & ~(s &- 1)
    }

    @Test("BAR sizing as Linux's __pci_read_base does it reads back ~(size-1) with the type bits and restores the BAR")
    func barSizing() {
        let b = PCIBench()
        b.conf1Write(devfn: Self.devfn, reg: 0x10, len: 4, value: 0xC000)
        b.conf1Write(devfn: Self.devfn, reg: 0x14, len: 4, value: 0xE000_0000)
        b.conf1Write(devfn: Self.devfn, reg: 0x04, len: 2, value: 0x0003)
        let io = b.sizeBAR(devfn: Self.devfn, reg: 0x10)
        let mem = b.sizeBAR(devfn: Self.devfn, reg: 0x14)
        let pref = b.sizeBAR(devfn: Self.devfn, reg: 0x18)
        let none = b.sizeBAR(devfn: Self.devfn, reg: 0x1C)
        #expect(io == 0xFFFF_FFE1)  // 32 bytes of I/O, 16-bit decode
        #expect(mem == 0xFFFF_F000)  // 4 KiB, 32-bit, not prefetchable
        #expect(pref == 0xFFF0_0008)  // 1 MiB, prefetchable
        #expect(none == 0)  // not implemented
        #expect(Self.size(io, mask: 0xFFFF_FFFC) == 32)
        #expect(Self.size(mem, mask: 0xFFFF_FFF0) == 4096)
        #expect(Self.size(pref, mask: 0xFFFF_FFF0) == 1 << 20)
        // Restored, with decode back on.
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x10, len: 4) == 0xC001)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x14, len: 4) == 0xE000_0000)
        #expect(b.device!.config.decodedRegion(0) == PCIBARRegion(space: .io, base: 0xC000, size: 32))
        #expect(b.device!.config.decodedRegion(1) == PCIBARRegion(space: .memory, base: 0xE000_0000, size: 4096))
    }

    @Test("IDs, class, revision and interrupt pin are read-only; interrupt line and latency timer are read/write")
    func readOnlyHeader() {
        let b = PCIBench()
        let header = (0..<0x40).map { b.conf1Read(devfn: Self.devfn, reg: $0, len: 1) }
        for reg in [0x00, 0x08, 0x2C, 0x30, 0x34] {
            b.conf1Write(devfn: Self.devfn, reg: reg, len: 4, value: 0xFFFF_FFFF)
        }
        b.conf1Write(devfn: Self.devfn, reg: 0x3C, len: 4, value: 0xFFFF_FF0B)
        b.conf1Write(devfn: Self.devfn, reg: 0x0C, len: 4, value: 0xFFFF_4010)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x00, len: 4) == 0x5678_1234)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x08, len: 4) == 0x0200_0011)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x2C, len: 4) == 0x1100_1AF4)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x30, len: 4) == 0)  // no expansion ROM
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x3C, len: 1) == 0x0B)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x3D, len: 1) == 0x01)  // INTA#
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x0C, len: 4) == 0x0000_4010)  // header type, BIST fixed
        #expect(header[0x3D] == 0x01 && header[0x0E] == 0)
    }

    @Test("Status error bits are write-1-to-clear; the other Status bits are read-only")
    func statusWriteOneToClear() {
        let b = PCIBench()
        let config = b.device!.config
        config.setStatus([.receivedMasterAbort, .signaledSystemError])
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x06, len: 2) == 0x6200)
        b.conf1Write(devfn: Self.devfn, reg: 0x06, len: 2, value: 0x2000)  // clear master abort only
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x06, len: 2) == 0x4200)
        b.conf1Write(devfn: Self.devfn, reg: 0x06, len: 2, value: 0x01FF)  // not error bits: no effect
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x06, len: 2) == 0x4200)
        // A dword write of Command with zeros in the Status half clears nothing.
        b.conf1Write(devfn: Self.devfn, reg: 0x04, len: 4, value: 0x0000_0001)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x04, len: 4) == 0x4200_0001)
    }

    @Test("programming BARs and enabling decode maps the device; moving a BAR or clearing decode remaps it")
    func decodeMapping() {
        let b = PCIBench()
        let d = b.device!
        b.conf1Write(devfn: Self.devfn, reg: 0x10, len: 4, value: 0xC040)
        b.conf1Write(devfn: Self.devfn, reg: 0x14, len: 4, value: 0x000E_8000 | 0xFFF)  // low bits ignored
        #expect(!b.ports.isClaimed(IOPort(0xC040)))
        #expect(b.barChanges.isEmpty)

        b.conf1Write(devfn: Self.devfn, reg: 0x04, len: 2, value: 0x0001)  // I/O only
        #expect(b.ports.isClaimed(IOPort(0xC040)) && b.ports.isClaimed(IOPort(0xC05F)))
        #expect(!b.ports.isClaimed(IOPort(0xC060)))
        #expect(b.inb(0xC045) == 0xA5)
        b.outw(0x1234, 0xC050)
        #expect(d.ioWrites.last! == (0xC050, 0x1234))
        #expect(b.memory.read(GuestPhysicalAddress(0xE_8010), width: .dword) == 0)  // still RAM

        b.conf1Write(devfn: Self.devfn, reg: 0x04, len: 2, value: 0x0003)  // and memory
        #expect(b.memory.read(GuestPhysicalAddress(0xE_8010), width: .dword) == 0xB000_0010)
        b.memory.write(GuestPhysicalAddress(0xE_8FFC), width: .dword, value: 0xCAFE)
        #expect(d.mmioWrites.last! == (0xFFC, 0xCAFE))

        b.conf1Write(devfn: Self.devfn, reg: 0x10, len: 4, value: 0xD000)  // move the I/O BAR
        #expect(!b.ports.isClaimed(IOPort(0xC040)) && b.ports.isClaimed(IOPort(0xD01F)))
        #expect(b.inb(0xD001) == 0xA1)

        b.conf1Write(devfn: Self.devfn, reg: 0x04, len: 2, value: 0x0000)
        #expect(!b.ports.isClaimed(IOPort(0xD000)))
        #expect(b.memory.read(GuestPhysicalAddress(0xE_8010), width: .dword) == 0)

        let io = { (base: UInt32) in PCIBARRegion(space: .io, base: base, size: 32) }
        let mem = PCIBARRegion(space: .memory, base: 0xE_8000, size: 4096)
        let expected: [(Int, PCIBARRegion?, PCIBARRegion?)] = [
            (0, nil, io(0xC040)), (1, nil, mem), (0, io(0xC040), io(0xD000)), (0, io(0xD000), nil), (1, mem, nil),
        ]
        #expect(b.barChanges.count == expected.count)
        for (got, want) in zip(b.barChanges, expected) {
            #expect(got.0 == want.0 && got.1 == want.1 && got.2 == want.2)
        }
    }

    @Test("a BAR holding 0, or the all-ones sizing pattern under enabled decode, does not decode")
    func unassignedBARsDoNotDecode() {
        let b = PCIBench()
        b.conf1Write(devfn: Self.devfn, reg: 0x04, len: 2, value: 0x0003)
        #expect(b.device!.config.decodedRegion(0) == nil && b.device!.config.decodedRegion(1) == nil)
        // A firmware that sizes without turning decode off.
        b.conf1Write(devfn: Self.devfn, reg: 0x14, len: 4, value: 0xFFFF_FFFF)
        #expect(b.device!.config.decodedRegion(1) == nil)
        b.conf1Write(devfn: Self.devfn, reg: 0x14, len: 4, value: 0xFEBF_F000)
        #expect(b.device!.config.decodedRegion(1) == PCIBARRegion(space: .memory, base: 0xFEBF_F000, size: 4096))
        #expect(b.barChanges.count == 1)
    }

    @Test("Interrupt Disable gates INTx# while Status.Interrupt Status shows the request")
    func interruptDisable() {
        let b = PCIBench()
        let d = b.device!
        b.conf1Write(devfn: PCIBench.devfn(1, 0), reg: 0x63, len: 1, value: 11)  // slot 3 INTA# = PIRQD
        d.config.intx.raise()
        #expect(b.irqs[11].level)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x06, len: 2) & 0x08 != 0)
        b.conf1Write(devfn: Self.devfn, reg: 0x04, len: 2, value: 0x0400)
        #expect(!b.irqs[11].level)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x06, len: 2) & 0x08 != 0)
        b.conf1Write(devfn: Self.devfn, reg: 0x04, len: 2, value: 0x0000)
        #expect(b.irqs[11].level)
        d.config.intx.lower()
        #expect(!b.irqs[11].level)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x06, len: 2) & 0x08 == 0)
    }

    @Test("capabilities link from offset 0x34 in the order added and set Status.Capabilities List")
    func capabilityList() {
        let config = PCIConfigSpace(identity: TestPCIDevice.identity)
        #expect(config.read(offset: 0x06, width: .word) & 0x10 == 0)
        config.addCapability(id: 0x01, at: 0x50, body: [0x02, 0x00, 0x00, 0x00, 0x00, 0x00], writeMask: [0, 0, 0x03])
        config.addCapability(id: 0x09, at: 0x60, body: [0x04, 0xAA])
        #expect(config.read(offset: 0x06, width: .word) & 0x10 != 0)
        #expect(config.read(offset: 0x34, width: .byte) == 0x50)
        #expect(config.read(offset: 0x50, width: .word) == 0x6001)
        #expect(config.read(offset: 0x60, width: .dword) == 0xAA04_0009)
        config.write(offset: 0x54, width: .byte, value: 0xFF)  // PMCSR power state bits
        config.write(offset: 0x63, width: .byte, value: 0x00)
        #expect(config.read(offset: 0x54, width: .byte) == 0x03)
        #expect(config.read(offset: 0x63, width: .byte) == 0xAA)
    }

    @Test("reset returns the header to power-on values and stops decoding")
    func resetStopsDecoding() {
        let b = PCIBench()
        b.conf1Write(devfn: Self.devfn, reg: 0x10, len: 4, value: 0xC000)
        b.conf1Write(devfn: Self.devfn, reg: 0x3C, len: 1, value: 0x0B)
        b.conf1Write(devfn: Self.devfn, reg: 0x04, len: 2, value: 0x0001)
        #expect(b.ports.isClaimed(IOPort(0xC000)))
        b.device!.config.reset()
        #expect(!b.ports.isClaimed(IOPort(0xC000)))
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x10, len: 4) == 0x1)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x3C, len: 1) == 0)
        #expect(b.conf1Read(devfn: Self.devfn, reg: 0x04, len: 2) == 0)
    }

    @Test("save, restore into a new function: the same bytes, the same mappings, the same INTx level")
    func saveRestoreRoundTrip() throws {
        let a = PCIBench()
        a.conf1Write(devfn: Self.devfn, reg: 0x10, len: 4, value: 0xC000)
        a.conf1Write(devfn: Self.devfn, reg: 0x18, len: 4, value: 0xF000_0000)
        a.conf1Write(devfn: Self.devfn, reg: 0x04, len: 2, value: 0x0003)
        a.conf1Write(devfn: PCIBench.devfn(1, 0), reg: 0x63, len: 1, value: 5)
        a.device!.config.setStatus(.receivedTargetAbort)
        a.device!.config.intx.raise()
        let saved = a.device!.config.saveState()
        let decoded = try JSONDecoder().decode(PCIConfigSpace.SavedState.self, from: JSONEncoder().encode(saved))

        let b = PCIBench()
        b.conf1Write(devfn: PCIBench.devfn(1, 0), reg: 0x63, len: 1, value: 5)
        #expect(b.device!.config.validate(decoded) == nil)
        b.device!.config.restore(decoded)
        #expect(b.device!.config.saveState() == saved)
        #expect(b.ports.isClaimed(IOPort(0xC01F)))
        #expect(b.memory.read(GuestPhysicalAddress(0xF000_0004), width: .dword) == 0xB000_0004)
        #expect(b.irqs[5].level)
    }

    @Test("a saved configuration space that changes read-only bits or has the wrong size is refused")
    func corruptConfigRefused() {
        let config = TestPCIDevice().config
        let good = config.saveState()
        #expect(config.validate(good) == nil)
        var vendor = good
        vendor.bytes[0] = 0x35
        var barType = good
        barType.bytes[0x10] = 0x00  // I/O BAR claiming to be memory
        var barLowBits = good
        barLowBits.bytes[0x14] = 0x10  // address bit below the 4 KiB size
        var short = good
        short.bytes.removeLast()
        for bad in [vendor, barType, barLowBits, short] {
            #expect(config.validate(bad) != nil)
        }
    }
}
