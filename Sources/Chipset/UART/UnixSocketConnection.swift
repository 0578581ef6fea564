// One connected Unix stream socket, used without ever blocking.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A connected, non-blocking stream socket. Every call returns at once: a full send buffer is
/// `.wouldBlock`, a peer that went away is `.closed` (never SIGPIPE). Closed on deinit.
final class UnixSocketConnection {
    enum SendResult: Equatable { case sent(Int), wouldBlock, closed }
    enum ReceiveResult: Equatable { case data([UInt8]), wouldBlock, closed }

    let descriptor: Int32

    /// Takes ownership of a connected socket and makes it non-blocking.
    init(descriptor: Int32) {
        self.descriptor = descriptor
        SocketDescriptor.configure(descriptor)
    }

    deinit { close(descriptor) }

    /// Connects to a listening socket (client mode).
    static func connect(to address: UnixSocketAddress) throws(SerialBackendError) -> UnixSocketConnection {
        let fd = SocketDescriptor.makeUnixStream()
        guard fd >= 0 else { throw .cannotConnect(path: address.path, reason: SocketDescriptor.errorText) }
        let result = address.withSockaddr { systemConnect(fd, $0, $1) }
        // A non-blocking connect to a Unix socket completes at once or fails (Linux says EAGAIN
        // when the listener's backlog is full); macOS may say EINPROGRESS and finish it later.
        guard result == 0 || errno == EINPROGRESS else {
            let reason = SocketDescriptor.errorText
            close(fd)
            throw .cannotConnect(path: address.path, reason: reason)
        }
        return UnixSocketConnection(descriptor: fd)
    }

    func send(_ bytes: UnsafeRawBufferPointer) -> SendResult {
        while true {
            let n = systemSend(descriptor, bytes.baseAddress, bytes.count, SocketDescriptor.sendFlags)
            if n >= 0 { return .sent(n) }
            if errno == EINTR { continue }
            return SocketDescriptor.wouldBlock ? .wouldBlock : .closed
        }
    }

    func receive(max: Int) -> ReceiveResult {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let n = buffer.withUnsafeMutableBytes { systemReceive(descriptor, $0.baseAddress, max, 0) }
            if n > 0 { return .data(Array(buffer[0..<n])) }
            if n == 0 { return .closed }
            if errno == EINTR { continue }
            return SocketDescriptor.wouldBlock ? .wouldBlock : .closed
        }
    }
}

// File-scope forwarders: inside the class, `connect`/`send` name its own methods.
private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    send(fd, bytes, count, flags)
}

private func systemReceive(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    recv(fd, buffer, count, flags)
}
