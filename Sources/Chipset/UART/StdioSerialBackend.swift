// A serial backend on the host's standard output, with input injected by the frontend.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the guest's output to standard output (or another descriptor) and feeds the guest the
/// bytes the frontend injects.
///
/// Output is line-buffered; `flush()` writes a partial line such as a login prompt (the run loop
/// calls it at the end of each slice). The terminal is left in its normal mode: putting it into
/// raw mode and reading keys is the frontend's job, which then calls `inject(_:)` on the
/// emulation thread.
public final class StdioSerialBackend: SerialBackend {
    private var writer: BufferedDescriptorWriter
    private weak var receiver: SerialReceiver?

    /// `descriptor` defaults to standard output; the descriptor stays open when the backend goes.
    public init(descriptor: Int32 = 1) {
        writer = BufferedDescriptorWriter(descriptor: descriptor)
    }

    deinit { writer.flush() }

    public func transmit(_ byte: UInt8) { writer.append(byte) }

    public func attach(_ receiver: SerialReceiver) { self.receiver = receiver }

    /// Writes out any partial line.
    public func flush() { writer.flush() }

    /// Bytes written by the guest and not yet flushed.
    public var pendingOutputCount: Int { writer.pendingCount }

    /// Sends host input (keystrokes, pasted text) to the guest (emulation thread only).
    public func inject(_ bytes: [UInt8]) { receiver?.receive(bytes) }
}
