// Machine stacks for coroutines.
//
// Stacks are carved out of arenas: one anonymous mapping holds a run of
// same-sized slots, each a guard page followed by the usable stack. Where the
// kernel has guard markers (MADV_GUARD_INSTALL, Linux 6.13+) a guard costs no
// memory mapping of its own, so an arena is one entry of the process's map
// table however many stacks it holds, and vm.max_map_count (65,530 by
// default) no longer caps the number of live coroutines. Elsewhere guards are
// PROT_NONE pages made with mprotect, which split the mapping: two entries per
// stack, as with one mapping per stack.
//
// A slot given back stays in its arena for the next stack (its pages are
// released in batches), so creating a coroutine normally maps nothing; the
// core keeps a few stacks of finished coroutines as they are, with the V8
// thread identity last used on them (core/stack_cache.h). The pool knows
// nothing of V8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace stackless {

// Gives the free pages of the C heap back to the system (glibc's
// malloc_trim(0)); false where there is no such call or nothing was given.
bool TrimMallocHeap();

enum class GuardMechanism : uint8_t {
  kGuardMarker,  // madvise(MADV_GUARD_INSTALL): no extra mapping
  kMprotect,     // a PROT_NONE page: splits the arena's mapping
};

const char* GuardMechanismName(GuardMechanism mechanism);

// Whether this kernel supports guard markers (probed once per process).
bool KernelHasGuardMarkers();

struct StackArena;
struct Stack;

// A stack of its own mapping, outside any pool (a thread's scratch stack).
// Returns an invalid stack if the system refuses.
Stack MapStandaloneStack(size_t usable_bytes);
void UnmapStandaloneStack(const Stack& stack);

struct Stack {
  char* mapping = nullptr;   // lowest address, start of the guard
  size_t mapping_size = 0;   // guard + usable
  size_t guard_size = 0;
  StackArena* arena = nullptr;
  uint32_t index = 0;        // slot within the arena

  bool valid() const { return mapping != nullptr; }
  char* lowest_usable() const { return mapping + guard_size; }
  char* top() const { return mapping + mapping_size; }
  size_t usable_size() const { return mapping_size - guard_size; }
};

// Why the last Acquire() failed.
struct StackFailure {
  bool map_count = false;  // refused here: the process would near vm.max_map_count
  int error = 0;           // errno of the failed system call otherwise
  const char* call = "";   // which call failed

  // "ENOMEM", ... or "ERR_STACK_MAP_COUNT"
  std::string Code() const;
  std::string Describe() const;
};

class StackPool {
 public:
  StackPool();
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // Returns an invalid stack if no stack can be had; failure() then says why.
  Stack Acquire();
  void Release(const Stack& stack);
  const StackFailure& failure() const { return failure_; }

  // The usable sizes SetStackSize() accepts. Below the minimum, V8's stack
  // limit (64 KiB of slack above the guard) and the frames at a coroutine's
  // base leave no room to run: the first start would fault.
  static constexpr size_t kMinStackSize = 128 * 1024;
  static constexpr size_t kMaxStackSize = 1024 * 1024 * 1024;
  // Takes effect for stacks handed out from now on. `usable_bytes` must be
  // within the bounds above.
  void SetStackSize(size_t usable_bytes);
  size_t stack_size() const { return usable_size_; }
  // For arenas mapped from now on. Guard markers are used only if the kernel
  // has them; asking for them elsewhere keeps mprotect.
  void SetGuardMechanism(GuardMechanism mechanism);
  GuardMechanism guard_mechanism() const { return guard_; }

  size_t mapped() const { return in_use_; }  // stacks handed out and not given back
  size_t arenas() const { return arenas_.size(); }
  size_t slots() const { return slots_; }    // stack slots in all arenas
  size_t mappings() const { return mappings_; }
  size_t mapping_limit() const { return mapping_limit_; }
  // The destructor then leaves every stack mapped: for when V8 may still walk
  // the frames of suspended coroutines after the pool is gone.
  void KeepStacksMapped() { keep_mapped_ = true; }

 private:
  bool TakeSlot(StackArena* arena, Stack* stack);
  StackArena* MapArena();
  void UnmapArena(StackArena* arena);
  void ReleaseDirty();
  // Counts `count` more map-table entries against the process's budget.
  bool ReserveMappings(size_t count);
  void ReturnMappings(size_t count);
  // Hands out stacks of the current size and guard mechanism.
  bool IsCurrent(const StackArena* arena) const;

  bool keep_mapped_ = false;
  std::vector<StackArena*> arenas_;    // every arena
  std::vector<StackArena*> open_;      // arenas that may have a slot to hand out
  std::vector<StackArena*> dirty_arenas_;  // arenas with free slots to release
  size_t dirty_ = 0;                   // free slots whose pages are not released
  size_t usable_size_;
  size_t guard_size_;
  GuardMechanism guard_;
  size_t in_use_ = 0;
  size_t slots_ = 0;
  size_t mappings_ = 0;       // map-table entries this pool's arenas can use at most
  size_t mapping_limit_ = 0;  // how many all pools of the process may use
  StackFailure failure_;
};

}  // namespace stackless
