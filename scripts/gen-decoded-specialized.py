#!/usr/bin/env python3
"""Generates Sources/X86/CPU+DecodedSpecialized.swift: decoded-op handlers with the ALU operation
(32-bit forms) or the Jcc condition fixed, so `alu` and `condition` fold to straight-line code,
and 32-bit forms of other hot kinds (FIXED_32).
The enum cases they handle are listed in Sources/X86/DecodedOp.swift in the same order.
Run from the repository root: scripts/gen-decoded-specialized.py"""

OPS = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"]
FORMS = ["RR", "RI", "RM", "MR", "MI"]
CONDITIONS = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"]


def alu_body(form, i):
    store = i != 7  # CMP only sets flags
    result = "let r = " if store else "_ = "
    if form == "RR":
        body = f"        {result}alu({i}, regs[Int(p.pointee.rm)], regs[Int(p.pointee.reg)], 2)"
        return body + ("\n        regs[Int(p.pointee.rm)] = r" if store else "")
    if form == "RI":
        body = f"        {result}alu({i}, regs[Int(p.pointee.rm)], p.pointee.imm, 2)"
        return body + ("\n        regs[Int(p.pointee.rm)] = r" if store else "")
    if form == "RM":
        body = ("        let m = try opRead32(p, effectiveOffset32(p))\n"
                f"        {result}alu({i}, regs[Int(p.pointee.reg)], m, 2)")
        return body + ("\n        regs[Int(p.pointee.reg)] = r" if store else "")
    source = "regs[Int(p.pointee.reg)]" if form == "MR" else "p.pointee.imm"
    body = ("        let off = effectiveOffset32(p)\n"
            "        let m = try opRead32(p, off)\n"
            f"        {result}alu({i}, m, {source}, 2)")
    return body + ("\n        try opWrite32(p, off, r)" if store else "")


# Memory operands of these kinds use 32-bit addressing (the decoder keeps 16-bit addressing on the
# generic kinds), so `effectiveOffset32` needs no mask.
# Hot 32-bit forms of the generic kinds, with the operand size fixed (no size switches, the lazy
# flag size folds to a constant). PERF: `partita bench cpu` (alu, memory, call/ret) and kernel code
# (mpihelp_addmul_1: mov/mul/add/adc loops).
FIXED_32 = [
    ("incR32", """        let a = regs[Int(p.pointee.rm)]
        let r = a &+ 1
        flagsIncDec(a, r, 2, sub: false)
        regs[Int(p.pointee.rm)] = r"""),
    ("decR32", """        let a = regs[Int(p.pointee.rm)]
        let r = a &- 1
        flagsIncDec(a, r, 2, sub: true)
        regs[Int(p.pointee.rm)] = r"""),
    # PUSH ESP pushes the value before the decrement; POP ESP loads ESP with the popped value.
    ("pushR32", """        try opPush32(regs[Int(p.pointee.rm)])"""),
    ("popR32", """        let v = try opPop32()
        regs[Int(p.pointee.rm)] = v"""),
    ("movRR32", """        regs[Int(p.pointee.rm)] = regs[Int(p.pointee.reg)]"""),
    ("movRM32", """        regs[Int(p.pointee.reg)] = try opRead32(p, effectiveOffset32(p))"""),
    ("movMR32", """        try opWrite32(p, effectiveOffset32(p), regs[Int(p.pointee.reg)])"""),
    # MOV with a [base + displacement] operand (no index), the commonest kernel form.
    ("movRM32B", """        regs[Int(p.pointee.reg)] = try opRead32(p, p.pointee.disp &+ regs[Int(p.pointee.base)])"""),
    ("movMR32B", """        try opWrite32(p, p.pointee.disp &+ regs[Int(p.pointee.base)], regs[Int(p.pointee.reg)])"""),
    ("testRR32", """        flagsLogic(regs[Int(p.pointee.rm)] & regs[Int(p.pointee.reg)], 2)"""),
    # SHL/SHR/SAR r32, imm (C1 /4 /5 /7, D1 with count 1): the group-2 code with op and size
    # fixed (kernel code shifts by constants often; the generic path called shiftRotate).
    ("shlRI32", """        regs[Int(p.pointee.rm)] = shiftRotateInline(4, regs[Int(p.pointee.rm)], p.pointee.imm, 2)"""),
    ("shrRI32", """        regs[Int(p.pointee.rm)] = shiftRotateInline(5, regs[Int(p.pointee.rm)], p.pointee.imm, 2)"""),
    ("sarRI32", """        regs[Int(p.pointee.rm)] = shiftRotateInline(7, regs[Int(p.pointee.rm)], p.pointee.imm, 2)"""),
    # MUL r/m32 (F7 /4): EDX:EAX = EAX * r/m32; CF = OF = (EDX != 0).
    ("mulR32", """        decodedMul32(regs[Int(p.pointee.rm)])"""),
    ("mulM32", """        decodedMul32(try opRead32(p, effectiveOffset32(p)))"""),
    # IMUL r32, r/m32 (0F AF): reg = reg * r/m; CF = OF = the signed product did not fit.
    ("imulRR32", """        decodedImul32(regs[Int(p.pointee.rm)], p)"""),
    ("imulRM32", """        decodedImul32(try opRead32(p, effectiveOffset32(p)), p)"""),
]


# Register-only kinds and conditional jumps: small, no memory access, so inlined into the dispatch
# loop (`CPU.runOps`) they cost no call, prologue or spill. PERF: scripts/callgrind-cpu.sh.
INLINED = {f"{op}RR32" for op in OPS} | {f"{op}RI32" for op in OPS} | {f"j{c}" for c in CONDITIONS} \
    | {"incR32", "decR32", "movRR32", "testRR32", "movRM32", "movMR32", "pushR32", "popR32"} \
    | {"shlRI32", "shrRI32", "sarRI32", "movRM32B", "movMR32B"} \
    | {f"{op}RM32" for op in OPS} | {f"{op}MR32" for op in OPS} | {f"{op}MI32" for op in OPS}


# Kinds that touch only registers and flags: they cannot fault on memory or raise an event, so
# `runOps` goes straight on to the next op after them.
REGISTER_ONLY = {f"{op}RR32" for op in OPS} | {f"{op}RI32" for op in OPS} \
    | {"incR32", "decR32", "movRR32", "testRR32", "mulR32", "imulRR32", "shlRI32", "shrRI32", "sarRI32"}


# Kinds that read memory but do not write it: no event check after them (see `runOps`).
READ_ONLY = {f"{op}RM32" for op in OPS} | {"cmpMR32", "cmpMI32", "movRM32", "movRM32B", "popR32", "mulM32", "imulRM32"}


# 32-bit register ALU forms whose flags no later op can see (`BlockOptimizer` proves it within the
# block): the bare operation. SUB r, imm, INC and DEC become ADD r, imm with the immediate negated
# or 1 / -1 (the optimizer rewrites them); CMP and TEST become nothing.
# PERF: `partita bench cpu` (alu: ADD before XOR) and kernel code (ADD/AND before CMP).
NO_FLAGS = [
    ("addRR32N", "regs[Int(p.pointee.rm)] = regs[Int(p.pointee.rm)] &+ regs[Int(p.pointee.reg)]"),
    ("orRR32N", "regs[Int(p.pointee.rm)] = regs[Int(p.pointee.rm)] | regs[Int(p.pointee.reg)]"),
    ("andRR32N", "regs[Int(p.pointee.rm)] = regs[Int(p.pointee.rm)] & regs[Int(p.pointee.reg)]"),
    ("subRR32N", "regs[Int(p.pointee.rm)] = regs[Int(p.pointee.rm)] &- regs[Int(p.pointee.reg)]"),
    ("xorRR32N", "regs[Int(p.pointee.rm)] = regs[Int(p.pointee.rm)] ^ regs[Int(p.pointee.reg)]"),
    ("addRI32N", "regs[Int(p.pointee.rm)] = regs[Int(p.pointee.rm)] &+ p.pointee.imm"),
    ("orRI32N", "regs[Int(p.pointee.rm)] = regs[Int(p.pointee.rm)] | p.pointee.imm"),
    ("andRI32N", "regs[Int(p.pointee.rm)] = regs[Int(p.pointee.rm)] & p.pointee.imm"),
    ("xorRI32N", "regs[Int(p.pointee.rm)] = regs[Int(p.pointee.rm)] ^ p.pointee.imm"),
]

# A flag-setting 32-bit register op followed by a Jcc, as one op (`BlockOptimizer` pairs them): the
# op runs as it would alone (register, lazy flags), and the condition comes from its operands in
# registers instead of from the lazy flags. The op carries the Jcc's `end`, `position`, `length`,
# `size` and marks, and the Jcc's displacement in `disp`.
# PERF: `partita bench cpu` (DEC ECX / JNZ closes every loop) and kernel code (CMP/TEST + Jcc).
# Each setter: (kind prefix, setter kind, the statements that run it, conditions on its operands).
CMP_CONDITIONS = {
    "b": "a < b", "ae": "a >= b", "e": "a == b", "ne": "a != b", "be": "a <= b", "a": "a > b",
    "s": "Int32(bitPattern: a &- b) < 0", "ns": "Int32(bitPattern: a &- b) >= 0",
    "l": "Int32(bitPattern: a) < Int32(bitPattern: b)", "ge": "Int32(bitPattern: a) >= Int32(bitPattern: b)",
    "le": "Int32(bitPattern: a) <= Int32(bitPattern: b)", "g": "Int32(bitPattern: a) > Int32(bitPattern: b)"}
FUSED_SETTERS = [
    ("cmpRR", "cmpRR32", """        let a = regs[Int(p.pointee.rm)], b = regs[Int(p.pointee.reg)]
        flagsSub(a, b, a &- b, 2)""", CMP_CONDITIONS),
    ("cmpRI", "cmpRI32", """        let a = regs[Int(p.pointee.rm)], b = p.pointee.imm
        flagsSub(a, b, a &- b, 2)""", CMP_CONDITIONS),
    # TEST: CF = OF = 0, so L is S, LE is "zero or negative".
    ("testRR", "testRR32", """        let r = regs[Int(p.pointee.rm)] & regs[Int(p.pointee.reg)]
        flagsLogic(r, 2)""", {
        "e": "r == 0", "ne": "r != 0", "s": "Int32(bitPattern: r) < 0", "ns": "Int32(bitPattern: r) >= 0",
        "l": "Int32(bitPattern: r) < 0", "ge": "Int32(bitPattern: r) >= 0",
        "le": "Int32(bitPattern: r) <= 0", "g": "Int32(bitPattern: r) > 0"}),
    # DEC sets SF/ZF/OF as CMP a, 1 would; INC as CMP a, -1 would (OF only at the signed limit).
    ("dec", "decR32", """        let a = regs[Int(p.pointee.rm)]
        let r = a &- 1
        flagsIncDec(a, r, 2, sub: true)
        regs[Int(p.pointee.rm)] = r""", {
        "e": "r == 0", "ne": "r != 0", "s": "Int32(bitPattern: r) < 0", "ns": "Int32(bitPattern: r) >= 0",
        "l": "Int32(bitPattern: a) < 1", "ge": "Int32(bitPattern: a) >= 1",
        "le": "Int32(bitPattern: a) <= 1", "g": "Int32(bitPattern: a) > 1"}),
    ("inc", "incR32", """        let a = regs[Int(p.pointee.rm)]
        let r = a &+ 1
        flagsIncDec(a, r, 2, sub: false)
        regs[Int(p.pointee.rm)] = r""", {
        "e": "r == 0", "ne": "r != 0", "s": "Int32(bitPattern: r) < 0", "ns": "Int32(bitPattern: r) >= 0",
        "l": "Int32(bitPattern: a) < -1", "ge": "Int32(bitPattern: a) >= -1",
        "le": "Int32(bitPattern: a) <= -1", "g": "Int32(bitPattern: a) > -1"}),
]


def fused_kinds():
    """(kind, setter kind, jcc kind, handler body) for every fused pair."""
    kinds = []
    for prefix, setter, run, conds in FUSED_SETTERS:
        for c in CONDITIONS:
            if c not in conds:
                continue
            body = (f"{run}\n"
                    f"        return {conds[c]}")
            kinds.append((f"{prefix}J{c}32", setter, f"j{c}", body))
    return kinds


def case_line(kind, fn):
    """The `runOps` case for `kind` (see the comment at the top of the generated file)."""
    if kind.startswith("j") or kind in FUSED:
        # A taken jump back to the block's start loops here (`loopAgain`); any other is taken
        # and leaves through the taken-branch path below the switch.
        jump = "try decodedJumpNear(fusedTarget(op))" if kind in FUSED else "try decodedJump(op)"
        return (f"case .{kind}: if {fn}(op) {{ if op.pointee.marks & DecodedOp.Mark.loops != 0 {{ "
                f"if loopAgain(op) {{ op = first; continue linear }}; return .next }}; {jump}; break linear }}; "
                f"op += 1; continue linear")
    if kind in NO_FLAGS_KINDS:
        return f"case .{kind}: {fn}(op); op += 1; continue linear"
    if kind in REGISTER_ONLY or kind in READ_ONLY:
        return f"case .{kind}: try {fn}(op); op += 1; continue linear"
    return f"case .{kind}: try {fn}(op)"


NO_FLAGS_KINDS = {k for k, _ in NO_FLAGS}
FUSED = {k for k, _, _, _ in fused_kinds()}


def attribute(kind):
    return "@inline(__always)" if kind in INLINED or kind in NO_FLAGS_KINDS or kind in FUSED else "@inline(never)"


def main():
    handlers, cases = [], []
    for form in FORMS:
        for i, op in enumerate(OPS):
            kind = f"{op}{form}32"
            fn = "decodedS" + kind[0].upper() + kind[1:]
            cases.append(case_line(kind, fn))
            handlers.append(f"    {attribute(kind)} func {fn}(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {{\n"
                            f"{alu_body(form, i)}\n    }}")
    for i, c in enumerate(CONDITIONS):
        fn = f"decodedJ{c.upper()}"
        cases.append(case_line(f"j{c}", fn))
        handlers.append(f"    {attribute('j' + c)} func {fn}(_ p: UnsafePointer<DecodedOp>) -> Bool {{\n"
                        f"        condition({i})\n    }}")
    for kind, body in FIXED_32:
        fn = "decodedS" + kind[0].upper() + kind[1:]
        cases.append(case_line(kind, fn))
        handlers.append(f"    {attribute(kind)} func {fn}(_ p: UnsafePointer<DecodedOp>) throws(CPUFault) {{\n"
                        f"{body}\n    }}")
    for kind, body in NO_FLAGS:
        fn = "decodedS" + kind[0].upper() + kind[1:]
        cases.append(case_line(kind, fn))
        handlers.append(f"    {attribute(kind)} func {fn}(_ p: UnsafePointer<DecodedOp>) {{\n        {body}\n    }}")
    by_setter = {}
    for kind, setter, jcc, body in fused_kinds():
        fn = "decodedF" + kind[0].upper() + kind[1:]
        cases.append(case_line(kind, fn))
        handlers.append(f"    {attribute(kind)} func {fn}(_ p: UnsafePointer<DecodedOp>) -> Bool {{\n"
                        f"{body}\n    }}")
        by_setter.setdefault(setter, []).append((CONDITIONS.index(jcc[1:]), kind))
    # Integer switches (jump tables): the block builder asks for every op it decodes.
    mapping = []
    for setter, kinds in by_setter.items():
        mapping.append(f"        case .{setter}:")
        mapping.append("            switch cc {")
        mapping += [f"            case {cc}: return .{kind}" for cc, kind in kinds]
        mapping.append("            default: return nil")
        mapping.append("            }")
    out = [
        "// GENERATED by scripts/gen-decoded-specialized.py — do not edit; change the script and rerun it.",
        "// Decoded-op handlers with the 32-bit ALU operation or the Jcc condition fixed, so `alu` and",
        "// `condition` fold to straight-line code. PERF: `partita bench cpu` (alu, memory, crc32).",
        "",
        "// `runOps` (CPU+RunOps.swift) lists every kind in one switch, so the compiler builds a single",
        "// jump table; its cases for these kinds are (register-only and memory-reading kinds and untaken",
        "// jumps go straight on to the next op, the others through the event check):",
        *["// " + c for c in cases],
        "",
        "extension CPU {",
        *[h + "\n" for h in handlers],
        "}",
        "",
        "extension DecodedKind {",
        "    /// The fused kind for flag-setting op `setter` followed by the Jcc `jcc`, if there is one.",
        "    static func fusedJcc(_ setter: DecodedKind, _ jcc: DecodedKind) -> DecodedKind? {",
        "        guard jcc.rawValue >= DecodedKind.jo.rawValue && jcc.rawValue <= DecodedKind.jg.rawValue else { return nil }",
        "        let cc = jcc.rawValue &- DecodedKind.jo.rawValue",
        "        switch setter {",
        *mapping,
        "        default: return nil",
        "        }",
        "    }",
        "}",
    ]
    with open("Sources/X86/CPU+DecodedSpecialized.swift", "w") as f:
        f.write("\n".join(out).rstrip() + "\n")


if __name__ == "__main__":
    main()
