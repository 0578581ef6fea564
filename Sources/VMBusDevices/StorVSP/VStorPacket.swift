// The storvsc protocol message: struct vstor_packet.

/// `struct vstor_packet` (vmbus-facts.md §11.1): 64 bytes, packed, little-endian. u32 operation
/// @0, u32 flags @4, u32 status @8, then a 52-byte union @12: protocol version, channel
/// properties, or the SRB (`vmscsi_request`). Kept as its bytes with typed accessors, so an
/// SRB completion echoes every field the guest sent.
public struct VStorPacket: Equatable, Sendable {
    public static let size = 64
    /// `sizeof(struct vmscsi_request)`, the SRB's length field.
    public static let srbLength: UInt16 = 52
    public static let cdbCapacity = 16
    /// STORVSC_SENSE_BUFFER_SIZE.
    public static let senseCapacity = 20

    /// `enum vstor_packet_operation`.
    public enum Operation {
        public static let completeIO: UInt32 = 1
        public static let removeDevice: UInt32 = 2
        public static let executeSRB: UInt32 = 3
        public static let resetLUN: UInt32 = 4
        public static let resetAdapter: UInt32 = 5
        public static let resetBus: UInt32 = 6
        public static let beginInitialization: UInt32 = 7
        public static let endInitialization: UInt32 = 8
        public static let queryProtocolVersion: UInt32 = 9
        public static let queryProperties: UInt32 = 10
        public static let enumerateBus: UInt32 = 11
        public static let fcHBAData: UInt32 = 12
        public static let createSubChannels: UInt32 = 13
    }

    /// `vm_srb.data_in`.
    public enum DataDirection {
        public static let write: UInt8 = 0
        public static let read: UInt8 = 1
        public static let none: UInt8 = 2
    }

    public var bytes: [UInt8]

    public init() { bytes = [UInt8](repeating: 0, count: Self.size) }

    /// The first 64 bytes of `payload`; nil when it is shorter (a truncated request).
    public init?(payload: [UInt8]) {
        guard payload.count >= Self.size else { return nil }
        bytes = Array(payload[0..<Self.size])
    }

    public var operation: UInt32 { get { bytes.u32(0) } set { bytes.put32(0, newValue) } }
    public var flags: UInt32 { get { bytes.u32(4) } set { bytes.put32(4, newValue) } }
    public var status: UInt32 { get { bytes.u32(8) } set { bytes.put32(8, newValue) } }

    // Protocol version.
    public var majorMinor: UInt16 { get { bytes.u16(12) } set { bytes.put16(12, newValue) } }
    public var revision: UInt16 { get { bytes.u16(14) } set { bytes.put16(14, newValue) } }

    // Channel properties.
    public var maxChannelCount: UInt16 { get { bytes.u16(16) } set { bytes.put16(16, newValue) } }
    public var propertyFlags: UInt32 { get { bytes.u32(20) } set { bytes.put32(20, newValue) } }
    public var maxTransferBytes: UInt32 { get { bytes.u32(24) } set { bytes.put32(24, newValue) } }

    // SRB.
    public var srbLengthField: UInt16 { get { bytes.u16(12) } set { bytes.put16(12, newValue) } }
    public var srbStatus: UInt8 { get { bytes.u8(14) } set { bytes.put8(14, newValue) } }
    public var scsiStatus: UInt8 { get { bytes.u8(15) } set { bytes.put8(15, newValue) } }
    public var portNumber: UInt8 { get { bytes.u8(16) } set { bytes.put8(16, newValue) } }
    public var pathID: UInt8 { get { bytes.u8(17) } set { bytes.put8(17, newValue) } }
    public var targetID: UInt8 { get { bytes.u8(18) } set { bytes.put8(18, newValue) } }
    public var lun: UInt8 { get { bytes.u8(19) } set { bytes.put8(19, newValue) } }
    public var cdbLength: UInt8 { get { bytes.u8(20) } set { bytes.put8(20, newValue) } }
    public var senseInfoLength: UInt8 { get { bytes.u8(21) } set { bytes.put8(21, newValue) } }
    public var dataIn: UInt8 { get { bytes.u8(22) } set { bytes.put8(22, newValue) } }
    public var dataTransferLength: UInt32 { get { bytes.u32(24) } set { bytes.put32(24, newValue) } }
    public var srbFlags: UInt32 { get { bytes.u32(52) } set { bytes.put32(52, newValue) } }

    /// The CDB (request): `cdbLength` bytes at 28 (at most 16).
    public var cdb: [UInt8] {
        get { Array(bytes[28..<28 + min(Int(cdbLength), Self.cdbCapacity)]) }
        set {
            for i in 0..<Self.cdbCapacity { bytes[28 + i] = i < newValue.count ? newValue[i] : 0 }
            cdbLength = UInt8(min(newValue.count, Self.cdbCapacity))
        }
    }

    /// Sense data (completion): the 20 bytes at 28.
    public var senseData: [UInt8] {
        get { Array(bytes[28..<28 + Self.senseCapacity]) }
        set { for i in 0..<Self.senseCapacity { bytes[28 + i] = i < newValue.count ? newValue[i] : 0 } }
    }
}
