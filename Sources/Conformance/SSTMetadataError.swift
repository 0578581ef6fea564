// Errors from reading SingleStepTests metadata.json and revocation lists.

/// Why a suite's metadata could not be used.
public enum SSTMetadataError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(GzipFileError)
    /// The file is not JSON, or not the expected shape.
    case malformed(path: String, detail: String)

    public var description: String {
        switch self {
        case .unreadable(let error):
            return error.description
        case .malformed(let path, let detail):
            return "\(path): not a SingleStepTests metadata file (\(detail)); pass the suite's metadata.json"
        }
    }
}
