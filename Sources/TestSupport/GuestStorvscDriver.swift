// Test helper: a model of Linux's hv_storvsc driving a StorVSP over an open channel.

import EmulatorCore
import VMBus

/// The guest half of the storvsc protocol as Linux 6.1 speaks it (vmbus-facts.md §11): opens
/// the channel with 128 KiB rings and 24 bytes of zero user data, runs the init sequence with
/// trans_id 0xFFFF_FFFF_FFFF_FFFD, and sends EXECUTE_SRB requests (INBAND without data,
/// GPA-direct with one range otherwise; trans_id = tag + 1) whose 64-byte vstor_packets it
/// encodes itself, independently of the device's code.
public final class GuestStorvscDriver {
    public static let initTransactionID: UInt64 = 0xFFFF_FFFF_FFFF_FFFD
    /// Linux tries these, newest first.
    public static let protocolVersions: [UInt16] = [0x0602, 0x0600, 0x0501]

    /// The decoded completion of one request.
    public struct Completion: Equatable {
        public var packetType: VMBusPacketType
        public var transactionID: UInt64
        /// The payload length the host sent (storvsc drops < 64).
        public var payloadLength: Int
        public var operation: UInt32
        public var status: UInt32
        public var srbStatus: UInt8
        public var scsiStatus: UInt8
        public var senseInfoLength: UInt8
        public var dataTransferLength: UInt32
        /// sense_info_length bytes of sense data.
        public var sense: [UInt8]
        public var raw: [UInt8]
        public var majorMinor: UInt16 { UInt16(raw[12]) | UInt16(raw[13]) << 8 }
        public var maxTransferBytes: UInt32 { Self.le32(raw, 24) }

        static func le32(_ b: [UInt8], _ o: Int) -> UInt32 {
            UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
        }

        init?(_ packet: VMBusPacket) {
            guard packet.payload.count >= 64 else { return nil }
            let p = packet.payload
            packetType = packet.type
            transactionID = packet.transactionID
            payloadLength = p.count
            raw = Array(p[0..<64])
            operation = Self.le32(p, 0)
            status = Self.le32(p, 8)
            srbStatus = p[14]
            scsiStatus = p[15]
            senseInfoLength = p[21]
            dataTransferLength = Self.le32(p, 24)
            sense = Array(p[28..<28 + min(Int(p[21]), 20)])
        }
    }

    public let vmbus: GuestVMBusDriver
    public let channel: GuestChannel
    /// Next block-layer tag (trans_id = tag + 1).
    public var nextTag: UInt64 = 0
    /// max_transfer_bytes from QUERY_PROPERTIES.
    public private(set) var maxTransferBytes: UInt32 = 0
    public private(set) var protocolVersion: UInt16?
    /// Host packets that were not 64-byte completions (storvsc logs "Invalid pkt").
    public private(set) var invalidPackets: [VMBusPacket] = []

    /// Opens `offer` the way storvsc_connect_to_vsp does (128 KiB rings each way).
    public init?(vmbus: GuestVMBusDriver, offer: OfferChannel, ringPages: Int = 32) {
        guard let channel = vmbus.open(offer, sendPages: ringPages, receivePages: ringPages, scattered: true,
                                       userData: [UInt8](repeating: 0, count: 24)) else { return nil }
        self.vmbus = vmbus
        self.channel = channel
    }

    // MARK: Packets

    /// A zeroed vstor_packet with `operation` and flags = REQUEST_COMPLETION.
    public static func vstorPacket(operation: UInt32) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: 64)
        put32(&p, 0, operation)
        put32(&p, 4, 1)
        return p
    }

    static func put32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) {
        for i in 0..<4 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) }
    }

    /// Sends `packet` and returns the host's next packet (completions come synchronously).
    public func exchangeRaw(_ packet: VMBusPacket) -> VMBusPacket? {
        channel.send(packet)
        return channel.receive()
    }

    /// Sends a request and decodes the reply; packets that storvsc would reject are kept in
    /// `invalidPackets` and give nil.
    public func exchange(_ packet: VMBusPacket) -> Completion? {
        guard let reply = exchangeRaw(packet) else { return nil }
        guard let completion = Completion(reply), reply.transactionID == packet.transactionID else {
            invalidPackets.append(reply)
            return nil
        }
        return completion
    }

    /// One init-phase request (INBAND, trans_id VMBUS_RQST_INIT).
    public func initRequest(operation: UInt32, configure: (inout [UInt8]) -> Void = { _ in }) -> Completion? {
        var p = Self.vstorPacket(operation: operation)
        configure(&p)
        return exchange(.inband(p, transactionID: Self.initTransactionID, completionRequested: true))
    }

    /// storvsc_channel_init: BEGIN_INITIALIZATION, QUERY_PROTOCOL_VERSION (6.2, 6.0, 5.1),
    /// QUERY_PROPERTIES, END_INITIALIZATION; each must come back COMPLETE_IO with status 0.
    public func initialize() -> Bool {
        guard let begin = initRequest(operation: 7), begin.operation == 1, begin.status == 0 else { return false }
        for version in Self.protocolVersions {
            guard let reply = initRequest(operation: 9, configure: { p in
                p[12] = UInt8(version & 0xFF)
                p[13] = UInt8(version >> 8)
            }), reply.operation == 1 else { return false }
            if reply.status == 0 {
                protocolVersion = version
                break
            }
        }
        guard protocolVersion != nil else { return false }
        guard let properties = initRequest(operation: 10), properties.operation == 1, properties.status == 0 else {
            return false
        }
        maxTransferBytes = properties.maxTransferBytes
        guard let end = initRequest(operation: 8), end.operation == 1, end.status == 0 else { return false }
        return true
    }

    // MARK: SRBs

    /// The 64-byte EXECUTE_SRB packet storvsc_queuecommand builds.
    public static func srbPacket(cdb: [UInt8], path: UInt8 = 0, target: UInt8 = 0, lun: UInt8 = 0,
                                 dataIn: UInt8, length: UInt32) -> [UInt8] {
        var p = vstorPacket(operation: 3)
        p[12] = 52 // vm_srb.length
        p[17] = path
        p[18] = target
        p[19] = lun
        p[20] = UInt8(cdb.count)
        p[21] = 20 // sense_info_length
        p[22] = dataIn
        put32(&p, 24, length)
        for (i, b) in cdb.prefix(16).enumerated() { p[28 + i] = b }
        p[50] = 0xFF // queue_tag
        p[51] = 0x20 // simple queue action
        put32(&p, 52, dataIn == 0 ? 0x80 | 0x08 | 0x100 : dataIn == 1 ? 0x40 | 0x08 | 0x100 : 0x08 | 0x100)
        put32(&p, 56, 60)
        return p
    }

    /// A data buffer in guest memory: `length` bytes starting `byteOffset` into the first of
    /// freshly allocated, scattered pages (as the block layer hands out).
    public func allocateBuffer(length: Int, byteOffset: Int = 0) -> GPARange {
        let pages = max(1, (byteOffset + length + 4095) / 4096)
        return GPARange(byteCount: UInt32(length), byteOffset: UInt32(byteOffset),
                        pfns: vmbus.allocatePages(pages, scattered: true))
    }

    /// Writes `bytes` into the buffer `range` describes.
    public func fill(_ range: GPARange, with bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let position = Int(range.byteOffset) + done
            let n = min(bytes.count - done, 4096 - position % 4096)
            vmbus.memory.load(Array(bytes[done..<done + n]), at: UInt32(range.pfns[position / 4096] << 12) + UInt32(position % 4096))
            done += n
        }
    }

    /// Reads `count` bytes of the buffer `range` describes.
    public func contents(of range: GPARange, count: Int? = nil) -> [UInt8] {
        let total = count ?? Int(range.byteCount)
        var out: [UInt8] = []
        var done = 0
        while done < total {
            let position = Int(range.byteOffset) + done
            let n = min(total - done, 4096 - position % 4096)
            out += vmbus.memory.bytes(at: UInt32(range.pfns[position / 4096] << 12) + UInt32(position % 4096), count: n)
            done += n
        }
        return out
    }

    /// Sends one SRB (GPA-direct when `range` is given, INBAND otherwise) with the next tag.
    public func execute(cdb: [UInt8], path: UInt8 = 0, target: UInt8 = 0, lun: UInt8 = 0, dataIn: UInt8 = 2,
                        range: GPARange? = nil) -> Completion? {
        let payload = Self.srbPacket(cdb: cdb, path: path, target: target, lun: lun, dataIn: dataIn,
                                     length: range?.byteCount ?? 0)
        nextTag += 1
        let id = nextTag
        if let range {
            return exchange(.gpaDirect([range], payload: payload, transactionID: id, completionRequested: true))
        }
        return exchange(.inband(payload, transactionID: id, completionRequested: true))
    }

    /// A data-in command into a new buffer of `length` bytes; the completion and the bytes the
    /// host transferred (data_transfer_length of them).
    public func read(cdb: [UInt8], length: Int, lun: UInt8 = 0, target: UInt8 = 0, path: UInt8 = 0,
                     byteOffset: Int = 0) -> (Completion?, [UInt8]) {
        let range = allocateBuffer(length: length, byteOffset: byteOffset)
        let completion = execute(cdb: cdb, path: path, target: target, lun: lun, dataIn: 1, range: range)
        let n = min(Int(completion?.dataTransferLength ?? 0), length)
        return (completion, contents(of: range, count: n))
    }

    /// A data-out command sending `data`.
    public func write(cdb: [UInt8], data: [UInt8], lun: UInt8 = 0, byteOffset: Int = 0) -> Completion? {
        let range = allocateBuffer(length: data.count, byteOffset: byteOffset)
        fill(range, with: data)
        return execute(cdb: cdb, lun: lun, dataIn: 0, range: range)
    }
}
