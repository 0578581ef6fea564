// Errors from parsing the MOO test container.

/// Why a MOO file could not be parsed. Offsets are byte offsets into the decompressed data.
public enum MOOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read or decompressed.
    case unreadable(GzipFileError)
    /// The data does not start with a `MOO ` chunk.
    case notMOO(foundChunk: String)
    /// The data ends inside a field or chunk header.
    case truncated(context: String, offset: Int)
    /// A chunk's length field points past the end of its enclosing data.
    case chunkOverrun(chunk: String, offset: Int, length: UInt32, available: Int)
    /// A chunk the format requires is absent.
    case missingChunk(String, context: String)
    /// A field holds a value the format does not allow.
    case invalid(context: String, detail: String)

    public var description: String {
        switch self {
        case .unreadable(let error):
            return error.description
        case .notMOO(let found):
            return "not a MOO test file (starts with chunk '\(found)', expected 'MOO ')"
        case .truncated(let context, let offset):
            return "MOO data ends early in \(context) at byte \(offset); the file is truncated or damaged"
        case .chunkOverrun(let chunk, let offset, let length, let available):
            return "MOO chunk '\(chunk)' at byte \(offset) claims \(length) bytes but only \(available) remain; "
                + "the file is truncated or damaged"
        case .missingChunk(let chunk, let context):
            return "MOO \(context) has no '\(chunk)' chunk; the file is damaged or of an unsupported version"
        case .invalid(let context, let detail):
            return "MOO \(context): \(detail)"
        }
    }
}
