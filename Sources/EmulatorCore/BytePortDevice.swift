// Devices with byte-wide registers: wider port accesses split into byte cycles.

/// An 8-bit ISA-style device. A 16- or 32-bit IN/OUT reaches it as byte accesses to consecutive
/// ports, low byte first (as the bus would split it); implement the byte accessors only.
public protocol BytePortDevice: PortIODevice {
    func readPortByte(_ port: UInt16) -> UInt8
    func writePortByte(_ port: UInt16, _ value: UInt8)
}

extension BytePortDevice {
    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<width.rawValue {
            value |= UInt32(readPortByte(port.value &+ UInt16(i))) << (8 * UInt32(i))
        }
        return value
    }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        for i in 0..<width.rawValue {
            writePortByte(port.value &+ UInt16(i), UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))))
        }
    }
}
