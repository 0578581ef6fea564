// Test helper: a channel the guest-side driver model opened.

import EmulatorCore
import HyperV
import VMBus

/// An open channel as the guest sees it: the upstream (guest-to-host) and downstream rings,
/// and the connection its HvSignalEvent names.
public final class GuestChannel {
    public let offer: OfferChannel
    public let ringGPADL: UInt32
    public let upstream: GuestRing
    public let downstream: GuestRing
    let host: any HypercallDelegate
    /// HvSignalEvent calls made for this channel.
    public private(set) var signals = 0

    init(offer: OfferChannel, ringGPADL: UInt32, upstream: GuestRing, downstream: GuestRing, host: any HypercallDelegate) {
        self.offer = offer
        self.ringGPADL = ringGPADL
        self.upstream = upstream
        self.downstream = downstream
        self.host = host
    }

    public var relID: UInt32 { offer.childRelID }

    /// Writes a packet to the upstream ring and signals the host when Linux would.
    @discardableResult
    public func send(_ packet: VMBusPacket) -> Bool {
        let (written, signal) = upstream.write(packet)
        if signal { self.signal() }
        return written
    }

    /// HvSignalEvent on this channel's connection.
    @discardableResult
    public func signal() -> HypercallStatus {
        signals += 1
        return host.signalEvent(connectionID: offer.connectionID, flagNumber: 0)
    }

    /// The next packet from the host, if any.
    public func receive() -> VMBusPacket? { downstream.read() }

    /// Every packet waiting in the downstream ring.
    public func receiveAll() -> [VMBusPacket] {
        var out: [VMBusPacket] = []
        while let p = receive() { out.append(p) }
        return out
    }
}
