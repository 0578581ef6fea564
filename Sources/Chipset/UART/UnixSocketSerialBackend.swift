// A serial backend on a Unix stream socket: `--serial unix:PATH,server` (or a client of PATH).

/// Connects a UART to a Unix-domain stream socket, as QEMU's `-serial unix:PATH,server=on,wait=off`
/// does: `socat - UNIX-CONNECT:PATH` or `nc -U PATH` then talks to the guest's serial port.
///
/// As a server it listens on PATH and serves one client at a time; the next one is accepted when
/// the current one disconnects. As a client it connects to PATH once, at construction.
///
/// Nothing here blocks the emulation thread and there is no worker thread: the socket is
/// non-blocking and the machine calls `poll()` once per run-loop slice, on the emulation thread.
/// `poll()` accepts a waiting client, sends buffered output and hands received bytes to the UART
/// through `SerialReceiver.receive` (as the `SerialBackend` contract asks). Reading stops at
/// `maxInput` bytes per poll, so a client that pastes faster than the guest reads is held back
/// by the socket's own buffer instead of overflowing the UART's host queue.
///
/// Output: bytes are buffered and sent at each line feed, at 4 KiB, on `flush()` and on
/// `poll()`. With no client connected they are dropped (a serial line with nobody listening).
/// A client that stops reading keeps at most `outputLimit` bytes waiting; beyond that output is
/// dropped rather than stalling the guest. A client that goes away (EPIPE, ECONNRESET) is
/// forgotten, never a SIGPIPE.
///
/// Not modelled: the modem status lines stay "connected" whether or not a client is there, and
/// nothing is replayed to a client that connects late.
public final class UnixSocketSerialBackend: SerialBackend {
    public enum Role: Sendable, Equatable {
        /// Listen on the path (replacing a stale socket file) and accept clients.
        case server
        /// Connect to a program already listening on the path.
        case client
    }

    public let path: String
    public let role: Role
    /// Output kept for a slow client before further bytes are dropped.
    public static let outputLimit = 64 << 10
    static let sendThreshold = 4096

    private let listener: UnixSocketListener?
    private var connection: UnixSocketConnection?
    private weak var receiver: SerialReceiver?
    private var output: [UInt8] = []

    /// Bytes the guest sent that no client received (none connected, or one not reading).
    public private(set) var droppedOutputCount = 0
    /// Clients accepted so far (server) or 1 (client).
    public private(set) var connectionCount = 0

    /// Listens on or connects to `path`. Throws `SerialBackendError` with a message for the user:
    /// a path too long for a socket, a non-socket file in the way, another listener, or a
    /// failed socket call.
    public init(path: String, role: Role = .server) throws(SerialBackendError) {
        self.path = path
        self.role = role
        let address = try UnixSocketAddress(path: path)
        switch role {
        case .server:
            listener = try UnixSocketListener(address: address)
        case .client:
            listener = nil
            connection = try UnixSocketConnection.connect(to: address)
            connectionCount = 1
        }
        output.reserveCapacity(Self.sendThreshold)
    }

    /// Whether a peer is connected (as of the last poll, send or receive).
    public var isConnected: Bool { connection != nil }

    public func attach(_ receiver: SerialReceiver) { self.receiver = receiver }

    public func transmit(_ byte: UInt8) {
        guard connection != nil, output.count < Self.outputLimit else {
            droppedOutputCount += 1
            return
        }
        output.append(byte)
        if byte == 0x0A || output.count >= Self.sendThreshold { flush() }
    }

    /// Sends what the socket takes now; keeps the rest for the next flush.
    public func flush() {
        guard let connection, !output.isEmpty else { return }
        var sent = 0
        loop: while sent < output.count {
            let result = output.withUnsafeBytes { connection.send(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
            switch result {
            case .sent(let n): sent += n
            case .wouldBlock: break loop
            case .closed:
                disconnect()
                return
            }
        }
        output.removeFirst(sent)
    }

    /// The machine's per-slice call (emulation thread): accept a waiting client, send pending
    /// output, and pass up to `maxInput` received bytes to the UART.
    public func poll(maxInput: Int = 4096) {
        if connection == nil, let listener, let accepted = listener.accept() {
            connection = accepted
            connectionCount += 1
        }
        flush()
        guard let connection, maxInput > 0 else { return }
        switch connection.receive(max: maxInput) {
        case .data(let bytes): receiver?.receive(bytes)
        case .wouldBlock: break
        case .closed:
            disconnect()
            // A client that reconnected at once is served in this same poll.
            if let listener, let accepted = listener.accept() {
                self.connection = accepted
                connectionCount += 1
            }
        }
    }

    /// Forgets the peer; unsent output goes with it.
    private func disconnect() {
        connection = nil
        droppedOutputCount += output.count
        output.removeAll(keepingCapacity: true)
    }
}
