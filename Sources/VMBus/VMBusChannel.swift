// One device's channel: its offer identity, open state and the two rings.

/// A channel of the bus (one per registered device; no sub-channels). Created when a device is
/// added; open between OPENCHANNEL and CLOSECHANNEL (or unload, reset, rescind, a ring error).
///
/// Devices use `readPacket()` / `send(_:)` while it is open. A ring the guest corrupts (index
/// out of range, packet lengths that do not fit) closes the channel and is logged.
public final class VMBusChannel {
    public enum State: String, Codable, Sendable {
        /// Registered (and offered once the guest asks), not open.
        case offered
        case open
        /// The device was removed; waiting for the guest's RELID_RELEASED.
        case rescinded
    }

    /// Result of `send`.
    public enum SendResult: Equatable, Sendable {
        case sent
        /// The outbound ring has no room; pending_send_sz is set and the guest will signal the
        /// channel (→ `packetsAvailable`) once it has read enough.
        case ringFull
        /// The channel is not open (or the packet could never fit).
        case notOpen
    }

    public let relID: UInt32
    /// The connection the guest's HvSignalEvent names for this channel.
    public let connectionID: UInt32
    /// The device; nil once rescinded.
    public internal(set) var device: (any VMBusDevice)?
    public let offer: VMBusOffer
    public internal(set) var state: State = .offered
    /// The OFFERCHANNEL went out on the current connection.
    public internal(set) var offeredToGuest = false

    // Open state.
    public internal(set) var openID: UInt32 = 0
    public internal(set) var ringGPADL: UInt32 = 0
    public internal(set) var downstreamPageOffset: UInt32 = 0
    /// VP whose event page gets this channel's signals (OPENCHANNEL / MODIFYCHANNEL).
    public internal(set) var targetVP: Int = 0
    /// OPENCHANNEL's 120 bytes of user data.
    public internal(set) var userData: [UInt8] = []
    /// Guest-to-host ring.
    var inbound: RingBuffer?
    /// Host-to-guest ring.
    var outbound: RingBuffer?

    weak var server: VMBusServer?

    init(relID: UInt32, connectionID: UInt32, device: any VMBusDevice, server: VMBusServer) {
        self.relID = relID
        self.connectionID = connectionID
        self.device = device
        self.offer = device.offer
        self.server = server
    }

    public var isOpen: Bool { state == .open }

    /// The next packet the guest sent, or nil when there is none (or the channel is not open).
    /// Signals the guest when it waits for ring space (pending_send_sz) and reading freed it.
    public func readPacket() -> VMBusPacket? {
        guard isOpen, var ring = inbound else { return nil }
        do {
            let freeBefore = try ring.bytesFree()
            let packet = try ring.readPacket()
            inbound = ring
            if packet != nil, try ring.producerShouldBeSignalled(freeBefore: freeBefore) {
                server?.signalGuest(self)
            }
            return packet
        } catch {
            server?.channelFailed(self, "guest-to-host ring: \(error)")
            return nil
        }
    }

    /// Writes `packet` to the host-to-guest ring and signals the guest if the ring's rules say so.
    @discardableResult
    public func send(_ packet: VMBusPacket) -> SendResult {
        guard isOpen, var ring = outbound else { return .notOpen }
        do {
            let signal = try ring.writePacket(packet)
            outbound = ring
            if signal { server?.signalGuest(self) }
            return .sent
        } catch .insufficientSpace {
            return .ringFull
        } catch .packetTooLarge(let n) {
            server?.log("vmbus: relid \(relID): a \(n)-byte packet can never fit the ring; dropped")
            return .notOpen
        } catch {
            server?.channelFailed(self, "host-to-guest ring: \(error)")
            return .notOpen
        }
    }

    /// Free bytes in the host-to-guest ring (0 when not open or broken).
    public var outboundBytesFree: Int { (try? outbound?.bytesFree()) ?? 0 }

    /// A GPADL the guest created on this channel (e.g. netvsc's receive buffer), as a bounded buffer.
    public func gpadlBuffer(_ id: UInt32) -> GuestBuffer? {
        server?.gpadlBuffer(id, relID: relID)
    }

    /// A GPA-direct range as a bounded buffer (nil if a page is not guest RAM).
    public func buffer(for range: GPARange) -> GuestBuffer? {
        guard let memory = server?.memory else { return nil }
        return GuestBuffer(memory: memory, pfns: range.pfns, byteOffset: Int(range.byteOffset),
                           length: Int(range.byteCount))
    }

    /// Drops the open state.
    func resetOpenState() {
        openID = 0
        ringGPADL = 0
        downstreamPageOffset = 0
        targetVP = 0
        userData = []
        inbound = nil
        outbound = nil
    }
}
