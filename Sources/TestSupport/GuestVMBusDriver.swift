// Test helper: a model of Linux's hv_vmbus channel-management side, driving a VMBus server.

import EmulatorCore
import HyperV
import VMBus

/// The guest half of VMBus as Linux 6.1 does it (vmbus-facts.md §9): posts channel messages to
/// `host` (the server, as HvPostMessage would), takes host messages out of the SINT2 slot of
/// the SynIC message page (clearing message_type, writing EOM when msg_pending is set), builds
/// GPADLs over pages it allocates in test RAM, opens channels and runs their rings.
///
/// Allocation: pages from `allocationBase` upward; `scattered` allocations hand out every
/// other page in reverse order, so GPADLs are not contiguous.
public final class GuestVMBusDriver {
    public let memory: PhysicalMemory
    public let synic: SynIC
    public let host: any HypercallDelegate
    public let sint: Int
    /// Connection of channel messages after the version handshake.
    public private(set) var messageConnectionID: UInt32 = VMBusServer.ConnectionID.message
    public private(set) var version: VMBusVersion?
    /// Next GPADL handle (Linux starts at 0xE1E10).
    public var nextGPADL: UInt32 = 0xE_1E10
    var nextPage: UInt64
    /// Messages taken from the slot that an `expect` call did not want.
    public private(set) var unexpected: [[UInt8]] = []
    /// EOM writes made.
    public private(set) var endOfMessages = 0

    public init(memory: PhysicalMemory, synic: SynIC, host: any HypercallDelegate, sint: Int = 2,
                allocationBase: UInt32 = 0x10_0000) {
        self.memory = memory
        self.synic = synic
        self.host = host
        self.sint = sint
        nextPage = UInt64(allocationBase >> 12)
    }

    // MARK: Memory

    /// `count` zeroed pages (PFNs).
    public func allocatePages(_ count: Int, scattered: Bool = false) -> [UInt64] {
        let pfns: [UInt64]
        if scattered {
            pfns = (0..<count).map { nextPage + UInt64(2 * (count - 1 - $0)) }
            nextPage += UInt64(2 * count)
        } else {
            pfns = (0..<count).map { nextPage + UInt64($0) }
            nextPage += UInt64(count)
        }
        for pfn in pfns { memory.load([UInt8](repeating: 0, count: 4096), at: UInt32(pfn << 12)) }
        return pfns
    }

    // MARK: Messages

    /// HvPostMessage of a channel message (on `messageConnectionID` unless told otherwise).
    @discardableResult
    public func post(_ payload: [UInt8], connectionID: UInt32? = nil) -> HypercallStatus {
        host.postMessage(PostedMessage(connectionID: connectionID ?? messageConnectionID, messageType: 1, payload: payload))
    }

    @discardableResult
    public func post<M: ChannelMessage>(_ message: M, connectionID: UInt32? = nil) -> HypercallStatus {
        post(message.payload, connectionID: connectionID)
    }

    var slot: UInt32 { UInt32(synic.simp & ~0xFFF) + UInt32(sint * 256) }

    /// Whether a message waits in the slot.
    public var messagePending: Bool { memory.read(GuestPhysicalAddress(slot), width: .dword) != 0 }

    /// Takes the message in the slot (vmbus_on_msg_dpc + vmbus_signal_eom): copies it, clears
    /// message_type, writes EOM if msg_pending was set.
    public func takeMessage() -> [UInt8]? {
        guard messagePending else { return nil }
        let size = min(Int(memory.read(GuestPhysicalAddress(slot + 4), width: .byte)), 240)
        let flags = memory.read(GuestPhysicalAddress(slot + 5), width: .byte)
        let payload = memory.bytes(at: slot + 16, count: size)
        memory.write(GuestPhysicalAddress(slot), width: .dword, value: 0)
        if flags & 1 != 0 {
            endOfMessages += 1
            synic.endOfMessage()
        }
        return payload
    }

    /// Every message the host has for the guest now.
    public func takeAllMessages() -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let m = takeMessage() { out.append(m) }
        return out
    }

    /// The next message of type `M`; messages of other types before it are kept in `unexpected`.
    public func expect<M: ChannelMessage>(_ type: M.Type) -> M? {
        while let m = takeMessage() {
            if let decoded = M(payload: m) { return decoded }
            unexpected.append(m)
        }
        return nil
    }

    // MARK: Connection

    /// vmbus_connect: tries `versions` newest first (INITIATE_CONTACT on connection 4 for ≥ 5.0,
    /// else 1); returns the accepted one.
    public func connect(versions: [VMBusVersion] = VMBusVersion.linuxOffered, targetVCPU: UInt32 = 0) -> VMBusVersion? {
        for v in versions {
            let v5 = v.usesMessageConnectionID
            let contact = InitiateContact(version: v, targetVCPU: targetVCPU,
                                          interruptPageOrSINT: v5 ? UInt64(sint) : 0x3000,
                                          monitorPage1: 0x4000, monitorPage2: 0x5000)
            let status = post(contact, connectionID: v5 ? VMBusServer.ConnectionID.contact : VMBusServer.ConnectionID.message)
            guard status == .success, let response = expect(VersionResponse.self) else { continue }
            if response.versionSupported != 0 {
                version = v
                messageConnectionID = v5 ? response.messageConnectionID : VMBusServer.ConnectionID.message
                return v
            }
        }
        return nil
    }

    /// REQUESTOFFERS, then the offers up to ALLOFFERS_DELIVERED.
    public func requestOffers() -> [OfferChannel] {
        post(RequestOffers())
        return collectOffers()
    }

    /// Offers waiting in the slot, up to and including ALLOFFERS_DELIVERED.
    public func collectOffers() -> [OfferChannel] {
        var offers: [OfferChannel] = []
        while let m = takeMessage() {
            if let offer = OfferChannel(payload: m) {
                offers.append(offer)
            } else if AllOffersDelivered(payload: m) != nil {
                break
            } else {
                unexpected.append(m)
            }
        }
        return offers
    }

    /// UNLOAD; true when UNLOAD_RESPONSE came back.
    public func unload() -> Bool {
        post(Unload())
        version = nil
        return expect(UnloadResponse.self) != nil
    }

    // MARK: GPADLs

    /// Posts GPADL_HEADER (≤ 26 PFNs) and GPADL_BODY messages (≤ 28 each) the way Linux does;
    /// returns the handle. Does not wait for GPADL_CREATED.
    public func postGPADL(relID: UInt32, pfns: [UInt64], byteCount: UInt32? = nil, id: UInt32? = nil) -> UInt32 {
        let handle = id ?? nextGPADL
        if id == nil { nextGPADL += 1 }
        let first = Array(pfns.prefix(26))
        post(GPADLHeader(childRelID: relID, gpadl: handle, rangeBufferLength: UInt16(truncatingIfNeeded: 8 + 8 * pfns.count),
                         byteCount: byteCount ?? UInt32(pfns.count * 4096), pfns: first))
        var rest = Array(pfns.dropFirst(26))
        while !rest.isEmpty {
            post(GPADLBody(gpadl: handle, pfns: Array(rest.prefix(28))))
            rest = Array(rest.dropFirst(28))
        }
        return handle
    }

    /// A GPADL and its GPADL_CREATED (nil if none came).
    public func createGPADL(relID: UInt32, pfns: [UInt64]) -> (id: UInt32, created: GPADLCreated?) {
        let id = postGPADL(relID: relID, pfns: pfns)
        return (id, expect(GPADLCreated.self))
    }

    /// GPADL_TEARDOWN; true when GPADL_TORNDOWN for it came back.
    public func teardownGPADL(relID: UInt32, id: UInt32) -> Bool {
        post(GPADLTeardown(childRelID: relID, gpadl: id))
        return expect(GPADLTorndown.self)?.gpadl == id
    }

    // MARK: Channels

    /// vmbus_open: ring pages (send first), ring headers initialised, GPADL, OPENCHANNEL, and
    /// OPENCHANNEL_RESULT with status 0. Nil (with the result in `lastOpenResult`) otherwise.
    public func open(_ offer: OfferChannel, sendPages: Int = 4, receivePages: Int = 4, targetVP: UInt32 = 0,
                     scattered: Bool = false, userData: [UInt8] = []) -> GuestChannel? {
        let pfns = allocatePages(sendPages + receivePages, scattered: scattered)
        let upstream = GuestRing(memory: memory, pfns: Array(pfns[0..<sendPages]))
        let downstream = GuestRing(memory: memory, pfns: Array(pfns[sendPages...]))
        upstream.initialise()
        downstream.initialise()
        let (gpadl, created) = createGPADL(relID: offer.childRelID, pfns: pfns)
        guard created?.creationStatus == 0 else { return nil }
        post(OpenChannel(childRelID: offer.childRelID, openID: offer.childRelID, ringBufferGPADL: gpadl,
                         targetVP: targetVP, downstreamPageOffset: UInt32(sendPages), userData: userData))
        lastOpenResult = expect(OpenChannelResult.self)
        guard lastOpenResult?.status == 0 else { return nil }
        return GuestChannel(offer: offer, ringGPADL: gpadl, upstream: upstream, downstream: downstream, host: host)
    }

    public private(set) var lastOpenResult: OpenChannelResult?

    /// vmbus_close: CLOSECHANNEL, then the ring GPADL's teardown; true when it was torn down.
    public func close(_ channel: GuestChannel) -> Bool {
        post(CloseChannel(childRelID: channel.relID))
        return teardownGPADL(relID: channel.relID, id: channel.ringGPADL)
    }

    // MARK: Events

    /// Tests and clears the channel's bit in the SINT's event flags (vmbus_chan_sched).
    public func takeEvent(relID: UInt32) -> Bool {
        let address = GuestPhysicalAddress(UInt32(synic.siefp & ~0xFFF) + UInt32(sint * 256) + relID / 8)
        let byte = memory.read(address, width: .byte)
        let bit = UInt32(1) << (relID % 8)
        memory.write(address, width: .byte, value: byte & ~bit)
        return byte & bit != 0
    }
}
