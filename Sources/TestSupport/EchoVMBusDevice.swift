// Test helper: a VMBus device that sends every packet back.

import VMBus

/// Echoes each guest packet: a completion with the same payload and trans_id when the guest
/// asked for one, an inband packet otherwise. Packets that do not fit the outbound ring wait
/// and go out when the guest signals again. Counts what it sees.
public final class EchoVMBusDevice: VMBusDevice {
    public static let classID = VMBusGUID("6ec0b7a1-1c2d-4e5f-8a9b-0c1d2e3f4a5b")!
    public let offer: VMBusOffer
    public private(set) var opens = 0
    public private(set) var closes = 0
    public private(set) var received: [VMBusPacket] = []
    public private(set) var backlog: [VMBusPacket] = []
    public var refuseOpen = false
    /// Last userData seen at open.
    public private(set) var openUserData: [UInt8] = []

    public init(instance: UInt8 = 1) {
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes[0] = 0xEC
        bytes[15] = instance
        offer = VMBusOffer(classID: Self.classID, instanceID: VMBusGUID(bytes: bytes)!)
    }

    public func open(channel: VMBusChannel) -> Bool {
        guard !refuseOpen else { return false }
        opens += 1
        openUserData = channel.userData
        return true
    }

    public func packetsAvailable(channel: VMBusChannel) {
        flush(channel)
        while let packet = channel.readPacket() {
            received.append(packet)
            backlog.append(packet.completionRequested
                ? .completion(packet.payload, transactionID: packet.transactionID)
                : .inband(packet.payload, transactionID: packet.transactionID))
            flush(channel)
        }
    }

    func flush(_ channel: VMBusChannel) {
        while let next = backlog.first, channel.send(next) == .sent { backlog.removeFirst() }
    }

    public func close(channel: VMBusChannel) {
        closes += 1
        backlog.removeAll()
    }

    public func saveChannelState(channel: VMBusChannel) -> [UInt8] {
        let n = (restoredCount ?? 0) + UInt32(received.count)
        return [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
    }

    /// Packets counted before the snapshot.
    public private(set) var restoredCount: UInt32?

    public func restoreChannelState(_ state: [UInt8], channel: VMBusChannel) throws {
        guard state.count == 4 else { return }
        restoredCount = UInt32(state[0]) | UInt32(state[1]) << 8 | UInt32(state[2]) << 16 | UInt32(state[3]) << 24
    }
}
