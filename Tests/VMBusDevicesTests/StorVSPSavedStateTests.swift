// StorVSP saved state: disk identities and channel protocol state round-trip; changed disks are refused.

import EmulatorCore
import Storage
import TestSupport
import Testing
import VMBus
@testable import VMBusDevices

@Suite("StorVSP saved state")
struct StorVSPSavedStateTests {
    @Test("channel state round-trips through the VMBus server onto a new device")
    func roundTrip() throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.ready())
        #expect(driver.execute(cdb: CDB.testUnitReady)?.srbStatus == SRBStatus.success)
        let channel = try #require(rig.server.channel(for: rig.device))
        let blob = rig.device.saveChannelState(channel: channel)
        let deviceState = rig.device.saveState()
        let serverState = rig.server.saveState()

        // A new machine from the same configuration: same images, same instance GUID.
        let disks: [any BlockDevice] = try rig.images.map { try RawFileBlockDevice(path: $0.path) }
        let copy = StorVSPDevice(disks: disks, instanceID: StorVSPDevice.instanceID(controller: 0))
        try copy.restoreState(deviceState)
        let server2 = VMBusServer(memory: rig.memory, synics: [rig.synic])
        server2.addDevice(copy)
        try server2.restoreState(serverState)
        #expect(copy.initialized && copy.negotiatedVersion == 0x0602)
        #expect(copy.requestsCompleted == rig.device.requestsCompleted)
        let channel2 = try #require(server2.channel(for: copy))
        #expect(copy.saveChannelState(channel: channel2) == blob)
        #expect(copy.saveState() == deviceState)
    }

    @Test("queued completions survive save/restore")
    func backlog() throws {
        let rig = try StorVSPTestRig()
        _ = try #require(rig.ready())
        let channel = try #require(rig.server.channel(for: rig.device))
        var reply = VStorPacket()
        reply.operation = VStorPacket.Operation.completeIO
        rig.device.backlog = [.completion(reply.bytes, transactionID: 42), .completion(reply.bytes, transactionID: 43)]
        let blob = rig.device.saveChannelState(channel: channel)
        rig.device.backlog = []
        try rig.device.restoreChannelState(blob, channel: channel)
        #expect(rig.device.backlog.map(\.transactionID) == [42, 43])
    }

    @Test("corrupt channel blobs are rejected without changing state")
    func corrupt() throws {
        let rig = try StorVSPTestRig()
        _ = try #require(rig.ready())
        let channel = try #require(rig.server.channel(for: rig.device))
        let good = rig.device.saveChannelState(channel: channel)
        var badVersion = good; badVersion[0] = 9
        var badFlags = good; badFlags[1] = 0xFF
        var hugeCount = good; hugeCount[12] = 0xFF; hugeCount[13] = 0xFF
        var oneMissing = good; oneMissing[12] = 1
        for blob in [[], Array(good.prefix(10)), badVersion, badFlags, hugeCount, oneMissing, good + [0]] {
            #expect(throws: SnapshotStateError.self) { try rig.device.restoreChannelState(blob, channel: channel) }
        }
        #expect(rig.device.initialized)
    }

    @Test("a disk modified (or swapped) after the snapshot is refused")
    func changedDisk() throws {
        let rig = try StorVSPTestRig()
        let saved = rig.device.saveState()
        #expect(saved.disks.first?.path == rig.images[0].path)
        #expect(saved.disks.first?.byteCount == 2048 * 512)
        var ts = timespec(tv_sec: 0, tv_nsec: 20_000_000)
        nanosleep(&ts, nil)
        let driver = try #require(rig.ready())
        #expect(driver.write(cdb: CDB.write10(lba: 1, blocks: 1), data: [UInt8](repeating: 5, count: 512))?.srbStatus
                == SRBStatus.success)
        #expect(throws: SnapshotStateError.self) { try rig.device.restoreState(saved) }
        let other = StorVSPDevice(disks: [], instanceID: StorVSPDevice.instanceID(controller: 0))
        #expect(throws: SnapshotStateError.self) { try other.restoreState(saved) }
        try rig.device.restoreState(rig.device.saveState())
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
