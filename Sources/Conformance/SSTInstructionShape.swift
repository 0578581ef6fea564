// Minimal 16-bit instruction-shape decoding: prefixes, opcode, ModR/M and its memory operand.

/// Just enough of an instruction's encoding to pick a per-ModR/M-reg flag mask and to evaluate
/// allow-list conditions (stack-segment use, LOCK legality, operand values). Real-mode, 16-bit
/// address size only (the tests' mode); this is not a disassembler.
public struct SSTInstructionShape: Equatable, Sendable {
    public var prefixes: [UInt8] = []
    /// One byte, or two for 0F-prefixed opcodes.
    public var opcode: [UInt8] = []
    public var modrm: UInt8?
    /// The ModR/M displacement (sign-extended for disp8), 0 when there is none.
    public var displacement: UInt16 = 0
    /// The first byte after opcode, ModR/M and displacement (an imm8, when the opcode has one).
    public var firstByteAfterOperands: UInt8?

    public init(bytes: [UInt8]) {
        var i = 0
        while i < bytes.count, Self.prefixBytes.contains(bytes[i]) {
            prefixes.append(bytes[i])
            i += 1
        }
        guard i < bytes.count else { return }
        if bytes[i] == 0x0F, i + 1 < bytes.count {
            opcode = [0x0F, bytes[i + 1]]
            i += 2
            if Self.twoByteHasModRM(bytes[i - 1]), i < bytes.count { modrm = bytes[i] }
        } else {
            opcode = [bytes[i]]
            i += 1
            if Self.oneByteHasModRM(opcode[0]), i < bytes.count { modrm = bytes[i] }
        }
        guard let m = modrm else {
            firstByteAfterOperands = i < bytes.count ? bytes[i] : nil
            return
        }
        i += 1
        let mod = m >> 6, rm = m & 7
        if mod == 1, i < bytes.count {
            displacement = UInt16(bitPattern: Int16(Int8(bitPattern: bytes[i])))
            i += 1
        } else if (mod == 2 || (mod == 0 && rm == 6)), i + 1 < bytes.count {
            displacement = UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
            i += 2
        }
        firstByteAfterOperands = i < bytes.count ? bytes[i] : nil
    }

    static let prefixBytes: Set<UInt8> = [0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3]

    /// The reg field of the ModR/M byte (the group member for group opcodes).
    public var modrmReg: Int? { modrm.map { Int($0 >> 3) & 7 } }

    /// Whether the ModR/M byte names a memory operand.
    public var hasMemoryOperand: Bool { modrm.map { $0 >> 6 != 3 } ?? false }

    /// The last segment-override prefix, if any.
    public var segmentOverride: UInt8? {
        prefixes.last { [0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65].contains($0) }
    }

    public var hasLockPrefix: Bool { prefixes.contains(0xF0) }

    public var opcodeKey: SSTOpcodeKey? {
        guard !opcode.isEmpty else { return nil }
        return SSTOpcodeKey(opcode: opcode.map(hexByte).joined())
    }

    /// True when the ModR/M memory operand is addressed through SS: an SS override, or (16-bit
    /// addressing, no override) a BP-based form — [bp+si], [bp+di], [bp+disp].
    public var memoryOperandUsesSS: Bool {
        guard let m = modrm, m >> 6 != 3 else { return false }
        if let o = segmentOverride { return o == 0x36 }
        let mod = m >> 6, rm = m & 7
        return rm == 2 || rm == 3 || (rm == 6 && mod != 0)
    }

    /// True when the instruction itself pushes or pops (PUSH/POP/CALL/RET/INT/IRET/ENTER/LEAVE/PUSHA…).
    public var accessesStack: Bool {
        guard let op = opcode.first else { return false }
        if opcode.count == 2 { return [0xA0, 0xA1, 0xA8, 0xA9].contains(opcode[1]) }
        switch op {
        case 0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x50...0x61, 0x68, 0x6A, 0x8F, 0x9A, 0x9C, 0x9D,
             0xC2, 0xC3, 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF, 0xE8:
            return true
        case 0xFF:
            return [2, 3, 6].contains(modrmReg ?? -1)
        default:
            return false
        }
    }

    /// True for an SS: override on an instruction whose implicit DS operand it redirects: MOVS/CMPS/
    /// LODS/OUTS (source), MOV AL/AX moffs (A0–A3) and XLAT.
    public var implicitOperandUsesSS: Bool {
        guard segmentOverride == 0x36, opcode.count == 1 else { return false }
        return [0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xAC, 0xAD, 0x6E, 0x6F, 0xD7].contains(opcode[0])
    }

    /// Whether any access of this instruction goes through SS.
    public var usesStackSegment: Bool { accessesStack || memoryOperandUsesSS || implicitOperandUsesSS }

    /// For string instructions (MOVS CMPS STOS LODS SCAS INS OUTS): element size and whether they
    /// step SI and DI; nil for anything else.
    public var stringOperation: (size: UInt32, usesSI: Bool, usesDI: Bool)? {
        guard opcode.count == 1 else { return nil }
        let op = opcode[0]
        let size: UInt32 = op & 1 == 0 ? 1 : 2
        switch op {
        case 0xA4...0xA7: return (size, true, true)
        case 0xAA, 0xAB, 0xAE, 0xAF, 0x6C, 0x6D: return (size, false, true)
        case 0xAC, 0xAD, 0x6E, 0x6F: return (size, true, false)
        default: return nil
        }
    }

    public var hasRepPrefix: Bool { prefixes.contains(0xF2) || prefixes.contains(0xF3) }

    /// The shift/rotate count of group-2 instructions (C0/C1 imm8, D0/D1 one, D2/D3 CL from `state`),
    /// masked to 5 bits as the 286 and later do; nil for other opcodes.
    public func shiftCount(in state: MOOCPUState) -> UInt32? {
        guard opcode.count == 1 else { return nil }
        switch opcode[0] {
        case 0xC0, 0xC1: return firstByteAfterOperands.map { UInt32($0) & 0x1F }
        case 0xD0, 0xD1: return 1
        case 0xD2, 0xD3: return ((state.registers[.ecx] ?? 0) & 0xFF) & 0x1F
        default: return nil
        }
    }

    /// Whether an i686 raises #UD for this instruction's LOCK prefix (Intel SDM Vol. 2, LOCK:
    /// "#UD if the LOCK prefix is used with an instruction not listed [ADD ADC AND BTC BTR BTS
    /// CMPXCHG CMPXCHG8B DEC INC NEG NOT OR SBB SUB XOR XADD XCHG] or the destination operand is
    /// not a memory operand"). False without a LOCK prefix.
    public var lockPrefixFaultsOnI686: Bool {
        guard hasLockPrefix, let op = opcode.first else { return false }
        guard hasMemoryOperand, let reg = modrmReg else { return true }
        if opcode.count == 2 {
            switch opcode[1] {
            case 0xAB, 0xB3, 0xBB, 0xB0, 0xB1, 0xC0, 0xC1: return false
            case 0xBA: return reg < 5
            case 0xC7: return reg != 1
            default: return true
            }
        }
        switch op {
        case 0x00, 0x01, 0x08, 0x09, 0x10, 0x11, 0x18, 0x19, 0x20, 0x21, 0x28, 0x29, 0x30, 0x31, 0x86, 0x87:
            return false
        case 0x80...0x83: return reg == 7  // CMP is not lockable
        case 0xF6, 0xF7: return reg != 2 && reg != 3  // NOT, NEG
        case 0xFE, 0xFF: return reg > 1  // INC, DEC
        default: return true
        }
    }

    /// Physical address of the ModR/M memory operand under real-mode 16-bit addressing, given the
    /// registers before the instruction; nil for register operands.
    public func memoryOperandAddress(_ r: MOORegisterSet) -> UInt32? {
        guard let m = modrm, m >> 6 != 3 else { return nil }
        func v(_ reg: MOORegister) -> UInt16 { UInt16(truncatingIfNeeded: r[reg] ?? 0) }
        let mod = m >> 6, rm = m & 7
        let base: UInt16
        switch rm {
        case 0: base = v(.ebx) &+ v(.esi)
        case 1: base = v(.ebx) &+ v(.edi)
        case 2: base = v(.ebp) &+ v(.esi)
        case 3: base = v(.ebp) &+ v(.edi)
        case 4: base = v(.esi)
        case 5: base = v(.edi)
        case 6: base = mod == 0 ? 0 : v(.ebp)
        default: base = v(.ebx)
        }
        let offset = base &+ displacement
        let segment: MOORegister
        switch segmentOverride {
        case 0x26: segment = .es
        case 0x2E: segment = .cs
        case 0x36: segment = .ss
        case 0x3E: segment = .ds
        case 0x64: segment = .fs
        case 0x65: segment = .gs
        default: segment = memoryOperandUsesSS ? .ss : .ds
        }
        return UInt32(v(segment)) << 4 &+ UInt32(offset)
    }

    /// The r/m operand's value (8 or 16 bits) from a test's initial state; nil when a memory
    /// operand's bytes are not in the state.
    public func rmOperand(bits: Int, in state: MOOCPUState) -> UInt32? {
        guard let m = modrm else { return nil }
        if m >> 6 == 3 {
            let rm = Int(m & 7)
            let order: [MOORegister] = [.eax, .ecx, .edx, .ebx, .esp, .ebp, .esi, .edi]
            if bits == 8 {
                let value = state.registers[order[rm & 3]] ?? 0
                return rm < 4 ? value & 0xFF : (value >> 8) & 0xFF
            }
            return (state.registers[order[rm]] ?? 0) & 0xFFFF
        }
        guard let address = memoryOperandAddress(state.registers) else { return nil }
        var value: UInt32 = 0
        for i in 0..<(bits / 8) {
            // 16-bit wrap of the offset within the segment is not modelled; the tests that wrap fault.
            guard let byte = state.ram.last(where: { $0.address == address &+ UInt32(i) }) else { return nil }
            value |= UInt32(byte.value) << (8 * UInt32(i))
        }
        return value
    }

    static func oneByteHasModRM(_ op: UInt8) -> Bool {
        switch op {
        case 0x00...0x03, 0x08...0x0B, 0x10...0x13, 0x18...0x1B, 0x20...0x23, 0x28...0x2B, 0x30...0x33, 0x38...0x3B,
             0x62, 0x63, 0x69, 0x6B, 0x80...0x8F, 0xC0, 0xC1, 0xC4...0xC7, 0xD0...0xD3, 0xD8...0xDF, 0xF6, 0xF7, 0xFE, 0xFF:
            return true
        default:
            return false
        }
    }

    static func twoByteHasModRM(_ op: UInt8) -> Bool {
        switch op {
        case 0x05...0x0B, 0x0E, 0x30...0x3F, 0x77, 0x80...0x8F, 0xA0...0xA2, 0xA8...0xAA, 0xC8...0xCF:
            return false
        default:
            return true
        }
    }
}
