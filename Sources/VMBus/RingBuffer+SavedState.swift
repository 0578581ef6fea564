// Saved state of one ring: the host's own index (the rest lives in guest RAM).

extension RingBuffer {
    /// Version 1 layout. The header and data are guest RAM, saved with it; only the index the
    /// host keeps to itself is saved.
    public struct SavedState: Codable, Equatable, Sendable {
        public var direction: Direction
        public var hostIndex: UInt32
    }

    public func saveState() -> SavedState { SavedState(direction: direction, hostIndex: hostIndex) }
}
