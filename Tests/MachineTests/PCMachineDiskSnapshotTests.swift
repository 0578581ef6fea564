import Foundation
import Testing
import Machine
import Storage
import TestSupport

/// Disks and snapshots: a restore onto a changed image is refused unless forced, and with
/// `snapshotDisks` the images are never written while snapshots carry the overlays.
@Suite("PC machine snapshots with disks")
struct PCMachineDiskSnapshotTests {
    static func machine(disk: String, snapshotDisks: Bool) throws -> PCMachine {
        var config = MachineConfiguration()
        config.ramSize = 4 << 20
        config.firmware = [UInt8](repeating: 0xF4, count: 64 << 10)
        config.hyperV = true
        config.vmbusDisks = [.init(path: disk, readOnly: false)]
        config.snapshotDisks = snapshotDisks
        config.clock = .virtual
        return try PCMachine(config)
    }

    @Test("with snapshotDisks the image is untouched and the snapshot carries the overlay")
    func overlayTravelsInSnapshot() throws {
        let image = TemporaryDiskImage(byteCount: 1 << 20) { UInt8(truncatingIfNeeded: $0 >> 9) }
        let original = image.contents
        let path = PCMachineSnapshotTests.temporaryPath("overlay.psnap")
        defer { try? FileManager.default.removeItem(atPath: path) }

        let m = try Self.machine(disk: image.path, snapshotDisks: true)
        #expect(m.diskOverlays.map(\.name) == ["vmbus0"])
        let disk = m.diskOverlays[0].overlay
        try disk.write([UInt8](repeating: 0xC3, count: 4096), at: 8192)
        try disk.write([1, 2, 3], at: 700_001)
        try m.saveSnapshot(to: path, options: PCMachineSnapshotTests.fastOptions())
        // Writes after the save stay out of the snapshot (and out of the image).
        try disk.write([9], at: 0)
        #expect(image.contents == original)

        let sections = try PCMachineSnapshotTests.contents(path).sections.map(\.name)
        #expect(sections.contains("overlay.vmbus0.0"))

        let restored = try PCMachine.restore(from: path)
        #expect(restored.restoreWarnings.isEmpty)
        let view = restored.diskOverlays[0].overlay
        var expected = original
        for i in 8192..<(8192 + 4096) { expected[i] = 0xC3 }
        expected.replaceSubrange(700_001..<700_004, with: [1, 2, 3])
        #expect(try view.read(at: 0, count: 1 << 20) == expected)
        // The restored machine keeps writing into an overlay, never into the image.
        try view.write([7, 7], at: 0)
        #expect(image.contents == original)
    }

    @Test("a restore onto a changed image is refused, and accepted with a warning when forced")
    func changedImage() throws {
        let image = TemporaryDiskImage(byteCount: 64 << 10)
        let path = PCMachineSnapshotTests.temporaryPath("changed.psnap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let m = try Self.machine(disk: image.path, snapshotDisks: false)
        try m.saveSnapshot(to: path, options: PCMachineSnapshotTests.fastOptions())
        #expect(try PCMachine.restore(from: path).restoreWarnings.isEmpty)

        // Someone writes to the image after the snapshot (its modification stamp moves).
        let later = Date().addingTimeInterval(5)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: image.path)
        do {
            _ = try PCMachine.restore(from: path)
            Issue.record("restore onto a changed image succeeded")
        } catch {
            #expect("\(error)".contains("LUN 0"))
            #expect("\(error)".contains(image.path))
        }
        var host = SnapshotHostBackends()
        host.acceptChangedDisks = true
        let forced = try PCMachine.restore(from: path, host: host)
        #expect(forced.restoreWarnings.count == 1)
        #expect(forced.restoreWarnings.first?.contains("LUN 0") == true)
    }

    @Test("IDE and floppy images: overlays with snapshotDisks, refused when changed, forced with warnings")
    func legacyDisks() throws {
        let hd = TemporaryDiskImage(byteCount: 1 << 20) { UInt8(truncatingIfNeeded: $0 >> 9) }
        let fd = TemporaryDiskImage(byteCount: 1_474_560)
        let original = hd.contents
        let path = PCMachineSnapshotTests.temporaryPath("legacy.psnap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        func machine(snapshotDisks: Bool) throws -> PCMachine {
            var config = MachineConfiguration()
            config.ramSize = 4 << 20
            config.firmware = [UInt8](repeating: 0xF4, count: 64 << 10)
            config.hardDisks = [.init(path: hd.path)]
            config.floppyImages = [.init(path: fd.path)]
            config.snapshotDisks = snapshotDisks
            config.clock = .virtual
            return try PCMachine(config)
        }
        let m = try machine(snapshotDisks: true)
        #expect(m.diskOverlays.map(\.name) == ["fd0", "hd0"])
        try m.diskOverlays[1].overlay.write([0xAB, 0xCD], at: 4096)
        try m.saveSnapshot(to: path, options: PCMachineSnapshotTests.fastOptions())
        #expect(hd.contents == original)
        let restored = try PCMachine.restore(from: path)
        #expect(try restored.legacyDisks.hardDisks[0].read(at: 4095, count: 4) == [original[4095], 0xAB, 0xCD, original[4098]])

        // Without overlays a changed image is refused, and accepted with warnings when forced.
        let plain = try machine(snapshotDisks: false)
        try plain.saveSnapshot(to: path, options: PCMachineSnapshotTests.fastOptions())
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(7)], ofItemAtPath: hd.path)
        #expect(throws: (any Error).self) { try PCMachine.restore(from: path) }
        var host = SnapshotHostBackends()
        host.acceptChangedDisks = true
        let forced = try PCMachine.restore(from: path, host: host)
        #expect(forced.restoreWarnings.contains { $0.hasPrefix("IDE disk 0") })
        #expect(forced.restoreWarnings.contains { $0.hasPrefix("bios") })
    }
}
