// Host errors of serial backends.

/// A serial backend could not be set up.
public enum SerialBackendError: Error, CustomStringConvertible, Equatable {
    /// The output file could not be opened for appending.
    case cannotOpen(path: String, reason: String)
    /// A Unix socket path longer than `sockaddr_un.sun_path` holds (with its NUL).
    case socketPathTooLong(path: String, limit: Int)
    /// Something other than a socket already exists at the path (it is left alone).
    case notASocket(path: String)
    /// Another program is listening on the socket at the path.
    case socketInUse(path: String)
    /// socket/bind/listen failed.
    case cannotListen(path: String, reason: String)
    /// Connecting to the socket failed (client mode).
    case cannotConnect(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "cannot open serial output file \(path): \(reason); check that its directory exists and is writable"
        case let .socketPathTooLong(path, limit):
            return "serial socket path \(path) is \(path.utf8.count) bytes; Unix sockets allow at most \(limit): use a shorter path (e.g. under /tmp)"
        case let .notASocket(path):
            return "serial socket path \(path) exists and is not a socket; remove it or choose another path"
        case let .socketInUse(path):
            return "another program is listening on serial socket \(path); stop it or choose another path"
        case let .cannotListen(path, reason):
            return "cannot listen on serial socket \(path): \(reason); check that its directory exists and is writable"
        case let .cannotConnect(path, reason):
            return "cannot connect to serial socket \(path): \(reason); start the program listening there first"
        }
    }
}
