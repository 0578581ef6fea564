// Builds MOO byte streams by hand for reader and runner tests.

import Conformance

/// Little-endian MOO chunk writer.
struct MOOBuilder {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { u32(UInt32(truncatingIfNeeded: v)); u32(UInt32(v >> 32)) }
    mutating func ascii(_ s: String) { bytes += Array(s.utf8) }

    /// Appends chunk `id` whose payload is built by `body`.
    mutating func chunk(_ id: String, _ body: (inout MOOBuilder) -> Void) {
        var inner = MOOBuilder()
        body(&inner)
        ascii(id)
        u32(UInt32(inner.bytes.count))
        bytes += inner.bytes
    }

    static func header(count: UInt32, cpu: String) -> (inout MOOBuilder) -> Void {
        { b in b.u8(1); b.u8(1); b.u16(0); b.u32(count); b.ascii(cpu) }
    }

    static func meta(opcode: UInt32, mnemonic: String, count: UInt32) -> (inout MOOBuilder) -> Void {
        { b in
            b.u8(1); b.u8(0); b.u8(6); b.u32(opcode)
            b.ascii(mnemonic.padding(toLength: 8, withPad: " ", startingAt: 0))
            b.u32(count); b.u64(0xDEAD_BEEF); b.u8(0); b.u8(0); b.u8(0); b.u8(0)
        }
    }

    /// A REGS chunk body with the given 16-bit registers (in REGS bit order).
    static func regs(_ values: [MOORegister: UInt16]) -> (inout MOOBuilder) -> Void {
        { b in
            var mask: UInt16 = 0
            for (bit, r) in MOORegister.regsOrder.enumerated() where values[r] != nil { mask |= 1 << UInt16(bit) }
            b.u16(mask)
            for r in MOORegister.regsOrder { if let v = values[r] { b.u16(v) } }
        }
    }

    static func rg32(_ values: [MOORegister: UInt32]) -> (inout MOOBuilder) -> Void {
        { b in
            var mask: UInt32 = 0
            for r in MOORegister.rg32Order where values[r] != nil { mask |= 1 << UInt32(r.rawValue) }
            b.u32(mask)
            for r in MOORegister.rg32Order { if let v = values[r] { b.u32(v) } }
        }
    }

    static func ram(_ entries: [(UInt32, UInt8)]) -> (inout MOOBuilder) -> Void {
        { b in
            b.u32(UInt32(entries.count))
            for (a, v) in entries { b.u32(a); b.u8(v) }
        }
    }

    static func lengthPrefixed(_ data: [UInt8]) -> (inout MOOBuilder) -> Void {
        { b in b.u32(UInt32(data.count)); b.bytes += data }
    }

    /// A complete 16-bit test chunk body.
    static func test(index: UInt32, name: String, bytes: [UInt8], initial: [MOORegister: UInt16],
                     initialRAM: [(UInt32, UInt8)], final: [MOORegister: UInt16], finalRAM: [(UInt32, UInt8)],
                     exception: (UInt8, UInt32)? = nil) -> (inout MOOBuilder) -> Void {
        { b in
            b.u32(index)
            b.chunk("GMET") { $0.bytes += [1, 2, 3, 4, 5, 6, 7, 8, 0, 0] }
            b.chunk("NAME", lengthPrefixed(Array(name.utf8)))
            b.chunk("BYTS", lengthPrefixed(bytes))
            b.chunk("INIT") { s in
                s.chunk("REGS", regs(initial))
                s.chunk("RAM ", ram(initialRAM))
                s.chunk("QUEU", lengthPrefixed([]))
            }
            b.chunk("FINA") { s in
                s.chunk("REGS", regs(final))
                s.chunk("RAM ", ram(finalRAM))
            }
            b.chunk("CYCL") { $0.u32(0) }
            if let (vector, address) = exception { b.chunk("EXCP") { $0.u8(vector); $0.u32(address) } }
            b.chunk("HASH") { $0.bytes += (0..<20).map { UInt8($0) } }
        }
    }
}
