// Machine stacks for coroutines: mmap'd with a PROT_NONE guard page below,
// pooled so that creating a coroutine never maps memory on the hot path.
#pragma once

#include <cstddef>
#include <vector>

#include "thread_identity.h"

namespace stackless {

struct Stack {
  char* mapping = nullptr;   // lowest address, start of the guard
  size_t mapping_size = 0;   // guard + usable
  size_t guard_size = 0;

  bool valid() const { return mapping != nullptr; }
  char* lowest_usable() const { return mapping + guard_size; }
  char* top() const { return mapping + mapping_size; }
  size_t usable_size() const { return mapping_size - guard_size; }
};

// A stack together with the V8 thread identity that was last used on it, so
// that a pooled stack also recycles its V8 thread id and thread data instead
// of growing V8's per-thread table with every coroutine.
struct StackSlot {
  Stack stack;
  Identity identity;
  bool has_identity = false;
};

class StackPool {
 public:
  StackPool();
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // Returns a slot with an invalid stack if the system refuses the mapping.
  StackSlot Acquire();
  void Release(const StackSlot& slot);

  // Takes effect for stacks mapped from now on; pooled stacks of another size
  // are unmapped.
  void SetStackSize(size_t usable_bytes);
  size_t stack_size() const { return usable_size_; }
  void SetMaxPooled(size_t count);
  size_t pooled() const { return free_.size(); }
  size_t mapped() const { return mapped_; }

 private:
  static void Unmap(const Stack& stack);

  std::vector<StackSlot> free_;
  size_t usable_size_;
  size_t guard_size_;
  size_t max_pooled_ = 256;
  size_t mapped_ = 0;
};

}  // namespace stackless
