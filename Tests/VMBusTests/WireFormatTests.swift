// Channel-message wire formats: sizes and offsets against vmbus-facts.md §9.3 / §17.

import Testing
@testable import VMBus

@Suite("VMBus wire formats")
struct WireFormatTests {
    @Test("GUIDs use the mixed-endian wire order (SCSI class GUID example)")
    func guidOrder() {
        let scsi = VMBusGUID("ba6163d9-04a1-4d29-b605-72e2ffb1dc7f")!
        #expect(scsi.bytes == [0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d, 0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f])
        #expect(scsi.description == "ba6163d9-04a1-4d29-b605-72e2ffb1dc7f")
        #expect(VMBusGUID("not-a-guid") == nil)
    }

    @Test("OFFERCHANNEL is 196 bytes with relid @184, monitor @188/@189, connection id @192")
    func offerLayout() {
        let offer = OfferChannel(classID: VMBusGUID("f912ad6d-2b17-48ea-bd65-f927a61c7684")!,
                                 instanceID: VMBusGUID("00000001-0002-0003-0405-060708090a0b")!, mmioMegabytes: 8,
                                 userDefined: [0xAA], childRelID: 7, connectionID: 0x1_0007)
        let p = offer.payload
        #expect(p.count == 196)
        #expect(p.le32(0) == 1)
        #expect(p[8] == 0x6d && p[24] == 0x01)
        #expect(p.le16(58) == 8)
        #expect(p[60] == 0xAA)
        #expect(p.le32(184) == 7)
        #expect(p[188] == 0 && p[189] == 0, "monitor not allocated")
        #expect(p.le16(190) == 1, "dedicated interrupt")
        #expect(p.le32(192) == 0x1_0007)
        #expect(OfferChannel(payload: p) == offer)
        #expect(OfferChannel(payload: Array(p.prefix(195))) == nil)
    }

    @Test("fixed-size messages have the sizes Linux checks")
    func sizes() {
        #expect(RescindChannelOffer(childRelID: 1).payload.count == 12)
        #expect(OpenChannelResult(childRelID: 1, openID: 1).payload.count == 20)
        #expect(GPADLCreated(childRelID: 1, gpadl: 2).payload.count == 20)
        #expect(GPADLTorndown(gpadl: 2).payload.count == 12)
        #expect(VersionResponse(versionSupported: 1, messageConnectionID: 4).payload.count == 16)
        #expect(ModifyChannelResponse(childRelID: 1).payload.count == 16)
        #expect(AllOffersDelivered().payload.count == 8)
        #expect(UnloadResponse().payload.count == 8)
        #expect(InitiateContact(version: .win8, targetVCPU: 0, interruptPageOrSINT: 0).payload.count == 40)
        #expect(OpenChannel(childRelID: 1, openID: 1, ringBufferGPADL: 2, targetVP: 0, downstreamPageOffset: 4).payload.count == 148)
    }

    @Test("OPENCHANNEL fields sit at 8/12/16/20/24 with user data @28")
    func openLayout() {
        var p = [UInt8](repeating: 0, count: 148)
        p.setLE32(0, 5); p.setLE32(8, 3); p.setLE32(12, 3); p.setLE32(16, 0xE1E10); p.setLE32(20, 1); p.setLE32(24, 32)
        p[28] = 0x77
        let o = OpenChannel(payload: p)
        #expect(o?.childRelID == 3 && o?.ringBufferGPADL == 0xE1E10 && o?.targetVP == 1 && o?.downstreamPageOffset == 32)
        #expect(o?.userData.first == 0x77 && o?.userData.count == 120)
        #expect(o?.payload == p)
        #expect(OpenChannel(payload: Array(p.prefix(147))) == nil)
        p.setLE32(0, 6)
        #expect(OpenChannel(payload: p) == nil, "wrong msgtype")
    }

    @Test("GPADL header and body carry PFNs after 28 and 16 bytes")
    func gpadlLayout() {
        let h = GPADLHeader(childRelID: 2, gpadl: 0xE1E10, rangeBufferLength: 8 + 8 * 3, byteCount: 3 * 4096,
                            pfns: [0x100, 0x101, 0x102])
        let p = h.payload
        #expect(p.count == 28 + 24)
        #expect(p.le16(16) == 32 && p.le16(18) == 1 && p.le32(20) == 3 * 4096 && p.le64(28) == 0x100)
        #expect(GPADLHeader(payload: p) == h)
        #expect(h.totalPageCount == 3)
        let b = GPADLBody(gpadl: 0xE1E10, pfns: [5, 6])
        #expect(b.payload.count == 32 && b.payload.le64(16) == 5)
        #expect(GPADLBody(payload: b.payload) == b)
    }

    @Test("GPA-direct packet ranges parse and reject counts that overrun the descriptor")
    func gpaDirect() {
        let packet = VMBusPacket.gpaDirect([GPARange(byteCount: 5000, byteOffset: 100, pfns: [1, 2])], payload: [9],
                                           transactionID: 3)
        #expect(packet.headerExtension.count == 8 + 8 + 16)
        #expect(packet.gpaDirectRanges == [GPARange(byteCount: 5000, byteOffset: 100, pfns: [1, 2])])
        var bad = packet
        bad.headerExtension.setLE32(4, 1000)
        #expect(bad.gpaDirectRanges == nil)
        bad = packet
        bad.headerExtension.setLE32(8, 0xFFFF_FFFF)
        #expect(bad.gpaDirectRanges == nil, "byte count needing more PFNs than present")
    }

    @Test("transfer-page packets put the pageset id @16, range count @20 and ranges @24")
    func transferPages() {
        let p = VMBusPacket.transferPages(pageSetID: 0xCAFE, ranges: [(100, 200), (300, 400)], payload: [1], transactionID: 5)
        #expect(p.type == .dataUsingTransferPages && p.completionRequested)
        #expect(p.headerExtension.le16(0) == 0xCAFE && p.headerExtension.le32(4) == 2)
        #expect(p.headerExtension.le32(8) == 100 && p.headerExtension.le32(12) == 200 && p.headerExtension.le32(20) == 400)
        #expect(p.encodedLength == 16 + 24 + 8)
    }
}
