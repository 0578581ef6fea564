// The protocol a device implements to answer memory-mapped register accesses.

/// A device mapped into guest-physical memory. `offset` is relative to the start of its range.
public protocol MMIODevice: AnyObject {
    func mmioRead(offset: UInt32, width: AccessWidth) -> UInt32
    func mmioWrite(offset: UInt32, width: AccessWidth, value: UInt32)
}
