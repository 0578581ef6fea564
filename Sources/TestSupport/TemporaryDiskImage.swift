// Test helper: a disk image file in the temporary directory, removed when released.

import Foundation

/// A raw image of `byteCount` bytes filled by `pattern(byteIndex)`, at a unique temporary path.
public final class TemporaryDiskImage {
    public let path: String

    public init(byteCount: Int, pattern: (Int) -> UInt8 = { _ in 0 }) {
        path = NSTemporaryDirectory() + "partita-disk-\(UUID().uuidString).img"
        let bytes = (0..<byteCount).map(pattern)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The file's current bytes.
    public var contents: [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

    /// `count` bytes at `offset` of the file.
    public func bytes(at offset: Int, count: Int) -> [UInt8] { Array(contents[offset..<offset + count]) }
}
