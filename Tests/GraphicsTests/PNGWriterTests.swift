import Testing
import CZlib
import EmulatorCore
@testable import Graphics

@Suite("PNG writer")
struct PNGWriterTests {
    static func bigEndian(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
    }

    /// Splits a PNG into chunks, checking each CRC.
    static func chunks(_ png: [UInt8]) -> [(type: String, data: [UInt8])] {
        var out: [(String, [UInt8])] = []
        var o = 8
        while o + 12 <= png.count {
            let length = Int(bigEndian(png, o))
            let typeAndData = Array(png[(o + 4)..<(o + 8 + length)])
            let crc = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            #expect(UInt32(crc) == bigEndian(png, o + 8 + length))
            out.append((String(decoding: typeAndData[0..<4], as: UTF8.self), Array(typeAndData[4...])))
            o += 12 + length
        }
        #expect(o == png.count)
        return out
    }

    @Test("signature, IHDR 8-bit RGB, IDAT inflates to filtered scanlines, IEND; every CRC checks")
    func roundTrip() throws {
        let frame = DisplayFrame(width: 3, height: 2, pixels: [0xFF_0000, 0x00_FF00, 0x00_00FF,
                                                               0x12_3456, 0xFF_FFFF, 0x00_0000])
        let png = try PNGWriter.encode(frame)
        #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let c = Self.chunks(png)
        #expect(c.map(\.type) == ["IHDR", "IDAT", "IEND"])
        #expect(c[0].data == [0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0])
        #expect(c[2].data.isEmpty)
        var raw = [UInt8](repeating: 0, count: 64)
        var rawLength = uLongf(raw.count)
        let idat = c[1].data
        let status = raw.withUnsafeMutableBufferPointer { dst in
            idat.withUnsafeBufferPointer { uncompress(dst.baseAddress, &rawLength, $0.baseAddress, uLong($0.count)) }
        }
        #expect(status == Z_OK)
        #expect(Array(raw[0..<Int(rawLength)]) == [0, 0xFF, 0, 0, 0, 0xFF, 0, 0, 0, 0xFF,
                                                   0, 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFF, 0, 0, 0])
    }

    @Test("a rendered VGA frame encodes; an empty frame is refused")
    func renderedFrame() throws {
        let b = VGABench()
        b.setMode(.mode13)
        b.setDAC(1, 0x3F, 0, 0)
        b.writeb(0xA_0000, 1)
        let png = try PNGWriter.encode(b.frame())
        let c = Self.chunks(png)
        #expect(Self.bigEndian(c[0].data, 0) == 320 && Self.bigEndian(c[0].data, 4) == 200)
        #expect(throws: PNGWriter.EncodeError.self) { try PNGWriter.encode(DisplayFrame(width: 0, height: 0)) }
    }

    @Test("CP437 maps box drawing, pictographs and Latin letters to Unicode")
    func codePage437() {
        #expect(CodePage437.string([0x41, 0xC9, 0xCD, 0xBB, 0x01, 0x82, 0xE1, 0xFB, 0x7F, 0x00]) == "A╔═╗☺éß√⌂ ")
        #expect(CodePage437.scalars.count == 256)
        // Every code point has its own character, except that 0x00 shows as a space like 0x20.
        #expect(Set(CodePage437.scalars).count == 255)
    }
}
