#include "core/stack_cache.h"

namespace stackless {

StackSlot StackCache::Acquire() {
  if (!kept_.empty()) {
    const StackSlot slot = kept_.back();
    kept_.pop_back();
    return slot;
  }
  StackSlot fresh;
  fresh.stack = pool_->Acquire();
  return fresh;
}

void StackCache::Release(const StackSlot& slot) {
  if (!slot.stack.valid()) return;
  if (kept_.size() < max_kept_ && slot.stack.usable_size() == pool_->stack_size()) {
    kept_.push_back(slot);
    return;
  }
  pool_->Release(slot.stack);
}

void StackCache::SetStackSize(size_t usable_bytes) {
  pool_->SetStackSize(usable_bytes);
  std::erase_if(kept_, [this](const StackSlot& slot) {
    if (slot.stack.usable_size() == pool_->stack_size()) return false;
    pool_->Release(slot.stack);
    return true;
  });
}

void StackCache::SetMaxKept(size_t count) {
  max_kept_ = count;
  while (kept_.size() > max_kept_) {
    pool_->Release(kept_.back().stack);
    kept_.pop_back();
  }
}

}  // namespace stackless
