// INITIATE_CONTACT channel message (vmbus-facts.md §9.3, §9.4).

/// INITIATE_CONTACT (guest → host), 40 bytes: u32 version @8, u32 target_vcpu @12, u64 @16 =
/// interrupt-page GPA (< 5.0) or u8 msg_sint @16 (≥ 5.0), u64 monitor_page1 @24, u64
/// monitor_page2 @32.
public struct InitiateContact: ChannelMessage {
    public static let type = ChannelMessageType.initiateContact
    public static let size = 40
    public var version: VMBusVersion
    /// VP index that host-to-guest messages go to.
    public var targetVCPU: UInt32
    /// The u64 at offset 16: the interrupt page GPA before 5.0; from 5.0 its low byte is msg_sint.
    public var interruptPageOrSINT: UInt64
    public var monitorPage1: UInt64
    public var monitorPage2: UInt64

    public init(version: VMBusVersion, targetVCPU: UInt32, interruptPageOrSINT: UInt64, monitorPage1: UInt64 = 0,
                monitorPage2: UInt64 = 0) {
        self.version = version
        self.targetVCPU = targetVCPU
        self.interruptPageOrSINT = interruptPageOrSINT
        self.monitorPage1 = monitorPage1
        self.monitorPage2 = monitorPage2
    }

    public init?(payload: [UInt8]) {
        guard Self.accepts(payload) else { return nil }
        version = VMBusVersion(rawValue: payload.le32(8))
        targetVCPU = payload.le32(12)
        interruptPageOrSINT = payload.le64(16)
        monitorPage1 = payload.le64(24)
        monitorPage2 = payload.le64(32)
    }

    /// msg_sint (≥ 5.0).
    public var messageSINT: UInt8 { UInt8(truncatingIfNeeded: interruptPageOrSINT) }

    public var payload: [UInt8] {
        var bytes = Self.emptyImage()
        bytes.setLE32(8, version.rawValue)
        bytes.setLE32(12, targetVCPU)
        bytes.setLE64(16, interruptPageOrSINT)
        bytes.setLE64(24, monitorPage1)
        bytes.setLE64(32, monitorPage2)
        return bytes
    }
}
