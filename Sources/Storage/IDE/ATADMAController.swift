// The host side of an ATA DMA transfer: a bus master that moves bytes to and from guest memory.

/// A DMA engine (an SFF-8038i bus master) that an `ATAChannel` drives while a device has a DMA
/// data transfer pending (DMARQ asserted).
public protocol ATADMAController: AnyObject {
    /// Whether the engine is started (SFF-8038i Start/Stop Bus Master = 1, BMIDEA set): the
    /// channel moves data only then.
    var isActive: Bool { get }

    /// Moves `buffer.count` bytes between `buffer` and guest memory: into memory when
    /// `toMemory` (a device-to-host transfer, READ DMA), out of memory otherwise. Returns the
    /// bytes moved; fewer than asked means the engine stopped (its descriptor table ended, the
    /// memory is not RAM, the direction is wrong): the device then aborts the command.
    func move(_ buffer: UnsafeMutableRawBufferPointer, toMemory: Bool) -> Int
}
