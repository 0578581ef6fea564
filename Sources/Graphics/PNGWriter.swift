// Encodes a DisplayFrame as a PNG image (8-bit RGB, zlib-compressed) for headless screenshots.

import CZlib
import EmulatorCore

/// A PNG encoder for rendered frames (PNG specification, W3C 2003): signature, IHDR (bit depth
/// 8, colour type 2 = truecolour, no interlace), one IDAT with the zlib stream of the scanlines
/// (each prefixed by filter type 0, none), IEND; CRC-32 over each chunk's type and data (zlib's
/// `crc32`). Filtering is not attempted: screenshots are small and zlib does well on them.
public enum PNGWriter {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public enum EncodeError: Error, CustomStringConvertible {
        /// PNG images have at least one pixel per side.
        case emptyFrame
        case compressionFailed(code: Int32)

        public var description: String {
            switch self {
            case .emptyFrame: return "cannot write a PNG of an empty frame"
            case .compressionFailed(let code): return "zlib compression failed (error \(code))"
            }
        }
    }

    /// The PNG file bytes for `frame`.
    public static func encode(_ frame: DisplayFrame) throws(EncodeError) -> [UInt8] {
        guard frame.width > 0, frame.height > 0 else { throw .emptyFrame }
        var raw = [UInt8](repeating: 0, count: frame.height * (1 + 3 * frame.width))
        var o = 0
        for y in 0..<frame.height {
            raw[o] = 0  // filter type: none
            o += 1
            for x in 0..<frame.width {
                let p = frame.pixels[y * frame.width + x]
                raw[o] = UInt8(truncatingIfNeeded: p >> 16)
                raw[o + 1] = UInt8(truncatingIfNeeded: p >> 8)
                raw[o + 2] = UInt8(truncatingIfNeeded: p)
                o += 3
            }
        }
        let compressed = try deflate(raw)
        var header: [UInt8] = []
        appendBigEndian(UInt32(frame.width), to: &header)
        appendBigEndian(UInt32(frame.height), to: &header)
        header += [8, 2, 0, 0, 0]  // bit depth, colour type, compression, filter, interlace
        var png = signature
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", compressed, to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    private static func deflate(_ data: [UInt8]) throws(EncodeError) -> [UInt8] {
        var bound = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let status = out.withUnsafeMutableBufferPointer { dst in
            data.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &bound, src.baseAddress, uLong(data.count), Z_BEST_COMPRESSION)
            }
        }
        guard status == Z_OK else { throw .compressionFailed(code: status) }
        out.removeSubrange(Int(bound)...)
        return out
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        appendBigEndian(UInt32(data.count), to: &png)
        let typeAndData = Array(type.utf8) + data
        png += typeAndData
        let crc = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        appendBigEndian(UInt32(crc), to: &png)
    }

    private static func appendBigEndian(_ v: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8),
                  UInt8(truncatingIfNeeded: v)]
    }
}
