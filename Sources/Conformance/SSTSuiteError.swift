// Errors from setting up a conformance run.

/// Why a conformance run could not start.
public enum SSTSuiteError: Error, Equatable, Sendable, CustomStringConvertible {
    case pathNotFound(String)
    case noTestFiles([String])
    case metadata(SSTMetadataError)

    public var description: String {
        switch self {
        case .pathNotFound(let path):
            return "\(path): no such file or folder"
        case .noTestFiles(let paths):
            return "no .MOO or .MOO.gz files in \(paths.joined(separator: ", "))"
        case .metadata(let error):
            return error.description
        }
    }
}
