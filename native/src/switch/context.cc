#include "switch/context.h"

#include <cstdint>
#include <cstring>

namespace stackless {

#if defined(__x86_64__)

// Mirrors the saved-context table in asm/switch_x86_64_sysv.S.
void* PrepareContext(void* stack_top, ContextEntry entry, void* arg) {
  constexpr uint64_t kDefaultMxcsr = 0x1F80;    // all exceptions masked, round to nearest
  constexpr uint64_t kDefaultFpuControl = 0x037F;
  auto top = reinterpret_cast<uintptr_t>(stack_top) & ~uintptr_t{15};
  auto* frame = reinterpret_cast<uint64_t*>(top) - 8;
  frame[0] = kDefaultMxcsr | (kDefaultFpuControl << 32);
  frame[1] = 0;                                        // r15
  frame[2] = 0;                                        // r14
  frame[3] = reinterpret_cast<uint64_t>(arg);          // r13
  frame[4] = reinterpret_cast<uint64_t>(entry);        // r12
  frame[5] = 0;                                        // rbx
  frame[6] = 0;                                        // rbp
  frame[7] = reinterpret_cast<uint64_t>(&stackless_context_entry);
  return frame;
}

#elif defined(__aarch64__)

// Mirrors the saved-context table in asm/switch_aarch64_aapcs64.S.
void* PrepareContext(void* stack_top, ContextEntry entry, void* arg) {
  constexpr uint64_t kDefaultFpcr = 0;  // round to nearest, no flush-to-zero, no traps
  constexpr size_t kFrameWords = 22;    // 176 bytes: keeps sp 16-byte aligned
  static_assert(kFrameWords * 8 % 16 == 0);
  auto top = reinterpret_cast<uintptr_t>(stack_top) & ~uintptr_t{15};
  auto* frame = reinterpret_cast<uint64_t*>(top) - kFrameWords;
  std::memset(frame, 0, kFrameWords * 8);               // x21-x28, x29, d8-d15
  frame[0] = reinterpret_cast<uint64_t>(entry);         // x19
  frame[1] = reinterpret_cast<uint64_t>(arg);           // x20
  frame[11] = reinterpret_cast<uint64_t>(&stackless_context_entry);  // x30
  frame[20] = kDefaultFpcr;
  return frame;
}

#else
#error "stackless: no context switch for this CPU architecture yet"
#endif

}  // namespace stackless
