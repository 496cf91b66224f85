#include "stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

namespace stackless {

namespace {

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

size_t RoundUpToPage(size_t bytes) {
  const size_t page = PageSize();
  return (bytes + page - 1) / page * page;
}

constexpr size_t kDefaultStackSize = 1024 * 1024;

}  // namespace

StackPool::StackPool()
    : usable_size_(kDefaultStackSize), guard_size_(PageSize()) {}

StackPool::~StackPool() {
  for (const StackSlot& slot : free_) Unmap(slot.stack);
}

StackSlot StackPool::Acquire() {
  if (!free_.empty()) {
    StackSlot slot = free_.back();
    free_.pop_back();
    return slot;
  }
  StackSlot slot;
  Stack& stack = slot.stack;
  stack.guard_size = guard_size_;
  stack.mapping_size = guard_size_ + usable_size_;
  void* mapping = mmap(nullptr, stack.mapping_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                       -1, 0);
  if (mapping == MAP_FAILED) return StackSlot{};
  if (mprotect(mapping, guard_size_, PROT_NONE) != 0) {
    munmap(mapping, stack.mapping_size);
    return StackSlot{};
  }
  stack.mapping = static_cast<char*>(mapping);
  ++mapped_;
  return slot;
}

void StackPool::Release(const StackSlot& slot) {
  if (!slot.stack.valid()) return;
  if (free_.size() < max_pooled_ &&
      slot.stack.usable_size() == usable_size_) {
    free_.push_back(slot);
    return;
  }
  Unmap(slot.stack);
  --mapped_;
}

void StackPool::SetStackSize(size_t usable_bytes) {
  usable_size_ = RoundUpToPage(usable_bytes);
  for (const StackSlot& slot : free_) Unmap(slot.stack);
  mapped_ -= free_.size();
  free_.clear();
}

void StackPool::SetMaxPooled(size_t count) {
  max_pooled_ = count;
  while (free_.size() > max_pooled_) {
    Unmap(free_.back().stack);
    free_.pop_back();
    --mapped_;
  }
}

void StackPool::Unmap(const Stack& stack) {
  munmap(stack.mapping, stack.mapping_size);
}

}  // namespace stackless
