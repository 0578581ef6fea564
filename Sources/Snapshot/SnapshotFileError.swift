// Why a snapshot file could not be written or read.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every failure of the snapshot container, with a one-line description that names what is
/// wrong and where, so `partita snapshot info` and restore can show it as is.
public enum SnapshotFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call on the file failed (`errno` as reported).
    case io(operation: String, path: String, errno: Int32)
    /// The file does not start with the snapshot magic.
    case notASnapshot(path: String)
    /// The file was written by a newer Partita.
    case newerFormat(found: UInt32, supported: UInt32)
    /// A format version this Partita never wrote (0, or an obsolete one).
    case unsupportedFormat(found: UInt32)
    /// The file ends before a structure it announces.
    case truncated(offset: UInt64, expected: String)
    /// A checksum does not match what was read.
    case checksumMismatch(what: String, offset: UInt64)
    /// A structure is inconsistent or out of bounds.
    case malformed(offset: UInt64, reason: String)
    /// The caller's RAM buffer does not have the snapshot's RAM size.
    case ramSizeMismatch(snapshot: UInt64, buffer: Int)
    /// The writer was given something it cannot store.
    case invalidInput(reason: String)
    /// zstd failed to compress or decompress.
    case compression(what: String, reason: String)

    public var description: String {
        switch self {
        case let .io(operation, path, errno):
            return "snapshot \(path): \(operation) failed: \(SnapshotFileError.errnoText(errno)) (errno \(errno))"
        case let .notASnapshot(path):
            return "\(path) is not a Partita snapshot (bad magic)"
        case let .newerFormat(found, supported):
            return "snapshot format version \(found) is newer than this Partita supports (\(supported))"
        case let .unsupportedFormat(found):
            return "snapshot format version \(found) is not supported"
        case let .truncated(offset, expected):
            return "snapshot is truncated at offset \(offset): expected \(expected)"
        case let .checksumMismatch(what, offset):
            return "snapshot checksum mismatch in \(what) at offset \(offset)"
        case let .malformed(offset, reason):
            return "snapshot is malformed at offset \(offset): \(reason)"
        case let .ramSizeMismatch(snapshot, buffer):
            return "snapshot holds \(snapshot) bytes of RAM but the machine has \(buffer)"
        case let .invalidInput(reason):
            return "cannot write snapshot: \(reason)"
        case let .compression(what, reason):
            return "snapshot \(what): zstd: \(reason)"
        }
    }

    private static func errnoText(_ e: Int32) -> String {
        // Optional on Glibc, non-optional on Darwin.
        let text: UnsafeMutablePointer<CChar>? = strerror(e)
        guard let text else { return "error" }
        return String(cString: text)
    }
}
