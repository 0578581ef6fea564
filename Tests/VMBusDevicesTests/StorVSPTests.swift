// StorVSP driven by the guest-side storvsc model: offer, init sequence, scan, I/O.

import EmulatorCore
import Storage
import TestSupport
import Testing
import VMBus
@testable import VMBusDevices

@Suite("StorVSP protocol and I/O")
struct StorVSPTests {
    @Test("offered with the SCSI class GUID and a per-controller instance GUID")
    func offer() throws {
        let rig = try StorVSPTestRig()
        _ = rig.open()
        #expect(rig.offer?.classID == VMBusGUID("ba6163d9-04a1-4d29-b605-72e2ffb1dc7f"))
        #expect(rig.offer?.instanceID == StorVSPDevice.instanceID(controller: 0))
        #expect(StorVSPDevice.instanceID(controller: 0) != StorVSPDevice.instanceID(controller: 1))
        #expect(StorVSPDevice.randomInstanceID() != StorVSPDevice.randomInstanceID())
    }

    @Test("init sequence: BEGIN, QUERY_PROTOCOL_VERSION 6.2, QUERY_PROPERTIES, END; 64-byte COMP replies")
    func initSequence() throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.open())
        let begin = try #require(driver.initRequest(operation: 7))
        #expect(begin.packetType == .completion)
        #expect(begin.transactionID == GuestStorvscDriver.initTransactionID)
        #expect(begin.payloadLength == 64, "replies are the 64-byte vstor_packet: 80 bytes with the descriptor")
        #expect(begin.operation == 1 && begin.status == 0)
        let old = try #require(driver.initRequest(operation: 9) { $0[12] = 0x01; $0[13] = 0x05 })
        #expect(old.operation == 1 && old.status != 0, "5.1 refused")
        let v = try #require(driver.initRequest(operation: 9) { $0[12] = 0x02; $0[13] = 0x06 })
        #expect(v.operation == 1 && v.status == 0 && v.majorMinor == 0x0602)
        let properties = try #require(driver.initRequest(operation: 10))
        #expect(properties.status == 0 && properties.maxTransferBytes >= 0x10_0000)
        #expect(properties.raw[16] == 0 && properties.raw[20] == 0, "no sub-channels")
        let end = try #require(driver.initRequest(operation: 8))
        #expect(end.status == 0)
        #expect(rig.device.initialized)
        #expect(driver.invalidPackets.isEmpty)
    }

    @Test("the whole model's initialize() succeeds and negotiates 6.2")
    func initialize() throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.ready())
        #expect(driver.protocolVersion == 0x0602)
        #expect(driver.maxTransferBytes == StorVSPDevice.Limits.maxTransferBytes)
    }

    @Test("each disk's Block Limits page advertises the controller's max_transfer_bytes, not more")
    func blockLimits() throws {
        let rig = try StorVSPTestRig(diskBlocks: [8192, 64])
        let driver = try #require(rig.ready())
        let blocks = driver.maxTransferBytes / 512
        #expect(blocks == 4096)
        for lun: UInt8 in 0..<2 {
            let (c, page) = driver.read(cdb: CDB.inquiry(64, evpd: true, page: 0xB0), length: 64, lun: lun)
            #expect(c?.srbStatus == SRBStatus.success && page.count == 64)
            let maximum = page[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let optimal = page[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            #expect(maximum == blocks && optimal == blocks, "LUN \(lun)")
        }
    }

    @Test("SRBs before END_INITIALIZATION fail")
    func srbBeforeInit() throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.open())
        let c = try #require(driver.execute(cdb: CDB.testUnitReady))
        #expect(c.status != 0 && c.srbStatus != SRBStatus.success)
    }

    @Test("scan: INQUIRY and READ CAPACITY on LUN 0 of a temp image")
    func inquiryAndCapacity() throws {
        let rig = try StorVSPTestRig(diskBlocks: [2048])
        let driver = try #require(rig.ready())
        let (inq, data) = driver.read(cdb: CDB.inquiry(36), length: 36)
        let c = try #require(inq)
        #expect(c.srbStatus == SRBStatus.success && c.scsiStatus == 0)
        #expect(c.dataTransferLength == 36)
        #expect(c.transactionID == 1, "trans_id = tag + 1 echoed")
        #expect(data[0] == 0 && data[2] == 5)
        let (cap10, d10) = driver.read(cdb: CDB.readCapacity10, length: 8)
        #expect(cap10?.srbStatus == SRBStatus.success)
        #expect(d10 == [0, 0, 0x07, 0xFF, 0, 0, 2, 0])
        let (cap16, d16) = driver.read(cdb: CDB.readCapacity16, length: 32)
        #expect(cap16?.dataTransferLength == 32)
        #expect(Array(d16[0..<12]) == [0, 0, 0, 0, 0, 0, 0x07, 0xFF, 0, 0, 2, 0])
        let (tur, _) = driver.read(cdb: CDB.testUnitReady, length: 0 + 1)
        #expect(tur?.srbStatus == SRBStatus.success)
        #expect(driver.execute(cdb: CDB.testUnitReady)?.srbStatus == SRBStatus.success, "INBAND without data")
    }

    @Test("absent targets and LUNs: INQUIRY 0x7F, REPORT LUNS lists what exists, others INVALID_LUN")
    func absentTargets() throws {
        let rig = try StorVSPTestRig(diskBlocks: [64, 64])
        let driver = try #require(rig.ready())
        for path: UInt8 in 0..<8 {
            for target: UInt8 in 0..<2 where !(path == 0 && target == 0) {
                let (c, d) = driver.read(cdb: CDB.inquiry(36), length: 36, target: target, path: path)
                #expect(c?.srbStatus == SRBStatus.success && c?.dataTransferLength == 36)
                #expect(d.first == 0x7F)
                let (r, luns) = driver.read(cdb: CDB.reportLUNs, length: 4096, target: target, path: path)
                #expect(r?.srbStatus == SRBStatus.success)
                #expect(luns == [0, 0, 0, 0, 0, 0, 0, 0])
            }
        }
        let (r, luns) = driver.read(cdb: CDB.reportLUNs, length: 4096)
        #expect(r?.dataTransferLength == 24)
        #expect(luns == [0, 0, 0, 16, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0] + [0, 1, 0, 0, 0, 0, 0, 0])
        let (lun5, d5) = driver.read(cdb: CDB.inquiry(36), length: 36, lun: 5)
        #expect(lun5?.srbStatus == SRBStatus.success && d5.first == 0x7F)
        let tur = try #require(driver.execute(cdb: CDB.testUnitReady, lun: 5))
        #expect(tur.srbStatus == SRBStatus.invalidLUN)
        let tur1 = try #require(driver.execute(cdb: CDB.testUnitReady, target: 1))
        #expect(tur1.srbStatus == SRBStatus.invalidLUN)
        let (lun1, d1) = driver.read(cdb: CDB.read10(lba: 3, blocks: 1), length: 512, lun: 1)
        #expect(lun1?.srbStatus == SRBStatus.success)
        #expect(d1 == [UInt8](repeating: 4, count: 512), "LUN 1 is the second image")
    }

    @Test("multi-page WRITE(10) then READ(16) of the same sectors; bytes checked in the host file")
    func multiPageWriteRead() throws {
        let rig = try StorVSPTestRig(diskBlocks: [2048])
        let driver = try #require(rig.ready())
        // 64 KiB starting 0x200 into the first page: 17 scattered pages.
        let data = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let w = try #require(driver.write(cdb: CDB.write10(lba: 100, blocks: 128), data: data, byteOffset: 0x200))
        #expect(w.srbStatus == SRBStatus.success && w.scsiStatus == 0)
        #expect(w.dataTransferLength == 65_536)
        #expect(rig.images[0].bytes(at: 100 * 512, count: 65_536) == data)
        #expect(rig.images[0].bytes(at: 99 * 512, count: 512) == [UInt8](repeating: 99, count: 512), "neighbours untouched")
        let (r, back) = driver.read(cdb: CDB.rw16(0x88, 100, 128), length: 65_536, byteOffset: 0x800)
        #expect(r?.srbStatus == SRBStatus.success && r?.dataTransferLength == 65_536)
        #expect(back == data)
        let sync = try #require(driver.execute(cdb: CDB.synchronizeCache10))
        #expect(sync.srbStatus == SRBStatus.success)
        let sync16 = try #require(driver.execute(cdb: [0x91] + [UInt8](repeating: 0, count: 15)))
        #expect(sync16.srbStatus == SRBStatus.success)
    }

    @Test("a maximum-size 2 MiB transfer moves through 512 pages")
    func maxTransfer() throws {
        let rig = try StorVSPTestRig(diskBlocks: [8192])
        let driver = try #require(rig.ready())
        let data = (0..<0x20_0000).map { UInt8(truncatingIfNeeded: $0 >> 12 ^ $0) }
        let w = try #require(driver.write(cdb: CDB.write10(lba: 16, blocks: 4096), data: data))
        #expect(w.srbStatus == SRBStatus.success && w.dataTransferLength == 0x20_0000)
        #expect(rig.images[0].bytes(at: 16 * 512, count: 0x20_0000) == data)
    }

    /// 6 pages: a contiguous run of three, two adjacent pages in descending order, one alone;
    /// `byteOffset` 0x300 into the first, ending 0x500 before the end of the last (44 blocks).
    func mixedRange(_ rig: StorVSPTestRig) -> GPARange {
        let run = rig.vmbus.allocatePages(3)
        _ = rig.vmbus.allocatePages(1)
        let pair = rig.vmbus.allocatePages(2)
        let single = rig.vmbus.allocatePages(1, scattered: true)
        return GPARange(byteCount: UInt32(6 * 4096 - 0x300 - 0x500), byteOffset: 0x300,
                        pfns: run + [pair[1], pair[0]] + single)
    }

    @Test("READ and WRITE over a page list mixing contiguous and scattered PFNs; bytes around it untouched")
    func directTransferMixedPages() throws {
        let rig = try StorVSPTestRig(diskBlocks: [2048])
        let driver = try #require(rig.ready())
        let range = mixedRange(rig)
        #expect(range.byteCount == 44 * 512)
        for pfn in range.pfns { rig.memory.load([UInt8](repeating: 0xEE, count: 4096), at: UInt32(pfn << 12)) }
        let read = try #require(driver.execute(cdb: CDB.read10(lba: 7, blocks: 44), dataIn: 1, range: range))
        #expect(read.srbStatus == SRBStatus.success && read.dataTransferLength == 44 * 512)
        let expected = (7..<51).flatMap { [UInt8](repeating: UInt8($0), count: 512) }
        #expect(driver.contents(of: range) == expected)
        let first = UInt32(range.pfns[0] << 12), last = UInt32(range.pfns[5] << 12)
        #expect(rig.memory.bytes(at: first, count: 0x300) == [UInt8](repeating: 0xEE, count: 0x300))
        #expect(rig.memory.bytes(at: last + 4096 - 0x500, count: 0x500) == [UInt8](repeating: 0xEE, count: 0x500))

        let data = (0..<Int(range.byteCount)).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 12) }
        driver.fill(range, with: data)
        let write = try #require(driver.execute(cdb: CDB.write10(lba: 300, blocks: 44), dataIn: 0, range: range))
        #expect(write.srbStatus == SRBStatus.success && write.dataTransferLength == 44 * 512)
        #expect(rig.images[0].bytes(at: 300 * 512, count: data.count) == data)
        #expect(rig.images[0].bytes(at: 299 * 512, count: 512) == [UInt8](repeating: UInt8(299 & 0xFF), count: 512))
        #expect(rig.images[0].bytes(at: 344 * 512, count: 512) == [UInt8](repeating: UInt8(344 & 0xFF), count: 512))
    }

    @Test("a READ into guest pages drops the decoded code of those pages; a WRITE from them does not")
    func directReadDropsCode() throws {
        let rig = try StorVSPTestRig(diskBlocks: [64])
        let driver = try #require(rig.ready())
        let pages = rig.vmbus.allocatePages(3)
        let range = GPARange(byteCount: 1024, byteOffset: 4096 - 512, pfns: Array(pages[0...1]))
        for pfn in pages { rig.memory.markCodePage(Int(pfn)) }
        let generations = pages.map { rig.memory.codeGeneration[Int($0)] }
        let write = try #require(driver.execute(cdb: CDB.write10(lba: 4, blocks: 2), dataIn: 0, range: range))
        #expect(write.srbStatus == SRBStatus.success)
        #expect(pages.allSatisfy { rig.memory.codePage[Int($0)] != 0 }, "the disk reading guest memory changes no code")
        let read = try #require(driver.execute(cdb: CDB.read10(lba: 9, blocks: 2), dataIn: 1, range: range))
        #expect(read.srbStatus == SRBStatus.success)
        #expect(rig.memory.codePage[Int(pages[0])] == 0 && rig.memory.codePage[Int(pages[1])] == 0)
        #expect(rig.memory.codeGeneration[Int(pages[0])] == generations[0] &+ 1)
        #expect(rig.memory.codeGeneration[Int(pages[1])] == generations[1] &+ 1)
        #expect(rig.memory.codePage[Int(pages[2])] != 0 && rig.memory.codeGeneration[Int(pages[2])] == generations[2],
                "the page after the buffer keeps its code")
        #expect(driver.contents(of: range) == [UInt8](repeating: 9, count: 512) + [UInt8](repeating: 10, count: 512))
    }

    @Test("a data page that stops being RAM after the SRB was accepted: transport error, the page untouched")
    func directTransferPageLeavesRAM() throws {
        let rig = try StorVSPTestRig(diskBlocks: [64])
        let pages = rig.vmbus.allocatePages(2, scattered: true)
        // The middle page lies in the 0xC0000 shadow window, made read-only below after the
        // buffer was checked (as a chipset write could between acceptance and the data phase).
        let guest = try #require(GuestBuffer(memory: rig.memory, pfns: [pages[0], 0xC0, pages[1]]))
        let buffer = GuestDataBuffer(buffer: guest)
        rig.memory.load([UInt8](repeating: 0x5A, count: 4096), at: 0xC0000)
        rig.memory.setShadow(base: 0xC0000, size: 0x1000, readRAM: true, writeRAM: false)
        let disk = rig.device.disks[0]
        let read = disk.execute(cdb: CDB.read10(lba: 0, blocks: 24), buffer: buffer)
        #expect(read.transportFailed)
        #expect(rig.memory.bytes(at: 0xC0000, count: 4096) == [UInt8](repeating: 0x5A, count: 4096))
        let write = disk.execute(cdb: CDB.write10(lba: 0, blocks: 24), buffer: buffer)
        #expect(write.transportFailed)
        #expect(rig.images[0].bytes(at: 8 * 512, count: 4096) == (8..<16).flatMap { [UInt8](repeating: UInt8($0), count: 512) },
                "nothing from the bad page reached the disk")
        // Back to RAM: the same buffer works again.
        rig.memory.setShadow(base: 0xC0000, size: 0x1000, readRAM: true, writeRAM: true)
        #expect(disk.execute(cdb: CDB.read10(lba: 0, blocks: 24), buffer: buffer) == .good(24 * 512))
        #expect(rig.memory.bytes(at: 0xC0000, count: 4096) == (8..<16).flatMap { [UInt8](repeating: UInt8($0), count: 512) })
    }

    @Test("read-only disk: WRITE fails with DATA PROTECT sense, MODE SENSE shows WP")
    func readOnly() throws {
        let rig = try StorVSPTestRig(diskBlocks: [64], readOnly: true)
        let driver = try #require(rig.ready())
        let w = try #require(driver.write(cdb: CDB.write10(lba: 0, blocks: 1), data: [UInt8](repeating: 0xAA, count: 512)))
        #expect(w.scsiStatus == 0x02)
        #expect(w.srbStatus == SRBStatus.error | SRBStatus.autosenseValid)
        #expect(w.senseInfoLength == 18)
        #expect(w.sense[0] == 0x70 && w.sense[2] == 0x07 && w.sense[12] == 0x27)
        #expect(w.dataTransferLength == 0)
        #expect(rig.images[0].bytes(at: 0, count: 512) == [UInt8](repeating: 0, count: 512))
        let (m, mode) = driver.read(cdb: [0x1A, 0, 0x3F, 0, 192, 0], length: 192)
        #expect(m?.srbStatus == SRBStatus.success && mode[2] & 0x80 != 0)
    }

    @Test("unknown opcode: CHECK CONDITION with ILLEGAL REQUEST / 0x20 fixed sense")
    func unknownOpcode() throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.ready())
        let c = try #require(driver.execute(cdb: [0xEA, 0, 0, 0, 0, 0]))
        #expect(c.scsiStatus == 0x02 && c.srbStatus == 0x84)
        #expect(c.sense.count == 18 && c.sense[0] == 0x70 && c.sense[2] == 0x05 && c.sense[12] == 0x20)
    }

    @Test("out-of-range LBA: ILLEGAL REQUEST / LBA OUT OF RANGE, nothing transferred")
    func outOfRange() throws {
        let rig = try StorVSPTestRig(diskBlocks: [64])
        let driver = try #require(rig.ready())
        let (c, _) = driver.read(cdb: CDB.read10(lba: 63, blocks: 2), length: 1024)
        #expect(c?.srbStatus == 0x84 && c?.sense[12] == 0x21 && c?.dataTransferLength == 0)
        let w = try #require(driver.write(cdb: CDB.rw16(0x8A, UInt64.max, 1), data: [UInt8](repeating: 1, count: 512)))
        #expect(w.srbStatus == 0x84 && w.sense[12] == 0x21)
    }

    @Test("RESET_BUS / RESET_ADAPTER complete at once; completions echo the reset trans_id")
    func resets() throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.ready())
        let p = GuestStorvscDriver.vstorPacket(operation: 6)
        let c = try #require(driver.exchange(.inband(p, transactionID: 0xFFFF_FFFF_FFFF_FFFC, completionRequested: true)))
        #expect(c.operation == 1 && c.status == 0 && c.transactionID == 0xFFFF_FFFF_FFFF_FFFC)
    }

    @Test("many requests without reading replies: completions wait for ring space, none lost")
    func ringFull() throws {
        let rig = try StorVSPTestRig()
        let driver = try #require(rig.ready())
        // 128 KiB downstream ring holds ~1600 80-byte (+8 trailer) completions; send more.
        let count = 2000
        for i in 0..<count {
            driver.channel.send(.inband(GuestStorvscDriver.srbPacket(cdb: CDB.testUnitReady, dataIn: 2, length: 0),
                                        transactionID: UInt64(i + 1), completionRequested: true))
            if i % 64 == 0 { driver.channel.signal() }
        }
        driver.channel.signal()
        #expect(!rig.device.backlog.isEmpty, "the downstream ring filled up")
        #expect(driver.channel.downstream.pendingSendSize != 0, "the host waits for space")
        var ids: [UInt64] = []
        for _ in 0..<10 {
            ids += driver.channel.receiveAll().map(\.transactionID)
            driver.channel.signal()
        }
        #expect(ids == (1...UInt64(count)).map { $0 })
    }
}
