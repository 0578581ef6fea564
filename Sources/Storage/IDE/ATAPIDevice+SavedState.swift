// Saved state of an ATAPI device: the shared device state, the packet protocol's position and
// its CD-ROM's state.

extension ATAPIDevice {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        public var core: ATADevice.CoreState
        public var cdrom: SCSICDROM.SavedState
        public var transferMode: UInt8
        public var awaitingPacket: Bool
        public var useDMA: Bool
        public var byteCountLimit: Int
        /// Response bytes `0 ..< chunkEnd` are in the buffer (saved in `core.buffer`), the next
        /// to go at `chunkOffset`.
        public var chunkEnd: Int
        public var chunkOffset: Int
        public var readLBA: UInt64
        public var readBlocksRemaining: Int
    }

    public func saveState() -> SavedState {
        SavedState(core: saveCore(), cdrom: cdrom.saveState(), transferMode: transferMode,
                   awaitingPacket: awaitingPacket, useDMA: useDMA, byteCountLimit: byteCountLimit,
                   chunkEnd: chunkEnd, chunkOffset: chunkOffset, readLBA: readLBA,
                   readBlocksRemaining: readBlocksRemaining)
    }

    /// Why `s` cannot be restored into this device, or nil.
    public func validate(_ s: SavedState) -> String? {
        if let reason = validateCore(s.core) { return reason }
        if let reason = cdrom.validate(s.cdrom) { return reason }
        guard (0...0xFFFF).contains(s.byteCountLimit) else { return "byte count limit \(s.byteCountLimit)" }
        guard s.chunkOffset >= 0, s.chunkOffset <= s.chunkEnd, s.chunkEnd <= s.core.buffer.count else {
            return "response bytes \(s.chunkOffset)..<\(s.chunkEnd) outside the saved buffer"
        }
        let discBlocks = (cdrom.medium?.byteCount ?? 0) / UInt64(SCSICDROM.blockSize)
        guard s.readBlocksRemaining >= 0, s.readLBA <= discBlocks,
              UInt64(s.readBlocksRemaining) <= discBlocks - s.readLBA else {
            return "read of \(s.readBlocksRemaining) blocks at \(s.readLBA) runs past the disc"
        }
        return nil
    }

    /// Takes a state `validate` accepted.
    public func restore(_ s: SavedState) {
        precondition(validate(s) == nil, "restore of an unvalidated ATAPI state")
        restoreCore(s.core)
        cdrom.restore(s.cdrom)
        transferMode = s.transferMode
        awaitingPacket = s.awaitingPacket
        useDMA = s.useDMA
        byteCountLimit = s.byteCountLimit
        chunkEnd = s.chunkEnd
        chunkOffset = s.chunkOffset
        readLBA = s.readLBA
        readBlocksRemaining = s.readBlocksRemaining
    }
}
