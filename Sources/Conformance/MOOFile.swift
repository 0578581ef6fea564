// A parsed MOO test file.

/// The whole content of one MOO file.
public struct MOOFile: Equatable, Sendable {
    public var header: MOOFileHeader
    public var metadata: MOOFileMetadata?
    /// File-wide masks of defined register bits (top-level `RMSK`/`RM32`), if any.
    public var registerMasks: MOORegisterSet?
    public var tests: [MOOTest]

    public init(header: MOOFileHeader, metadata: MOOFileMetadata? = nil, registerMasks: MOORegisterSet? = nil,
                tests: [MOOTest] = []) {
        self.header = header
        self.metadata = metadata
        self.registerMasks = registerMasks
        self.tests = tests
    }

    /// Reads and parses the (optionally gzip-compressed) file at `path`.
    public static func load(path: String) throws(MOOError) -> MOOFile {
        let bytes: [UInt8]
        do {
            bytes = try GzipFile.read(path: path)
        } catch {
            throw .unreadable(error)
        }
        return try MOOReader.parse(bytes)
    }
}
