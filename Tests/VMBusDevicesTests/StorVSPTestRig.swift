// Test rig: SynIC + VMBus server over 16 MiB of RAM, a StorVSP with temporary images, and
// the guest-side storvsc model.

import EmulatorCore
import HyperV
import Storage
import TestSupport
import Testing
import VMBus
import VMBusDevices

final class StorVSPTestRig {
    let memory = PhysicalMemory(ramSize: 16 << 20)
    let scheduler = Scheduler()
    let partition: HyperVPartition
    let synic: SynIC
    let msrs: SyntheticMSRs
    let server: VMBusServer
    let vmbus: GuestVMBusDriver
    let images: [TemporaryDiskImage]
    let device: StorVSPDevice
    var logLines: [String] = []
    var offer: OfferChannel?

    /// One controller with a disk per entry of `diskBlocks` (LUN 0, 1, …); image i's block n
    /// is filled with byte (n + i) & 0xFF.
    init(diskBlocks: [Int] = [2048], readOnly: Bool = false) throws {
        partition = HyperVPartition(memory: memory, scheduler: scheduler)
        synic = SynIC(vpIndex: 0, memory: memory, deliver: { _, _ in })
        msrs = SyntheticMSRs(partition: partition, synic: synic)
        var logSink: (String) -> Void = { _ in }
        server = VMBusServer(memory: memory, synics: [synic], logger: { logSink($0) })
        vmbus = GuestVMBusDriver(memory: memory, synic: synic, host: server)
        images = diskBlocks.enumerated().map { i, blocks in
            TemporaryDiskImage(byteCount: blocks * 512) { UInt8(truncatingIfNeeded: $0 / 512 + i) }
        }
        let disks: [any BlockDevice] = try images.map { try RawFileBlockDevice(path: $0.path, readOnly: readOnly) }
        device = StorVSPDevice(disks: disks, instanceID: StorVSPDevice.instanceID(controller: 0), logger: { logSink($0) })
        logSink = { [unowned self] in self.logLines.append($0) }
        #expect(msrs.writeMSR(HyperVMSR.simp, value: 0x10000 | 1))
        #expect(msrs.writeMSR(HyperVMSR.siefp, value: 0x11000 | 1))
        #expect(msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0xF3))
        #expect(msrs.writeMSR(HyperVMSR.scontrol, value: 1))
        server.addDevice(device)
    }

    /// Connects, takes the offer and opens the channel as storvsc does (no init sequence).
    func open() -> GuestStorvscDriver? {
        guard vmbus.connect() != nil else { return nil }
        offer = vmbus.requestOffers().first
        guard let offer else { return nil }
        return GuestStorvscDriver(vmbus: vmbus, offer: offer)
    }

    /// Open and initialised.
    func ready() -> GuestStorvscDriver? {
        guard let driver = open(), driver.initialize() else { return nil }
        return driver
    }
}

/// CDB builders.
enum CDB {
    static func read10(lba: UInt32, blocks: UInt16) -> [UInt8] { rw10(0x28, lba, blocks) }
    static func write10(lba: UInt32, blocks: UInt16) -> [UInt8] { rw10(0x2A, lba, blocks) }
    static func rw10(_ op: UInt8, _ lba: UInt32, _ blocks: UInt16) -> [UInt8] {
        [op, 0, UInt8(lba >> 24), UInt8(lba >> 16 & 0xFF), UInt8(lba >> 8 & 0xFF), UInt8(lba & 0xFF), 0,
         UInt8(blocks >> 8), UInt8(blocks & 0xFF), 0]
    }
    static func rw16(_ op: UInt8, _ lba: UInt64, _ blocks: UInt32) -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 16)
        c[0] = op
        for i in 0..<8 { c[2 + i] = UInt8(truncatingIfNeeded: lba >> (56 - 8 * i)) }
        for i in 0..<4 { c[10 + i] = UInt8(truncatingIfNeeded: blocks >> (24 - 8 * i)) }
        return c
    }
    static func inquiry(_ length: UInt16, evpd: Bool = false, page: UInt8 = 0) -> [UInt8] {
        [0x12, evpd ? 1 : 0, page, UInt8(length >> 8), UInt8(length & 0xFF), 0]
    }
    static let readCapacity10: [UInt8] = [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    static let readCapacity16: [UInt8] = [0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0]
    static let reportLUNs: [UInt8] = [0xA0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0]
    static let testUnitReady: [UInt8] = [0, 0, 0, 0, 0, 0]
    static let synchronizeCache10: [UInt8] = [0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]
}
