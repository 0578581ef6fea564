// Host x87 execution of guest x87 operations: see include/cx87.h for the contract.

#include "cx87.h"

#if !defined(__x86_64__) || !(defined(__GNUC__) || defined(__clang__))
#error "CX87 runs guest x87 arithmetic on the host's x87 unit: it needs an x86_64 host and GCC/clang inline assembly"
#endif

/// Host control word for a guest control word: the guest's PC and RC, all exceptions masked
/// (bits 0-5), reserved bit 6 set as FNINIT leaves it.
static inline uint16_t host_control_word(uint16_t cw) {
    return (uint16_t)((cw & 0x0F00u) | 0x007Fu);
}

// Every sequence below starts and ends with an empty host x87 stack; the clobbers tell the
// compiler that all eight stack registers (and the flags, for the tests below) are used inside.
#define X87_CLOBBERS "cc", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"

// The shared prologue/epilogue. The exception flags must be clear when the instruction starts
// (they are sticky) and are cleared again afterwards so none leak to other host code. FNSTSW and
// FNCLEX are no-wait instructions, so the host never raises #MF (all exceptions are masked anyway).
// PERF: FNCLEX is slow (about 25 ns on the AMD EPYC host), so it only runs when FNSTSW shows a
// flag set: before the operation only if foreign host code left one behind, afterwards only if
// the operation raised something. A 10M-call loop of exact FADDs went from 48 to 34 ns per call.
#define X87_ENTER "fnstcw %[saved]\n\t" "fldcw %[cw]\n\t"
#define X87_OP(code)                                                                          \
    "fnstsw %[sw]\n\t" "testb $0x3f, %[sw]\n\t" "jz 8f\n\t" "fnclex\n"                      \
    "8:\n\t" code "\n\t"                                                                      \
    "fnstsw %[sw]\n\t" "testb $0x3f, %[sw]\n\t" "jz 9f\n\t" "fnclex\n"                      \
    "9:\n\t"
#define X87_LEAVE "fldcw %[saved]"

// SAFETY (all macros): `a` and `b` point to readable cx87_f80 (FLD m80 reads 10 of 16 bytes),
// `out` points to two writable cx87_f80 (FSTP m80 writes 10 of 16 bytes each); the caller
// guarantees this per the header contract.

/// a -> ST(0), b -> ST(1); afterwards store ST(0) and ST(1) (two values stay on the stack).
#define RUN_2_IN_2_OUT(code)                                                                  \
    __asm__ volatile(X87_ENTER "fldt %[b]\n\t" "fldt %[a]\n\t" X87_OP(code)                   \
                     "fstpt %[r0]\n\t" "fstpt %[r1]\n\t" X87_LEAVE                            \
                     : [sw] "=m"(sw), [r0] "=m"(out[0]), [r1] "=m"(out[1]), [saved] "+m"(saved) \
                     : [cw] "m"(hcw), [a] "m"(*a), [b] "m"(*b)                                \
                     : X87_CLOBBERS)

/// a -> ST(0), b -> ST(1); the instruction pops once; store the remaining ST(0).
#define RUN_2_IN_1_OUT(code)                                                                  \
    __asm__ volatile(X87_ENTER "fldt %[b]\n\t" "fldt %[a]\n\t" X87_OP(code)                   \
                     "fstpt %[r0]\n\t" X87_LEAVE                                              \
                     : [sw] "=m"(sw), [r0] "=m"(out[0]), [saved] "+m"(saved)                  \
                     : [cw] "m"(hcw), [a] "m"(*a), [b] "m"(*b)                                \
                     : X87_CLOBBERS)

/// a -> ST(0); store ST(0) afterwards.
#define RUN_1_IN_1_OUT(code)                                                                  \
    __asm__ volatile(X87_ENTER "fldt %[a]\n\t" X87_OP(code)                                   \
                     "fstpt %[r0]\n\t" X87_LEAVE                                              \
                     : [sw] "=m"(sw), [r0] "=m"(out[0]), [saved] "+m"(saved)                  \
                     : [cw] "m"(hcw), [a] "m"(*a)                                             \
                     : X87_CLOBBERS)

/// a -> ST(0); the instruction always pushes; store ST(0) and ST(1).
#define RUN_1_IN_2_OUT(code)                                                                  \
    __asm__ volatile(X87_ENTER "fldt %[a]\n\t" X87_OP(code)                                   \
                     "fstpt %[r0]\n\t" "fstpt %[r1]\n\t" X87_LEAVE                            \
                     : [sw] "=m"(sw), [r0] "=m"(out[0]), [r1] "=m"(out[1]), [saved] "+m"(saved) \
                     : [cw] "m"(hcw), [a] "m"(*a)                                             \
                     : X87_CLOBBERS)

/// a -> ST(0); the instruction pushes unless it sets C2 (operand out of range): store what is
/// there (testing C2 in the status word just stored).
#define RUN_1_IN_MAYBE_2_OUT(code)                                                            \
    __asm__ volatile(X87_ENTER "fldt %[a]\n\t" X87_OP(code)                                   \
                     "testw $0x400, %[sw]\n\t" "jnz 1f\n\t"                                   \
                     "fstpt %[r0]\n\t" "fstpt %[r1]\n\t" "jmp 2f\n"                           \
                     "1:\n\t" "fstpt %[r0]\n"                                                 \
                     "2:\n\t" X87_LEAVE                                                       \
                     : [sw] "+m"(sw), [r0] "=m"(out[0]), [r1] "=m"(out[1]), [saved] "+m"(saved) \
                     : [cw] "m"(hcw), [a] "m"(*a)                                             \
                     : X87_CLOBBERS)

/// a -> ST(0), b -> ST(1); the instruction leaves the stack as is; only the status word counts.
#define RUN_2_IN_0_OUT(code)                                                                  \
    __asm__ volatile(X87_ENTER "fldt %[b]\n\t" "fldt %[a]\n\t" X87_OP(code)                   \
                     "fstp %%st(0)\n\t" "fstp %%st(0)\n\t" X87_LEAVE                          \
                     : [sw] "=m"(sw), [saved] "+m"(saved)                                     \
                     : [cw] "m"(hcw), [a] "m"(*a), [b] "m"(*b)                                \
                     : X87_CLOBBERS)

/// a -> ST(0); only the status word counts.
#define RUN_1_IN_0_OUT(code)                                                                  \
    __asm__ volatile(X87_ENTER "fldt %[a]\n\t" X87_OP(code)                                   \
                     "fstp %%st(0)\n\t" X87_LEAVE                                             \
                     : [sw] "=m"(sw), [saved] "+m"(saved)                                     \
                     : [cw] "m"(hcw), [a] "m"(*a)                                             \
                     : X87_CLOBBERS)

/// No operand (constants): store the pushed ST(0).
#define RUN_0_IN_1_OUT(code)                                                                  \
    __asm__ volatile(X87_ENTER X87_OP(code) "fstpt %[r0]\n\t" X87_LEAVE                       \
                     : [sw] "=m"(sw), [r0] "=m"(out[0]), [saved] "+m"(saved)                  \
                     : [cw] "m"(hcw)                                                          \
                     : X87_CLOBBERS)

uint16_t cx87_exec(cx87_op op, const cx87_f80 *a, const cx87_f80 *b, uint16_t cw, cx87_f80 *out) {
    uint16_t sw = 0xFFFF;
    uint16_t saved = 0;
    const uint16_t hcw = host_control_word(cw);
    // The register-register arithmetic is spelled as raw opcode bytes: it is exactly the guest's
    // encoding with i = 1, and it avoids the AT&T mnemonic swap of FSUB/FSUBR and FDIV/FDIVR in
    // forms whose destination is ST(i).
    switch (op) {
    case CX87_FADD_ST0: RUN_2_IN_2_OUT(".byte 0xd8, 0xc1"); break;
    case CX87_FMUL_ST0: RUN_2_IN_2_OUT(".byte 0xd8, 0xc9"); break;
    case CX87_FSUB_ST0: RUN_2_IN_2_OUT(".byte 0xd8, 0xe1"); break;
    case CX87_FSUBR_ST0: RUN_2_IN_2_OUT(".byte 0xd8, 0xe9"); break;
    case CX87_FDIV_ST0: RUN_2_IN_2_OUT(".byte 0xd8, 0xf1"); break;
    case CX87_FDIVR_ST0: RUN_2_IN_2_OUT(".byte 0xd8, 0xf9"); break;
    case CX87_FADD_STI: RUN_2_IN_2_OUT(".byte 0xdc, 0xc1"); break;
    case CX87_FMUL_STI: RUN_2_IN_2_OUT(".byte 0xdc, 0xc9"); break;
    case CX87_FSUBR_STI: RUN_2_IN_2_OUT(".byte 0xdc, 0xe1"); break;
    case CX87_FSUB_STI: RUN_2_IN_2_OUT(".byte 0xdc, 0xe9"); break;
    case CX87_FDIVR_STI: RUN_2_IN_2_OUT(".byte 0xdc, 0xf1"); break;
    case CX87_FDIV_STI: RUN_2_IN_2_OUT(".byte 0xdc, 0xf9"); break;
    case CX87_FCOM: RUN_2_IN_0_OUT(".byte 0xd8, 0xd1"); break;
    case CX87_FUCOM: RUN_2_IN_0_OUT(".byte 0xdd, 0xe1"); break;
    case CX87_FPREM: RUN_2_IN_2_OUT("fprem"); break;
    case CX87_FPREM1: RUN_2_IN_2_OUT("fprem1"); break;
    case CX87_FSCALE: RUN_2_IN_2_OUT("fscale"); break;
    case CX87_FPATAN: RUN_2_IN_1_OUT("fpatan"); break;
    case CX87_FYL2X: RUN_2_IN_1_OUT("fyl2x"); break;
    case CX87_FYL2XP1: RUN_2_IN_1_OUT("fyl2xp1"); break;
    case CX87_FSQRT: RUN_1_IN_1_OUT("fsqrt"); break;
    case CX87_FRNDINT: RUN_1_IN_1_OUT("frndint"); break;
    case CX87_F2XM1: RUN_1_IN_1_OUT("f2xm1"); break;
    case CX87_FSIN: RUN_1_IN_1_OUT("fsin"); break;
    case CX87_FCOS: RUN_1_IN_1_OUT("fcos"); break;
    case CX87_FTST: RUN_1_IN_0_OUT("ftst"); break;
    case CX87_FXAM: RUN_1_IN_0_OUT("fxam"); break;
    case CX87_FXTRACT: RUN_1_IN_2_OUT("fxtract"); break;
    case CX87_FPTAN: RUN_1_IN_MAYBE_2_OUT("fptan"); break;
    case CX87_FSINCOS: RUN_1_IN_MAYBE_2_OUT("fsincos"); break;
    case CX87_FLD1: RUN_0_IN_1_OUT("fld1"); break;
    case CX87_FLDL2T: RUN_0_IN_1_OUT("fldl2t"); break;
    case CX87_FLDL2E: RUN_0_IN_1_OUT("fldl2e"); break;
    case CX87_FLDPI: RUN_0_IN_1_OUT("fldpi"); break;
    case CX87_FLDLG2: RUN_0_IN_1_OUT("fldlg2"); break;
    case CX87_FLDLN2: RUN_0_IN_1_OUT("fldln2"); break;
    case CX87_FLDZ: RUN_0_IN_1_OUT("fldz"); break;
    default: break;
    }
    return sw;
}

// SAFETY (memory-operand macros): `m` is the caller's buffer; the instruction reads exactly the
// operand size of its mnemonic suffix (s = 4 bytes float / 2 bytes integer with fi..s,
// l = 8 bytes float / 4 bytes integer with fi..l), which the header contract guarantees.

/// a -> ST(0); ST(0) = ST(0) op m; store ST(0).
#define RUN_MEM(code, mtype)                                                                  \
    __asm__ volatile(X87_ENTER "fldt %[a]\n\t" X87_OP(code " %[m]")                           \
                     "fstpt %[r0]\n\t" X87_LEAVE                                              \
                     : [sw] "=m"(sw), [r0] "=m"(*out), [saved] "+m"(saved)                    \
                     : [cw] "m"(hcw), [a] "m"(*a), [m] "m"(*(const mtype *)mem)               \
                     : X87_CLOBBERS)

/// a -> ST(0); compare ST(0) with m; only the status word counts.
#define RUN_MEM_COMPARE(code, mtype)                                                          \
    __asm__ volatile(X87_ENTER "fldt %[a]\n\t" X87_OP(code " %[m]")                           \
                     "fstp %%st(0)\n\t" X87_LEAVE                                             \
                     : [sw] "=m"(sw), [saved] "+m"(saved)                                     \
                     : [cw] "m"(hcw), [a] "m"(*a), [m] "m"(*(const mtype *)mem)               \
                     : X87_CLOBBERS)

#define MEM_FORMS(f32, f64, i16, i32)                                                     \
    switch (format) {                                                                         \
    case CX87_M32FP: RUN_MEM(f32, float); break;                                             \
    case CX87_M64FP: RUN_MEM(f64, double); break;                                            \
    case CX87_M16INT: RUN_MEM(i16, int16_t); break;                                          \
    case CX87_M32INT: RUN_MEM(i32, int32_t); break;                                          \
    default: break;                                                                           \
    }

uint16_t cx87_exec_mem(cx87_mem_op op, cx87_format format, const cx87_f80 *a, const void *mem,
                       uint16_t cw, cx87_f80 *out) {
    uint16_t sw = 0xFFFF;
    uint16_t saved = 0;
    const uint16_t hcw = host_control_word(cw);
    // With a memory source the AT&T mnemonics are unambiguous: fsubs m = ST(0) - m (D8 /4),
    // fsubrs m = m - ST(0) (D8 /5), and likewise for division.
    switch (op) {
    case CX87_MEM_FADD: MEM_FORMS("fadds", "faddl", "fiadds", "fiaddl"); break;
    case CX87_MEM_FMUL: MEM_FORMS("fmuls", "fmull", "fimuls", "fimull"); break;
    case CX87_MEM_FSUB: MEM_FORMS("fsubs", "fsubl", "fisubs", "fisubl"); break;
    case CX87_MEM_FSUBR: MEM_FORMS("fsubrs", "fsubrl", "fisubrs", "fisubrl"); break;
    case CX87_MEM_FDIV: MEM_FORMS("fdivs", "fdivl", "fidivs", "fidivl"); break;
    case CX87_MEM_FDIVR: MEM_FORMS("fdivrs", "fdivrl", "fidivrs", "fidivrl"); break;
    case CX87_MEM_FCOM:
        switch (format) {
        case CX87_M32FP: RUN_MEM_COMPARE("fcoms", float); break;
        case CX87_M64FP: RUN_MEM_COMPARE("fcoml", double); break;
        case CX87_M16INT: RUN_MEM_COMPARE("ficoms", int16_t); break;
        case CX87_M32INT: RUN_MEM_COMPARE("ficoml", int32_t); break;
        default: break;
        }
        break;
    default: break;
    }
    return sw;
}

/// Packed BCD operand (10 bytes) for the "m" constraints of FBLD/FBSTP.
typedef struct cx87_bcd { uint8_t bytes[10]; } cx87_bcd;

// SAFETY (load/store macros): `src`/`dst` hold the byte count of `mtype` (2, 4, 8 or 10), as the
// header contract requires for each format.

#define RUN_LOAD(code, mtype)                                                                 \
    __asm__ volatile(X87_ENTER X87_OP(code " %[m]") "fstpt %[r0]\n\t" X87_LEAVE               \
                     : [sw] "=m"(sw), [r0] "=m"(*out), [saved] "+m"(saved)                    \
                     : [cw] "m"(hcw), [m] "m"(*(const mtype *)src)                            \
                     : X87_CLOBBERS)

uint16_t cx87_load(cx87_format format, const void *src, uint16_t cw, cx87_f80 *out) {
    uint16_t sw = 0xFFFF;
    uint16_t saved = 0;
    const uint16_t hcw = host_control_word(cw);
    switch (format) {
    case CX87_M32FP: RUN_LOAD("flds", float); break;
    case CX87_M64FP: RUN_LOAD("fldl", double); break;
    case CX87_M16INT: RUN_LOAD("filds", int16_t); break;
    case CX87_M32INT: RUN_LOAD("fildl", int32_t); break;
    case CX87_M64INT: RUN_LOAD("fildll", int64_t); break;
    case CX87_M80BCD: RUN_LOAD("fbld", cx87_bcd); break;
    default: break;
    }
    return sw;
}

// The popping store empties the host stack in the same instruction that produces the flags.
#define RUN_STORE(code, mtype)                                                                \
    __asm__ volatile(X87_ENTER "fldt %[a]\n\t" X87_OP(code " %[m]") X87_LEAVE                 \
                     : [sw] "=m"(sw), [m] "=m"(*(mtype *)dst), [saved] "+m"(saved)            \
                     : [cw] "m"(hcw), [a] "m"(*src)                                           \
                     : X87_CLOBBERS)

uint16_t cx87_store(cx87_format format, const cx87_f80 *src, uint16_t cw, void *dst) {
    uint16_t sw = 0xFFFF;
    uint16_t saved = 0;
    const uint16_t hcw = host_control_word(cw);
    switch (format) {
    case CX87_M32FP: RUN_STORE("fstps", float); break;
    case CX87_M64FP: RUN_STORE("fstpl", double); break;
    case CX87_M16INT: RUN_STORE("fistps", int16_t); break;
    case CX87_M32INT: RUN_STORE("fistpl", int32_t); break;
    case CX87_M64INT: RUN_STORE("fistpll", int64_t); break;
    case CX87_M80BCD: RUN_STORE("fbstp", cx87_bcd); break;
    default: break;
    }
    return sw;
}
