// A serial backend that keeps transmitted bytes in memory (tests, headless guest-boot checks).

/// Collects everything the guest transmits and lets the host inject input.
public final class BufferSerialBackend: SerialBackend {
    /// Every byte transmitted so far, in order.
    public private(set) var transmitted: [UInt8] = []
    private weak var receiver: SerialReceiver?

    public init() {}

    public func transmit(_ byte: UInt8) { transmitted.append(byte) }

    public func attach(_ receiver: SerialReceiver) { self.receiver = receiver }

    /// The transmitted bytes decoded as UTF-8 (invalid sequences replaced).
    public var text: String { String(decoding: transmitted, as: UTF8.self) }

    /// Forgets the transmitted bytes.
    public func clear() { transmitted.removeAll() }

    /// Sends bytes to the guest (emulation thread only).
    public func inject(_ bytes: [UInt8]) { receiver?.receive(bytes) }

    /// Sends a string's UTF-8 bytes to the guest (emulation thread only).
    public func inject(_ string: String) { inject(Array(string.utf8)) }
}
