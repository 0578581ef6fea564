// The synthetic SCSI controller: the host side of Linux's storvsc.

import EmulatorCore
import Storage
import VMBus

/// A Hyper-V synthetic SCSI controller (a StorVSP; the guest's `hv_storvsc` binds to it),
/// following vmbus-facts.md §10–11 and checked against Linux 6.1's storvsc_drv.c.
///
/// Offers class ba6163d9-04a1-4d29-b605-72e2ffb1dc7f with its own instance GUID. Disk i is
/// channel 0, target 0, LUN i; every other (channel, target, LUN) is absent: INQUIRY answers
/// peripheral 0x7F, REPORT LUNS an empty list, anything else SRB_STATUS_INVALID_LUN.
///
/// Protocol: BEGIN_INITIALIZATION, QUERY_PROTOCOL_VERSION (6.2 / WIN10 accepted, others
/// refused with a non-zero status), QUERY_PROPERTIES (no sub-channels, `maxTransferBytes`),
/// END_INITIALIZATION, all answered with a 64-byte COMPLETE_IO completion echoing the request's
/// trans_id (host packets stay within storvsc's 80-byte limit). EXECUTE_SRB carries data in a
/// GPA-direct packet with exactly one range whose byte_count equals data_transfer_length.
///
/// I/O runs synchronously on the emulation thread inside `packetsAvailable` (no worker thread
/// yet), so nothing is ever outstanding: resets complete at once. Completions that do not fit
/// the host-to-guest ring wait in `backlog`; no new request is read until they are out.
///
/// Not modelled: sub-channels (CREATE_SUB_CHANNELS is refused), hot-add (ENUMERATE_BUS),
/// Fibre Channel, IDE-class offers, protocol versions before 6.2 (smaller packets).
public final class StorVSPDevice: VMBusDevice {
    /// SCSI controller class (HV_SCSI_GUID).
    public static let classID = VMBusGUID("ba6163d9-04a1-4d29-b605-72e2ffb1dc7f")!
    /// VMSTOR_PROTO_VERSION_WIN10 (6.2), the only version accepted.
    public static let protocolVersion: UInt16 = 0x0602

    public enum Limits {
        /// QUERY_PROPERTIES' max_transfer_bytes: Linux sets max_sectors = 4096 and
        /// sg_tablesize = 513 from it. The disks' Block Limits VPD page says the same.
        public static let maxTransferBytes: UInt32 = 0x20_0000
        /// LUNs on target 0 (storvsc's max_lun is 255).
        public static let disks = 64
        /// Log lines per device lifetime.
        public static let logLines = 200
    }

    /// Failure value of the vstor packet's `status` (STATUS_UNSUCCESSFUL / INVALID_PARAMETER).
    public enum Status {
        public static let success: UInt32 = 0
        public static let unsuccessful: UInt32 = 0xC000_0001
        public static let invalidParameter: UInt32 = 0xC000_000D
        public static let revisionMismatch: UInt32 = 0xC000_0059
    }

    public let offer: VMBusOffer
    /// The LUNs of target 0, in order.
    public let disks: [SCSIDisk]
    public var logger: (String) -> Void
    /// Restoring saved state onto disks whose identity changed is allowed (each difference is
    /// recorded in `restoreWarnings`) instead of refused.
    public var acceptChangedDisks = false
    /// What the last `restoreState` accepted although it differed (see `acceptChangedDisks`).
    public internal(set) var restoreWarnings: [String] = []

    // Channel protocol state.
    /// BEGIN_INITIALIZATION seen on this open.
    public internal(set) var initializing = false
    /// The version QUERY_PROTOCOL_VERSION settled on.
    public internal(set) var negotiatedVersion: UInt16?
    /// END_INITIALIZATION seen: SRBs are served.
    public internal(set) var initialized = false
    /// Completions waiting for ring space.
    public internal(set) var backlog: [VMBusPacket] = []
    /// Requests answered (statistics; saved).
    public internal(set) var requestsCompleted: UInt64 = 0

    var logBudget = Limits.logLines

    /// A controller with `disks` as LUNs 0, 1, … of target 0 (at most `Limits.disks`).
    /// `instanceID` defaults to a fresh random GUID; pass a stable one (`instanceID(controller:)`)
    /// when snapshots must restore into a rebuilt machine.
    public init(disks: [any BlockDevice], instanceID: VMBusGUID? = nil, logger: @escaping (String) -> Void = { _ in }) {
        precondition(disks.count <= Limits.disks, "a StorVSP controller holds at most \(Limits.disks) disks")
        let id = instanceID ?? Self.randomInstanceID()
        self.offer = VMBusOffer(classID: Self.classID, instanceID: id)
        // Serials (VPD 0x80 / 0x83) unique per controller and LUN: udev names disks by them.
        let tag = String(id.description.filter { $0 != "-" }.suffix(12))
        // Each disk advertises (VPD 0xB0) the transfer limit QUERY_PROPERTIES gives storvsc.
        self.disks = disks.enumerated().map { i, d in
            SCSIDisk(device: d, serial: "PARTITA-\(tag)-\(i)", maxTransferBytes: Int(Limits.maxTransferBytes))
        }
        self.logger = logger
    }

    /// A version-4 random GUID.
    public static func randomInstanceID() -> VMBusGUID {
        var g = SystemRandomNumberGenerator()
        var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        b[7] = b[7] & 0x0F | 0x40 // version 4 (wire order: bytes 6–7 are a little-endian u16)
        b[8] = b[8] & 0x3F | 0x80 // RFC 4122 variant
        return VMBusGUID(bytes: b)!
    }

    /// A stable instance GUID for controller number `controller` of a machine.
    public static func instanceID(controller: Int) -> VMBusGUID {
        var b: [UInt8] = [0x50, 0x41, 0x52, 0x54, 0x53, 0x43, 0x53, 0x49, 0x80, 0, 0, 0, 0, 0, 0, 0]
        b.put32(12, UInt32(truncatingIfNeeded: controller))
        return VMBusGUID(bytes: b)!
    }

    func log(_ message: String) {
        guard logBudget > 0 else { return }
        logBudget -= 1
        logger(logBudget == 0 ? message + " (further StorVSP messages suppressed)" : message)
    }

    // MARK: VMBusDevice

    public func open(channel: VMBusChannel) -> Bool {
        resetChannelState()
        return true
    }

    public func close(channel: VMBusChannel) {
        resetChannelState()
    }

    func resetChannelState() {
        initializing = false
        negotiatedVersion = nil
        initialized = false
        backlog.removeAll()
    }

    public func packetsAvailable(channel: VMBusChannel) {
        guard flush(channel) else { return }
        while let packet = channel.readPacket() {
            if let reply = handle(packet, channel: channel) {
                backlog.append(reply)
                requestsCompleted &+= 1
            }
            // Flow control: with completions stuck behind a full ring, leave further requests
            // in the guest's ring until it frees space and signals again.
            guard flush(channel) else { return }
        }
    }

    /// Sends the backlog; true when it is empty.
    @discardableResult
    func flush(_ channel: VMBusChannel) -> Bool {
        while let next = backlog.first {
            switch channel.send(next) {
            case .sent: backlog.removeFirst()
            case .ringFull: return false
            case .notOpen:
                backlog.removeAll()
                return true
            }
        }
        return true
    }

    // MARK: Requests

    /// The completion for one guest packet (nil when none is owed).
    func handle(_ packet: VMBusPacket, channel: VMBusChannel) -> VMBusPacket? {
        switch packet.type {
        case .dataInband, .dataUsingGPADirect: break
        case .completion:
            return nil // storvsc never completes host packets it did not ask for; ignore.
        default:
            log("storvsp: packet type \(packet.type.rawValue) ignored")
            return nil
        }
        guard let request = VStorPacket(payload: packet.payload) else {
            log("storvsp: \(packet.payload.count)-byte request (trans_id \(packet.transactionID)) is shorter than a vstor_packet")
            var reply = VStorPacket()
            reply.operation = VStorPacket.Operation.completeIO
            reply.status = Status.invalidParameter
            return .completion(reply.bytes, transactionID: packet.transactionID)
        }
        let reply = respond(to: request, packet: packet, channel: channel)
        return .completion(reply.bytes, transactionID: packet.transactionID)
    }

    func respond(to request: VStorPacket, packet: VMBusPacket, channel: VMBusChannel) -> VStorPacket {
        var reply = VStorPacket()
        reply.operation = VStorPacket.Operation.completeIO
        switch request.operation {
        case VStorPacket.Operation.beginInitialization:
            resetChannelState()
            initializing = true
        case VStorPacket.Operation.queryProtocolVersion:
            if request.majorMinor == Self.protocolVersion {
                negotiatedVersion = request.majorMinor
                reply.majorMinor = request.majorMinor
                reply.revision = request.revision
            } else {
                reply.status = Status.revisionMismatch
            }
        case VStorPacket.Operation.queryProperties:
            reply.maxChannelCount = 0
            reply.propertyFlags = 0
            reply.maxTransferBytes = Limits.maxTransferBytes
        case VStorPacket.Operation.endInitialization:
            if negotiatedVersion != nil {
                initialized = true
            } else {
                log("storvsp: END_INITIALIZATION before a protocol version was agreed")
                reply.status = Status.unsuccessful
            }
        case VStorPacket.Operation.executeSRB:
            guard initialized else {
                log("storvsp: EXECUTE_SRB before END_INITIALIZATION")
                reply = request
                reply.operation = VStorPacket.Operation.completeIO
                reply.status = Status.unsuccessful
                reply.srbStatus = SRBStatus.error
                reply.dataTransferLength = 0
                return reply
            }
            return executeSRB(request, packet: packet, channel: channel)
        case VStorPacket.Operation.resetLUN, VStorPacket.Operation.resetAdapter, VStorPacket.Operation.resetBus:
            // Synchronous I/O: nothing is outstanding, so the reset is complete at once.
            break
        default:
            log("storvsp: operation \(request.operation) not supported")
            reply.status = Status.invalidParameter
        }
        return reply
    }

    /// Runs one SRB and builds its COMPLETE_IO.
    func executeSRB(_ request: VStorPacket, packet: VMBusPacket, channel: VMBusChannel) -> VStorPacket {
        var reply = request
        reply.operation = VStorPacket.Operation.completeIO
        reply.flags = 0
        reply.status = Status.success
        reply.senseData = []

        func fail(_ srbStatus: UInt8, _ reason: String) -> VStorPacket {
            log("storvsp: SRB (trans_id \(packet.transactionID)): \(reason)")
            reply.srbStatus = srbStatus
            reply.scsiStatus = 0
            reply.senseInfoLength = 0
            reply.dataTransferLength = 0
            return reply
        }

        let cdbLength = Int(request.cdbLength)
        guard (1...VStorPacket.cdbCapacity).contains(cdbLength) else {
            return fail(SRBStatus.invalidRequest, "CDB length \(cdbLength)")
        }
        let cdb = request.cdb
        let length = request.dataTransferLength

        // The data buffer: a GPA-direct packet with exactly one range of `length` bytes.
        let buffer: any SCSIDataBuffer
        if length == 0 {
            buffer = SCSIByteBuffer(length: 0)
        } else {
            guard length <= Limits.maxTransferBytes else {
                return fail(SRBStatus.invalidRequest, "data_transfer_length \(length) exceeds \(Limits.maxTransferBytes)")
            }
            guard let ranges = packet.gpaDirectRanges, ranges.count == 1 else {
                return fail(SRBStatus.invalidRequest, "a \(length)-byte transfer without exactly one GPA-direct range")
            }
            guard ranges[0].byteCount == length else {
                return fail(SRBStatus.invalidRequest, "range of \(ranges[0].byteCount) bytes for data_transfer_length \(length)")
            }
            guard let guest = channel.buffer(for: ranges[0]) else {
                return fail(SRBStatus.invalidRequest, "page list names memory that is not guest RAM")
            }
            buffer = GuestDataBuffer(buffer: guest)
        }

        let result: SCSIResult
        let onTarget0 = request.pathID == 0 && request.targetID == 0
        if cdb[0] == SCSIDisk.Opcode.reportLUNs {
            // A target-level command: whichever LUN it is sent to, it lists the target's LUNs.
            result = SCSIDisk.reportLUNs(cdb, buffer, luns: onTarget0 ? disks.indices.map { UInt8($0) } : [])
        } else if onTarget0, Int(request.lun) < disks.count {
            result = disks[Int(request.lun)].execute(cdb: cdb, buffer: buffer)
        } else if cdb[0] == SCSIDisk.Opcode.inquiry {
            result = SCSIDisk.absentLUNInquiry(cdb: cdb, buffer: buffer)
        } else {
            // storvsc maps INVALID_LUN to DID_NO_CONNECT; quietly, as scans probe many of these.
            reply.srbStatus = SRBStatus.invalidLUN
            reply.scsiStatus = 0
            reply.senseInfoLength = 0
            reply.dataTransferLength = 0
            return reply
        }

        if result.transportFailed {
            return fail(SRBStatus.error, "a data page stopped being guest RAM")
        }
        switch result.status {
        case .good:
            reply.srbStatus = SRBStatus.success
            reply.scsiStatus = SCSIResult.Status.good.rawValue
            reply.senseInfoLength = 0
            reply.dataTransferLength = UInt32(result.bytesTransferred)
        case .checkCondition:
            let sense = (result.sense ?? .noSense).fixedFormat
            // The guest offers sense_info_length bytes (20); 0 from a sloppy guest means "all".
            let offered = request.senseInfoLength == 0 ? sense.count : Int(request.senseInfoLength)
            let n = min(sense.count, VStorPacket.senseCapacity, offered)
            reply.srbStatus = SRBStatus.error | SRBStatus.autosenseValid
            reply.scsiStatus = SCSIResult.Status.checkCondition.rawValue
            reply.senseData = Array(sense[0..<n])
            reply.senseInfoLength = UInt8(n)
            reply.dataTransferLength = 0
        }
        return reply
    }
}
