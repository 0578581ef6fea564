// Parser for the MOO ("Machine Opcode Operation") single-step test container.

/// Parses MOO data: a little-endian stream of chunks (4-byte id, u32 length, payload).
///
/// Layout (MOO format 1.1, as used by SingleStepTests 80286 and 80386): `MOO ` header, `META`,
/// optional file-wide `RMSK`/`RM32`, then `TEST` chunks holding `GMET`, `NAME`, `BYTS`,
/// `INIT`/`FINA` (with `REGS`/`RG32`, `RMSK`/`RM32`, `RAM `, `QUEU`, `EA32`), `CYCL`, `EXCP` and
/// `HASH` sub-chunks. Unknown chunk ids are skipped at every level; every length is checked
/// against the enclosing chunk, so malformed data throws `MOOError` rather than trapping.
public enum MOOReader {
    /// Parses a complete, already decompressed MOO file.
    public static func parse(_ bytes: [UInt8]) throws(MOOError) -> MOOFile {
        var cursor = MOOByteCursor(bytes)
        let first = try cursor.chunk("file header")
        guard first.id == .header else { throw .notMOO(foundChunk: first.id.description) }
        var file = MOOFile(header: try parseHeader(cursor.sub(first.payload)))
        // A test takes well over 64 bytes, which bounds what a corrupt header can make us reserve.
        file.tests.reserveCapacity(min(Int(file.header.testCount), bytes.count / 64))
        while !cursor.isAtEnd {
            let chunk = try cursor.chunk("top-level chunk")
            switch chunk.id {
            case .meta:
                file.metadata = try parseMeta(cursor.sub(chunk.payload))
            case .registerMask16, .registerMask32:
                file.registerMasks = try parseRegisters(cursor.sub(chunk.payload), id: chunk.id, context: "file-wide register mask")
            case .test:
                file.tests.append(try parseTest(cursor.sub(chunk.payload)))
            default:
                continue  // unknown top-level chunk: skipped by design
            }
        }
        return file
    }

    static func parseHeader(_ c: MOOByteCursor) throws(MOOError) -> MOOFileHeader {
        var c = c
        let context = "'MOO ' header"
        let major = try c.u8(context)
        let minor = try c.u8(context)
        try c.skip(2, context)
        let count = try c.u32(context)
        let id = try c.bytes(4, context)
        return MOOFileHeader(majorVersion: major, minorVersion: minor, testCount: count, cpuID: asciiTrimmed(id))
    }

    static func parseMeta(_ c: MOOByteCursor) throws(MOOError) -> MOOFileMetadata {
        var c = c
        let context = "'META' chunk"
        let major = try c.u8(context)
        let minor = try c.u8(context)
        let cpuType = try c.u8(context)
        let opcode = try c.u32(context)
        let mnemonic = try c.bytes(8, context)
        let count = try c.u32(context)
        let seed = try c.u64(context)
        let mode = try c.u8(context)
        // Three reserved bytes follow; newer writers may append more fields, so neither is required.
        return MOOFileMetadata(majorVersion: major, minorVersion: minor, cpuType: cpuType, opcode: opcode,
                               mnemonic: asciiTrimmed(mnemonic), testCount: count, seed: seed, cpuMode: mode)
    }

    static func parseTest(_ c: MOOByteCursor) throws(MOOError) -> MOOTest {
        var c = c
        let index = try c.u32("test index")
        let context = "test #\(index)"
        var name = ""
        var instruction: [UInt8] = []
        var initial: MOOCPUState?
        var final: MOOCPUState?
        var exception: MOOException?
        var hash: [UInt8] = []
        var cycles = 0
        while !c.isAtEnd {
            let chunk = try c.chunk(context)
            var p = c.sub(chunk.payload)
            switch chunk.id {
            case .name:
                name = asciiString(try p.lengthPrefixedBytes("\(context) NAME"))
            case .bytes:
                instruction = try p.lengthPrefixedBytes("\(context) BYTS")
            case .initial:
                initial = try parseState(p, context: "\(context) INIT")
            case .final:
                final = try parseState(p, context: "\(context) FINA")
            case .exception:
                let vector = try p.u8("\(context) EXCP")
                let address = try p.u32("\(context) EXCP")
                exception = MOOException(vector: vector, flagsAddress: address)
            case .hash:
                hash = try p.bytes(p.remaining, "\(context) HASH")
            case .cycles:
                cycles = Int(try p.u32("\(context) CYCL"))
            default:
                continue  // GMET and unknown sub-chunks
            }
        }
        guard let initial else { throw .missingChunk("INIT", context: context) }
        guard let final else { throw .missingChunk("FINA", context: context) }
        return MOOTest(index: index, name: name, bytes: instruction, initial: initial, final: final,
                       exception: exception, hash: hash, cycleCount: cycles)
    }

    static func parseState(_ c: MOOByteCursor, context: String) throws(MOOError) -> MOOCPUState {
        var c = c
        var registers: MOORegisterSet?
        var masks: MOORegisterSet?
        var ram: [MOOMemoryByte] = []
        var queue: [UInt8] = []
        var ea: MOOEffectiveAddress?
        while !c.isAtEnd {
            let chunk = try c.chunk(context)
            var p = c.sub(chunk.payload)
            switch chunk.id {
            case .registers16, .registers32:
                if registers != nil {
                    throw .invalid(context: context, detail: "more than one register chunk")
                }
                registers = try parseRegisters(p, id: chunk.id, context: "\(context) \(chunk.id)")
            case .registerMask16, .registerMask32:
                masks = try parseRegisters(p, id: chunk.id, context: "\(context) \(chunk.id)")
            case .ram:
                let what = "\(context) RAM"
                let count = Int(try p.u32(what))
                // Bound the count by the payload before allocating (5 bytes per entry).
                guard count <= p.remaining / 5 else {
                    throw .truncated(context: "\(what) (\(count) entries declared)", offset: p.position)
                }
                ram.reserveCapacity(count)
                for _ in 0..<count {
                    let address = try p.u32(what)
                    let value = try p.u8(what)
                    ram.append(MOOMemoryByte(address: address, value: value))
                }
            case .queue:
                queue = try p.lengthPrefixedBytes("\(context) QUEU")
            case .effectiveAddress32:
                let what = "\(context) EA32"
                ea = MOOEffectiveAddress(segment: try p.u8(what), selector: try p.u16(what), base: try p.u32(what),
                                         limit: try p.u32(what), offset: try p.u32(what),
                                         linearAddress: try p.u32(what), physicalAddress: try p.u32(what))
            default:
                continue
            }
        }
        guard let registers else { throw .missingChunk("REGS or RG32", context: context) }
        return MOOCPUState(registers: registers, registerMasks: masks, ram: ram, queue: queue, effectiveAddress: ea)
    }

    /// Parses `REGS`/`RMSK` (u16 bitmask + u16 values) or `RG32`/`RM32` (u32 bitmask + u32 values).
    /// Bitmask bits beyond the defined registers are consumed and ignored.
    static func parseRegisters(_ c: MOOByteCursor, id: MOOChunkID, context: String) throws(MOOError) -> MOORegisterSet {
        var c = c
        if id == .registers16 || id == .registerMask16 {
            var set = MOORegisterSet(width: .bits16)
            let mask = try c.u16(context)
            for bit in 0..<16 where mask & (1 << UInt16(bit)) != 0 {
                let value = try c.u16(context)
                if bit < MOORegister.regsOrder.count { set[MOORegister.regsOrder[bit]] = UInt32(value) }
            }
            return set
        } else {
            var set = MOORegisterSet(width: .bits32)
            let mask = try c.u32(context)
            for bit in 0..<32 where mask & (1 << UInt32(bit)) != 0 {
                let value = try c.u32(context)
                if bit < MOORegister.rg32Order.count { set[MOORegister.rg32Order[bit]] = value }
            }
            return set
        }
    }

    static func asciiString(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func asciiTrimmed(_ bytes: [UInt8]) -> String {
        var s = asciiString(bytes.prefix { $0 != 0 })
        while s.last == " " { s.removeLast() }
        return s
    }
}
