import Foundation
import Testing
import EmulatorCore
@testable import Chipset

@Suite("i440FX host bridge")
struct PCIHostBridgeTests {
    @Test("00:00.0 identifies as an Intel 440FX host bridge: 8086:1237, class 06/00, revision 02")
    func identity() {
        let b = PCIBench()
        #expect(b.conf1Read(devfn: 0, reg: 0x00, len: 4) == 0x1237_8086)
        #expect(b.conf1Read(devfn: 0, reg: 0x08, len: 4) == 0x0600_0002)
        #expect(b.conf1Read(devfn: 0, reg: 0x04, len: 4) == 0x0280_0006)
        #expect(b.conf1Read(devfn: 0, reg: 0x3D, len: 1) == 0)  // no interrupt pin
        // Memory and bus-master enables are hardwired on.
        b.conf1Write(devfn: 0, reg: 0x04, len: 2, value: 0x0000)
        #expect(b.conf1Read(devfn: 0, reg: 0x04, len: 2) == 0x0006)
        b.conf1Write(devfn: 0, reg: 0x04, len: 2, value: 0x0146)
        #expect(b.conf1Read(devfn: 0, reg: 0x04, len: 2) == 0x0146)
    }

    @Test("PAM registers keep their RE/WE fields, drop reserved bits and report each change")
    func pamRegisters() {
        let b = PCIBench()
        var changes: [(Int, UInt8, UInt8)] = []
        b.host.pamChanged = { changes.append(($0, $1, $2)) }
        // A BIOS shadowing itself: F segment write-only, copy, then read-only.
        b.conf1Write(devfn: 0, reg: 0x59, len: 1, value: 0x20)
        b.conf1Write(devfn: 0, reg: 0x59, len: 1, value: 0xFF)  // reserved bits (PAM0 low field) dropped
        b.conf1Write(devfn: 0, reg: 0x59, len: 1, value: 0x10)
        b.conf1Write(devfn: 0, reg: 0x5A, len: 1, value: 0x33)
        b.conf1Write(devfn: 0, reg: 0x5C, len: 4, value: 0xFFFF_FFFF)  // PAM3-PAM6 read/write
        b.conf1Write(devfn: 0, reg: 0x5A, len: 1, value: 0x33)  // unchanged: no report
        #expect(b.conf1Read(devfn: 0, reg: 0x58, len: 4) == 0x0033_1000)
        #expect(b.conf1Read(devfn: 0, reg: 0x5C, len: 4) == 0x3333_3333)
        #expect(changes.count == 8)
        #expect(changes[0] == (0, 0x00, 0x20) && changes[1] == (0, 0x20, 0x30) && changes[2] == (0, 0x30, 0x10))
        #expect(changes[3] == (1, 0x00, 0x33) && changes[4] == (3, 0x00, 0x33) && changes[7] == (6, 0x00, 0x33))

        let segments = PCIHostBridge.pamSegments
        #expect(segments.count == 13)
        typealias Segment = PCIHostBridge.PAMSegment
        #expect(segments.first! == Segment(base: 0xC_0000, size: 0x4000, register: 1, highField: false))
        #expect(segments[1] == Segment(base: 0xC_4000, size: 0x4000, register: 1, highField: true))
        #expect(segments[11] == Segment(base: 0xE_C000, size: 0x4000, register: 6, highField: true))
        #expect(segments.last! == Segment(base: 0xF_0000, size: 0x1_0000, register: 0, highField: true))
        #expect(b.host.access(for: segments.last!) == .read)
        #expect(b.host.access(for: segments[0]) == [.read, .write])
        #expect(b.host.access(for: segments[2]) == [])
    }

    @Test("SMRAM: C_BASE_SEG reads 010; D_LCK clears D_OPEN and locks D_OPEN, D_LCK and G_SMRAME until reset")
    func smramLock() {
        let b = PCIBench()
        var reports: [(UInt8, UInt8)] = []
        b.host.smramChanged = { reports.append(($0.rawValue, $1.rawValue)) }
        #expect(b.conf1Read(devfn: 0, reg: 0x72, len: 1) == 0x02)
        b.conf1Write(devfn: 0, reg: 0x72, len: 1, value: 0xFF)  // reserved bit 7 and C_BASE_SEG are fixed
        #expect(b.conf1Read(devfn: 0, reg: 0x72, len: 1) == 0x3A)  // D_LCK wins over D_OPEN
        b.conf1Write(devfn: 0, reg: 0x72, len: 1, value: 0x48)  // try to reopen
        #expect(b.conf1Read(devfn: 0, reg: 0x72, len: 1) == 0x1A)  // locked: only D_CLS changed
        b.conf1Write(devfn: 0, reg: 0x72, len: 1, value: 0x00)
        #expect(b.conf1Read(devfn: 0, reg: 0x72, len: 1) == 0x1A)
        #expect(reports.count == 2 && reports[0] == (0x02, 0x3A) && reports[1] == (0x3A, 0x1A))
        b.host.reset()
        #expect(b.conf1Read(devfn: 0, reg: 0x72, len: 1) == 0x02)
        b.conf1Write(devfn: 0, reg: 0x72, len: 1, value: 0x4A)
        #expect(b.host.smram == [.open, .globalEnable, .baseSegmentA0000])
    }

    @Test("reset returns PAM and the stored registers to power-on values and reports the PAM change")
    func resetReportsPAM() {
        let b = PCIBench()
        b.conf1Write(devfn: 0, reg: 0x59, len: 1, value: 0x30)
        b.conf1Write(devfn: 0, reg: 0x60, len: 1, value: 0x10)  // DRB0
        var changes: [(Int, UInt8, UInt8)] = []
        b.host.pamChanged = { changes.append(($0, $1, $2)) }
        b.host.reset()
        #expect(changes.count == 1 && changes[0] == (0, 0x30, 0x00))
        #expect(b.conf1Read(devfn: 0, reg: 0x60, len: 1) == 0x01)
    }

    @Test("save, restore into a new bridge: same registers, and pamChanged hears every PAM register that moved")
    func saveRestore() throws {
        let a = PCIBench()
        a.conf1Write(devfn: 0, reg: 0x58, len: 4, value: 0x1133_3000)
        a.conf1Write(devfn: 0, reg: 0x72, len: 1, value: 0x0A)
        a.conf1Write(devfn: 0, reg: 0x0D, len: 1, value: 0x40)
        let saved = a.host.saveState()
        let decoded = try JSONDecoder().decode(PCIHostBridge.SavedState.self, from: JSONEncoder().encode(saved))
        let b = PCIBench()
        var changes: [Int] = []
        b.host.pamChanged = { i, _, _ in changes.append(i) }
        try b.host.restoreState(decoded)
        #expect(b.host.saveState() == saved)
        #expect(changes == [0, 1, 2])
        #expect(b.host.smram == [.globalEnable, .baseSegmentA0000])
    }

    @Test("a saved bridge that is locked and open at once, or changes read-only bits, is refused")
    func corruptRefused() {
        let good = PCIBench().host.saveState()
        var lockedOpen = good
        lockedOpen.config.bytes[0x72] = 0x52
        var baseSegment = good
        baseSegment.config.bytes[0x72] = 0x03
        var deviceID = good
        deviceID.config.bytes[0x02] = 0x38
        var pamReserved = good
        pamReserved.config.bytes[0x59] = 0x01
        let b = PCIBench()
        b.conf1Write(devfn: 0, reg: 0x5F, len: 1, value: 0x11)
        let before = b.host.saveState()
        for bad in [lockedOpen, baseSegment, deviceID, pamReserved] {
            #expect(throws: SnapshotStateError.self) { try b.host.restoreState(bad) }
        }
        #expect(b.host.saveState() == before)
    }
}
