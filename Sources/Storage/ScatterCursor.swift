// Consecutive stretches of a scatter list, for a backend splitting one request between files.

/// Hands out consecutive stretches of a scatter list, front to back (a backend splitting one
/// request between two files).
struct ScatterCursor {
    let buffers: [UnsafeMutableRawBufferPointer]
    private var index = 0
    private var skip = 0

    init(_ buffers: [UnsafeMutableRawBufferPointer]) { self.buffers = buffers }

    /// The next `count` bytes as the pieces that hold them (the first and last cut to fit).
    mutating func take(_ count: Int) -> [UnsafeMutableRawBufferPointer] {
        var pieces: [UnsafeMutableRawBufferPointer] = []
        var left = count
        while left > 0 {
            precondition(index < buffers.count, "took past the end of the scatter list")
            let buffer = buffers[index]
            let n = min(buffer.count - skip, left)
            if n > 0 { pieces.append(UnsafeMutableRawBufferPointer(rebasing: buffer[skip..<(skip + n)])) }
            left -= n
            skip += n
            if skip == buffer.count {
                index += 1
                skip = 0
            }
        }
        return pieces
    }
}
