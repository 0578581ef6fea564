// The documented behaviours of the captured CPUs that an i686 legitimately does differently.

/// Allow-list of reference-CPU behaviours an i686 does differently by design. Every entry cites the
/// manuals; none may be added to hide an emulator bug. Entries are consulted only after a failure,
/// and most are verified (see `SSTAllowListEntry.Field`).
public struct SSTAllowList: Equatable, Sendable {
    public var entries: [SSTAllowListEntry]

    public init(entries: [SSTAllowListEntry] = []) {
        self.entries = entries
    }

    /// The first entry that covers `test` (see `SSTAllowListEntry.covers`).
    public func entry(cpu: SSTReferenceCPU, key: SSTOpcodeKey?, shape: SSTInstructionShape, test: MOOTest) -> SSTAllowListEntry? {
        entries.first { $0.covers(cpu: cpu, key: key, shape: shape, test: test) }
    }

    /// No entries: every difference is a failure.
    public static let empty = SSTAllowList()

    private static func keys(_ names: String...) -> [SSTOpcodeKey] {
        names.compactMap { SSTOpcodeKey(fileName: $0) }
    }

    /// The entries Partita's own conformance runs use: 80286-only behaviours.
    public static let standard = SSTAllowList(entries: [
        SSTAllowListEntry(
            referenceCPU: .i80286, conditions: [.lockPrefixFaultsOnI686], field: .raisesException(6),
            reason: "the 80286 accepts LOCK on any instruction; the i686 raises #UD when LOCK prefixes an "
                + "instruction other than ADD ADC AND BTC BTR BTS CMPXCHG DEC INC NEG NOT OR SBB SUB XCHG XOR XADD "
                + "or one whose destination is not memory (Intel SDM Vol. 2, LOCK)"),
        SSTAllowListEntry(
            referenceCPU: .i80286, conditions: [.capturedException(13), .stackSegmentAccess],
            field: .exceptionVector(expected: 13, actual: 12),
            reason: "a real-mode offset overrun (word at FFFFh, SP wrap) is interrupt 13 on the 80286 whatever the "
                + "segment; the 386 and later raise #SS (12) when the access goes through SS (Intel SDM Vol. 2, "
                + "Real-Address Mode Exceptions of PUSH/POP/CALL/RET…: \"#SS if a memory operand effective address "
                + "is outside the SS segment limit\")"),
        SSTAllowListEntry(
            referenceCPU: .i80286, conditions: [.longerThan(10), .capturedException(13)], field: .wholeTest,
            reason: "the 80286 limits instructions to 10 bytes and raises interrupt 13 for longer ones (80286 "
                + "Programmer's Reference, instruction format); the limit is 15 bytes on the 386 and later (Intel "
                + "SDM Vol. 2 §2.3.11), so the i686 executes these redundantly prefixed instructions"),
        SSTAllowListEntry(
            referenceCPU: .i80286, opcodes: keys("8C", "8E"), conditions: [.modrmReg([4, 5]), .capturedException(6)],
            field: .wholeTest,
            reason: "segment register 4/5 in MOV Sreg forms: the 80286 has only ES CS SS DS and raises #UD; on the "
                + "i686 they are FS and GS (Intel SDM Vol. 2, MOV: 8C /r, 8E /r, Sreg encoding)"),
        SSTAllowListEntry(
            referenceCPU: .i80286, opcodes: keys("F6.7", "F7.7"), conditions: [.capturedException(nil), .signedQuotientOverflows],
            field: .raisesException(0),
            reason: "the captured 80286 returns a quotient of 80h/8000h without interrupt 0 for some IDIVs whose "
                + "quotient does not fit; the i686 raises #DE whenever the quotient is too large for the destination "
                + "(Intel SDM Vol. 2, IDIV)"),
        SSTAllowListEntry(
            referenceCPU: .i80286, opcodes: keys("6C", "6D", "6E", "6F", "A4", "A5", "A6", "A7", "AA", "AB", "AC", "AD", "AE", "AF"),
            conditions: [.capturedException(13)], field: .preciseFault([.esi, .edi, .ecx]),
            reason: "on a segment overrun in a string instruction the 80286 has already stepped SI/DI (and CX under "
                + "REP) when it raises interrupt 13; on the i686 #GP/#SS is a fault that leaves the registers as they "
                + "were before the instruction (Intel SDM Vol. 3 §6.5, faults are restartable)"),
        SSTAllowListEntry(
            referenceCPU: .i80286, opcodes: keys("8F"), conditions: [.capturedException(13), .stackSegmentAccess],
            field: .raisesException(12),
            reason: "POP r/m16 whose destination overruns its segment: the 80286 has already incremented SP when it "
                + "raises interrupt 13; on the i686 the fault is precise, so SP keeps its value, and a destination "
                + "addressed through SS raises #SS (Intel SDM Vol. 3 §6.5; Vol. 2 POP, Real-Address Mode Exceptions)"),
        SSTAllowListEntry(
            referenceCPU: .i80286, opcodes: keys("8F"), conditions: [.capturedException(13)], field: .raisesException(13),
            reason: "POP r/m16 whose destination overruns its segment: the 80286 has already incremented SP when it "
                + "raises interrupt 13; on the i686 the #GP is precise, so SP keeps its value (Intel SDM Vol. 3 §6.5)"),
        SSTAllowListEntry(
            referenceCPU: .i80286, opcodes: keys("C0", "C1", "D2", "D3"), conditions: [.shiftCountAboveOne],
            field: .undefinedFlags(1 << 11),
            reason: "OF after a shift or rotate by more than one bit is defined by the 80286 but undefined on the "
                + "i686 (Intel SDM Vol. 2, SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR, Flags Affected: \"the OF flag is "
                + "affected only for 1-bit shifts/rotates; otherwise it is undefined\")"),
        SSTAllowListEntry(
            referenceCPU: .i80286, opcodes: keys("D4"), conditions: [.capturedException(0)], field: .preciseFault([.eflags]),
            reason: "AAM with a zero immediate: the 80286 updates SF/ZF/PF before raising interrupt 0; the i686's #DE "
                + "is a fault that leaves FLAGS as they were (Intel SDM Vol. 3 §6.5)"),
    ])
}
