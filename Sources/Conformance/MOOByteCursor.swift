// A bounds-checked little-endian reader over part of a byte buffer (MOO parsing).

/// Reads little-endian fields from `bytes[position..<end]`. Every read checks the remaining length
/// and throws `MOOError.truncated` instead of trapping, so malformed files cannot crash the parser.
struct MOOByteCursor {
    /// One chunk: a four-character id and the byte range of its payload.
    struct Chunk {
        var id: MOOChunkID
        /// Offset of the chunk header (for messages).
        var offset: Int
        var payload: Range<Int>
    }

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        position = 0
        end = bytes.count
    }

    init(_ bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    private func need(_ count: Int, _ context: @autoclosure () -> String) throws(MOOError) {
        if count > end - position { throw .truncated(context: context(), offset: position) }
    }

    mutating func u8(_ context: @autoclosure () -> String) throws(MOOError) -> UInt8 {
        try need(1, context())
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16(_ context: @autoclosure () -> String) throws(MOOError) -> UInt16 {
        try need(2, context())
        defer { position += 2 }
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    mutating func u32(_ context: @autoclosure () -> String) throws(MOOError) -> UInt32 {
        try need(4, context())
        defer { position += 4 }
        return UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8
            | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }

    mutating func u64(_ context: @autoclosure () -> String) throws(MOOError) -> UInt64 {
        let low = try u32(context())
        let high = try u32(context())
        return UInt64(high) << 32 | UInt64(low)
    }

    mutating func bytes(_ count: Int, _ context: @autoclosure () -> String) throws(MOOError) -> [UInt8] {
        try need(count, context())
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// Reads a u32 length followed by that many bytes (the NAME/BYTS/QUEU layout).
    mutating func lengthPrefixedBytes(_ context: @autoclosure () -> String) throws(MOOError) -> [UInt8] {
        let count = try u32(context())
        if Int(count) > remaining { throw .truncated(context: context(), offset: position) }
        return try bytes(Int(count), context())
    }

    mutating func skip(_ count: Int, _ context: @autoclosure () -> String) throws(MOOError) {
        try need(count, context())
        position += count
    }

    /// Reads a chunk header and steps over its payload; the payload range is bounded by `end`.
    mutating func chunk(_ context: @autoclosure () -> String) throws(MOOError) -> Chunk {
        let offset = position
        try need(8, "\(context()) chunk header")
        let id = MOOChunkID(rawValue: UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8
            | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24)
        position += 4
        let length = try u32(context())
        guard Int(length) <= remaining else {
            throw .chunkOverrun(chunk: id.description, offset: offset, length: length, available: remaining)
        }
        let payload = position..<position + Int(length)
        position += Int(length)
        return Chunk(id: id, offset: offset, payload: payload)
    }

    /// A cursor over `range`, which must lie inside this cursor's bytes.
    func sub(_ range: Range<Int>) -> MOOByteCursor { MOOByteCursor(bytes, range: range) }
}
