// The protocol a device implements to answer I/O-port accesses.

/// A device reachable through the x86 I/O space. Values are right-aligned in a `UInt32`.
public protocol PortIODevice: AnyObject {
    func ioRead(port: IOPort, width: AccessWidth) -> UInt32
    func ioWrite(port: IOPort, width: AccessWidth, value: UInt32)
}
