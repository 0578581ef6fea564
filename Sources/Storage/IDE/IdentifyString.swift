// ASCII fields and the integrity word of IDENTIFY (PACKET) DEVICE data.

/// Helpers for the 256-word IDENTIFY data both kinds of device return.
enum IdentifyString {
    /// Stores `text` space-padded in `words` words from `index`, two characters a word with
    /// the first in bits 15:8 (ATA/ATAPI-6 §8.15.9: "the first character in bits 15:8").
    static func store(_ text: String, into w: inout [UInt16], at index: Int, words: Int) {
        let bytes = text.utf8.map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: " ") }
        for i in 0..<words {
            let high = 2 * i < bytes.count ? bytes[2 * i] : 0x20
            let low = 2 * i + 1 < bytes.count ? bytes[2 * i + 1] : 0x20
            w[index + i] = UInt16(high) << 8 | UInt16(low)
        }
    }

    /// Reads `words` words from `index` back as a string (trailing spaces dropped).
    static func load(_ w: [UInt16], at index: Int, words: Int) -> String {
        var bytes: [UInt8] = []
        for i in 0..<words { bytes += [UInt8(w[index + i] >> 8), UInt8(w[index + i] & 0xFF)] }
        while bytes.last == 0x20 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Word 255, the integrity word (ATA/ATAPI-6 §8.15.62): signature A5h in bits 7:0 and a
    /// checksum in bits 15:8 that makes the 512 bytes sum to zero modulo 256.
    static func seal(_ w: inout [UInt16]) {
        var sum: UInt8 = 0xA5
        for i in 0..<255 { sum &+= UInt8(w[i] & 0xFF) &+ UInt8(w[i] >> 8) }
        w[255] = UInt16(0 &- sum) << 8 | 0xA5
    }
}
