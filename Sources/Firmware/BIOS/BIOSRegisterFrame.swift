// The caller's registers as the ROM's service stub saved them on the stack.

/// The register frame a BIOS service stub pushes before it writes the frame's offset to
/// `BIOSServices.port` (firmware/bios/util.asm and bios32.asm):
///
/// | offset | 16-bit frame (INT n)          | 32-bit frame (PCI BIOS 32-bit entry) |
/// | ------ | ----------------------------- | ------------------------------------ |
/// | +0     | DS, +2 ES                     | zero (segments are not saved)        |
/// | +4     | EDI, ESI, EBP, ESP, EBX, EDX, ECX, EAX (PUSHAD order, 4 bytes each)  | same |
/// | +36    | service number (word)         | service number (dword)               |
/// | +38    | IP, CS, FLAGS (the IRET frame) | +40 EFLAGS (PUSHFD)                 |
///
/// Bit 8 of the service number marks a 32-bit frame. The stub restores every register from the
/// frame and returns with IRET (or POPFD + RETF), so what the service writes here — registers
/// and the CF/ZF bits of FLAGS — is what the caller gets back.
struct BIOSRegisterFrame {
    static let size = 44
    /// The 32-bit frame marker in the service number.
    static let frame32: UInt16 = 0x100

    var ds: UInt16
    var es: UInt16
    var edi: UInt32
    var esi: UInt32
    var ebp: UInt32
    var ebx: UInt32
    var edx: UInt32
    var ecx: UInt32
    var eax: UInt32
    var service: UInt16
    var flags: UInt32
    let is32: Bool

    static let carry: UInt32 = 1 << 0
    static let zero: UInt32 = 1 << 6

    init?(at linear: UInt32, memory: GuestLinearMemory) {
        guard let b = memory.readBytes(linear, count: Self.size) else { return nil }
        func w(_ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
        func d(_ o: Int) -> UInt32 { UInt32(w(o)) | UInt32(w(o + 2)) << 16 }
        ds = w(0)
        es = w(2)
        edi = d(4)
        esi = d(8)
        ebp = d(12)
        ebx = d(20)
        edx = d(24)
        ecx = d(28)
        eax = d(32)
        service = w(36)
        is32 = service & Self.frame32 != 0
        flags = is32 ? d(40) : UInt32(w(42))
    }

    /// Writes the registers and flags back (never the return address or the service number).
    func store(at linear: UInt32, memory: GuestLinearMemory) {
        var b = [UInt8]()
        func w(_ v: UInt16) { b += [UInt8(truncatingIfNeeded: v), UInt8(v >> 8)] }
        func d(_ v: UInt32) { w(UInt16(truncatingIfNeeded: v)); w(UInt16(v >> 16)) }
        if is32 { d(0) } else { w(ds); w(es) }
        d(edi); d(esi); d(ebp)
        memory.writeBytes(linear, b)
        var rest = [UInt8]()
        b = []
        d(ebx); d(edx); d(ecx); d(eax)
        rest = b
        memory.writeBytes(linear &+ 20, rest)
        if is32 {
            memory.write32(linear &+ 40, flags)
        } else {
            memory.write16(linear &+ 42, UInt16(truncatingIfNeeded: flags))
        }
    }

    // MARK: Register views

    var ax: UInt16 { get { UInt16(truncatingIfNeeded: eax) } set { eax = eax & 0xFFFF_0000 | UInt32(newValue) } }
    var bx: UInt16 { get { UInt16(truncatingIfNeeded: ebx) } set { ebx = ebx & 0xFFFF_0000 | UInt32(newValue) } }
    var cx: UInt16 { get { UInt16(truncatingIfNeeded: ecx) } set { ecx = ecx & 0xFFFF_0000 | UInt32(newValue) } }
    var dx: UInt16 { get { UInt16(truncatingIfNeeded: edx) } set { edx = edx & 0xFFFF_0000 | UInt32(newValue) } }
    var si: UInt16 { get { UInt16(truncatingIfNeeded: esi) } set { esi = esi & 0xFFFF_0000 | UInt32(newValue) } }
    var di: UInt16 { get { UInt16(truncatingIfNeeded: edi) } set { edi = edi & 0xFFFF_0000 | UInt32(newValue) } }
    var ah: UInt8 { get { UInt8(truncatingIfNeeded: eax >> 8) } set { eax = eax & 0xFFFF_00FF | UInt32(newValue) << 8 } }
    var al: UInt8 { get { UInt8(truncatingIfNeeded: eax) } set { eax = eax & 0xFFFF_FF00 | UInt32(newValue) } }
    var bh: UInt8 { get { UInt8(truncatingIfNeeded: ebx >> 8) } set { ebx = ebx & 0xFFFF_00FF | UInt32(newValue) << 8 } }
    var bl: UInt8 { get { UInt8(truncatingIfNeeded: ebx) } set { ebx = ebx & 0xFFFF_FF00 | UInt32(newValue) } }
    var ch: UInt8 { get { UInt8(truncatingIfNeeded: ecx >> 8) } set { ecx = ecx & 0xFFFF_00FF | UInt32(newValue) << 8 } }
    var cl: UInt8 { get { UInt8(truncatingIfNeeded: ecx) } set { ecx = ecx & 0xFFFF_FF00 | UInt32(newValue) } }
    var dh: UInt8 { get { UInt8(truncatingIfNeeded: edx >> 8) } set { edx = edx & 0xFFFF_00FF | UInt32(newValue) << 8 } }
    var dl: UInt8 { get { UInt8(truncatingIfNeeded: edx) } set { edx = edx & 0xFFFF_FF00 | UInt32(newValue) } }

    var carryFlag: Bool {
        get { flags & Self.carry != 0 }
        set { flags = newValue ? flags | Self.carry : flags & ~Self.carry }
    }

    /// The real-mode linear address seg:off.
    static func linear(_ segment: UInt16, _ offset: UInt16) -> UInt32 {
        UInt32(segment) << 4 &+ UInt32(offset)
    }
}
