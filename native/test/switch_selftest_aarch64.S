/*
 * Helpers for switch_selftest_aarch64.cc: they set and read every register
 * the AAPCS64 switch must preserve, which compiled C++ cannot do reliably.
 *
 *   void selftest_drive(uint64_t *block, void **save_sp, void *load_sp);
 *       Loads x19-x28 from block[0..9], d8-d15 from block[10..17], FPCR from
 *       block[18] and x29 from block[19]; calls stackless_swap_context(save_sp,
 *       load_sp); when resumed, stores the same registers into block[20..39]
 *       and the stack pointer into block[40]. Preserves its caller's state.
 *
 *   void selftest_clobber_and_swap(void **save_sp, void *load_sp);
 *       Overwrites all of those registers and FPCR, then switches away for
 *       good (a tail call into stackless_swap_context).
 */

/* x19-x28 and d8-d15 to or from the 144 bytes at base (op: stp or ldp):
 * selftest_drive's own save area and each half of the block share this
 * layout. */
        .macro callee_saved op, base
        \op    x19, x20, [\base, #0]
        \op    x21, x22, [\base, #16]
        \op    x23, x24, [\base, #32]
        \op    x25, x26, [\base, #48]
        \op    x27, x28, [\base, #64]
        \op    d8,  d9,  [\base, #80]
        \op    d10, d11, [\base, #96]
        \op    d12, d13, [\base, #112]
        \op    d14, d15, [\base, #128]
        .endm

        .text
        .p2align 4
        .globl  selftest_drive
        .type   selftest_drive, %function
selftest_drive:
        stp     x29, x30, [sp, #-16]!
        sub     sp, sp, #160
        callee_saved stp, sp
        mrs     x9, fpcr
        stp     x9, x0, [sp, #144]      /* the caller's FPCR, and block */
        callee_saved ldp, x0
        ldp     x10, x29, [x0, #144]
        msr     fpcr, x10
        mov     x0, x1
        mov     x1, x2
        bl      stackless_swap_context
        ldr     x9, [sp, #152]
        add     x9, x9, #160
        callee_saved stp, x9
        mrs     x10, fpcr
        stp     x10, x29, [x9, #144]
        mov     x10, sp
        str     x10, [x9, #160]
        ldr     x9, [sp, #144]
        msr     fpcr, x9
        callee_saved ldp, sp
        add     sp, sp, #160
        ldp     x29, x30, [sp], #16
        ret
        .size   selftest_drive, .-selftest_drive

        .p2align 4
        .globl  selftest_clobber_and_swap
        .type   selftest_clobber_and_swap, %function
selftest_clobber_and_swap:
        mov     x9, #0x5a5a
        mov     x19, x9
        mov     x20, x9
        mov     x21, x9
        mov     x22, x9
        mov     x23, x9
        mov     x24, x9
        mov     x25, x9
        mov     x26, x9
        mov     x27, x9
        mov     x28, x9
        mov     x29, x9
        fmov    d8,  x9
        fmov    d9,  x9
        fmov    d10, x9
        fmov    d11, x9
        fmov    d12, x9
        fmov    d13, x9
        fmov    d14, x9
        fmov    d15, x9
        mov     x10, #0x03000000        /* FPCR: DN | FZ */
        msr     fpcr, x10
        b       stackless_swap_context
        .size   selftest_clobber_and_swap, .-selftest_clobber_and_swap

        .section .note.GNU-stack,"",%progbits
