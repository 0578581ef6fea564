// A serial backend with nothing attached.

/// Discards transmitted bytes and never receives anything (an unconnected port).
public final class NullSerialBackend: SerialBackend {
    public init() {}
    public func transmit(_ byte: UInt8) {}
}
