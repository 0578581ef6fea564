// Errors from reading gzip-compressed (or plain) data files.

/// Why a data file could not be read or decompressed. Messages say what to check.
public enum GzipFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing exists at the path.
    case notFound(path: String)
    /// The path names a folder, not a file.
    case isDirectory(path: String)
    /// The operating system refused to open or read the file.
    case unreadable(path: String, reason: String)
    /// The gzip stream is damaged or ends early (zlib's message in `detail`).
    case corrupt(path: String, detail: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "\(path): no such file; check the path"
        case .isDirectory(let path):
            return "\(path): is a folder, expected a .gz or plain file"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read (\(reason)); check its permissions"
        case .corrupt(let path, let detail):
            return "\(path): damaged or truncated gzip data (\(detail)); download or decompress it again"
        }
    }
}
