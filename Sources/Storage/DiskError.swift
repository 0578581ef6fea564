// Host-side disk failures, as values.

/// Why a disk backend could not open or complete a request. Messages tell a user what to do.
public enum DiskError: Error, Equatable, Sendable, CustomStringConvertible {
    /// open(2) failed.
    case cannotOpen(path: String, errno: Int32)
    /// The image holds less than one block.
    case tooSmall(path: String, bytes: UInt64)
    /// The request runs past the end of the device.
    case outOfRange(offset: UInt64, count: Int)
    /// A write to a device opened read-only.
    case readOnly
    /// pread/pwrite/fsync/fstat failed.
    case io(operation: String, errno: Int32)
    /// The file ended before the device did (it shrank under us).
    case shortRead(offset: UInt64)
    /// The device was closed.
    case closed

    public var description: String {
        switch self {
        case .cannotOpen(let path, let e):
            return "cannot open disk image \(path): \(Self.text(e)) (check the path and its permissions)"
        case .tooSmall(let path, let bytes):
            return "disk image \(path) is \(bytes) bytes; it needs at least one 512-byte block"
        case .outOfRange(let offset, let count):
            return "disk request of \(count) bytes at \(offset) runs past the end of the disk"
        case .readOnly:
            return "the disk is read-only"
        case .io(let operation, let e):
            return "disk \(operation) failed: \(Self.text(e)) (check the host file system)"
        case .shortRead(let offset):
            return "disk image ended early at byte \(offset) (was it truncated while in use?)"
        case .closed:
            return "the disk image was closed"
        }
    }

    static func text(_ e: Int32) -> String {
        guard let s = strerror(e) else { return "errno \(e)" }
        return String(cString: s)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
