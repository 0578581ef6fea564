// A listening Unix stream socket at a filesystem path, accepting without blocking.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Listens on `path` with a non-blocking socket; `accept()` returns a waiting client or nil at
/// once. A socket file left behind by an earlier run is removed first, but only if nobody is
/// listening on it and it really is a socket; anything else at the path is an error, so a
/// mistyped path never deletes a user's file. The socket file is removed again on deinit if it
/// is still the one this listener created.
final class UnixSocketListener {
    let path: String
    private let descriptor: Int32
    /// Device and inode of the socket file bound here, to recognise it at deinit.
    private let identity: (dev: UInt64, ino: UInt64)?

    init(address: UnixSocketAddress) throws(SerialBackendError) {
        path = address.path
        try Self.removeStaleSocket(at: address)
        let fd = SocketDescriptor.makeUnixStream()
        guard fd >= 0 else { throw .cannotListen(path: path, reason: SocketDescriptor.errorText) }
        guard address.withSockaddr({ bind(fd, $0, $1) }) == 0, listen(fd, 1) == 0 else {
            let reason = SocketDescriptor.errorText
            close(fd)
            throw .cannotListen(path: path, reason: reason)
        }
        descriptor = fd
        identity = Self.fileIdentity(path)
    }

    deinit {
        close(descriptor)
        if let identity, let now = Self.fileIdentity(path), now == identity { unlink(path) }
    }

    /// A waiting client's connection, or nil if none is waiting (never blocks).
    func accept() -> UnixSocketConnection? {
        while true {
            let fd = systemAccept(descriptor)
            if fd >= 0 { return UnixSocketConnection(descriptor: fd) }
            // EINTR: retry. EAGAIN: nobody waiting. ECONNABORTED and the like: the client gave
            // up before we got to it; try again at the next poll.
            if errno == EINTR { continue }
            return nil
        }
    }

    private static func removeStaleSocket(at address: UnixSocketAddress) throws(SerialBackendError) {
        var info = stat()
        guard lstat(address.path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: address.path) }
        // Only a refused connection proves nobody listens; success or a full backlog (EAGAIN,
        // EINPROGRESS) means a live listener whose socket must not be taken away.
        let probe = SocketDescriptor.makeUnixStream()
        guard probe >= 0 else { throw .cannotListen(path: address.path, reason: SocketDescriptor.errorText) }
        let connected = address.withSockaddr { systemConnect(probe, $0, $1) } == 0
        let refused = !connected && errno == ECONNREFUSED
        close(probe)
        guard refused else { throw .socketInUse(path: address.path) }
        unlink(address.path)
    }

    private static func fileIdentity(_ path: String) -> (dev: UInt64, ino: UInt64)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }
}

// File-scope forwarders: inside the class, `accept` names its own method.
private func systemAccept(_ fd: Int32) -> Int32 { accept(fd, nil, nil) }

private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
