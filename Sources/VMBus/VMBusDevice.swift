// The protocol a device implements to sit on the VMBus.

/// A VMBus device (a "VSP"): offers one channel, runs its protocol over the channel's rings
/// while the guest has it open. Called on the emulation thread only.
public protocol VMBusDevice: AnyObject {
    /// What OFFERCHANNEL says about the device.
    var offer: VMBusOffer { get }

    /// The guest opened the channel (rings mapped, `channel.userData` holds OPENCHANNEL's user
    /// data). Return false to fail the open (OPENCHANNEL_RESULT status non-zero).
    func open(channel: VMBusChannel) -> Bool

    /// The guest signalled the channel: packets may be waiting in the inbound ring, or space
    /// was freed in the outbound ring. Drain with `channel.readPacket()` until it returns nil.
    func packetsAvailable(channel: VMBusChannel)

    /// The channel closed (guest CLOSECHANNEL, UNLOAD, reconnect, reset, rescind, or a ring
    /// error). The rings are gone: forget the channel's protocol state.
    func close(channel: VMBusChannel)

    /// Protocol state of an open channel, for the server's saved state.
    func saveChannelState(channel: VMBusChannel) -> [UInt8]

    /// Restores what `saveChannelState` returned onto a re-created open channel.
    func restoreChannelState(_ state: [UInt8], channel: VMBusChannel) throws
}

extension VMBusDevice {
    public func saveChannelState(channel: VMBusChannel) -> [UInt8] { [] }
    public func restoreChannelState(_ state: [UInt8], channel: VMBusChannel) throws {}
}
