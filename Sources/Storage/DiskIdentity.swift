// What names a disk image in saved state.

/// A backing file as saved state records it: path, size and modification stamp. Restoring a
/// snapshot onto a disk whose identity differs is refused (the guest's cached view of the
/// disk would no longer match its contents).
public struct DiskIdentity: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var byteCount: UInt64
    /// st_mtime in nanoseconds since the epoch.
    public var modificationNanoseconds: Int64

    public init(path: String, byteCount: UInt64, modificationNanoseconds: Int64) {
        self.path = path
        self.byteCount = byteCount
        self.modificationNanoseconds = modificationNanoseconds
    }

    public var description: String { "\(path) (\(byteCount) bytes, mtime \(modificationNanoseconds) ns)" }
}
