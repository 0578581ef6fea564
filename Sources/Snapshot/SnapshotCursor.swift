// Sequential, bounds-checked reading of the records between the manifest and the trailer.

/// Reads the file front to back from a start offset up to the trailer, refusing any read that
/// would cross it, so no length field can make the reader look past the records.
struct SnapshotCursor {
    let file: POSIXFile
    /// Offset of the trailer: no record may extend past it.
    let end: UInt64
    private(set) var offset: UInt64

    init(file: POSIXFile, end: UInt64, offset: UInt64) {
        self.file = file
        self.end = end
        self.offset = offset
    }

    /// Bytes left before the trailer.
    var remaining: UInt64 { end >= offset ? end - offset : 0 }

    /// Reads the next `count` bytes, or throws truncation naming `what` if fewer are left.
    mutating func take(_ count: Int, _ what: String) throws(SnapshotFileError) -> [UInt8] {
        try ensure(count, what)
        let bytes = try file.read(count: count, at: offset, what: what)
        offset += UInt64(count)
        return bytes
    }

    /// Reads the next `buffer.count` bytes into `buffer`.
    mutating func take(into buffer: UnsafeMutableRawBufferPointer, _ what: String) throws(SnapshotFileError) {
        try ensure(buffer.count, what)
        try file.read(into: buffer, at: offset, what: what)
        offset += UInt64(buffer.count)
    }

    private func ensure(_ count: Int, _ what: String) throws(SnapshotFileError) {
        guard count >= 0 && UInt64(count) <= remaining else {
            throw .truncated(offset: end, expected: "\(what) (\(count) bytes from offset \(offset); \(remaining) left before the trailer)")
        }
    }
}
