// Deterministic random garbage against the server and the rings: nothing may trap.

import EmulatorCore
import HyperV
import TestSupport
import Testing
@testable import VMBus


@Suite("VMBus fuzzing")
struct VMBusFuzzTests {
    @Test("random channel messages with plausible types and fields never trap", arguments: [1, 2, 3] as [UInt64])
    func randomMessages(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let rig = VMBusTestRig()
        let (_, channel) = try #require(rig.openEcho())
        for _ in 0..<3000 {
            var p = (0..<Int.random(in: 0...240, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if p.count >= 4 { p.setLE32(0, UInt32.random(in: 1...26, using: &rng)) }
            // Keep some fields near real values so deeper paths run.
            if p.count >= 12 && Bool.random(using: &rng) { p.setLE32(8, UInt32.random(in: 0...3, using: &rng)) }
            if p.count >= 20 && Bool.random(using: &rng) { p.setLE32(16, channel.ringGPADL) }
            if p.count >= 20 && Bool.random(using: &rng) { p.setLE16(16, UInt16(8 + 8 * Int.random(in: 0...40, using: &rng))) }
            let connection: UInt32 = [1, 4, 4, 7][Int.random(in: 0...3, using: &rng)]
            _ = rig.driver.post(p, connectionID: connection)
            if Int.random(in: 0...3, using: &rng) == 0 { _ = rig.driver.takeAllMessages() }
            if Int.random(in: 0...7, using: &rng) == 0 {
                _ = rig.server.signalEvent(connectionID: 0x1_0000 + UInt32.random(in: 0...3, using: &rng), flagNumber: 0)
            }
        }
        for c in rig.server.channels.values where c.isOpen { #expect(c.inbound != nil && c.outbound != nil) }
    }

    @Test("random ring corruption closes the channel at worst", arguments: [11, 12, 13, 14] as [UInt64])
    func randomRings(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let rig = VMBusTestRig()
        let (echo, channel) = try #require(rig.openEcho(sendPages: 3, receivePages: 3, scattered: true))
        for _ in 0..<400 {
            switch Int.random(in: 0...5, using: &rng) {
            case 0: channel.upstream.setHeader(4 * Int.random(in: 0...3, using: &rng), UInt32.random(in: 0...UInt32.max, using: &rng))
            case 1: channel.upstream.writeData((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) },
                                               at: Int.random(in: 0..<channel.upstream.dataSize, using: &rng))
            case 2: channel.downstream.setHeader(4 * Int.random(in: 0...3, using: &rng), UInt32.random(in: 0...0x4000, using: &rng))
            default:
                _ = channel.upstream.write(.inband((0..<Int.random(in: 0...600, using: &rng)).map { UInt8(truncatingIfNeeded: $0) },
                                                   transactionID: rng.next()))
            }
            channel.signal()
            _ = channel.receiveAll()
            if rig.server.channels[channel.relID]?.isOpen != true {
                // Reopen after the server closed it, like a driver reloading.
                _ = rig.driver.teardownGPADL(relID: channel.relID, id: channel.ringGPADL)
                guard let again = rig.driver.open(channel.offer, sendPages: 3, receivePages: 3, scattered: true) else { break }
                return try continueWith(again, rig: rig, echo: echo)
            }
        }
    }

    func continueWith(_ channel: GuestChannel, rig: VMBusTestRig, echo: EchoVMBusDevice) throws {
        #expect(channel.send(.inband([1, 2, 3], transactionID: 99)))
        #expect(channel.receiveAll().last?.transactionID == 99, "a reopened channel works")
    }
}
