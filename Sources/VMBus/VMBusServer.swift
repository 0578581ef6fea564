// The VMBus channel server: channel-management messages, GPADLs, offers and channel events.

import EmulatorCore
import HyperV

/// The host side of the VMBus channel-management protocol (vmbus-facts.md §9), a state machine
/// fed by the guest's HvPostMessage / HvSignalEvent (as the `HypercallDelegate` of
/// `Hypercalls`) and answering through the SynIC.
///
/// Connection IDs: INITIATE_CONTACT on 1 (VMBUS_MESSAGE_CONNECTION_ID, < 5.0) or 4 (≥ 5.0);
/// later messages on 1 or the `messageConnectionID` (4) returned in VERSION_RESPONSE; channel
/// signals on `channelConnectionBase + relid`. Every version Linux 6.1 offers is accepted,
/// 5.3 included (MODIFYCHANNEL is then answered); anything else gets version_supported = 0.
///
/// Host-to-guest messages go to the SINT the guest named (2) on the VP of INITIATE_CONTACT's
/// target_vcpu, one at a time: the SynIC slot is the one in flight, the rest wait in `outgoing`
/// and are posted again when the SynIC's `onEndOfMessage` fires (installed by `init`).
///
/// Everything from the guest is untrusted: a truncated or inconsistent message fails that
/// request (GPADL_CREATED / OPENCHANNEL_RESULT with a failure status where the guest waits for
/// one) and is logged; a broken ring closes its channel.
///
/// Not modelled: sub-channels, monitor pages (offers say monitor_allocated = 0), hv_sock
/// (TL_CONNECT_REQUEST is logged and ignored), multi-range GPADLs (Linux sends one range).
public final class VMBusServer: HypercallDelegate {
    public enum ConnectionID {
        /// VMBUS_MESSAGE_CONNECTION_ID: messages of versions < 5.0.
        public static let message: UInt32 = 1
        /// VMBUS_MESSAGE_CONNECTION_ID_4: INITIATE_CONTACT of versions ≥ 5.0.
        public static let contact: UInt32 = 4
        /// What VERSION_RESPONSE returns as msg_conn_id.
        public static let returned: UInt32 = 4
        /// Channel n signals on connection `channelBase + n`.
        public static let channelBase: UInt32 = 0x1_0000
    }

    public enum Limits {
        /// Relids the guest's event bitmap can name (0 is reserved).
        public static let relIDs: ClosedRange<UInt32> = 1...2047
        /// Pages in one GPADL: all a u16 range_buflen can describe, (65535 − 8) / 8 = 8190
        /// (netvsc's 16 MiB receive buffer is 4096).
        public static let pagesPerGPADL = 8190
        /// Pages over all GPADLs.
        public static let totalGPADLPages = 65_536
        public static let gpadls = 1024
        /// Host-to-guest messages waiting for the SynIC slot; beyond it guest posts are
        /// refused with HV_STATUS_INSUFFICIENT_BUFFERS (Linux backs off and retries).
        public static let queuedMessages = 4096
        /// Log lines per server lifetime (a guest must not flood the host's log).
        public static let logLines = 1000
    }

    /// NTSTATUS values used as failure statuses.
    public enum Status {
        public static let success: UInt32 = 0
        /// STATUS_UNSUCCESSFUL.
        public static let unsuccessful: UInt32 = 0xC000_0001
        /// STATUS_INVALID_PARAMETER.
        public static let invalidParameter: UInt32 = 0xC000_000D
    }

    let memory: PhysicalMemory
    /// One SynIC per VP, indexed by VP index.
    let synics: [SynIC]
    /// Where malformed requests and protocol oddities are reported.
    public var logger: (String) -> Void

    /// The negotiated version; nil while disconnected.
    public internal(set) var version: VMBusVersion?
    /// VP that host-to-guest messages go to.
    public internal(set) var targetVP = 0
    /// SINT of messages and channel events.
    public internal(set) var messageSINT = 2
    /// The guest sent REQUESTOFFERS on this connection: new devices are offered at once.
    public internal(set) var offersRequested = false
    /// Host-to-guest messages not yet in the SynIC slot.
    public internal(set) var outgoing: [[UInt8]] = []
    /// GPADLs by handle (complete or still receiving bodies).
    public internal(set) var gpadls: [UInt32: GPADL] = [:]
    /// Channels by relid.
    public internal(set) var channels: [UInt32: VMBusChannel] = [:]

    public var isConnected: Bool { version != nil }

    /// A server answering through `synics` (index = VP index). Installs itself as each
    /// SynIC's `onEndOfMessage`.
    public init(memory: PhysicalMemory, synics: [SynIC], logger: @escaping (String) -> Void = { _ in }) {
        precondition(!synics.isEmpty, "VMBus needs at least one VP's SynIC")
        self.memory = memory
        self.synics = synics
        self.logger = logger
        for synic in synics {
            synic.onEndOfMessage = { [weak self] sint in self?.endOfMessage(sint: sint) }
        }
    }

    /// Log lines left before a hostile guest's flood of malformed requests is only counted.
    var logBudget = Limits.logLines
    /// Lines not logged because the budget ran out.
    public internal(set) var suppressedLogLines = 0

    func log(_ message: String) {
        guard logBudget > 0 else {
            suppressedLogLines += 1
            return
        }
        logBudget -= 1
        logger(logBudget == 0 ? message + " (further VMBus messages suppressed)" : message)
    }

    // MARK: Devices

    /// Registers `device` and returns its relid (nil when all 2047 are taken or its instance
    /// GUID is already on the bus). Offered at once when the guest already asked for offers.
    @discardableResult
    public func addDevice(_ device: any VMBusDevice) -> UInt32? {
        guard !channels.values.contains(where: { $0.state != .rescinded && $0.offer.instanceID == device.offer.instanceID }) else {
            log("vmbus: a device with instance \(device.offer.instanceID) is already on the bus")
            return nil
        }
        guard let relID = Limits.relIDs.first(where: { channels[$0] == nil }) else {
            log("vmbus: no free relid for \(device.offer.instanceID)")
            return nil
        }
        let channel = VMBusChannel(relID: relID, connectionID: ConnectionID.channelBase + relID, device: device, server: self)
        channels[relID] = channel
        if isConnected && offersRequested { sendOffer(channel) }
        return relID
    }

    /// Removes `device`: closes its channel and rescinds the offer; the relid is reused only
    /// after the guest's RELID_RELEASED.
    public func removeDevice(_ device: any VMBusDevice) {
        guard let channel = channels.values.first(where: { $0.device === device }) else { return }
        if channel.isOpen { closeChannel(channel, notify: true) }
        channel.device = nil
        if isConnected && channel.offeredToGuest {
            channel.state = .rescinded
            enqueue(RescindChannelOffer(childRelID: channel.relID).payload)
        } else {
            dropChannel(channel)
        }
    }

    /// The channel of a registered device.
    public func channel(for device: any VMBusDevice) -> VMBusChannel? {
        channels.values.first { $0.device === device }
    }

    // MARK: Guest reset

    /// Guest reboot: the connection, channels' open state, GPADLs and queued messages go;
    /// registered devices stay (offered again after the next connect). Rescinded relids are freed.
    public func reset() {
        disconnect()
        outgoing.removeAll()
    }

    /// Closes every channel, drops every GPADL and rescinded relid, forgets the version.
    func disconnect() {
        for channel in channels.values.sorted(by: { $0.relID < $1.relID }) {
            if channel.isOpen { closeChannel(channel, notify: true) }
            channel.offeredToGuest = false
            if channel.state == .rescinded { channels[channel.relID] = nil }
        }
        gpadls.removeAll()
        version = nil
        offersRequested = false
    }

    // MARK: HypercallDelegate

    public func postMessage(_ message: PostedMessage) -> HypercallStatus {
        let payload = message.payload
        let type = ChannelMessageType(payload: payload)
        switch message.connectionID {
        case ConnectionID.message, ConnectionID.contact, ConnectionID.returned: break
        default: return .invalidConnectionID
        }
        guard outgoing.count < Limits.queuedMessages else { return .insufficientBuffers }
        guard payload.count >= 8 else {
            log("vmbus: \(payload.count)-byte channel message dropped")
            return .success
        }
        if !isConnected && type != .initiateContact && type != .unload {
            log("vmbus: \(type) before INITIATE_CONTACT ignored")
            return .success
        }
        switch type {
        case .initiateContact: handleInitiateContact(payload)
        case .requestOffers: handleRequestOffers()
        case .gpadlHeader: handleGPADLHeader(payload)
        case .gpadlBody: handleGPADLBody(payload)
        case .gpadlTeardown: handleGPADLTeardown(payload)
        case .openChannel: handleOpenChannel(payload)
        case .closeChannel: handleCloseChannel(payload)
        case .relIDReleased: handleRelIDReleased(payload)
        case .modifyChannel: handleModifyChannel(payload)
        case .unload: handleUnload()
        case .tlConnectRequest: log("vmbus: TL_CONNECT_REQUEST (hv_sock) not supported")
        default: log("vmbus: unexpected \(type) from the guest ignored")
        }
        return .success
    }

    public func signalEvent(connectionID: UInt32, flagNumber: UInt16) -> HypercallStatus {
        guard connectionID > ConnectionID.channelBase,
              let channel = channels[connectionID - ConnectionID.channelBase] else { return .invalidConnectionID }
        if channel.isOpen, let device = channel.device {
            device.packetsAvailable(channel: channel)
        }
        return .success
    }

    // MARK: Host-to-guest messages

    func enqueue(_ payload: [UInt8]) {
        guard outgoing.count < Limits.queuedMessages else {
            log("vmbus: host-to-guest message queue full; message dropped")
            return
        }
        outgoing.append(payload)
        pump()
    }

    /// Posts queued messages until the slot is busy (the SynIC then owes an EOM callback).
    func pump() {
        while let next = outgoing.first {
            guard synics[targetVP].postMessage(sint: messageSINT, message: HyperVMessage(payload: next)) else { return }
            outgoing.removeFirst()
        }
    }

    /// SynIC callback: a slot was freed (EOM) or the SINT became deliverable.
    public func endOfMessage(sint: Int) {
        guard sint == messageSINT else { return }
        pump()
    }

    // MARK: Connection

    func handleInitiateContact(_ payload: [UInt8]) {
        guard let contact = InitiateContact(payload: payload) else {
            log("vmbus: truncated INITIATE_CONTACT (\(payload.count) bytes)")
            return
        }
        // A new contact is a reconnect (kexec, module reload): start from a clean connection.
        if isConnected { disconnect() }
        outgoing.removeAll()
        let vp = Int(contact.targetVCPU)
        let sint = contact.version.usesMessageConnectionID ? Int(contact.messageSINT) : 2
        targetVP = vp < synics.count ? vp : 0
        let supported = VMBusVersion.linuxOffered.contains(contact.version)
        guard supported, vp < synics.count, (1..<SynIC.sintCount).contains(sint) else {
            if supported { log("vmbus: INITIATE_CONTACT names VP \(vp) / SINT \(sint); refused") }
            messageSINT = 2
            enqueue(VersionResponse(versionSupported: 0, messageConnectionID: 0).payload)
            return
        }
        messageSINT = sint
        version = contact.version
        enqueue(VersionResponse(versionSupported: 1, messageConnectionID: ConnectionID.returned).payload)
    }

    func handleRequestOffers() {
        offersRequested = true
        for channel in channels.values.sorted(by: { $0.relID < $1.relID }) where channel.state != .rescinded {
            sendOffer(channel)
        }
        enqueue(AllOffersDelivered().payload)
    }

    func sendOffer(_ channel: VMBusChannel) {
        let o = channel.offer
        let message = OfferChannel(classID: o.classID, instanceID: o.instanceID, channelFlags: o.channelFlags,
                                   mmioMegabytes: o.mmioMegabytes, userDefined: o.userDefined,
                                   childRelID: channel.relID, connectionID: channel.connectionID)
        channel.offeredToGuest = true
        enqueue(message.payload)
    }

    func handleUnload() {
        disconnect()
        outgoing.removeAll()
        enqueue(UnloadResponse().payload)
    }

    // MARK: GPADLs

    func gpadlFailed(_ relID: UInt32, _ id: UInt32, _ reason: String) {
        log("vmbus: GPADL 0x\(String(id, radix: 16)) on relid \(relID) failed: \(reason)")
        enqueue(GPADLCreated(childRelID: relID, gpadl: id, creationStatus: Status.invalidParameter).payload)
    }

    func handleGPADLHeader(_ payload: [UInt8]) {
        guard let h = GPADLHeader(payload: payload) else {
            log("vmbus: truncated GPADL_HEADER (\(payload.count) bytes)")
            return
        }
        guard let channel = channels[h.childRelID], channel.state != .rescinded, channel.offeredToGuest else {
            return gpadlFailed(h.childRelID, h.gpadl, "unknown relid")
        }
        guard gpadls[h.gpadl] == nil else { return gpadlFailed(h.childRelID, h.gpadl, "handle already in use") }
        guard gpadls.count < Limits.gpadls else { return gpadlFailed(h.childRelID, h.gpadl, "too many GPADLs") }
        guard h.rangeCount == 1 else { return gpadlFailed(h.childRelID, h.gpadl, "\(h.rangeCount) ranges") }
        guard h.byteOffset < UInt32(GuestBuffer.pageSize), h.byteCount > 0 else {
            return gpadlFailed(h.childRelID, h.gpadl, "byte offset \(h.byteOffset), count \(h.byteCount)")
        }
        let pages = GPADL.pagesSpanned(byteOffset: h.byteOffset, byteCount: h.byteCount)
        guard pages == h.totalPageCount else {
            return gpadlFailed(h.childRelID, h.gpadl, "\(pages) pages spanned but range_buflen \(h.rangeBufferLength)")
        }
        guard pages <= Limits.pagesPerGPADL,
              gpadls.values.reduce(0, { $0 + $1.pageCount }) + pages <= Limits.totalGPADLPages else {
            return gpadlFailed(h.childRelID, h.gpadl, "\(pages) pages is more than allowed")
        }
        guard h.pfns.count <= pages else {
            return gpadlFailed(h.childRelID, h.gpadl, "\(h.pfns.count) PFNs for \(pages) pages")
        }
        let gpadl = GPADL(id: h.gpadl, childRelID: channel.relID, byteCount: h.byteCount, byteOffset: h.byteOffset,
                          pfns: h.pfns, pageCount: pages)
        gpadls[h.gpadl] = gpadl
        if gpadl.isComplete { completeGPADL(gpadl) }
    }

    func handleGPADLBody(_ payload: [UInt8]) {
        guard let b = GPADLBody(payload: payload) else {
            log("vmbus: truncated GPADL_BODY (\(payload.count) bytes)")
            return
        }
        guard var gpadl = gpadls[b.gpadl], !gpadl.isComplete else {
            log("vmbus: GPADL_BODY for GPADL 0x\(String(b.gpadl, radix: 16)) that is not being created; ignored")
            return
        }
        guard b.pfns.count <= gpadl.pageCount - gpadl.pfns.count, !b.pfns.isEmpty else {
            gpadls[b.gpadl] = nil
            return gpadlFailed(gpadl.childRelID, gpadl.id, "body with \(b.pfns.count) PFNs, \(gpadl.pageCount - gpadl.pfns.count) expected")
        }
        gpadl.pfns += b.pfns
        gpadls[b.gpadl] = gpadl
        if gpadl.isComplete { completeGPADL(gpadl) }
    }

    func completeGPADL(_ gpadl: GPADL) {
        guard GuestBuffer(memory: memory, pfns: gpadl.pfns, byteOffset: Int(gpadl.byteOffset),
                          length: Int(gpadl.byteCount)) != nil else {
            gpadls[gpadl.id] = nil
            return gpadlFailed(gpadl.childRelID, gpadl.id, "a page is not guest RAM")
        }
        enqueue(GPADLCreated(childRelID: gpadl.childRelID, gpadl: gpadl.id, creationStatus: Status.success).payload)
    }

    func handleGPADLTeardown(_ payload: [UInt8]) {
        guard let t = GPADLTeardown(payload: payload) else {
            log("vmbus: truncated GPADL_TEARDOWN (\(payload.count) bytes)")
            return
        }
        guard let gpadl = gpadls[t.gpadl], gpadl.childRelID == t.childRelID else {
            log("vmbus: GPADL_TEARDOWN of unknown GPADL 0x\(String(t.gpadl, radix: 16)) on relid \(t.childRelID); ignored")
            return
        }
        if let channel = channels[gpadl.childRelID], channel.isOpen, channel.ringGPADL == gpadl.id {
            log("vmbus: relid \(channel.relID): ring GPADL torn down while open; channel closed")
            closeChannel(channel, notify: true)
        }
        gpadls[t.gpadl] = nil
        enqueue(GPADLTorndown(gpadl: t.gpadl).payload)
    }

    /// A complete GPADL of channel `relID` as a bounded buffer.
    func gpadlBuffer(_ id: UInt32, relID: UInt32) -> GuestBuffer? {
        guard let g = gpadls[id], g.isComplete, g.childRelID == relID else { return nil }
        return GuestBuffer(memory: memory, pfns: g.pfns, byteOffset: Int(g.byteOffset), length: Int(g.byteCount))
    }

    // MARK: Channels

    func handleOpenChannel(_ payload: [UInt8]) {
        guard let o = OpenChannel(payload: payload) else {
            log("vmbus: truncated OPENCHANNEL (\(payload.count) bytes)")
            return
        }
        func fail(_ reason: String) {
            log("vmbus: OPENCHANNEL relid \(o.childRelID) failed: \(reason)")
            enqueue(OpenChannelResult(childRelID: o.childRelID, openID: o.openID, status: Status.unsuccessful).payload)
        }
        guard let channel = channels[o.childRelID], channel.offeredToGuest, let device = channel.device else {
            return fail("no such channel")
        }
        guard channel.state == .offered else { return fail("already open") }
        guard let gpadl = gpadls[o.ringBufferGPADL], gpadl.isComplete, gpadl.childRelID == channel.relID else {
            return fail("ring GPADL 0x\(String(o.ringBufferGPADL, radix: 16)) unknown or incomplete")
        }
        guard gpadl.byteOffset == 0 else { return fail("ring GPADL does not start on a page") }
        guard !channels.values.contains(where: { $0.isOpen && $0.ringGPADL == gpadl.id }) else {
            return fail("ring GPADL already in use")
        }
        let pages = Int(gpadl.byteCount) / GuestBuffer.pageSize
        let split = Int(o.downstreamPageOffset)
        guard split >= 2, pages - split >= 2 else {
            return fail("downstream offset \(split) in a \(pages)-page ring GPADL")
        }
        guard Int(o.targetVP) < synics.count else { return fail("target VP \(o.targetVP)") }
        let inbound: RingBuffer
        let outbound: RingBuffer
        do {
            inbound = try RingBuffer(memory: memory, pfns: Array(gpadl.pfns[0..<split]), direction: .guestToHost)
            outbound = try RingBuffer(memory: memory, pfns: Array(gpadl.pfns[split..<pages]), direction: .hostToGuest)
        } catch {
            return fail("rings: \(error)")
        }
        channel.state = .open
        channel.openID = o.openID
        channel.ringGPADL = gpadl.id
        channel.downstreamPageOffset = o.downstreamPageOffset
        channel.targetVP = Int(o.targetVP)
        channel.userData = o.userData
        channel.inbound = inbound
        channel.outbound = outbound
        guard device.open(channel: channel) else {
            channel.state = .offered
            channel.resetOpenState()
            return fail("the device refused")
        }
        enqueue(OpenChannelResult(childRelID: o.childRelID, openID: o.openID, status: Status.success).payload)
    }

    func handleCloseChannel(_ payload: [UInt8]) {
        guard let c = CloseChannel(payload: payload) else {
            log("vmbus: truncated CLOSECHANNEL (\(payload.count) bytes)")
            return
        }
        guard let channel = channels[c.childRelID], channel.isOpen else {
            log("vmbus: CLOSECHANNEL of relid \(c.childRelID), which is not open; ignored")
            return
        }
        closeChannel(channel, notify: true)
    }

    /// Closes an open channel; the device hears of it when `notify`.
    func closeChannel(_ channel: VMBusChannel, notify: Bool) {
        guard channel.isOpen else { return }
        channel.state = .offered
        channel.resetOpenState()
        if notify, let device = channel.device { device.close(channel: channel) }
    }

    func handleRelIDReleased(_ payload: [UInt8]) {
        guard let r = RelIDReleased(payload: payload) else {
            log("vmbus: truncated RELID_RELEASED (\(payload.count) bytes)")
            return
        }
        guard let channel = channels[r.childRelID], channel.state == .rescinded else {
            log("vmbus: RELID_RELEASED for relid \(r.childRelID), which was not rescinded; ignored")
            return
        }
        dropChannel(channel)
    }

    /// Forgets a channel and its GPADLs; its relid is free again.
    func dropChannel(_ channel: VMBusChannel) {
        channels[channel.relID] = nil
        gpadls = gpadls.filter { $0.value.childRelID != channel.relID }
    }

    func handleModifyChannel(_ payload: [UInt8]) {
        guard let m = ModifyChannel(payload: payload) else {
            log("vmbus: truncated MODIFYCHANNEL (\(payload.count) bytes)")
            return
        }
        var status = Status.success
        if let channel = channels[m.childRelID], channel.isOpen, Int(m.targetVP) < synics.count {
            channel.targetVP = Int(m.targetVP)
        } else {
            log("vmbus: MODIFYCHANNEL relid \(m.childRelID) to VP \(m.targetVP) refused")
            status = Status.unsuccessful
        }
        if version?.answersModifyChannel == true {
            enqueue(ModifyChannelResponse(childRelID: m.childRelID, status: status).payload)
        }
    }

    // MARK: Channel events

    /// Sets the channel's bit in its target VP's event page and raises the SINT.
    func signalGuest(_ channel: VMBusChannel) {
        synics[channel.targetVP].signalEvent(sint: messageSINT, flag: Int(channel.relID))
    }

    /// A ring broke: the channel is closed (the device is told) and the event logged.
    func channelFailed(_ channel: VMBusChannel, _ reason: String) {
        log("vmbus: relid \(channel.relID) closed: \(reason)")
        closeChannel(channel, notify: true)
    }
}
