// Why a disk image cannot be inserted into a floppy drive.

import Storage

/// A failed `FloppyController.insert`. Messages tell a user what to do.
public enum FloppyMediaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The image size matches no standard floppy format.
    case unknownSize(bytes: UInt64)
    /// Only drives 0 and 1 exist.
    case noSuchDrive(Int)
    /// The backend uses blocks other than 512 bytes.
    case unsupportedBlockSize(Int)

    public var description: String {
        switch self {
        case .unknownSize(let bytes):
            let sizes = FloppyGeometry.standard.map { "\($0.byteCount)" }.joined(separator: ", ")
            return "a floppy image of \(bytes) bytes matches no floppy format; use a raw image of one of \(sizes) bytes"
        case .noSuchDrive(let d):
            return "floppy drive \(d) does not exist; use drive 0 (A:) or 1 (B:)"
        case .unsupportedBlockSize(let size):
            return "floppy images need 512-byte blocks; this backend has \(size)-byte blocks"
        }
    }
}
