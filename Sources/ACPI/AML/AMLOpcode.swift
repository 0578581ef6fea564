// AML opcode and prefix bytes used by the encoder (ACPI 6.5 §20.3, "AML Byte Stream Byte Values").

/// Byte values of the AML grammar. Extended opcodes follow `extPrefix` (0x5B).
enum AMLOpcode {
    static let zero: UInt8 = 0x00
    static let one: UInt8 = 0x01
    static let name: UInt8 = 0x08
    static let bytePrefix: UInt8 = 0x0A
    static let wordPrefix: UInt8 = 0x0B
    static let dwordPrefix: UInt8 = 0x0C
    static let stringPrefix: UInt8 = 0x0D
    static let qwordPrefix: UInt8 = 0x0E
    static let scope: UInt8 = 0x10
    static let buffer: UInt8 = 0x11
    static let package: UInt8 = 0x12
    static let varPackage: UInt8 = 0x13
    static let method: UInt8 = 0x14
    static let dualNamePrefix: UInt8 = 0x2E
    static let multiNamePrefix: UInt8 = 0x2F
    static let extPrefix: UInt8 = 0x5B
    static let rootChar: UInt8 = 0x5C
    static let parentPrefixChar: UInt8 = 0x5E
    static let local0: UInt8 = 0x60
    static let arg0: UInt8 = 0x68
    static let store: UInt8 = 0x70
    static let add: UInt8 = 0x72
    static let subtract: UInt8 = 0x74
    static let shiftLeft: UInt8 = 0x79
    static let shiftRight: UInt8 = 0x7A
    static let and: UInt8 = 0x7B
    static let or: UInt8 = 0x7D
    static let not: UInt8 = 0x80
    static let createDWordField: UInt8 = 0x8A
    static let createWordField: UInt8 = 0x8B
    static let createByteField: UInt8 = 0x8C
    static let lAnd: UInt8 = 0x90
    static let lOr: UInt8 = 0x91
    static let lNot: UInt8 = 0x92
    static let lEqual: UInt8 = 0x93
    static let lGreater: UInt8 = 0x94
    static let lLess: UInt8 = 0x95
    static let notify: UInt8 = 0x86
    static let `if`: UInt8 = 0xA0
    static let `else`: UInt8 = 0xA1
    static let `return`: UInt8 = 0xA4
    static let ones: UInt8 = 0xFF

    // Second bytes after `extPrefix`.
    static let extOpRegion: UInt8 = 0x80
    static let extField: UInt8 = 0x81
    static let extDevice: UInt8 = 0x82
    static let extProcessor: UInt8 = 0x83
    static let extDebug: UInt8 = 0x31
}

extension Array where Element == UInt8 {
    /// Appends `value` little-endian in 2 bytes.
    mutating func appendLE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
    }

    /// Appends `value` little-endian in 4 bytes.
    mutating func appendLE(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Appends `value` little-endian in 8 bytes.
    mutating func appendLE(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Overwrites 4 bytes at `offset` with `value` little-endian.
    mutating func storeLE(_ value: UInt32, at offset: Int) {
        for i in 0..<4 { self[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(8 * i)) }
    }
}
