// Why a ring-buffer operation failed.

/// A ring operation failed. Everything but `insufficientSpace` means the guest broke the ring
/// protocol (or moved its pages): the channel should be closed.
public enum RingBufferError: Error, Equatable, Sendable {
    /// The ring's pages are too few, or not guest RAM.
    case invalidPages
    /// An index in the ring header is outside the data area or not 8-byte aligned.
    case indexOutOfRange(UInt32)
    /// A packet descriptor's lengths do not fit what the ring holds.
    case malformedPacket(String)
    /// Not enough free space for a packet of `needed` bytes (trailer included); pending_send_sz
    /// has been set when the guest supports it.
    case insufficientSpace(needed: Int)
    /// The packet is larger than the ring could ever hold.
    case packetTooLarge(Int)
}
