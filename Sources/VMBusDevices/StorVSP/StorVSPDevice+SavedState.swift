// Saved state of a StorVSP controller: its disks' identities and the channel's protocol state.

import EmulatorCore
import Storage
import VMBus

extension StorVSPDevice: Snapshottable {
    /// Version 1. The disks are named, not copied: path + size + modification stamp, so a
    /// snapshot is refused onto an image that changed (or a different one) since it was taken.
    public struct SavedState: Codable, Equatable, Sendable {
        public var instanceID: VMBusGUID
        public var disks: [DiskIdentity]
    }

    public var snapshotSection: String { "storvsp.\(offer.instanceID)" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(instanceID: offer.instanceID, disks: disks.map(\.device.identity))
    }

    public func restoreState(_ s: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError { SnapshotStateError(section: snapshotSection, reason: reason) }
        restoreWarnings = []
        guard s.instanceID == offer.instanceID else {
            throw fail("saved for controller \(s.instanceID), restoring into \(offer.instanceID)")
        }
        guard s.disks.count == disks.count else {
            throw fail("saved with \(s.disks.count) disks, this controller has \(disks.count)")
        }
        for (i, (saved, disk)) in zip(s.disks, disks).enumerated() where disk.device.identity != saved {
            let difference = "LUN \(i): the snapshot was taken with disk \(saved), now it is \(disk.device.identity)"
            guard acceptChangedDisks else {
                throw fail(difference + "; restore only onto the unchanged image (or force it)")
            }
            restoreWarnings.append("\(snapshotSection): " + difference)
        }
    }

    // MARK: Channel state (VMBusDevice)

    /// Channel state layout, version 1, little-endian: u8 version · u8 flags (bit 0 initializing,
    /// bit 1 initialized, bit 2 a version was agreed) · u16 negotiated version · u64 requests
    /// completed · u32 backlog count · per backlog completion: u64 trans_id, u32 payload length
    /// (always 64), payload.
    enum ChannelStateLayout {
        static let version: UInt8 = 1
        static let headerSize = 16
        static let maxBacklog = 4096
    }

    public func saveChannelState(channel: VMBusChannel) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ChannelStateLayout.headerSize)
        out.put8(0, ChannelStateLayout.version)
        out.put8(1, (initializing ? 1 : 0) | (initialized ? 2 : 0) | (negotiatedVersion != nil ? 4 : 0))
        out.put16(2, negotiatedVersion ?? 0)
        out.put64(4, requestsCompleted)
        out.put32(12, UInt32(backlog.count))
        for packet in backlog {
            var entry = [UInt8](repeating: 0, count: 12)
            entry.put64(0, packet.transactionID)
            entry.put32(8, UInt32(packet.payload.count))
            out += entry + packet.payload
        }
        return out
    }

    public func restoreChannelState(_ state: [UInt8], channel: VMBusChannel) throws {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: "channel state: \(reason)")
        }
        guard state.count >= ChannelStateLayout.headerSize else { throw fail("\(state.count) bytes") }
        guard state.u8(0) == ChannelStateLayout.version else { throw fail("version \(state.u8(0))") }
        let flags = state.u8(1)
        guard flags & ~7 == 0 else { throw fail("flags \(flags)") }
        let version: UInt16? = flags & 4 != 0 ? state.u16(2) : nil
        guard version == nil || version == Self.protocolVersion else { throw fail("protocol version \(state.u16(2))") }
        guard flags & 2 == 0 || version != nil else { throw fail("initialized without a protocol version") }
        let count = Int(state.u32(12))
        guard count <= ChannelStateLayout.maxBacklog else { throw fail("\(count) queued completions") }
        var restored: [VMBusPacket] = []
        var at = ChannelStateLayout.headerSize
        for _ in 0..<count {
            guard at + 12 <= state.count else { throw fail("truncated") }
            let transactionID = state.u64(at)
            let length = Int(state.u32(at + 8))
            guard length == VStorPacket.size, at + 12 + length <= state.count else { throw fail("completion of \(length) bytes") }
            restored.append(.completion(Array(state[(at + 12)..<(at + 12 + length)]), transactionID: transactionID))
            at += 12 + length
        }
        guard at == state.count else { throw fail("\(state.count - at) trailing bytes") }
        initializing = flags & 1 != 0
        initialized = flags & 2 != 0
        negotiatedVersion = version
        requestsCompleted = state.u64(4)
        backlog = restored
    }
}
