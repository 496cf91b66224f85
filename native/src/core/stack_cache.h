// The stacks of finished coroutines, kept as they are with the V8 thread
// identity last used on them, so that the next coroutine recycles both: its
// stack maps nothing, and V8's table of per-thread data does not grow with
// every coroutine. Stacks come from the pool (stacks/stack_pool.h), which
// knows nothing of V8, and go back to it past the cache's limit.
#pragma once

#include <cstddef>
#include <vector>

#include "stacks/stack_pool.h"
#include "v8/thread_identity.h"

namespace stackless {

// A machine stack and the V8 thread identity last used on it.
struct StackSlot {
  Stack stack;
  Identity identity;
  bool has_identity = false;
};

class StackCache {
 public:
  explicit StackCache(StackPool* pool) : pool_(pool) {}
  StackCache(const StackCache&) = delete;
  StackCache& operator=(const StackCache&) = delete;

  // A kept slot, else a fresh stack from the pool with no identity yet; its
  // stack is invalid if none can be had (the pool's failure() says why).
  StackSlot Acquire();
  // Keeps the slot for the next coroutine, or gives its stack to the pool.
  void Release(const StackSlot& slot);

  // The pool's stack size; kept stacks of another size go back to the pool.
  void SetStackSize(size_t usable_bytes);
  void SetMaxKept(size_t count);
  size_t kept() const { return kept_.size(); }

 private:
  StackPool* pool_;
  std::vector<StackSlot> kept_;
  size_t max_kept_ = 256;
};

}  // namespace stackless
