/*
 * Machine-context switch for x86-64, System V ABI (Linux, macOS).
 *
 *   void stackless_swap_context(void **save_sp, void *load_sp);
 *       Saves the callee-saved state of the caller on its own stack, stores the
 *       resulting stack pointer in *save_sp, then resumes the context whose
 *       stack pointer is load_sp.
 *
 *   stackless_context_entry (never called directly)
 *       First "return address" of a fresh context built by
 *       stackless_prepare_context() in context.cc: calls entry(arg) with
 *       entry in r12 and arg in r13. entry must never return.
 *
 * Saved-context layout, from the saved stack pointer upwards (lowest first):
 *
 *   offset  size  contents
 *   +0      4     MXCSR (SSE control and status; control bits are callee-saved)
 *   +4      2     x87 FPU control word (callee-saved)
 *   +6      2     padding
 *   +8      8     r15
 *   +16     8     r14
 *   +24     8     r13
 *   +32     8     r12
 *   +40     8     rbx
 *   +48     8     rbp
 *   +56     8     return address (resume point)
 *
 * Everything else (rax, rcx, rdx, rsi, rdi, r8-r11, xmm0-15, flags) is
 * caller-saved in this ABI and needs no saving.
 */
        .text
        .p2align 4
        .globl  stackless_swap_context
        .type   stackless_swap_context, @function
stackless_swap_context:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .cfi_endproc
        .size   stackless_swap_context, .-stackless_swap_context

        .p2align 4
        .globl  stackless_context_entry
        .type   stackless_context_entry, @function
stackless_context_entry:
        .cfi_startproc
        .cfi_undefined rip      /* outermost frame: unwinders and debuggers stop here */
        xorl    %ebp, %ebp      /* terminate the frame-pointer chain */
        movq    %r13, %rdi
        andq    $-16, %rsp      /* the ABI wants rsp 16-byte aligned at a call */
        callq   *%r12
        ud2                     /* entry() must never return */
        .cfi_endproc
        .size   stackless_context_entry, .-stackless_context_entry

        .section .note.GNU-stack,"",@progbits
