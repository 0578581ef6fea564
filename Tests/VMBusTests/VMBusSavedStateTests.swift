// Saved state of the server, channels and rings: save → new server → restore → same behaviour.

import EmulatorCore
import Foundation
import HyperV
import TestSupport
import Testing
@testable import VMBus

@Suite("VMBus saved state")
struct VMBusSavedStateTests {
    /// A second rig with rig's RAM and SynIC registers, and the same devices registered.
    func clone(_ rig: VMBusTestRig, devices: [EchoVMBusDevice]) throws -> VMBusTestRig {
        let copy = VMBusTestRig(enableSynIC: false)
        copy.memory.ram.update(from: rig.memory.ram, count: Int(rig.memory.ramSize))
        for (a, b) in zip(rig.synics, copy.synics) { try b.restoreState(a.saveState()) }
        for d in devices { copy.server.addDevice(d) }
        return copy
    }

    func jsonRoundTrip(_ s: VMBusServer.SavedState) throws -> VMBusServer.SavedState {
        try JSONDecoder().decode(VMBusServer.SavedState.self, from: JSONEncoder().encode(s))
    }

    @Test("an open channel survives save and restore: indices, targets, device state, packets in flight")
    func openChannelRoundTrip() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho(scattered: true))
        for i in 0..<5 { channel.send(.inband([UInt8(i)], transactionID: UInt64(i))) }
        #expect(channel.receiveAll().count == 5)
        channel.send(.inband([42], transactionID: 42))  // echoed, left unread in the downstream ring
        let pending = GPADLHeader(childRelID: channel.relID, gpadl: 0x777, rangeBufferLength: 8 + 8 * 30,
                                  byteCount: 30 * 4096, pfns: Array(rig.driver.allocatePages(26)))
        rig.driver.post(pending)  // a GPADL still waiting for its body
        let saved = rig.server.saveState()
        #expect(try jsonRoundTrip(saved) == saved)

        let echo2 = EchoVMBusDevice()
        let copy = try clone(rig, devices: [echo2])
        try copy.server.restoreState(try jsonRoundTrip(saved))
        #expect(copy.server.saveState() == saved)
        #expect(echo2.restoredCount == 6)
        #expect(copy.server.version == .win10_5_3 && copy.server.channels[1]?.isOpen == true)
        #expect(copy.server.gpadls[0x777]?.isComplete == false)

        // The guest carries on against the restored server.
        let up = GuestRing(memory: copy.memory, pfns: channel.upstream.pfns)
        let down = GuestRing(memory: copy.memory, pfns: channel.downstream.pfns)
        #expect(down.read()?.transactionID == 42)
        #expect(up.write(.inband([7], transactionID: 7)).written)
        #expect(copy.server.signalEvent(connectionID: channel.offer.connectionID, flagNumber: 0) == .success)
        #expect(down.read()?.transactionID == 7)
        #expect(echo2.received.map(\.transactionID) == [7])
        _ = echo
    }

    @Test("queued host messages are saved and delivered after restore")
    func queuedMessages() throws {
        let rig = VMBusTestRig()
        let devices = (1...4).map { EchoVMBusDevice(instance: UInt8($0)) }
        for d in devices { rig.server.addDevice(d) }
        #expect(rig.driver.connect() != nil)
        rig.driver.post(RequestOffers())
        #expect(rig.server.outgoing.count == 4, "one offer in the slot, three offers and ALLOFFERS_DELIVERED queued")
        let saved = rig.server.saveState()
        let copy = try clone(rig, devices: (1...4).map { EchoVMBusDevice(instance: UInt8($0)) })
        try copy.server.restoreState(saved)
        #expect(copy.driver.collectOffers().map(\.childRelID) == [1, 2, 3, 4])
    }

    @Test("a rescinded relid awaiting RELID_RELEASED is kept")
    func rescinded() throws {
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho())
        rig.server.removeDevice(echo)
        let saved = rig.server.saveState()
        let copy = try clone(rig, devices: [])
        try copy.server.restoreState(saved)
        #expect(copy.server.channels[channel.relID]?.state == .rescinded)
        copy.driver.post(RelIDReleased(childRelID: channel.relID), connectionID: 4)
        #expect(copy.server.channels.isEmpty)
    }

    @Test("states a server could never hold are refused")
    func invalidStates() throws {
        let rig = VMBusTestRig()
        let (_, _) = try #require(rig.openEcho())
        let good = rig.server.saveState()
        func refused(_ mutate: (inout VMBusServer.SavedState) -> Void, devices: [EchoVMBusDevice] = [EchoVMBusDevice()]) throws -> Bool {
            var s = good
            mutate(&s)
            let copy = try clone(rig, devices: devices)
            do { try copy.server.restoreState(s) } catch is SnapshotStateError { return true }
            return false
        }
        #expect(try refused({ _ in }, devices: []), "device not registered")
        #expect(try refused { $0.version = VMBusVersion(rawValue: 0x99) })
        #expect(try refused { $0.targetVP = 3 })
        #expect(try refused { $0.messageSINT = 16 })
        #expect(try refused { $0.channels[0].relID = 0 })
        #expect(try refused { $0.channels[0].open?.inbound.hostIndex = 0xFFFF_FFF8 })
        #expect(try refused { $0.channels[0].open?.downstreamPageOffset = 1 })
        #expect(try refused { $0.gpadls[0].pfns[0] = 0xF_FFFF })
        #expect(try refused { $0.gpadls[0].pageCount = 100_000 })
        #expect(try refused { $0.outgoing = [[1, 2]] })
        #expect(try refused { $0.version = nil })
        #expect(try refused { $0.gpadls[0].childRelID = 9 })
        #expect(try !refused { _ in })
    }
}
