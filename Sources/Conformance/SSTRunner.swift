// Runs single-step tests on Partita's CPU and compares the final state with the capture.

import EmulatorCore
import X86

/// Runs SingleStepTests-style tests on one reusable CPU and 16 MiB of RAM.
///
/// Each test: reset the CPU, load the initial registers in real mode (segment base = selector × 16,
/// limits 0xFFFF), write the initial RAM bytes, run until HLT, then compare every register (values
/// the final state does not list must equal the initial ones) and every RAM byte either state
/// names. FLAGS bits the suite marks undefined are masked, in the register and in the FLAGS image
/// an exception pushed (EXCP). Ports float high (PortIOBus's unclaimed-port behaviour). After a
/// failure the allow-list is consulted, and its entries are verified by re-running the test (see
/// `SSTAllowListEntry.Field`).
///
/// RAM is not reallocated per test: the bytes the previous test named are cleared, and after a
/// failure (when a stray write may have landed anywhere) the whole real-mode-reachable first
/// 1 MiB + 64 KiB is cleared.
public final class SSTRunner {
    public let memory: PhysicalMemory
    public let ports: PortIOBus
    public let cpu: CPU
    /// Instructions allowed per test before it counts as a runaway (REP string instructions count
    /// once per 16 Ki iterations, so a full 64 Ki REP fits easily).
    public var instructionBudget = 100_000

    /// Addresses written by the previous test.
    private var dirty: [UInt32] = []
    private var wipeAll = true
    /// Highest physical address + 1 a real-mode access can reach (FFFF:FFFF + 3 bytes).
    static let realModeReach: UInt32 = 0x0011_0000

    public init(ramSize: UInt32 = 16 << 20) {
        memory = PhysicalMemory(ramSize: ramSize)
        ports = PortIOBus()
        cpu = CPU(memory: memory, ports: ports)
    }

    /// The RAM byte at a physical address, or nil beyond the RAM.
    @inline(__always) private func ramByte(_ address: UInt32) -> UInt8? {
        // SAFETY: `ram` holds `ramSize` bytes and the index is checked against it.
        address < memory.ramSize ? memory.ram[Int(address)] : nil
    }

    /// Runs `test` and judges it under `context`, consulting the allow-list after a failure.
    public func run(_ test: MOOTest, context: SSTFileContext) -> SSTTestResult {
        if context.isRevoked(test.hashHex) {
            return result(test, .skipped("on the suite's revocation list"))
        }
        let shape = SSTInstructionShape(bytes: test.bytes)
        var outcome = execute(test, context: context, shape: shape, alias: nil)
        guard outcome.outcome == .failed else { return outcome }
        let entries = context.allowList.entries.filter {
            $0.covers(cpu: context.referenceCPU, key: context.key, shape: shape, test: test)
        }
        for entry in entries where explains(entry, outcome, test: test, context: context, shape: shape,
                                            others: entries) {
            outcome.outcome = .allowed(entry)
            break
        }
        return outcome
    }

    /// Whether `entry` accounts for `failure`, re-running the test where the field calls for it
    /// (see `SSTAllowListEntry.Field`).
    private func explains(_ entry: SSTAllowListEntry, _ failure: SSTTestResult, test: MOOTest,
                          context: SSTFileContext, shape: SSTInstructionShape, others: [SSTAllowListEntry]) -> Bool {
        switch entry.field {
        case .wholeTest:
            return true
        case .exceptionVector(let expected, let actual):
            let retry = execute(test, context: context, shape: shape, alias: (expected, actual))
            if retry.outcome == .passed { return true }
            // The re-run may still differ in registers a precise-fault entry accounts for.
            return retry.stopProblem == nil && others.contains { other in
                if case .preciseFault(let registers) = other.field {
                    return preciseFaultExplains(retry.mismatches, registers: registers, test: test, context: context,
                                                shape: shape)
                }
                return false
            }
        case .raisesException(let vector):
            return verifyPreciseFault(test, context: context, shape: shape, vector: vector)
        case .preciseFault(let registers):
            return failure.stopProblem == nil
                && preciseFaultExplains(failure.mismatches, registers: registers, test: test, context: context,
                                        shape: shape)
        case .undefinedFlags(let bits):
            return failure.stopProblem == nil
                && onlyFlagsDiffer(failure.mismatches, within: bits, test: test, context: context)
        }
    }

    private func result(_ test: MOOTest, _ outcome: SSTTestResult.Outcome) -> SSTTestResult {
        SSTTestResult(outcome: outcome, index: test.index, name: test.name, bytes: test.bytes, hashHex: test.hashHex,
                      expectedException: test.exception?.vector)
    }

    // MARK: - Set-up

    private func prepareMemory(wrapAt1MiB: Bool) {
        if (memory.a20Mask == 0xFFFF_FFFF) == wrapAt1MiB {
            memory.setA20(enabled: !wrapAt1MiB)
        }
        if wipeAll {
            let count = Int(min(memory.ramSize, Self.realModeReach))
            // SAFETY: `ram` holds `ramSize` bytes; the count is clamped to it.
            memory.ram.update(repeating: 0, count: count)
            // The bulk clear bypasses `write`, so tell the CPU's decoded-code cache about it.
            for page in 0..<(count >> 12) where memory.codePage[page] != 0 { memory.codeWritten(page: page) }
            wipeAll = false
        } else {
            for address in dirty where address < memory.ramSize {
                memory.write(GuestPhysicalAddress(address), width: .byte, value: 0)
            }
        }
        dirty.removeAll(keepingCapacity: true)
    }

    /// Resets the CPU and loads the test's initial state; returns why it cannot be set up, if it cannot.
    private func setUp(_ test: MOOTest, profile: SSTReferenceCPU) -> String? {
        prepareMemory(wrapAt1MiB: profile.wrapsAt1MiB)
        cpu.reset()
        if let problem = loadRegisters(test.initial.registers, profile: profile) { return problem }
        for byte in test.initial.ram {
            let address = byte.address & profile.addressMask
            guard address < memory.ramSize else {
                return "initial RAM byte at \(hex(address, digits: 8)) lies beyond the emulated RAM"
            }
            memory.write(GuestPhysicalAddress(address), width: .byte, value: UInt32(byte.value))
            dirty.append(address)
        }
        for byte in test.final.ram { dirty.append(byte.address & profile.addressMask) }
        return nil
    }

    private func loadRegisters(_ r: MOORegisterSet, profile: SSTReferenceCPU) -> String? {
        let wide = r.width == .bits32
        let valueMask: UInt32 = wide ? 0xFFFF_FFFF : 0xFFFF
        if wide, let cr0 = r[.cr0] {
            if cr0 & CR0.pe != 0 { return "initial CR0.PE is set; only real-mode tests are supported" }
            // Only the bits that change real-mode instruction behaviour are taken (MP, EM, TS, NE);
            // the 386EX captures hold ones in bits the 386 does not implement.
            cpu.setControlRegisters(cr0: 0x6000_0010 | (cr0 & (CR0.mp | CR0.em | CR0.ts | CR0.ne)),
                                    cr3: r[.cr3] ?? 0, cr4: 0)
        }
        for (m, c) in Self.generalRegisters { cpu[c] = (r[m] ?? 0) & valueMask }
        for (m, s) in Self.segmentRegisters { cpu.setSegmentReal(s, selector: UInt16(truncatingIfNeeded: r[m] ?? 0)) }
        cpu.eip = (r[.eip] ?? 0) & valueMask
        cpu.eflags = (r[.eflags] ?? 2) & profile.loadedFlags
        if wide {
            if let dr6 = r[.dr6] { cpu.dr[6] = dr6 }
            if let dr7 = r[.dr7] { cpu.dr[7] = dr7 }
        }
        return nil
    }

    static let generalRegisters: [(MOORegister, CPU.Reg32)] = [
        (.eax, .eax), (.ebx, .ebx), (.ecx, .ecx), (.edx, .edx), (.esp, .esp), (.ebp, .ebp), (.esi, .esi), (.edi, .edi),
    ]
    static let segmentRegisters: [(MOORegister, SegmentRegister)] = [
        (.cs, .cs), (.ds, .ds), (.es, .es), (.ss, .ss), (.fs, .fs), (.gs, .gs),
    ]

    /// Runs to HLT; returns a description of an abnormal stop.
    private func runToHalt() -> String? {
        switch cpu.run(budget: instructionBudget) {
        case .halted:
            return nil
        case .budgetExhausted:
            return "did not reach HLT within \(instructionBudget) instructions (now at "
                + "\(hex(UInt32(cpu.segment(.cs).selector), digits: 4)):\(hex(cpu.eip, digits: 4)))"
        case .shutdown:
            return "shutdown (triple fault)"
        case .stopRequested:
            return "stopped on request before HLT"
        }
    }

    // MARK: - One execution

    /// Runs the test once and compares. With `alias`, interrupt vector `alias.actual` is pointed at
    /// vector `alias.expected`'s handler through a different segment:offset for the same address,
    /// so the final CS:IP proves which vector was taken (the comparison expects the aliased CS:IP).
    private func execute(_ test: MOOTest, context: SSTFileContext, shape: SSTInstructionShape,
                         alias: (expected: UInt8, actual: UInt8)?) -> SSTTestResult {
        if let problem = setUp(test, profile: context.referenceCPU) {
            return result(test, .skipped(problem))
        }
        var segmentShift = 0
        if let alias {
            guard let shift = installAlias(from: alias.expected, to: alias.actual) else { return result(test, .failed) }
            segmentShift = shift
        }
        let retiredBefore = cpu.instructionsRetired
        let stopProblem = runToHalt()
        var mismatches = compareRegisters(test, context: context, shape: shape, segmentShift: segmentShift)
        mismatches += compareMemory(test, context: context, shape: shape)
        let failed = stopProblem != nil || !mismatches.isEmpty
        if failed { wipeAll = true }
        var r = result(test, failed ? .failed : .passed)
        r.mismatches = mismatches
        r.stopProblem = stopProblem
        r.instructionsRetired = cpu.instructionsRetired &- retiredBefore
        return r
    }

    /// Points IVT[to] at IVT[from]'s handler via seg±1 / off∓16; returns the segment shift or nil
    /// when the handler's offset leaves no room.
    private func installAlias(from expected: UInt8, to actual: UInt8) -> Int? {
        let source = UInt32(expected) * 4, target = UInt32(actual) * 4
        let offset = memory.read(GuestPhysicalAddress(source), width: .word)
        let segment = memory.read(GuestPhysicalAddress(source + 2), width: .word)
        let shift: Int
        if offset >= 0x10 && segment < 0xFFFF {
            shift = 1
        } else if offset <= 0xFFEF && segment > 0 {
            shift = -1
        } else {
            return nil
        }
        memory.write(GuestPhysicalAddress(target), width: .word, value: UInt32(Int(offset) - 16 * shift))
        memory.write(GuestPhysicalAddress(target + 2), width: .word, value: UInt32(Int(segment) + shift))
        for i in 0..<UInt32(4) { dirty.append(target + i) }
        return shift
    }

    // MARK: - Allow-list verification

    /// Re-runs `test` with a one-byte HLT handler for `vector` and checks the i686 took that vector
    /// as a precise fault: handler reached, SP − 6 with IP, CS, FLAGS of the faulting instruction
    /// pushed, IF/TF clear, and nothing else changed.
    private func verifyPreciseFault(_ test: MOOTest, context: SSTFileContext, shape: SSTInstructionShape,
                                    vector: UInt8) -> Bool {
        let profile = context.referenceCPU
        guard setUp(test, profile: profile) == nil else { return false }
        let initial = test.initial.registers
        let wide = initial.width == .bits32
        let valueMask: UInt32 = wide ? 0xFFFF_FFFF : 0xFFFF
        let ss = (initial[.ss] ?? 0) & 0xFFFF, sp = (initial[.esp] ?? 0) & 0xFFFF
        let stackBytes = (1...6).map { (ss << 4) &+ ((sp &- UInt32($0)) & 0xFFFF) }
        var named = Set(test.initial.ram.map { $0.address & profile.addressMask })
        for b in test.final.ram { named.insert(b.address & profile.addressMask) }
        // The test's own IVT entry for the vector (if it names one) is replaced and not compared.
        let ivt = (0..<UInt32(4)).map { UInt32(vector) * 4 + $0 }
        guard let handler = [0x0_0500, 0x0_7C00, 0x2_0000, 0x5_0000, 0x9_0000, 0x0_F000].map({ UInt32($0) })
            .first(where: { !named.contains($0) && !stackBytes.contains($0) && !ivt.contains($0) }) else { return false }
        memory.write(GuestPhysicalAddress(handler), width: .byte, value: 0xF4)
        memory.write(GuestPhysicalAddress(ivt[0]), width: .word, value: handler & 0xF)
        memory.write(GuestPhysicalAddress(ivt[2]), width: .word, value: handler >> 4)
        dirty += ivt + [handler]
        defer { wipeAll = true }

        guard runToHalt() == nil else { return false }
        guard cpu.segment(.cs).selector == UInt16(handler >> 4), cpu.eip == (handler & 0xF) + 1 else { return false }
        let flagsMask = context.flagsMask(for: shape) & profile.comparedFlags & ~(Flags.if | Flags.tf)
        let initialFlags = (initial[.eflags] ?? 2) & profile.loadedFlags
        guard (cpu.eflags ^ initialFlags) & flagsMask == 0, cpu.eflags & (Flags.if | Flags.tf) == 0 else { return false }
        for (m, c) in Self.generalRegisters {
            let expected = m == .esp ? ((sp &- 6) & 0xFFFF) : (initial[m] ?? 0) & valueMask
            guard cpu[c] == expected else { return false }
        }
        for (m, s) in Self.segmentRegisters where m != .cs && (wide || (m != .fs && m != .gs)) {
            guard UInt32(cpu.segment(s).selector) == (initial[m] ?? 0) & 0xFFFF else { return false }
        }
        func word(_ i: Int) -> UInt32 {
            UInt32(ramByte(stackBytes[i]) ?? 0) << 8 | UInt32(ramByte(stackBytes[i + 1]) ?? 0)
        }
        // stackBytes[0...1] = FLAGS (high, low), [2...3] = CS, [4...5] = IP.
        guard word(4) == (initial[.eip] ?? 0) & 0xFFFF, word(2) == (initial[.cs] ?? 0) & 0xFFFF,
              (word(0) ^ initialFlags) & flagsMask & 0xFFFF == 0 else { return false }
        for b in test.initial.ram where !stackBytes.contains(b.address & profile.addressMask)
            && !ivt.contains(b.address & profile.addressMask) {
            let address = b.address & profile.addressMask
            guard ramByte(address) == b.value else { return false }
        }
        return true
    }

    /// True when every mismatch is one of `registers` (or, for `eflags`, the pushed FLAGS image)
    /// and holds the value a precise fault leaves: the initial one, or for string instructions the
    /// value after the iterations that completed before the faulting one.
    private func preciseFaultExplains(_ mismatches: [SSTMismatch], registers: [MOORegister], test: MOOTest,
                                      context: SSTFileContext, shape: SSTInstructionShape) -> Bool {
        guard !mismatches.isEmpty else { return false }
        let initial = test.initial.registers
        let initialFlags = (initial[.eflags] ?? 2) & context.referenceCPU.loadedFlags
        var precise: [MOORegister: UInt32] = [:]
        for r in registers where r != .eflags { precise[r] = initial[r] ?? 0 }
        if let string = shape.stringOperation {
            // k iterations completed; the (k+1)-th faulted on a word at offset FFFFh.
            let cx = (initial[.ecx] ?? 0) & 0xFFFF
            let k = shape.hasRepPrefix ? (cx &- (cpu[.ecx] & 0xFFFF)) & 0xFFFF : 0
            let step = initialFlags & Flags.df != 0 ? 0 &- string.size : string.size
            func advanced(_ r: MOORegister) -> UInt32 { ((initial[r] ?? 0) &+ k &* step) & 0xFFFF }
            precise[.ecx] = (cx &- k) & 0xFFFF
            precise[.esi] = string.usesSI ? advanced(.esi) : (initial[.esi] ?? 0) & 0xFFFF
            precise[.edi] = string.usesDI ? advanced(.edi) : (initial[.edi] ?? 0) & 0xFFFF
            let overrun = (string.usesSI && precise[.esi] == 0xFFFF) || (string.usesDI && precise[.edi] == 0xFFFF)
            guard string.size == 2, overrun,
                  cpu[.esi] & 0xFFFF == precise[.esi], cpu[.edi] & 0xFFFF == precise[.edi] else { return false }
        }
        let pushed = pushedFlagsAddresses(test, profile: context.referenceCPU)
        for m in mismatches {
            switch m.location {
            case .register:
                guard let r = m.register, registers.contains(r) else { return false }
                if r == .eflags {
                    guard (m.actual ^ initialFlags) & m.mask & ~(Flags.if | Flags.tf) == 0 else { return false }
                } else {
                    guard (m.actual ^ (precise[r] ?? 0)) & m.mask == 0 else { return false }
                }
            case .memory(let address):
                guard registers.contains(.eflags), let pushed else { return false }
                if address == pushed.low {
                    guard (m.actual ^ initialFlags) & m.mask == 0 else { return false }
                } else if address == pushed.high {
                    guard (m.actual ^ (initialFlags >> 8)) & m.mask == 0 else { return false }
                } else {
                    return false
                }
            }
        }
        return true
    }

    /// True when the only differences are `bits` of FLAGS, in the register or the pushed image.
    private func onlyFlagsDiffer(_ mismatches: [SSTMismatch], within bits: UInt32, test: MOOTest,
                                 context: SSTFileContext) -> Bool {
        guard !mismatches.isEmpty else { return false }
        let pushed = pushedFlagsAddresses(test, profile: context.referenceCPU)
        for m in mismatches {
            let diff = (m.expected ^ m.actual) & m.mask
            switch m.location {
            case .register:
                guard m.register == .eflags, diff & ~bits == 0 else { return false }
            case .memory(let address):
                guard let pushed else { return false }
                if address == pushed.low {
                    guard diff & ~bits & 0xFF == 0 else { return false }
                } else if address == pushed.high {
                    guard (diff << 8) & ~bits == 0 else { return false }
                } else {
                    return false
                }
            }
        }
        return true
    }

    // MARK: - Comparison

    /// Physical addresses of the FLAGS image an exception pushed: low and high byte.
    ///
    /// DEVIATION: the 80286 suite's EXCP address is word-aligned — one below the real image when SP
    /// is odd (839 of its 8,443 EXCP tests). The handler is a bare HLT, so the image sits at the
    /// final SS:SP + 4; that address is used when it is the EXCP address or the one above it.
    func pushedFlagsAddresses(_ test: MOOTest, profile: SSTReferenceCPU) -> (low: UInt32, high: UInt32)? {
        guard let exception = test.exception else { return nil }
        let given = exception.flagsAddress & profile.addressMask
        let regs = test.final.registers, initial = test.initial.registers
        guard let ss = regs[.ss] ?? initial[.ss], let sp = regs[.esp] ?? initial[.esp] else {
            return (given, given &+ 1)
        }
        let base = (ss & 0xFFFF) << 4
        let low = (base &+ ((sp &+ 4) & 0xFFFF)) & profile.addressMask
        let high = (base &+ ((sp &+ 5) & 0xFFFF)) & profile.addressMask
        if low == given || low == given &+ 1 { return (low, high) }
        return (given, given &+ 1)
    }

    private func compareRegisters(_ test: MOOTest, context: SSTFileContext, shape: SSTInstructionShape,
                                  segmentShift: Int) -> [SSTMismatch] {
        let initial = test.initial.registers, final = test.final.registers
        let wide = initial.width == .bits32
        var out: [SSTMismatch] = []

        func expected(_ r: MOORegister) -> UInt32 { final[r] ?? initial[r] ?? 0 }
        func definedBits(_ r: MOORegister) -> UInt32 {
            (context.fileRegisterMasks?[r] ?? 0xFFFF_FFFF) & (test.final.registerMasks?[r] ?? 0xFFFF_FFFF)
        }
        func check(_ name: String, _ r: MOORegister?, _ e: UInt32, _ a: UInt32, mask: UInt32, digits: Int,
                   note: String? = nil) {
            if e & mask != a & mask {
                out.append(SSTMismatch(location: .register(name), register: r, expected: e, actual: a, mask: mask,
                                       digits: digits, note: note))
            }
        }

        var expectedIP = expected(.eip)
        var expectedCS = expected(.cs) & 0xFFFF
        if segmentShift != 0 {
            expectedCS = UInt32(truncatingIfNeeded: Int(expectedCS) + segmentShift) & 0xFFFF
            expectedIP = UInt32(truncatingIfNeeded: Int(expectedIP) - 16 * segmentShift) & 0xFFFF
        }
        for (m, c) in Self.generalRegisters {
            let actual = cpu[c]
            if wide {
                check(m.description, m, expected(m), actual, mask: definedBits(m), digits: 8)
            } else {
                check(m.name16, m, expected(m), actual, mask: 0xFFFF & definedBits(m), digits: 4)
                // 16-bit code must leave the upper halves alone (they start at zero).
                check("\(m.description)[31:16]", m, 0, actual, mask: 0xFFFF_0000, digits: 8)
            }
        }
        // The 80286 has a 16-bit IP. An i686 that has just executed the HLT at offset FFFFh may hold
        // EIP = 10000h (it would fault on the next fetch), so only the low 16 bits say anything.
        check(wide ? "eip" : "ip", .eip, expectedIP, cpu.eip, mask: (wide ? 0xFFFF_FFFF : 0xFFFF) & definedBits(.eip),
              digits: wide ? 8 : 4)

        let flagsMask = context.flagsMask(for: shape) & definedBits(.eflags)
        let e = expected(.eflags), a = cpu.eflags
        if e & flagsMask != a & flagsMask {
            out.append(SSTMismatch(location: .register(wide ? "eflags" : "flags"), register: .eflags, expected: e,
                                   actual: a, mask: flagsMask, digits: wide ? 8 : 4,
                                   note: "differs in: " + SSTMismatch.flagNames((e ^ a) & flagsMask)))
        }

        for (m, s) in Self.segmentRegisters where wide || (m != .fs && m != .gs) {
            let cache = cpu.segment(s)
            let e = m == .cs ? expectedCS : expected(m) & 0xFFFF
            check(m.description, m, e, UInt32(cache.selector), mask: 0xFFFF & definedBits(m), digits: 4)
            // A real-mode load sets base = selector × 16; anything else is a segment-load bug.
            check("\(m.description).base", nil, UInt32(cache.selector) << 4, cache.base, mask: 0xFFFF_FFFF, digits: 8,
                  note: "real-mode base must be selector × 16")
        }

        if wide {
            // CR0: PE MP EM TS plus PG; the 386 has no NE/WP/AM/NW/CD and its captures carry ones there.
            if final[.cr0] != nil {
                check("cr0", .cr0, expected(.cr0), cpu.cr0, mask: 0x8000_000F & definedBits(.cr0), digits: 8)
            }
            if final[.cr3] != nil { check("cr3", .cr3, expected(.cr3), cpu.cr3, mask: definedBits(.cr3), digits: 8) }
            // DR6: B0–B3, BD, BS, BT; DR7: enables, GE/LE, GD, R/W and LEN (reserved bits differ by model).
            if final[.dr6] != nil {
                check("dr6", .dr6, expected(.dr6), cpu.dr[6], mask: 0x0000_E00F & definedBits(.dr6), digits: 8)
            }
            if final[.dr7] != nil {
                check("dr7", .dr7, expected(.dr7), cpu.dr[7], mask: 0xFFFF_23FF & definedBits(.dr7), digits: 8)
            }
        }
        return out
    }

    private func compareMemory(_ test: MOOTest, context: SSTFileContext, shape: SSTInstructionShape) -> [SSTMismatch] {
        let addressMask = context.referenceCPU.addressMask
        var expected: [UInt32: UInt8] = [:]
        expected.reserveCapacity(test.initial.ram.count + test.final.ram.count)
        for b in test.initial.ram { expected[b.address & addressMask] = b.value }
        for b in test.final.ram { expected[b.address & addressMask] = b.value }

        let pushed = pushedFlagsAddresses(test, profile: context.referenceCPU)
        let pushedMask = context.flagsMask(for: shape) & 0xFFFF
        var out: [SSTMismatch] = []
        for (address, value) in expected {
            var mask: UInt32 = 0xFF
            var flagsShift: UInt32?
            if let pushed, address == pushed.low {
                mask = pushedMask & 0xFF
                flagsShift = 0
            } else if let pushed, address == pushed.high {
                mask = pushedMask >> 8
                flagsShift = 8
            }
            let actual = UInt32(ramByte(address) ?? 0xFF)
            if UInt32(value) & mask != actual & mask {
                let note = flagsShift.map { shift in
                    "pushed FLAGS (\(shift == 0 ? "low" : "high") byte), differs in: "
                        + SSTMismatch.flagNames(((UInt32(value) ^ actual) & mask) << shift)
                }
                out.append(SSTMismatch(location: .memory(address: address), expected: UInt32(value), actual: actual,
                                       mask: mask, digits: 2, note: note))
            }
        }
        out.sort {
            if case .memory(let a) = $0.location, case .memory(let b) = $1.location { return a < b }
            return false
        }
        return out
    }
}
