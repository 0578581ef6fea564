// Host x87 execution of guest x87 operations (x86_64 hosts with GCC/clang inline assembly).
//
// The emulator's FPU (Sources/X86/FPU) keeps the guest's register file, tags, TOP and pointers
// itself and calls these functions only for the arithmetic: each call loads its operands into an
// otherwise empty host x87 stack, sets the host control word to the guest's precision and rounding
// control with all six exceptions masked, runs the real instruction, stores the result(s), reads
// the host status word and clears the host's exception flags before any waiting instruction can
// see them. The host x87 stack is empty again when each function returns and the host control word
// is restored, so these functions are safe to call between arbitrary Swift/C code (the SysV x86_64
// ABI requires an empty x87 stack at calls).
//
// Results are bit-exact real-x87 results (including the transcendental instructions and NaN
// propagation) for the masked response. What an unmasked exception changes is the caller's job.

#ifndef CX87_H
#define CX87_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An x87 double-extended value laid out exactly as the m80 memory format: bytes 0-7 hold the
/// 64-bit significand (explicit integer bit = bit 63), bytes 8-9 hold the sign (bit 15) and the
/// biased exponent (bits 14-0). sizeof == 16; FLD/FSTP m80 touch only the first 10 bytes.
typedef struct cx87_f80 {
    uint64_t significand;
    uint16_t sign_exponent;
} cx87_f80;

/// Operations of `cx87_exec`. "a" is the value placed in the host's ST(0), "b" the value placed in
/// ST(1) (ignored by one-operand operations and constants).
typedef enum cx87_op {
    // Register forms with ST(0) as destination (D8 C1+8r): out[0] = a op b.
    CX87_FADD_ST0 = 0,   ///< D8 C1   ST(0) = ST(0) + ST(1)
    CX87_FMUL_ST0,       ///< D8 C9   ST(0) = ST(0) * ST(1)
    CX87_FSUB_ST0,       ///< D8 E1   ST(0) = ST(0) - ST(1)
    CX87_FSUBR_ST0,      ///< D8 E9   ST(0) = ST(1) - ST(0)
    CX87_FDIV_ST0,       ///< D8 F1   ST(0) = ST(0) / ST(1)
    CX87_FDIVR_ST0,      ///< D8 F9   ST(0) = ST(1) / ST(0)
    // Register forms with ST(1) as destination (DC C1+8r): out[1] = result.
    CX87_FADD_STI,       ///< DC C1   ST(1) = ST(1) + ST(0)
    CX87_FMUL_STI,       ///< DC C9   ST(1) = ST(1) * ST(0)
    CX87_FSUBR_STI,      ///< DC E1   ST(1) = ST(0) - ST(1)
    CX87_FSUB_STI,       ///< DC E9   ST(1) = ST(1) - ST(0)
    CX87_FDIVR_STI,      ///< DC F1   ST(1) = ST(0) / ST(1)
    CX87_FDIV_STI,       ///< DC F9   ST(1) = ST(1) / ST(0)
    // Comparisons of ST(0) with ST(1): only the status word (C3 C2 C0) is meaningful.
    CX87_FCOM,           ///< D8 D1   FCOM ST(1)  (IE on any NaN)
    CX87_FUCOM,          ///< DD E1   FUCOM ST(1) (IE on SNaN only)
    // Two-operand instructions working on ST(0) and ST(1).
    CX87_FPREM,          ///< out[0] = partial remainder, out[1] = b; C0 C1 C3 quotient bits, C2
    CX87_FPREM1,
    CX87_FSCALE,         ///< out[0] = a * 2^trunc(b), out[1] = b
    CX87_FPATAN,         ///< out[0] = arctan(b / a) (the host pops)
    CX87_FYL2X,          ///< out[0] = b * log2(a) (the host pops)
    CX87_FYL2XP1,        ///< out[0] = b * log2(a + 1) (the host pops)
    // One-operand instructions on ST(0) = a: out[0] = result.
    CX87_FSQRT,
    CX87_FRNDINT,
    CX87_F2XM1,
    CX87_FSIN,           ///< C2 = 1: operand out of range, out[0] = a unchanged
    CX87_FCOS,           ///< C2 = 1: operand out of range, out[0] = a unchanged
    CX87_FTST,           ///< status word only
    CX87_FXAM,           ///< status word only (C1 = sign, C3 C2 C0 = class)
    // One operand in, two values out (the host pushes): out[0] = new ST(0), out[1] = new ST(1).
    CX87_FXTRACT,        ///< out[0] = significand, out[1] = exponent
    CX87_FPTAN,          ///< out[0] = 1.0, out[1] = tan(a); C2 = 1: nothing pushed, out[0] = a
    CX87_FSINCOS,        ///< out[0] = cos(a), out[1] = sin(a); C2 = 1: nothing pushed, out[0] = a
    // Constants (no operand): out[0] = constant rounded by the control word's RC field.
    CX87_FLD1,
    CX87_FLDL2T,
    CX87_FLDL2E,
    CX87_FLDPI,
    CX87_FLDLG2,
    CX87_FLDLN2,
    CX87_FLDZ,
    CX87_OP_COUNT
} cx87_op;

/// Arithmetic with a memory operand (`cx87_exec_mem`): ST(0) = ST(0) op m, or a comparison.
typedef enum cx87_mem_op {
    CX87_MEM_FADD = 0,   ///< D8/DC/DA/DE /0
    CX87_MEM_FMUL,       ///< /1
    CX87_MEM_FCOM,       ///< /2 (and /3 FCOMP: the caller pops)
    CX87_MEM_FSUB,       ///< /4  ST(0) = ST(0) - m
    CX87_MEM_FSUBR,      ///< /5  ST(0) = m - ST(0)
    CX87_MEM_FDIV,       ///< /6  ST(0) = ST(0) / m
    CX87_MEM_FDIVR,      ///< /7  ST(0) = m / ST(0)
    CX87_MEM_OP_COUNT
} cx87_mem_op;

/// Memory operand formats. The byte counts are the sizes of the buffers the functions access.
typedef enum cx87_format {
    CX87_M32FP = 0,      ///< 4 bytes, IEEE single
    CX87_M64FP,          ///< 8 bytes, IEEE double
    CX87_M16INT,         ///< 2 bytes, two's complement
    CX87_M32INT,         ///< 4 bytes
    CX87_M64INT,         ///< 8 bytes (loads and stores only; no arithmetic form exists)
    CX87_M80BCD,         ///< 10 bytes, packed BCD (loads and stores only)
    CX87_FORMAT_COUNT
} cx87_format;

/// Runs `op` on the host x87.
/// - a, b: operands for ST(0) and ST(1); each must point to a readable cx87_f80 (b may equal a;
///   it is read only by two-operand operations but must always be valid).
/// - cw: the guest control word; only PC (bits 8-9) and RC (bits 10-11) are used.
/// - out: must point to two writable cx87_f80 (out[0], out[1]); see the op list for which are set.
/// Returns the host status word right after the instruction (exception flags, C0-C3, TOP).
uint16_t cx87_exec(cx87_op op, const cx87_f80 *a, const cx87_f80 *b, uint16_t cw, cx87_f80 *out);

/// Runs ST(0) = a op m (or compares a with m) with the memory operand `mem` in `format`
/// (CX87_M32FP, CX87_M64FP, CX87_M16INT or CX87_M32INT; anything else returns 0xFFFF).
/// - mem must point to at least 4 (m32fp, m32int), 8 (m64fp) or 2 (m16int) readable bytes.
/// - out must point to one writable cx87_f80 (not written for CX87_MEM_FCOM).
uint16_t cx87_exec_mem(cx87_mem_op op, cx87_format format, const cx87_f80 *a, const void *mem,
                       uint16_t cw, cx87_f80 *out);

/// Loads `src` (a memory operand in `format`) as FLD/FILD/FBLD would and stores the 80-bit value
/// to `out`. src must hold the format's byte count (2, 4, 8 or 10 bytes).
uint16_t cx87_load(cx87_format format, const void *src, uint16_t cw, cx87_f80 *out);

/// Stores `src` to `dst` as FSTP m32/m64, FISTP m16/m32/m64 or FBSTP would (rounding by cw's RC).
/// dst must have room for the format's byte count (2, 4, 8 or 10 bytes); with the host masked it
/// always receives a value (the masked response, e.g. integer indefinite).
uint16_t cx87_store(cx87_format format, const cx87_f80 *src, uint16_t cw, void *dst);

#ifdef __cplusplus
}
#endif

#endif
