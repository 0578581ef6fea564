// Host errors of serial backends.

/// A serial backend could not be set up.
public enum SerialBackendError: Error, CustomStringConvertible, Equatable {
    /// The output file could not be opened for appending.
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "cannot open serial output file \(path): \(reason); check that its directory exists and is writable"
        }
    }
}
