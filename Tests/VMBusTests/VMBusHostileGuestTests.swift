// A hostile or buggy guest: every malformed request fails alone, logged, without host damage.

import EmulatorCore
import HyperV
import TestSupport
import Testing
@testable import VMBus

@Suite("VMBus server against a hostile guest")
struct VMBusHostileGuestTests {
    /// Connected rig with one echo device offered.
    func connected() -> (VMBusTestRig, EchoVMBusDevice, OfferChannel) {
        let rig = VMBusTestRig()
        let echo = EchoVMBusDevice()
        rig.server.addDevice(echo)
        let offer = rig.connectAndOffer()[0]
        return (rig, echo, offer)
    }

    @Test("truncated messages of every type are dropped and logged", arguments: Array(UInt32(1)...UInt32(30)))
    func truncated(_ type: UInt32) {
        let (rig, _, _) = connected()
        for length in [0, 3, 4, 8, 11, 15, 19, 27, 39, 147] {
            var p = [UInt8](repeating: 0xFF, count: length)
            if length >= 4 { p.setLE32(0, type) }
            #expect(rig.driver.post(p) == .success)
        }
        // Types whose minimum is 8 (REQUESTOFFERS, UNLOAD) legitimately act; everything else is ignored.
        _ = rig.driver.takeAllMessages()
        #expect(!rig.logLines.isEmpty)
    }

    @Test("messages before INITIATE_CONTACT are ignored")
    func beforeContact() {
        let rig = VMBusTestRig()
        rig.server.addDevice(EchoVMBusDevice())
        rig.driver.post(RequestOffers(), connectionID: 1)
        rig.driver.post(OpenChannel(childRelID: 1, openID: 1, ringBufferGPADL: 1, targetVP: 0, downstreamPageOffset: 2),
                        connectionID: 1)
        #expect(!rig.driver.messagePending)
        #expect(rig.logLines.count == 2)
    }

    @Test("INITIATE_CONTACT naming a VP or SINT that does not exist is refused")
    func badContact() {
        let rig = VMBusTestRig()
        rig.driver.post(InitiateContact(version: .win10_5_3, targetVCPU: 7, interruptPageOrSINT: 2), connectionID: 4)
        #expect(rig.driver.expect(VersionResponse.self)?.versionSupported == 0)
        rig.driver.post(InitiateContact(version: .win10_5_3, targetVCPU: 0, interruptPageOrSINT: 0x40), connectionID: 4)
        #expect(rig.driver.expect(VersionResponse.self)?.versionSupported == 0)
        #expect(!rig.server.isConnected)
    }

    @Test("bad GPADLs fail with a non-zero creation status and leave nothing behind")
    func badGPADLs() {
        let (rig, _, offer) = connected()
        let relID = offer.childRelID
        func expectFailed(_ what: Comment) {
            let created = rig.driver.expect(GPADLCreated.self)
            #expect(created != nil && created?.creationStatus != 0, what)
        }
        // PFN beyond RAM.
        _ = rig.driver.postGPADL(relID: relID, pfns: [0x100, 0xF_0000])
        expectFailed("PFN beyond RAM")
        // PFN above 4 GiB.
        _ = rig.driver.postGPADL(relID: relID, pfns: [0x1_0000_0000])
        expectFailed("PFN above 4 GiB")
        // Unknown relid.
        _ = rig.driver.postGPADL(relID: 99, pfns: [0x100])
        expectFailed("unknown relid")
        // range_buflen disagreeing with byte_count.
        rig.driver.post(GPADLHeader(childRelID: relID, gpadl: 0x500, rangeBufferLength: 8 + 8 * 3, byteCount: 4096, pfns: [0x100]))
        expectFailed("page count mismatch")
        // The largest page count range_buflen can express stays pending (PFNs only, no RAM
        // committed); the total over pending GPADLs is bounded.
        for n: UInt32 in 0..<8 {
            rig.driver.post(GPADLHeader(childRelID: relID, gpadl: 0x600 + n, rangeBufferLength: 0xFFF8,
                                        byteCount: 0x1FFE * 4096, pfns: []))
        }
        #expect(!rig.driver.messagePending && rig.server.gpadls.count == 8)
        rig.driver.post(GPADLHeader(childRelID: relID, gpadl: 0x501, rangeBufferLength: 0xFFF8, byteCount: 0x1FFE * 4096, pfns: []))
        expectFailed("too many pages in all")
        for n: UInt32 in 0..<8 { #expect(rig.driver.teardownGPADL(relID: relID, id: 0x600 + n)) }
        // byte_count 0, offset past the page, several ranges.
        rig.driver.post(GPADLHeader(childRelID: relID, gpadl: 0x502, rangeBufferLength: 8, byteCount: 0, pfns: []))
        expectFailed("empty")
        rig.driver.post(GPADLHeader(childRelID: relID, gpadl: 0x503, rangeBufferLength: 16, byteCount: 1, byteOffset: 5000, pfns: [0x100]))
        expectFailed("offset beyond a page")
        rig.driver.post(GPADLHeader(childRelID: relID, gpadl: 0x504, rangeBufferLength: 16, rangeCount: 2, byteCount: 4096, pfns: [0x100]))
        expectFailed("two ranges")
        // Too many PFNs in a body.
        let id = rig.driver.postGPADL(relID: relID, pfns: Array(repeating: 0x100, count: 30), id: 0x505)
        #expect(rig.driver.expect(GPADLCreated.self)?.creationStatus == 0)
        rig.driver.post(GPADLHeader(childRelID: relID, gpadl: 0x506, rangeBufferLength: 8 + 8 * 27, byteCount: 27 * 4096,
                                    pfns: Array(repeating: 0x100, count: 26)))
        rig.driver.post(GPADLBody(gpadl: 0x506, pfns: [0x100, 0x100]))
        expectFailed("body overruns the announced count")
        // Duplicate handle: fails, the existing one is untouched.
        _ = rig.driver.postGPADL(relID: relID, pfns: [0x100], id: id)
        expectFailed("duplicate handle")
        #expect(rig.server.gpadls[id]?.pfns.count == 30)
        // Bodies for unknown or complete GPADLs are ignored.
        rig.driver.post(GPADLBody(gpadl: 0xDEAD, pfns: [1]))
        rig.driver.post(GPADLBody(gpadl: id, pfns: [1]))
        #expect(!rig.driver.messagePending)
        #expect(Set(rig.server.gpadls.keys) == [id])
        // Teardown of an unknown GPADL, or on the wrong relid, is ignored.
        rig.driver.post(GPADLTeardown(childRelID: relID, gpadl: 0xBEEF))
        rig.driver.post(GPADLTeardown(childRelID: relID + 1, gpadl: id))
        #expect(!rig.driver.messagePending)
        #expect(rig.driver.teardownGPADL(relID: relID, id: id))
    }

    @Test("bad OPENCHANNEL requests fail with a non-zero status")
    func badOpens() throws {
        let (rig, echo, offer) = connected()
        let relID = offer.childRelID
        func open(_ o: OpenChannel) -> UInt32? {
            rig.driver.post(o)
            let r = rig.driver.expect(OpenChannelResult.self)
            #expect(r?.childRelID == o.childRelID && r?.openID == o.openID)
            return r?.status
        }
        let pfns = rig.driver.allocatePages(8)
        let (gpadl, _) = rig.driver.createGPADL(relID: relID, pfns: pfns)
        #expect(open(OpenChannel(childRelID: 77, openID: 77, ringBufferGPADL: gpadl, targetVP: 0, downstreamPageOffset: 4)) != 0)
        #expect(open(OpenChannel(childRelID: relID, openID: 1, ringBufferGPADL: 0x999, targetVP: 0, downstreamPageOffset: 4)) != 0)
        for split: UInt32 in [0, 1, 7, 8, 0xFFFF_FFFF] {
            #expect(open(OpenChannel(childRelID: relID, openID: 1, ringBufferGPADL: gpadl, targetVP: 0, downstreamPageOffset: split)) != 0)
        }
        #expect(open(OpenChannel(childRelID: relID, openID: 1, ringBufferGPADL: gpadl, targetVP: 3, downstreamPageOffset: 4)) != 0)
        // Ring header with an index outside the ring.
        rig.memory.write(GuestPhysicalAddress(UInt32(pfns[0] << 12)), width: .dword, value: 0x7FFF_FFF8)
        rig.memory.write(GuestPhysicalAddress(UInt32(pfns[0] << 12) + 4), width: .dword, value: 0x7FFF_FFF8)
        #expect(open(OpenChannel(childRelID: relID, openID: 1, ringBufferGPADL: gpadl, targetVP: 0, downstreamPageOffset: 4)) != 0)
        rig.memory.write(GuestPhysicalAddress(UInt32(pfns[0] << 12) + 4), width: .dword, value: 0)
        // A device that refuses.
        echo.refuseOpen = true
        #expect(open(OpenChannel(childRelID: relID, openID: 1, ringBufferGPADL: gpadl, targetVP: 0, downstreamPageOffset: 4)) != 0)
        echo.refuseOpen = false
        #expect(open(OpenChannel(childRelID: relID, openID: 1, ringBufferGPADL: gpadl, targetVP: 0, downstreamPageOffset: 4)) == 0)
        #expect(open(OpenChannel(childRelID: relID, openID: 1, ringBufferGPADL: gpadl, targetVP: 0, downstreamPageOffset: 4)) != 0,
                "already open")
        #expect(echo.opens == 1)
    }

    @Test("a corrupted guest-to-host ring closes only that channel")
    func corruptRingClosesChannel() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho())
        let other = EchoVMBusDevice(instance: 2)
        rig.server.addDevice(other)
        let otherOffer = try #require(rig.driver.expect(OfferChannel.self))
        let otherChannel = try #require(rig.driver.open(otherOffer))
        channel.upstream.writeIndex = 0xFFFF_0000
        channel.signal()
        #expect(echo.closes == 1)
        #expect(rig.server.channels[channel.relID]?.state == .offered)
        #expect(rig.logLines.contains { $0.contains("closed") })
        otherChannel.send(.inband([1], transactionID: 1))
        #expect(otherChannel.receive()?.transactionID == 1, "the other channel still works")
    }

    @Test("a packet with a huge length closes the channel")
    func hugeLength() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho())
        let start = Int(channel.upstream.writeIndex)
        _ = channel.upstream.write(.inband([1, 2, 3, 4], transactionID: 5))
        channel.upstream.writeData([0xFF, 0xFF], at: start + 4)
        channel.signal()
        #expect(echo.closes == 1 && echo.received.isEmpty)
    }

    @Test("the guest overwriting the host's own index does not move the host")
    func hostIndexIsShadowed() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho())
        channel.send(.inband([1], transactionID: 1))
        channel.downstream.writeIndex = 0x40  // host-owned field in the host-to-guest ring
        channel.upstream.readIndex = 0x1000   // host-owned field in the guest-to-host ring
        _ = channel.upstream.write(.inband([2], transactionID: 2))
        channel.upstream.readIndex = 0x20
        channel.signal()
        #expect(echo.received.map(\.transactionID) == [1, 2])
        #expect(channel.downstream.writeIndex == 2 * 32)
    }

    @Test("close, release and modify for relids that are not in that state are ignored")
    func strayChannelMessages() {
        let (rig, echo, offer) = connected()
        rig.driver.post(CloseChannel(childRelID: offer.childRelID))
        rig.driver.post(CloseChannel(childRelID: 999))
        rig.driver.post(RelIDReleased(childRelID: offer.childRelID))
        rig.driver.post(ModifyChannel(childRelID: offer.childRelID, targetVP: 0))
        #expect(rig.driver.expect(ModifyChannelResponse.self)?.status != 0)
        #expect(echo.closes == 0 && rig.server.channels.count == 1)
        rig.driver.post(ChannelMessageTypeProbe.payload(type: 25))
        rig.driver.post(ChannelMessageTypeProbe.payload(type: 21, size: 40))
        #expect(!rig.driver.messagePending)
    }

    @Test("a flood of malformed messages is logged a bounded number of times")
    func boundedLog() {
        let (rig, _, _) = connected()
        for _ in 0..<(VMBusServer.Limits.logLines + 50) { rig.driver.post([1, 2, 3]) }
        #expect(rig.logLines.count == VMBusServer.Limits.logLines)
        #expect(rig.server.suppressedLogLines == 50)
    }

    @Test("a flood of host messages the guest never takes is bounded")
    func boundedQueue() {
        let (rig, _, _) = connected()
        var statuses: [HypercallStatus] = []
        for _ in 0..<(VMBusServer.Limits.queuedMessages + 10) { statuses.append(rig.driver.post(RequestOffers())) }
        #expect(rig.server.outgoing.count <= VMBusServer.Limits.queuedMessages)
        #expect(statuses.last == .insufficientBuffers, "the guest is told to back off")
        _ = rig.driver.takeAllMessages()
        #expect(rig.driver.post(RequestOffers()) == .success)
    }
}

/// Raw messages of arbitrary types.
enum ChannelMessageTypeProbe {
    static func payload(type: UInt32, size: Int = 8) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: size)
        p.setLE32(0, type)
        return p
    }
}
