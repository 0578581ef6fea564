// Saved state of one channel: identity, open parameters, ring indices, the device's protocol state.

extension VMBusChannel {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        public var relID: UInt32
        public var connectionID: UInt32
        /// The device's instance GUID (matched against the registered devices on restore);
        /// nil for a rescinded channel.
        public var instanceID: VMBusGUID?
        public var state: State
        public var offeredToGuest: Bool
        public var open: OpenState?
    }

    /// Present while open.
    public struct OpenState: Codable, Equatable, Sendable {
        public var openID: UInt32
        public var ringGPADL: UInt32
        public var downstreamPageOffset: UInt32
        public var targetVP: Int
        public var userData: [UInt8]
        public var inbound: RingBuffer.SavedState
        public var outbound: RingBuffer.SavedState
        /// `VMBusDevice.saveChannelState`.
        public var deviceState: [UInt8]
    }

    public func saveState() -> SavedState {
        var open: OpenState?
        if isOpen, let inbound, let outbound {
            open = OpenState(openID: openID, ringGPADL: ringGPADL, downstreamPageOffset: downstreamPageOffset,
                             targetVP: targetVP, userData: userData, inbound: inbound.saveState(),
                             outbound: outbound.saveState(),
                             deviceState: device?.saveChannelState(channel: self) ?? [])
        }
        return SavedState(relID: relID, connectionID: connectionID,
                          instanceID: state == .rescinded ? nil : offer.instanceID,
                          state: state, offeredToGuest: offeredToGuest, open: open)
    }
}
