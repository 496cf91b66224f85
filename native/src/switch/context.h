// Machine-context switching: the only code that knows how a suspended
// context is laid out. The layout itself lives in the per-ABI assembly file
// (asm/switch_<arch>_<abi>.S); this header is the seam the rest of the core uses.
#pragma once

namespace stackless {

// Entry point of a fresh context. It must never return: it ends by swapping
// to another context.
using ContextEntry = void (*)(void* arg);

// Builds the initial saved context on a fresh stack so that swapping to the
// returned stack pointer calls entry(arg) with an ABI-conforming stack.
void* PrepareContext(void* stack_top, ContextEntry entry, void* arg);

}  // namespace stackless

extern "C" {
// Saves the caller's callee-saved registers on its stack, stores its stack
// pointer in *save_sp and resumes the context saved at load_sp.
void stackless_swap_context(void** save_sp, void* load_sp);
void stackless_context_entry();
}
