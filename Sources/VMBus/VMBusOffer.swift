// What a device offers on the bus.

/// The device-chosen part of an OFFERCHANNEL: class and instance GUIDs, MMIO megabytes
/// (0 unless the device needs MMIO space, e.g. synthetic video) and the user-defined area.
/// The server picks the relid and connection ID; monitor_allocated is always 0 (§9.2).
public struct VMBusOffer: Equatable, Sendable {
    public var classID: VMBusGUID
    /// Unique per device: it names the guest's device directory.
    public var instanceID: VMBusGUID
    public var mmioMegabytes: UInt16
    public var channelFlags: UInt16
    /// At most 120 bytes (zero-padded).
    public var userDefined: [UInt8]

    public init(classID: VMBusGUID, instanceID: VMBusGUID, mmioMegabytes: UInt16 = 0, channelFlags: UInt16 = 0,
                userDefined: [UInt8] = []) {
        self.classID = classID
        self.instanceID = instanceID
        self.mmioMegabytes = mmioMegabytes
        self.channelFlags = channelFlags
        self.userDefined = userDefined
    }
}
