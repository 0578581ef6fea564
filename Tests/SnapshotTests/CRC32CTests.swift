// CRC-32C against its published check value, and combining checksums of adjacent pieces.

import Testing
import TestSupport
@testable import Snapshot

@Suite("CRC-32C")
struct CRC32CTests {
    @Test("the check value of \"123456789\" is E3069283 (RFC 3720, appendix B.4)")
    func checkValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    @Test("updating piece by piece equals one pass, at every split around the 8-byte stride")
    func incremental() {
        var rng = SplitMix64(seed: 1)
        let bytes = (0..<100).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            var c = CRC32C()
            c.update(Array(bytes[0..<split]))
            c.update(Array(bytes[split...]))
            #expect(c.value == whole)
        }
    }

    @Test("combine(crc(A), crc(B), |B|) equals crc(A followed by B)")
    func combine() {
        var rng = SplitMix64(seed: 2)
        let bytes = (0..<5000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let whole = CRC32C.checksum(bytes)
        for split in [0, 1, 7, 8, 9, 100, 1023, 4096, 4999, 5000] {
            let a = CRC32C.checksum(Array(bytes[0..<split]))
            let b = CRC32C.checksum(Array(bytes[split...]))
            #expect(CRC32C.combine(a, b, lengthOfB: UInt64(bytes.count - split)) == whole, "split at \(split)")
        }
    }
}
