// The channel server driven by the guest-side driver model: connect, offers, open, echo, close.

import EmulatorCore
import HyperV
import TestSupport
import Testing
@testable import VMBus

@Suite("VMBus server protocol")
struct VMBusServerTests {
    @Test("Linux's version list: 5.3 accepted first, INITIATE_CONTACT on connection 4, msg_conn_id returned")
    func negotiateNewest() {
        let rig = VMBusTestRig()
        #expect(rig.driver.connect() == .win10_5_3)
        #expect(rig.server.version == .win10_5_3)
        #expect(rig.driver.messageConnectionID == VMBusServer.ConnectionID.returned)
        #expect(rig.interrupts.first?.vector == 0xF3)
    }

    @Test("every version Linux 6.1 offers is accepted on its own", arguments: VMBusVersion.linuxOffered)
    func everyVersion(_ version: VMBusVersion) {
        let rig = VMBusTestRig()
        #expect(rig.driver.connect(versions: [version]) == version)
        #expect(rig.driver.messageConnectionID == (version >= .win10_5 ? 4 : 1))
        let echo = EchoVMBusDevice()
        rig.server.addDevice(echo)
        let offers = rig.driver.requestOffers()
        #expect(offers.count == 1)
    }

    @Test("unknown versions get version_supported = 0 and the guest falls back")
    func unknownVersion() {
        let rig = VMBusTestRig()
        let bogus = VMBusVersion(rawValue: 0x0009_0000)
        #expect(rig.driver.connect(versions: [bogus, VMBusVersion(rawValue: 0x0001_0001), .win8_1]) == .win8_1)
        #expect(rig.driver.connect(versions: [bogus]) == nil)
        #expect(rig.server.version == nil)
    }

    @Test("posts on unknown connections fail with INVALID_CONNECTION_ID")
    func wrongConnection() {
        let rig = VMBusTestRig()
        #expect(rig.driver.post(InitiateContact(version: .win10_5_3, targetVCPU: 0, interruptPageOrSINT: 2),
                                connectionID: 9) == .invalidConnectionID)
        #expect(rig.server.signalEvent(connectionID: 0x1234, flagNumber: 0) == .invalidConnectionID)
    }

    @Test("offers come only after REQUESTOFFERS, then ALLOFFERS_DELIVERED; queued through EOM")
    func offersQueued() {
        let rig = VMBusTestRig()
        let devices = (1...5).map { EchoVMBusDevice(instance: UInt8($0)) }
        for d in devices { rig.server.addDevice(d) }
        #expect(rig.driver.connect() != nil)
        #expect(!rig.driver.messagePending, "no offer before REQUESTOFFERS")
        let offers = rig.driver.requestOffers()
        #expect(offers.map(\.childRelID) == [1, 2, 3, 4, 5])
        #expect(offers.allSatisfy { !$0.monitorAllocated && $0.mmioMegabytes == 0 && $0.connectionID == 0x1_0000 + $0.childRelID })
        #expect(offers.map(\.instanceID) == devices.map(\.offer.instanceID))
        #expect(rig.driver.endOfMessages >= 5, "one message in flight; the rest after each EOM")
        #expect(rig.server.outgoing.isEmpty)
    }

    @Test("packets flow both ways through an echo device, on scattered ring pages")
    func echo() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho(scattered: true))
        #expect(echo.opens == 1)
        for i in 0..<50 {
            let payload = [UInt8](repeating: UInt8(i), count: 100 + i)
            #expect(channel.send(.inband(payload, transactionID: UInt64(i), completionRequested: i % 3 == 0)))
            let back = channel.receiveAll()
            #expect(back.count == 1)
            #expect(back.first?.type == (i % 3 == 0 ? .completion : .dataInband))
            #expect(back.first?.transactionID == UInt64(i))
            #expect(back.first.map { Array($0.payload.prefix(100 + i)) } == payload)
        }
        #expect(echo.received.count == 50)
        #expect(rig.driver.takeEvent(relID: channel.relID), "the host set the channel's event flag")
    }

    @Test("the host signals only on empty-to-non-empty with the guest's mask clear; the guest likewise")
    func signalling() throws {
        let rig = VMBusTestRig()
        let (_, channel) = try #require(rig.openEcho())
        let before = rig.interrupts.count
        channel.downstream.interruptMask = 1
        channel.send(.inband([1], transactionID: 1))
        #expect(rig.interrupts.count == before, "masked: no event")
        #expect(!rig.driver.takeEvent(relID: channel.relID))
        channel.downstream.interruptMask = 0
        // Ring not empty now: Linux's writer would not signal either; the guest re-checks on unmask.
        channel.upstream.interruptMask = 0
        #expect(channel.send(.inband([2], transactionID: 2)))
        #expect(channel.signals == 2)
        #expect(channel.receiveAll().count == 2)
    }

    @Test("a full host-to-guest ring waits for the guest's signal (pending_send_sz) and then resumes")
    func backPressure() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho(sendPages: 4, receivePages: 2))
        let payload = [UInt8](repeating: 0x5A, count: 1000)
        for i in 0..<6 { channel.send(.inband(payload, transactionID: UInt64(i))) }
        channel.signal()
        #expect(!echo.backlog.isEmpty, "4 KiB downstream ring holds 3 packets")
        #expect(channel.downstream.pendingSendSize != 0)
        var got = channel.receiveAll()
        channel.signal()  // hv_pkt_iter_close: space freed past pending_send_sz
        got += channel.receiveAll()
        channel.signal()
        got += channel.receiveAll()
        #expect(got.count == 6)
        #expect(echo.backlog.isEmpty)
    }

    @Test("close and ring GPADL teardown; reopen works")
    func closeReopen() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho())
        #expect(rig.driver.close(channel))
        #expect(echo.closes == 1)
        #expect(rig.server.gpadls.isEmpty)
        #expect(rig.server.channels[1]?.state == .offered)
        #expect(rig.server.signalEvent(connectionID: channel.offer.connectionID, flagNumber: 0) == .success)
        let again = try #require(rig.driver.open(channel.offer))
        #expect(again.send(.inband([1, 2], transactionID: 7)))
        #expect(again.receive()?.transactionID == 7)
        #expect(echo.opens == 2)
    }

    @Test("a GPADL larger than one message is assembled from header and bodies (netvsc-sized)")
    func bigGPADL() {
        let rig = VMBusTestRig()
        rig.server.addDevice(EchoVMBusDevice())
        let offer = rig.connectAndOffer()[0]
        let pfns = rig.driver.allocatePages(300, scattered: true)
        let (id, created) = rig.driver.createGPADL(relID: offer.childRelID, pfns: pfns)
        #expect(created == GPADLCreated(childRelID: offer.childRelID, gpadl: id, creationStatus: 0))
        #expect(rig.server.gpadls[id]?.pfns == pfns)
        let buffer = rig.server.channels[offer.childRelID]?.gpadlBuffer(id)
        #expect(buffer?.length == 300 * 4096)
        #expect(rig.driver.teardownGPADL(relID: offer.childRelID, id: id))
    }

    @Test("MODIFYCHANNEL retargets events and is answered on 5.3 only")
    func modifyChannel() throws {
        let rig = VMBusTestRig(vpCount: 2)
        let (_, channel) = try #require(rig.openEcho())
        rig.driver.post(ModifyChannel(childRelID: channel.relID, targetVP: 1))
        #expect(rig.driver.expect(ModifyChannelResponse.self) == ModifyChannelResponse(childRelID: channel.relID, status: 0))
        rig.interrupts.removeAll()
        channel.send(.inband([1], transactionID: 1))
        #expect(rig.interrupts.map(\.vp) == [1])
        rig.driver.post(ModifyChannel(childRelID: channel.relID, targetVP: 5))
        #expect(rig.driver.expect(ModifyChannelResponse.self)?.status != 0)

        let old = VMBusTestRig(vpCount: 2)
        old.server.addDevice(EchoVMBusDevice())
        #expect(old.driver.connect(versions: [.win10_5_2]) != nil)
        let offer = old.driver.requestOffers()[0]
        _ = try #require(old.driver.open(offer))
        old.driver.post(ModifyChannel(childRelID: offer.childRelID, targetVP: 1))
        #expect(!old.driver.messagePending, "≤ 5.2: no MODIFYCHANNEL_RESPONSE")
    }

    @Test("hot add offers at once; removal rescinds, closes, and frees the relid after RELID_RELEASED")
    func hotPlug() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho())
        let second = EchoVMBusDevice(instance: 2)
        #expect(rig.server.addDevice(second) == 2)
        let offer = try #require(rig.driver.expect(OfferChannel.self))
        #expect(offer.childRelID == 2 && offer.instanceID == second.offer.instanceID)

        rig.server.removeDevice(echo)
        #expect(echo.closes == 1)
        #expect(rig.driver.expect(RescindChannelOffer.self) == RescindChannelOffer(childRelID: channel.relID))
        #expect(rig.server.signalEvent(connectionID: channel.offer.connectionID, flagNumber: 0) == .success)
        let third = EchoVMBusDevice(instance: 3)
        #expect(rig.server.addDevice(third) == 3, "relid 1 not reused before RELID_RELEASED")
        _ = rig.driver.expect(OfferChannel.self)
        #expect(rig.driver.teardownGPADL(relID: channel.relID, id: channel.ringGPADL))
        rig.driver.post(RelIDReleased(childRelID: channel.relID))
        #expect(rig.server.channels[channel.relID] == nil)
        #expect(rig.server.addDevice(EchoVMBusDevice(instance: 4)) == 1)
        #expect(rig.server.addDevice(EchoVMBusDevice(instance: 4)) == nil, "duplicate instance GUID")
    }

    @Test("UNLOAD closes everything and answers; a new INITIATE_CONTACT reconnects and re-offers")
    func unloadReconnect() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho())
        #expect(rig.driver.unload())
        #expect(echo.closes == 1 && rig.server.gpadls.isEmpty && !rig.server.isConnected)
        #expect(rig.server.signalEvent(connectionID: channel.offer.connectionID, flagNumber: 0) == .success)
        #expect(echo.received.isEmpty)
        let offers = rig.connectAndOffer()
        #expect(offers.count == 1)
        let reopened = try #require(rig.driver.open(offers[0]))
        reopened.send(.inband([9], transactionID: 9))
        #expect(reopened.receive()?.transactionID == 9)
        // Reconnect without UNLOAD (kexec): the open channel is closed first.
        #expect(rig.driver.connect() != nil)
        #expect(echo.closes == 2)
    }

    @Test("messages wait while the SynIC is disabled and arrive once it is enabled")
    func synicDisabled() {
        let rig = VMBusTestRig(enableSynIC: false)
        _ = rig.server.postMessage(PostedMessage(connectionID: 4, messageType: 1,
                                             payload: InitiateContact(version: .win10_5_3, targetVCPU: 0, interruptPageOrSINT: 2).payload))
        #expect(rig.server.outgoing.count == 1)
        rig.enable(vp: 0)
        #expect(rig.server.outgoing.isEmpty)
        #expect(rig.driver.expect(VersionResponse.self)?.versionSupported == 1)
    }

    @Test("guest reset drops the connection; devices stay registered")
    func reset() throws {
        let rig = VMBusTestRig()
        let (echo, _) = try #require(rig.openEcho())
        rig.server.reset()
        #expect(echo.closes == 1 && !rig.server.isConnected && rig.server.gpadls.isEmpty)
        #expect(rig.server.channels.count == 1)
    }

    @Test("messages go to INITIATE_CONTACT's target VP; channel events to OPENCHANNEL's")
    func vpTargets() throws {
        let rig = VMBusTestRig(vpCount: 2)
        let vp1 = GuestVMBusDriver(memory: rig.memory, synic: rig.synics[1], host: rig.server, allocationBase: 0x20_0000)
        rig.server.addDevice(EchoVMBusDevice())
        #expect(vp1.connect(targetVCPU: 1) == .win10_5_3)
        #expect(!rig.driver.messagePending, "nothing in VP 0's slot")
        let offer = try #require(vp1.requestOffers().first)
        let channel = try #require(vp1.open(offer, targetVP: 0))
        rig.interrupts.removeAll()
        channel.send(.inband([1], transactionID: 1))
        #expect(rig.interrupts.map(\.vp) == [0])
        #expect(rig.driver.takeEvent(relID: offer.childRelID) && !vp1.takeEvent(relID: offer.childRelID))
    }

    @Test("GPA-direct packets reach the device with ranges it can read through bounded buffers")
    func gpaDirect() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho())
        let pages = rig.driver.allocatePages(2, scattered: true)
        rig.memory.load([UInt8](repeating: 0xAB, count: 16), at: UInt32(pages[0] << 12) + 4090)
        let range = GPARange(byteCount: 16, byteOffset: 4090, pfns: pages)
        #expect(channel.send(.gpaDirect([range], payload: [1, 2, 3, 4], transactionID: 3, completionRequested: true)))
        let packet = try #require(echo.received.first)
        #expect(packet.gpaDirectRanges == [range])
        let server = try #require(rig.server.channels[channel.relID])
        let buffer = try #require(server.buffer(for: range))
        #expect(buffer.read(at: 0, count: 6) == [UInt8](repeating: 0xAB, count: 6))
        #expect(buffer.read(at: 6, count: 10) == [UInt8](repeating: 0, count: 10), "second page: not written")
        #expect(buffer.read(at: 0, count: 17) == nil)
        #expect(server.buffer(for: GPARange(byteCount: 16, byteOffset: 0, pfns: [0xF_FFF0])) == nil)
        #expect(channel.receive()?.type == .completion)
    }
}
