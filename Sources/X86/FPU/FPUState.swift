// The x87 FPU register file: eight 80-bit data registers, control/status/tag words and pointers.

/// An x87 double-extended (80-bit) value as raw bits, exactly as the m80 memory format stores it.
///
/// No arithmetic is done on this type itself: the FPU hands values to the host x87 (module CX87).
/// The helpers below only classify values (for tags, FXAM-style checks and the unmasked-exception
/// logic) and build the special values the x87 produces on its own.
public struct X87Float: Hashable, Sendable {
    /// Significand with the explicit integer (J) bit in bit 63.
    public var significand: UInt64
    /// Sign (bit 15) and biased exponent (bits 14-0; bias 16383).
    public var signExponent: UInt16

    @inlinable public init(significand: UInt64, signExponent: UInt16) {
        self.significand = significand
        self.signExponent = signExponent
    }

    /// The value stored at `bytes[0..<10]` (little-endian m80 layout).
    public init(bytes: [UInt8]) {
        precondition(bytes.count >= 10, "an m80 value has 10 bytes")
        var s: UInt64 = 0
        for i in 0..<8 { s |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        significand = s
        signExponent = UInt16(bytes[8]) | UInt16(bytes[9]) << 8
    }

    /// The 10 bytes of the m80 memory format.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: significand >> (8 * UInt64($0))) }
            + [UInt8(truncatingIfNeeded: signExponent), UInt8(truncatingIfNeeded: signExponent >> 8)]
    }

    /// Biased exponent (0...0x7FFF).
    @inlinable public var biasedExponent: Int { Int(signExponent & 0x7FFF) }
    @inlinable public var sign: Bool { signExponent & 0x8000 != 0 }
    @inlinable public var isZero: Bool { signExponent & 0x7FFF == 0 && significand == 0 }
    /// Exponent 0 with a non-zero significand: a denormal (J = 0) or pseudo-denormal (J = 1).
    @inlinable public var isDenormal: Bool { signExponent & 0x7FFF == 0 && significand != 0 }
    /// Exponent all ones, J set, fraction zero.
    @inlinable public var isInfinity: Bool {
        signExponent & 0x7FFF == 0x7FFF && significand == 0x8000_0000_0000_0000
    }
    /// Exponent all ones, J set, fraction non-zero (pseudo-NaNs, J clear, are unsupported).
    @inlinable public var isNaN: Bool {
        signExponent & 0x7FFF == 0x7FFF && significand & 0x8000_0000_0000_0000 != 0
            && significand & 0x7FFF_FFFF_FFFF_FFFF != 0
    }
    @inlinable public var isSignalingNaN: Bool { isNaN && significand & 0x4000_0000_0000_0000 == 0 }
    /// An encoding the 387 and later reject with #IA: pseudo-NaN, pseudo-infinity or unnormal
    /// (non-zero exponent with the J bit clear).
    @inlinable public var isUnsupported: Bool {
        signExponent & 0x7FFF != 0 && significand & 0x8000_0000_0000_0000 == 0
    }

    /// The exponent of the value as a normalized number (denormals count their leading zeros),
    /// unbiased. Meaningless for zero, infinity and NaN.
    public var normalizedExponent: Int {
        let e = biasedExponent
        if e != 0 { return e - 16383 }
        return -16382 - significand.leadingZeroBitCount
    }

    /// Tag of a non-empty register holding this value (SDM Vol. 1 §8.1.7): 0 valid, 1 zero,
    /// 2 special (NaN, infinity, denormal, unsupported).
    @inlinable public var tag: UInt16 {
        let e = signExponent & 0x7FFF
        if e == 0 { return significand == 0 ? 1 : 2 }
        if e == 0x7FFF || significand & 0x8000_0000_0000_0000 == 0 { return 2 }
        return 0
    }

    /// The flipped-sign value (FCHS).
    @inlinable public var negated: X87Float { X87Float(significand: significand, signExponent: signExponent ^ 0x8000) }
    /// The value with its sign cleared (FABS).
    @inlinable public var magnitude: X87Float {
        X87Float(significand: significand, signExponent: signExponent & 0x7FFF)
    }

    /// Real indefinite: the default QNaN the x87 writes for masked invalid operations.
    public static let indefinite = X87Float(significand: 0xC000_0000_0000_0000, signExponent: 0xFFFF)
    public static let positiveZero = X87Float(significand: 0, signExponent: 0)
    public static let one = X87Float(significand: 0x8000_0000_0000_0000, signExponent: 0x3FFF)

    /// The exact double-extended value of an integer.
    public init(_ value: Int) {
        if value == 0 {
            self = .positiveZero
            return
        }
        let m = value.magnitude
        let lz = UInt64(m).leadingZeroBitCount
        significand = UInt64(m) << UInt64(lz)
        signExponent = UInt16(16383 + 63 - lz) | (value < 0 ? 0x8000 : 0)
    }
}

/// The eight physical data registers R0-R7 of the x87 (ST(i) is R((TOP + i) mod 8)).
public struct FPURegisterFile: Equatable, Sendable {
    // A homogeneous tuple is stored contiguously: element i is at stride * i.
    private var storage: (X87Float, X87Float, X87Float, X87Float, X87Float, X87Float, X87Float, X87Float)

    public init() {
        let z = X87Float.positiveZero
        storage = (z, z, z, z, z, z, z, z)
    }

    /// Physical register `index & 7`.
    @inlinable public subscript(index: Int) -> X87Float {
        get { read(index) }
        set { write(index, newValue) }
    }

    @usableFromInline func read(_ index: Int) -> X87Float {
        withUnsafeBytes(of: storage) { raw in
            // SAFETY: the tuple holds 8 X87Float at stride MemoryLayout<X87Float>.stride; the
            // index is masked to 0...7.
            raw.load(fromByteOffset: (index & 7) * MemoryLayout<X87Float>.stride, as: X87Float.self)
        }
    }

    @usableFromInline mutating func write(_ index: Int, _ value: X87Float) {
        withUnsafeMutableBytes(of: &storage) { raw in
            // SAFETY: as in `read`; the index is masked to 0...7.
            raw.storeBytes(of: value, toByteOffset: (index & 7) * MemoryLayout<X87Float>.stride, as: X87Float.self)
        }
    }

    public static func == (a: FPURegisterFile, b: FPURegisterFile) -> Bool {
        (0..<8).allSatisfy { a[$0] == b[$0] }
    }
}

/// The architectural state of the x87 FPU of a P6-family processor (SDM Vol. 1 §8.1).
///
/// `init()` gives the state after FNINIT (which is also the state after RESET on the P6 apart
/// from the data registers, which RESET zeroes and FNINIT leaves alone). The data registers are
/// physical (R0-R7); the tag word is kept in its full 2-bit form and recomputed from the contents
/// whenever a register is written.
public struct FPUState: Equatable, Sendable {
    /// Control word bits.
    public enum CW {
        /// Exception masks IM DM ZM OM UM PM (bits 0-5).
        public static let exceptionMasks: UInt16 = 0x003F
        /// Precision control (bits 8-9): 00 single, 10 double, 11 double-extended.
        public static let precisionControl: UInt16 = 0x0300
        /// Rounding control (bits 10-11): 00 nearest, 01 down, 10 up, 11 toward zero.
        public static let roundingControl: UInt16 = 0x0C00
        /// The value FNINIT loads.
        public static let initial: UInt16 = 0x037F
    }

    /// Status word bits.
    public enum SW {
        public static let ie: UInt16 = 1 << 0
        public static let de: UInt16 = 1 << 1
        public static let ze: UInt16 = 1 << 2
        public static let oe: UInt16 = 1 << 3
        public static let ue: UInt16 = 1 << 4
        public static let pe: UInt16 = 1 << 5
        /// Stack fault (with IE: C1 = 1 overflow, 0 underflow).
        public static let sf: UInt16 = 1 << 6
        /// Error summary: some unmasked exception flag is set.
        public static let es: UInt16 = 1 << 7
        public static let c0: UInt16 = 1 << 8
        public static let c1: UInt16 = 1 << 9
        public static let c2: UInt16 = 1 << 10
        public static let c3: UInt16 = 1 << 14
        /// Busy: mirrors ES on the 387 and later.
        public static let b: UInt16 = 1 << 15
        /// The six exception flags.
        public static let exceptions: UInt16 = 0x003F
        public static let conditionCodes: UInt16 = c0 | c1 | c2 | c3
        /// TOP, bits 11-13.
        public static let top: UInt16 = 0x3800
    }

    /// Tag values.
    public enum Tag {
        public static let valid: UInt16 = 0
        public static let zero: UInt16 = 1
        public static let special: UInt16 = 2
        public static let empty: UInt16 = 3
    }

    /// Physical data registers R0-R7.
    public var registers = FPURegisterFile()
    /// FPU Control Word (FCW).
    public var fcw: UInt16 = CW.initial
    /// FPU Status Word (FSW), including TOP in bits 11-13.
    public var fsw: UInt16 = 0
    /// FPU Tag Word (FTW): two bits per physical register, R0 in bits 0-1.
    public var ftw: UInt16 = 0xFFFF
    /// FPU Instruction Pointer offset (FIP) of the last non-control instruction. In real and
    /// virtual-8086 mode the stored images use (FCS << 4) + FIP as the linear address.
    public var fip: UInt32 = 0
    /// FPU Code Segment selector (FCS) of the last non-control instruction.
    public var fcs: UInt16 = 0
    /// FPU Data Pointer offset (FDP) of the last non-control instruction's memory operand.
    public var fdp: UInt32 = 0
    /// FPU Data Segment selector (FDS) of that operand.
    public var fds: UInt16 = 0
    /// FPU Opcode (FOP): the low 3 bits of the first opcode byte and the ModR/M byte (11 bits).
    public var fop: UInt16 = 0
    /// Level of the FERR# output (MS-DOS compatible error reporting with CR0.NE = 0).
    public var ferrAsserted = false

    /// The FNINIT state.
    public init() {}

    /// The state after power-up or RESET (SDM Vol. 3 §9.1.1, Table 9-1): FCW = 0040H (every
    /// exception unmasked, single precision), FTW = 5555H (all registers tagged zero), registers
    /// +0.0. Firmware executes FNINIT before using the FPU.
    public static var afterReset: FPUState {
        var s = FPUState()
        s.fcw = 0x0040
        s.ftw = 0x5555
        return s
    }

    /// Top-of-stack pointer (FSW bits 11-13).
    @inlinable public var top: Int {
        get { Int(fsw >> 11) & 7 }
        set { fsw = (fsw & ~SW.top) | UInt16(newValue & 7) << 11 }
    }

    /// Physical register number of ST(i).
    @inlinable public func physical(_ i: Int) -> Int { (top &+ i) & 7 }

    /// The tag of physical register `r`.
    @inlinable public func tag(physical r: Int) -> UInt16 { (ftw >> UInt16((r & 7) * 2)) & 3 }

    @inlinable public func isEmpty(physical r: Int) -> Bool { tag(physical: r) == Tag.empty }
    /// True when ST(i) is empty.
    @inlinable public func isEmpty(st i: Int) -> Bool { isEmpty(physical: physical(i)) }

    /// ST(i).
    @inlinable public func st(_ i: Int) -> X87Float { registers[physical(i)] }

    /// Writes ST(i) and tags it from its contents.
    @inlinable public mutating func setST(_ i: Int, _ value: X87Float) {
        setRegister(physical: physical(i), value)
    }

    /// Writes physical register `r` and tags it from its contents.
    @inlinable public mutating func setRegister(physical r: Int, _ value: X87Float) {
        registers[r] = value
        setTag(physical: r, value.tag)
    }

    @inlinable public mutating func setTag(physical r: Int, _ tag: UInt16) {
        let shift = UInt16((r & 7) * 2)
        ftw = (ftw & ~(3 << shift)) | (tag & 3) << shift
    }

    /// Marks ST(0) empty and increments TOP.
    @inlinable public mutating func pop() {
        setTag(physical: top, Tag.empty)
        top = top &+ 1
    }

    /// Decrements TOP and writes the new ST(0).
    @inlinable public mutating func push(_ value: X87Float) {
        top = top &- 1
        setST(0, value)
    }

    /// Recomputes ES and B from the exception flags and masks (SDM Vol. 1 §8.1.3.1).
    @inlinable public mutating func updateErrorSummary() {
        if fsw & ~fcw & SW.exceptions != 0 { fsw |= SW.es | SW.b } else { fsw &= ~(SW.es | SW.b) }
    }

    /// True when an unmasked exception waits for the next waiting x87 instruction.
    @inlinable public var exceptionPending: Bool { fsw & SW.es != 0 }

    /// FNINIT: control, status and tag words and the pointers to their initial values; the data
    /// registers keep their contents.
    public mutating func initialize() {
        fcw = CW.initial
        fsw = 0
        ftw = 0xFFFF
        fip = 0; fcs = 0; fdp = 0; fds = 0; fop = 0
    }

    /// The abridged tag word (FXSAVE format): bit r set when physical register r is not empty.
    public var abridgedTagWord: UInt8 {
        var t: UInt8 = 0
        for r in 0..<8 where !isEmpty(physical: r) { t |= 1 << UInt8(r) }
        return t
    }

    /// Loads an abridged tag word (FXRSTOR): registers marked non-empty get tags from contents.
    public mutating func setAbridgedTagWord(_ abridged: UInt8) {
        for r in 0..<8 {
            setTag(physical: r, abridged & (1 << UInt8(r)) != 0 ? registers[r].tag : Tag.empty)
        }
    }

    /// Loads a full tag word image (FLDENV/FRSTOR): the x87 only distinguishes empty from
    /// non-empty and recomputes the tags of non-empty registers from their contents (SDM Vol. 1
    /// §8.1.7).
    public mutating func loadTagWord(_ image: UInt16) {
        for r in 0..<8 {
            let empty = (image >> UInt16(r * 2)) & 3 == Tag.empty
            setTag(physical: r, empty ? Tag.empty : registers[r].tag)
        }
    }
}
