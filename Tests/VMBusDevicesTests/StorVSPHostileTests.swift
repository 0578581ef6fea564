// Hostile storvsc packets: each fails its request (or is dropped) without crashing the host.

import EmulatorCore
import Storage
import TestSupport
import Testing
import VMBus
@testable import VMBusDevices

@Suite("StorVSP hostile guest")
struct StorVSPHostileTests {
    @Test("short packets are answered with a failure status", arguments: [0, 8, 12, 40, 56])
    func shortPacket(_ length: Int) throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.ready())
        let p = Array(GuestStorvscDriver.srbPacket(cdb: CDB.testUnitReady, dataIn: 2, length: 0).prefix(length))
        let reply = try #require(driver.exchangeRaw(.inband(p, transactionID: 77, completionRequested: true)))
        #expect(reply.transactionID == 77)
        #expect(reply.payload.count == 64)
        #expect(reply.payload[8] != 0 || reply.payload[11] != 0, "non-zero status")
        #expect(rig.device.initialized, "the channel keeps working")
        #expect(driver.execute(cdb: CDB.testUnitReady)?.srbStatus == SRBStatus.success)
    }

    @Test("data length without a page list, or not matching it, fails with INVALID_REQUEST")
    func badLengths() throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.ready())
        // INBAND with data_transfer_length 4096.
        let inband = GuestStorvscDriver.srbPacket(cdb: CDB.read10(lba: 0, blocks: 8), dataIn: 1, length: 4096)
        #expect(driver.exchange(.inband(inband, transactionID: 5, completionRequested: true))?.srbStatus == SRBStatus.invalidRequest)
        // Range of 512 bytes for a 4096-byte transfer.
        let range = driver.allocateBuffer(length: 512)
        #expect(driver.exchange(.gpaDirect([range], payload: inband, transactionID: 6, completionRequested: true))?.srbStatus
                == SRBStatus.invalidRequest)
        // Absurd length.
        let huge = GuestStorvscDriver.srbPacket(cdb: CDB.read10(lba: 0, blocks: 8), dataIn: 1, length: 0xFFFF_FFFF)
        let hugeRange = GPARange(byteCount: 0xFFFF_FFFF, byteOffset: 0, pfns: [0x100])
        #expect(driver.exchange(.gpaDirect([hugeRange], payload: huge, transactionID: 7, completionRequested: true))?.srbStatus
                == SRBStatus.invalidRequest)
        // Two ranges.
        let two = [driver.allocateBuffer(length: 2048), driver.allocateBuffer(length: 2048)]
        #expect(driver.exchange(.gpaDirect(two, payload: inband, transactionID: 8, completionRequested: true))?.srbStatus
                == SRBStatus.invalidRequest)
        // A buffer shorter than the CDB's blocks: a SCSI error, nothing read past it.
        let small = driver.allocateBuffer(length: 512)
        let c = driver.execute(cdb: CDB.read10(lba: 0, blocks: 8), dataIn: 1, range: small)
        #expect(c?.scsiStatus == 0x02)
        // CDB length 0 and 200.
        var zero = GuestStorvscDriver.srbPacket(cdb: CDB.testUnitReady, dataIn: 2, length: 0)
        zero[20] = 0
        #expect(driver.exchange(.inband(zero, transactionID: 9, completionRequested: true))?.srbStatus == SRBStatus.invalidRequest)
        zero[20] = 200
        #expect(driver.exchange(.inband(zero, transactionID: 10, completionRequested: true))?.srbStatus == SRBStatus.invalidRequest)
    }

    @Test("page lists beyond RAM or into MMIO fail the request")
    func badPageLists() throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.ready())
        let srb = GuestStorvscDriver.srbPacket(cdb: CDB.read10(lba: 0, blocks: 2), dataIn: 1, length: 1024)
        for pfns: [UInt64] in [[0xFFFF_FFFF], [0x1_0000_0000_0000], [0xFEE00], [0x1000], [0x8000]] {
            let range = GPARange(byteCount: 1024, byteOffset: 0, pfns: pfns)
            let c = try #require(driver.exchange(.gpaDirect([range], payload: srb, transactionID: 3, completionRequested: true)))
            #expect(c.srbStatus != SRBStatus.success, "pfn \(pfns)")
        }
        // A GPA-direct header claiming more ranges / PFNs than it carries.
        var bogus = VMBusPacket.gpaDirect([GPARange(byteCount: 1024, byteOffset: 0, pfns: [0x200])], payload: srb,
                                          transactionID: 4, completionRequested: true)
        bogus.headerExtension[4] = 9
        let c = try #require(driver.exchange(bogus))
        #expect(c.srbStatus == SRBStatus.invalidRequest)
        #expect(driver.execute(cdb: CDB.testUnitReady)?.srbStatus == SRBStatus.success)
    }

    @Test("unknown operations, completions and odd packet types do not crash")
    func oddPackets() throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.ready())
        let unknown = try #require(driver.initRequest(operation: 0xDEAD))
        #expect(unknown.status != 0)
        let sub = try #require(driver.initRequest(operation: 13))
        #expect(sub.status != 0, "no sub-channels")
        driver.channel.send(.completion(GuestStorvscDriver.vstorPacket(operation: 1), transactionID: 1))
        driver.channel.send(VMBusPacket(type: .cancelRequest, transactionID: 2, payload: [1, 2, 3, 4, 5, 6, 7, 8]))
        driver.channel.signal()
        #expect(driver.channel.receive() == nil)
        #expect(driver.execute(cdb: CDB.testUnitReady)?.srbStatus == SRBStatus.success)
    }

    @Test("random SRB fuzz: every request gets one 64-byte completion with its trans_id")
    func fuzz() throws {
        let rig = try StorVSPTestRig(diskBlocks: [256])
        let driver = try #require(rig.ready())
        var rng = SplitMix64(seed: 0x5107)
        for i in 1...400 {
            var p = GuestStorvscDriver.vstorPacket(operation: 3)
            for j in 12..<64 { p[j] = UInt8(truncatingIfNeeded: rng.next()) }
            if i % 3 == 0 { p[20] = UInt8(rng.next() % 17) }
            if i % 5 == 0 { p[17] = 0; p[18] = 0; p[19] = 0 }
            let id = UInt64(i)
            let length = p[24...27].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
            let packet: VMBusPacket
            if i % 2 == 0 {
                let n = Int(rng.next() % 8192) + 1
                let range = driver.allocateBuffer(length: n)
                var q = p
                if i % 4 == 0 { for k in 0..<4 { q[24 + k] = UInt8(truncatingIfNeeded: n >> (8 * k)) } }
                packet = .gpaDirect([range], payload: q, transactionID: id, completionRequested: true)
            } else {
                _ = length
                packet = .inband(p, transactionID: id, completionRequested: true)
            }
            let reply = try #require(driver.exchangeRaw(packet))
            #expect(reply.transactionID == id && reply.payload.count == 64)
        }
    }
}

