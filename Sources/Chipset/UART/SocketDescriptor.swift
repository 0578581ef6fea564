// Small wrappers over the socket calls the Unix-socket serial backend needs, per platform.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Socket helpers shared by the listener and the connection: creation with close-on-exec and
/// non-blocking mode, and the error text for `errno`.
enum SocketDescriptor {
    /// A new Unix-domain stream socket, or -1 with `errno` set.
    static func makeUnixStream() -> Int32 {
        #if canImport(Darwin)
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #else
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        if fd >= 0 { configure(fd) }
        return fd
    }

    /// Close-on-exec (the emulator starts helper processes), non-blocking (the emulation thread
    /// must never wait on a peer) and, where the platform has it, no SIGPIPE from this socket.
    static func configure(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        #if canImport(Darwin)
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// Flags for `send`: on Linux MSG_NOSIGNAL turns a closed peer into EPIPE instead of a
    /// process-killing SIGPIPE (Darwin uses SO_NOSIGPIPE, set in `configure`).
    static var sendFlags: Int32 {
        #if canImport(Darwin)
        return 0
        #else
        return Int32(MSG_NOSIGNAL)
        #endif
    }

    static var errorText: String { String(cString: strerror(errno)) }

    /// Whether `errno` means "try again later" rather than a failure.
    static var wouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }
}
