// Flags the Intel SDM leaves undefined, per opcode: the fallback when a suite has no metadata.json.

/// Undefined-flag masks from the Intel SDM Vol. 2 "Flags Affected" sections, for suites without
/// metadata. A flag listed as undefined only for some operand values (a shift count other than 1,
/// a count of at least the operand size) is masked for the whole opcode, since a static mask cannot
/// depend on the count.
public enum ArchitecturalFlagMasks {
    static let o = UInt32(1 << 11), s = UInt32(1 << 7), z = UInt32(1 << 6), a = UInt32(1 << 4)
    static let p = UInt32(1 << 2), c = UInt32(1 << 0)

    /// FLAGS bits the SDM leaves undefined after the instruction `key` names (0 when all are defined).
    public static func undefinedFlags(for key: SSTOpcodeKey) -> UInt32 {
        let bytes = key.opcodeBytes
        guard let op = bytes.first else { return 0 }
        if bytes.count == 2 && op == 0x0F { return twoByte(bytes[1], reg: key.reg) }
        guard bytes.count == 1 else { return 0 }
        switch op {
        // AND, OR, XOR, TEST: AF undefined.
        case 0x08...0x0D, 0x20...0x25, 0x30...0x35, 0x84, 0x85, 0xA8, 0xA9:
            return a
        case 0x27, 0x2F:  // DAA, DAS
            return o
        case 0x37, 0x3F:  // AAA, AAS
            return o | s | z | p
        case 0x69, 0x6B:  // IMUL r, r/m, imm
            return s | z | a | p
        case 0x80...0x83:  // group 1: OR (1), AND (4), XOR (6)
            guard let reg = key.reg else { return a }
            return [1, 4, 6].contains(reg) ? a : 0
        case 0xC0, 0xC1, 0xD2, 0xD3:  // shifts/rotates by imm8 or CL
            guard let reg = key.reg else { return o | a | c }
            // ROL/ROR/RCL/RCR: OF undefined unless count is 1. SHL/SHR/SAL/SAR: AF undefined,
            // OF undefined unless count is 1, CF undefined when count >= operand size (SHL/SHR).
            return reg < 4 ? o : o | a | c
        case 0xD0, 0xD1:  // shifts/rotates by 1
            guard let reg = key.reg else { return a }
            return reg < 4 ? 0 : a
        case 0xD4, 0xD5:  // AAM, AAD
            return o | a | c
        case 0xF6, 0xF7:
            guard let reg = key.reg else { return o | s | z | a | p | c }
            switch reg {
            case 0, 1: return a  // TEST
            case 4, 5: return s | z | a | p  // MUL, IMUL
            case 6, 7: return o | s | z | a | p | c  // DIV, IDIV
            default: return 0
            }
        default:
            return 0
        }
    }

    static func twoByte(_ op: UInt8, reg: Int?) -> UInt32 {
        switch op {
        case 0xA3, 0xAB, 0xB3, 0xBB, 0xBA:  // BT, BTS, BTR, BTC
            return o | s | a | p
        case 0xA4, 0xA5, 0xAC, 0xAD:  // SHLD, SHRD
            return o | a | c
        case 0xAF:  // IMUL r, r/m
            return s | z | a | p
        case 0xBC, 0xBD:  // BSF, BSR
            return o | s | a | p | c
        default:
            return 0
        }
    }
}
