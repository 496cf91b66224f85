/*
 * Machine-context switch for AArch64, AAPCS64 (Linux).
 *
 *   void stackless_swap_context(void **save_sp, void *load_sp);
 *       Saves the callee-saved state of the caller on its own stack, stores the
 *       resulting stack pointer in *save_sp, then resumes the context whose
 *       stack pointer is load_sp.
 *
 *   stackless_context_entry (never called directly)
 *       First resume point of a fresh context built by PrepareContext() in
 *       context.cc: calls entry(arg) with entry in x19 and arg in x20.
 *       entry must never return.
 *
 * Saved-context layout, from the saved stack pointer upwards (lowest first).
 * The frame is 176 bytes, so the stack pointer stays 16-byte aligned as
 * AArch64 requires of every sp-based access.
 *
 *   offset  size  contents
 *   +0      8     x19
 *   +8      8     x20
 *   +16     8     x21
 *   +24     8     x22
 *   +32     8     x23
 *   +40     8     x24
 *   +48     8     x25
 *   +56     8     x26
 *   +64     8     x27
 *   +72     8     x28
 *   +80     8     x29 (frame pointer)
 *   +88     8     x30 (link register: the resume point)
 *   +96     8     d8  (low 64 bits of v8; the upper bits are caller-saved)
 *   +104    8     d9
 *   +112    8     d10
 *   +120    8     d11
 *   +128    8     d12
 *   +136    8     d13
 *   +144    8     d14
 *   +152    8     d15
 *   +160    8     FPCR (rounding mode, flush-to-zero, default NaN: control
 *                 state a callee leaves as it found it, like MXCSR's control
 *                 bits on x86-64)
 *   +168    8     padding
 *
 * Everything else is caller-saved in this ABI and needs no saving: x0-x17,
 * x18 (the platform register; glibc Linux gives it no role, and the thread
 * pointer TPIDR_EL0 stays with the OS thread), v0-v7, v16-v31, the upper
 * halves of v8-v15, SVE/SME state (not live across a base-PCS call), NZCV and
 * FPSR (status flags).
 *
 * Writing FPCR can be slow on some cores, so it is written only when the
 * resumed context's value differs from the current one.
 */

/* Branch Target Identification: when the addon is built with
 * -mbranch-protection, mark the indirect-branch targets and tell the linker
 * this object is compatible, so the module keeps its BTI/PAC marking. */
#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#define STACKLESS_BTI_C hint #34
#else
#define STACKLESS_BTI_C
#endif

        .text
        .p2align 4
        .globl  stackless_swap_context
        .type   stackless_swap_context, %function
stackless_swap_context:
        .cfi_startproc
        STACKLESS_BTI_C
        sub     sp, sp, #176
        .cfi_def_cfa_offset 176
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8,  d9,  [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        /* Where the caller's registers are, for debuggers and unwinders
         * (offsets from the CFA, the stack pointer before the call). */
        .cfi_offset x19, -176
        .cfi_offset x20, -168
        .cfi_offset x21, -160
        .cfi_offset x22, -152
        .cfi_offset x23, -144
        .cfi_offset x24, -136
        .cfi_offset x25, -128
        .cfi_offset x26, -120
        .cfi_offset x27, -112
        .cfi_offset x28, -104
        .cfi_offset x29, -96
        .cfi_offset x30, -88
        .cfi_offset d8,  -80
        .cfi_offset d9,  -72
        .cfi_offset d10, -64
        .cfi_offset d11, -56
        .cfi_offset d12, -48
        .cfi_offset d13, -40
        .cfi_offset d14, -32
        .cfi_offset d15, -24
        mrs     x9, fpcr
        str     x9, [sp, #160]
        mov     x10, sp
        str     x10, [x0]
        /* From here on sp is the resumed context's, with the same layout,
         * so the CFI above describes it as well. */
        mov     sp, x1
        ldr     x10, [sp, #160]
        cmp     x9, x10
        b.eq    1f
        msr     fpcr, x10
1:
        ldp     d8,  d9,  [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        add     sp, sp, #176
        .cfi_def_cfa_offset 0
        ret
        .cfi_endproc
        .size   stackless_swap_context, .-stackless_swap_context

        .p2align 4
        .globl  stackless_context_entry
        .type   stackless_context_entry, %function
stackless_context_entry:
        .cfi_startproc
        .cfi_undefined x30      /* outermost frame: unwinders and debuggers stop here */
        STACKLESS_BTI_C
        mov     x29, #0         /* terminate the frame-pointer chain */
        mov     x0, x20
        blr     x19             /* sp is 16-byte aligned: PrepareContext saw to it */
        brk     #0x3e8          /* entry() must never return */
        .cfi_endproc
        .size   stackless_context_entry, .-stackless_context_entry

#if defined(__ARM_FEATURE_BTI_DEFAULT) || defined(__ARM_FEATURE_PAC_DEFAULT)
/* GNU property note: GNU_PROPERTY_AARCH64_FEATURE_1_AND with BTI (bit 0)
 * and PAC (bit 1) as the compiler was asked to provide them. */
#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#define STACKLESS_FEATURE_BTI 1
#else
#define STACKLESS_FEATURE_BTI 0
#endif
#if defined(__ARM_FEATURE_PAC_DEFAULT) && __ARM_FEATURE_PAC_DEFAULT
#define STACKLESS_FEATURE_PAC 2
#else
#define STACKLESS_FEATURE_PAC 0
#endif
        .pushsection .note.gnu.property, "a"
        .p2align 3
        .word   4               /* name size: "GNU\0" */
        .word   16              /* descriptor size */
        .word   5               /* NT_GNU_PROPERTY_TYPE_0 */
        .asciz  "GNU"
        .word   0xc0000000      /* GNU_PROPERTY_AARCH64_FEATURE_1_AND */
        .word   4
        .word   STACKLESS_FEATURE_BTI | STACKLESS_FEATURE_PAC
        .word   0
        .popsection
#endif

        .section .note.GNU-stack,"",%progbits
