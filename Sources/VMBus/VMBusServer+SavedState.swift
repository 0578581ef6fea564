// Saved state of the VMBus server: connection, queued messages, GPADLs and channels.

import EmulatorCore
import HyperV

extension VMBusServer: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        /// The negotiated version; nil while disconnected.
        public var version: VMBusVersion?
        public var targetVP: Int
        public var messageSINT: Int
        public var offersRequested: Bool
        /// Host-to-guest messages not yet delivered (the one in the SynIC slot is guest RAM).
        public var outgoing: [[UInt8]]
        public var gpadls: [GPADL]
        public var channels: [VMBusChannel.SavedState]
    }

    public var snapshotSection: String { "vmbus" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(version: version, targetVP: targetVP, messageSINT: messageSINT, offersRequested: offersRequested,
                   outgoing: outgoing, gpadls: gpadls.values.sorted { $0.id < $1.id },
                   channels: channels.values.sorted { $0.relID < $1.relID }.map { $0.saveState() })
    }

    /// Restores into a server with the same devices registered (matched by instance GUID; a
    /// saved device that is not registered is an error, a registered one missing from the
    /// state keeps a fresh channel). Guest RAM must hold the rings' pages (any order: only
    /// the page map is consulted here).
    public func restoreState(_ s: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError { SnapshotStateError(section: snapshotSection, reason: reason) }
        if let v = s.version, !VMBusVersion.linuxOffered.contains(v) { throw fail("unknown version \(v)") }
        guard (0..<synics.count).contains(s.targetVP) else { throw fail("target VP \(s.targetVP)") }
        guard (1..<SynIC.sintCount).contains(s.messageSINT) else { throw fail("SINT \(s.messageSINT)") }
        guard s.outgoing.count <= Limits.queuedMessages,
              s.outgoing.allSatisfy({ $0.count >= 8 && $0.count <= HyperVMessage.maximumPayloadSize }) else {
            throw fail("bad queued messages")
        }
        var gpadls: [UInt32: GPADL] = [:]
        var totalPages = 0
        let savedRelIDs = Set(s.channels.map(\.relID))
        for g in s.gpadls {
            guard gpadls[g.id] == nil, savedRelIDs.contains(g.childRelID), g.pageCount <= Limits.pagesPerGPADL, g.pfns.count <= g.pageCount,
                  g.pageCount == GPADL.pagesSpanned(byteOffset: g.byteOffset, byteCount: g.byteCount),
                  g.byteOffset < UInt32(GuestBuffer.pageSize) else { throw fail("GPADL 0x\(String(g.id, radix: 16))") }
            totalPages += g.pageCount
            gpadls[g.id] = g
        }
        guard gpadls.count <= Limits.gpadls, totalPages <= Limits.totalGPADLPages else { throw fail("too many GPADLs") }

        let registered = channels.values.compactMap(\.device)
        var restored: [UInt32: VMBusChannel] = [:]
        var opens: [(VMBusChannel, VMBusChannel.OpenState)] = []
        for c in s.channels {
            guard Limits.relIDs.contains(c.relID), restored[c.relID] == nil,
                  c.connectionID == ConnectionID.channelBase + c.relID else { throw fail("channel relid \(c.relID)") }
            let channel: VMBusChannel
            if c.state == .rescinded {
                guard c.open == nil else { throw fail("rescinded relid \(c.relID) is open") }
                channel = VMBusChannel(relID: c.relID, connectionID: c.connectionID, device: RescindedDevice(), server: self)
                channel.device = nil
            } else {
                guard let id = c.instanceID, let device = registered.first(where: { $0.offer.instanceID == id }),
                      !restored.values.contains(where: { $0.device === device }) else {
                    throw fail("relid \(c.relID): device \(c.instanceID?.description ?? "?") is not registered")
                }
                channel = VMBusChannel(relID: c.relID, connectionID: c.connectionID, device: device, server: self)
            }
            guard s.version != nil || (c.state == .offered && !c.offeredToGuest) else {
                throw fail("relid \(c.relID) is \(c.state) without a connection")
            }
            channel.state = c.state
            channel.offeredToGuest = c.offeredToGuest
            if c.state == .open {
                guard let open = c.open else { throw fail("relid \(c.relID) open without open state") }
                opens.append((channel, open))
            }
            restored[c.relID] = channel
        }
        // Registered devices the snapshot does not know keep a fresh (unoffered) channel.
        for device in registered where !restored.values.contains(where: { $0.device === device }) {
            guard let relID = Limits.relIDs.first(where: { restored[$0] == nil }) else { throw fail("no relid left") }
            restored[relID] = VMBusChannel(relID: relID, connectionID: ConnectionID.channelBase + relID, device: device,
                                           server: self)
        }
        for (channel, open) in opens {
            guard let g = gpadls[open.ringGPADL], g.isComplete, g.childRelID == channel.relID, g.byteOffset == 0 else {
                throw fail("relid \(channel.relID): ring GPADL")
            }
            let pages = Int(g.byteCount) / GuestBuffer.pageSize
            let split = Int(open.downstreamPageOffset)
            guard split >= 2, pages - split >= 2, (0..<synics.count).contains(open.targetVP),
                  open.inbound.direction == .guestToHost, open.outbound.direction == .hostToGuest else {
                throw fail("relid \(channel.relID): open parameters")
            }
            do {
                channel.inbound = try RingBuffer(memory: memory, pfns: Array(g.pfns[0..<split]), direction: .guestToHost,
                                                 hostIndex: open.inbound.hostIndex)
                channel.outbound = try RingBuffer(memory: memory, pfns: Array(g.pfns[split..<pages]),
                                                  direction: .hostToGuest, hostIndex: open.outbound.hostIndex)
            } catch {
                throw fail("relid \(channel.relID): \(error)")
            }
            channel.openID = open.openID
            channel.ringGPADL = open.ringGPADL
            channel.downstreamPageOffset = open.downstreamPageOffset
            channel.targetVP = open.targetVP
            channel.userData = open.userData
        }
        version = s.version
        targetVP = s.targetVP
        messageSINT = s.messageSINT
        offersRequested = s.offersRequested
        outgoing = s.outgoing
        self.gpadls = gpadls
        channels = restored
        for (channel, open) in opens {
            try channel.device?.restoreChannelState(open.deviceState, channel: channel)
        }
    }
}

/// Placeholder device for re-creating a rescinded channel (whose device is gone).
private final class RescindedDevice: VMBusDevice {
    var offer: VMBusOffer { VMBusOffer(classID: .zero, instanceID: .zero) }
    func open(channel: VMBusChannel) -> Bool { false }
    func packetsAvailable(channel: VMBusChannel) {}
    func close(channel: VMBusChannel) {}
}
