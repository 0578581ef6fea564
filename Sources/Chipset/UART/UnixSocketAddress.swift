// A Unix-domain socket address (sockaddr_un) built from a path, with its length checked.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A filesystem path as a `sockaddr_un`. The kernel limits `sun_path` (108 bytes on Linux,
/// 104 on macOS, NUL included), so a long path is refused here with a clear error instead of
/// being silently truncated by bind or connect.
struct UnixSocketAddress {
    let path: String
    private var storage = sockaddr_un()

    /// Path bytes `sun_path` can hold besides the terminating NUL.
    static var maxPathLength: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    init(path: String) throws(SerialBackendError) {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxPathLength else {
            throw .socketPathTooLong(path: path, limit: Self.maxPathLength)
        }
        self.path = path
        storage.sun_family = sa_family_t(AF_UNIX)
        #if canImport(Darwin)
        storage.sun_len = UInt8(MemoryLayout<sockaddr_un>.size)
        #endif
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
    }

    /// Calls `body` with the address as a `sockaddr` and its length (for bind and connect).
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}
