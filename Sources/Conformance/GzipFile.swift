// Whole-file reading of gzip-compressed data through zlib, with plain files passed through.

import CZlib
import Foundation

/// Reads a file that may be gzip-compressed into memory.
///
/// zlib's `gzread` decompresses gzip members and passes non-gzip files through unchanged
/// ("transparent" mode), so `.MOO.gz`, `.MOO`, `metadata.json` and `metadata.json.gz` all go
/// through `read(path:)`. `decompress(_:)` does the same for bytes already in memory.
public enum GzipFile {
    /// Returns the decompressed contents of the file at `path`.
    public static func read(path: String) throws(GzipFileError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .notFound(path: path)
        }
        if isDirectory.boolValue { throw .isDirectory(path: path) }
        guard let file = gzopen(path, "rb") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        // A larger internal buffer halves the number of read(2) calls for multi-megabyte files.
        gzbuffer(file, 1 << 17)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                let detail = zlibMessage(file)
                gzclose_r(file)
                throw .corrupt(path: path, detail: detail)
            }
            if n == 0 { break }
            output.append(contentsOf: chunk[0..<Int(n)])
        }
        // gzclose_r reports Z_BUF_ERROR when the data ended inside a gzip member.
        let status = gzclose_r(file)
        if status == Z_BUF_ERROR {
            throw .corrupt(path: path, detail: "unexpected end of file")
        } else if status != Z_OK {
            throw .corrupt(path: path, detail: "zlib status \(status)")
        }
        return output
    }

    /// Decompresses gzip data held in memory; data without the gzip magic number is returned as is.
    /// `name` only labels errors.
    public static func decompress(_ data: [UInt8], name: String = "<memory>") throws(GzipFileError) -> [UInt8] {
        guard data.count >= 2, data[0] == 0x1F, data[1] == 0x8B else { return data }
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header and trailer (zlib manual, inflateInit2).
        var status = inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .corrupt(path: name, detail: "inflateInit2 failed (\(status))") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = data
        let total = input.count
        var consumed = 0
        repeat {
            let (produced, used, result) = input.withUnsafeMutableBufferPointer { inBuf in
                chunk.withUnsafeMutableBufferPointer { outBuf in
                    // SAFETY: next_in/avail_in stay within `inBuf`, next_out/avail_out within `outBuf`;
                    // both buffers outlive this closure and zlib only touches them during inflate().
                    stream.next_in = inBuf.baseAddress! + consumed
                    stream.avail_in = UInt32(total - consumed)
                    stream.next_out = outBuf.baseAddress!
                    stream.avail_out = UInt32(outBuf.count)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    return (outBuf.count - Int(stream.avail_out), (total - consumed) - Int(stream.avail_in), r)
                }
            }
            consumed += used
            output.append(contentsOf: chunk[0..<produced])
            status = result
            if status == Z_STREAM_END {
                // Concatenated gzip members form one stream (RFC 1952 §2.2).
                if consumed < total, total - consumed >= 2, input[consumed] == 0x1F, input[consumed + 1] == 0x8B {
                    inflateReset(&stream)
                    status = Z_OK
                    continue
                }
                break
            }
            if status != Z_OK {
                let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw .corrupt(path: name, detail: message)
            }
            if used == 0 && produced == 0 {
                throw .corrupt(path: name, detail: "unexpected end of file")
            }
        } while true
        return output
    }

    /// Compresses `data` as a single gzip member (fixtures and tools; not used on the test path).
    public static func compress(_ data: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                   Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
        defer { deflateEnd(&stream) }
        var input = data
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 64)
        let written = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                // SAFETY: deflateBound sized `outBuf` for the whole input in one Z_FINISH call.
                stream.next_in = inBuf.baseAddress
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                let r = deflate(&stream, Z_FINISH)
                precondition(r == Z_STREAM_END, "deflate did not finish: \(r)")
                return outBuf.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<written])
    }

    private static func zlibMessage(_ file: gzFile) -> String {
        var code: Int32 = 0
        guard let message = gzerror(file, &code) else { return "zlib error" }
        let text = String(cString: message)
        if code == Z_ERRNO { return String(cString: strerror(errno)) }
        return text.isEmpty ? "zlib error \(code)" : text
    }
}
