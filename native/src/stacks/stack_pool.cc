#include "stacks/stack_pool.h"

#include "base/read_probe.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace stackless {

bool TrimMallocHeap() {
#if defined(__GLIBC__)
  return malloc_trim(0) != 0;
#else
  return false;
#endif
}

// Linux 6.13+; older headers do not define them.
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

struct StackArena {
  char* base = nullptr;
  size_t slot_size = 0;        // guard + usable
  uint32_t slot_count = 0;
  uint32_t handed_out = 0;     // slots [0, handed_out) have their guard
  uint32_t in_use = 0;         // held by a coroutine or the pool
  GuardMechanism guard = GuardMechanism::kMprotect;
  bool open = false;           // listed in StackPool::open_
  std::vector<uint32_t> free_slots;  // given back; guard in place
  // Free slots whose pages are not released yet (see StackPool::ReleaseDirty).
  std::vector<bool> dirty;
  uint32_t dirty_count = 0;

  size_t size() const { return slot_size * slot_count; }
  bool has_room() const { return !free_slots.empty() || handed_out < slot_count; }
  // Map-table entries this arena can account for: mprotect splits the
  // mapping around each guard page.
  size_t mappings() const {
    return guard == GuardMechanism::kMprotect ? 1 + 2 * size_t{handed_out} : 1;
  }
};

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
// An arena spans about this much address space (reserved, not memory: pages
// cost memory only once touched).
constexpr size_t kArenaBytes = 64 * 1024 * 1024;
constexpr size_t kMaxSlotsPerArena = 256;
// Pages of stacks given back are released in batches: one madvise per run of
// neighbouring slots instead of one per stack. Each madvise can mean a TLB
// shootdown across the process's threads.
constexpr size_t kReleaseBatch = 64;

size_t MaxMapCount() {
  std::ifstream file("/proc/sys/vm/max_map_count");
  size_t count = 0;
  if (file >> count && count > 0) return count;
  return 65530;  // the kernel's default
}

// Map-table entries left to the rest of the process: V8's heap alone takes
// about four per MiB (one per 256 KiB page), so a 4 GiB heap needs ~16k.
// Running the process out of entries makes V8 abort on its next mmap, so
// stacks stop well short of the limit and fail with a typed error instead.
size_t MappingLimit() {
  const size_t max = MaxMapCount();
  const size_t reserve = std::max<size_t>(max / 4, 4096);
  return max > reserve ? max - reserve : 0;
}

// Map-table entries held by the stacks of every thread (workers each have a
// pool): the limit is per process.
std::atomic<size_t> g_process_mappings{0};

const char* ErrnoName(int error) {
  switch (error) {
    case ENOMEM: return "ENOMEM";
    case EAGAIN: return "EAGAIN";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    default: return nullptr;
  }
}


}  // namespace

const char* GuardMechanismName(GuardMechanism mechanism) {
  return mechanism == GuardMechanism::kGuardMarker ? "madvise" : "mprotect";
}

bool KernelHasGuardMarkers() {
  static const bool supported = [] {
    const size_t page = PageSize();
    void* probe = mmap(nullptr, page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (probe == MAP_FAILED) return false;
    // Kernels without guard markers reject the unknown advice with EINVAL.
    // Emulators (qemu-user) may accept it and do nothing: the page must
    // really fault before guards are trusted to it.
    unsigned char byte;
    const bool ok = madvise(probe, page, MADV_GUARD_INSTALL) == 0 &&
                    ProbeRead(probe, &byte, 1) == EFAULT;
    munmap(probe, page);
    return ok;
  }();
  return supported;
}

Stack MapStandaloneStack(size_t usable_bytes) {
  Stack stack;
  stack.guard_size = PageSize();
  stack.mapping_size = stack.guard_size + RoundUpToPage(usable_bytes);
  void* mapping = mmap(nullptr, stack.mapping_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mapping == MAP_FAILED) return Stack{};
  const bool guarded = KernelHasGuardMarkers()
                           ? madvise(mapping, stack.guard_size, MADV_GUARD_INSTALL) == 0
                           : mprotect(mapping, stack.guard_size, PROT_NONE) == 0;
  if (!guarded) {
    munmap(mapping, stack.mapping_size);
    return Stack{};
  }
  stack.mapping = static_cast<char*>(mapping);
  return stack;
}

void UnmapStandaloneStack(const Stack& stack) {
  if (stack.valid()) munmap(stack.mapping, stack.mapping_size);
}

std::string StackFailure::Code() const {
  if (map_count) return "ERR_STACK_MAP_COUNT";
  if (const char* name = ErrnoName(error)) return name;
  char code[24];
  std::snprintf(code, sizeof code, "errno %d", error);
  return code;
}

std::string StackFailure::Describe() const {
  if (map_count) {
    std::string message =
        "stackless: cannot map a stack for a new greenlet: its memory mappings would bring "
        "the process too close to vm.max_map_count (/proc/sys/vm/max_map_count); with "
        "mprotect guard pages each stack costs two mappings";
    message += KernelHasGuardMarkers()
                   ? " (guard markers were turned off with STACKLESS_STACK_GUARD=mprotect)"
                   : " (this kernel has no guard markers, MADV_GUARD_INSTALL, Linux 6.13+)";
    return message;
  }
  std::string message = "stackless: cannot map a stack for a new greenlet: ";
  message += call;
  message += " failed: ";
  message += std::strerror(error);
  if (error == ENOMEM) message += " (out of memory or address space, or vm.max_map_count reached)";
  return message;
}

StackPool::StackPool()
    : usable_size_(kDefaultStackSize),
      guard_size_(PageSize()),
      guard_(KernelHasGuardMarkers() ? GuardMechanism::kGuardMarker : GuardMechanism::kMprotect),
      mapping_limit_(MappingLimit()) {}

StackPool::~StackPool() {
  // Stacks of suspended coroutines go too: nothing can resume them once their
  // thread is gone. Never the stack this runs on (there is none in the normal
  // case: teardown runs on the thread's own stack).
  const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  for (StackArena* arena : arenas_) {
    const auto base = reinterpret_cast<uintptr_t>(arena->base);
    // What stays mapped keeps counting toward the process's mapping budget.
    if (here - base >= arena->size() && !keep_mapped_) {
      munmap(arena->base, arena->size());
      g_process_mappings.fetch_sub(arena->mappings(), std::memory_order_relaxed);
    }
    delete arena;
  }
}

Stack StackPool::Acquire() {
  Stack stack;
  while (!open_.empty()) {
    StackArena* arena = open_.back();
    if (IsCurrent(arena) && arena->has_room()) {
      if (!TakeSlot(arena, &stack)) return Stack{};
      return stack;
    }
    arena->open = false;
    open_.pop_back();
  }
  StackArena* arena = MapArena();
  if (arena == nullptr || !TakeSlot(arena, &stack)) return Stack{};
  return stack;
}

bool StackPool::TakeSlot(StackArena* arena, Stack* stack) {
  uint32_t index;
  if (!arena->free_slots.empty()) {
    index = arena->free_slots.back();
    arena->free_slots.pop_back();
    if (arena->dirty[index]) {
      // Taken again before its pages were released: nothing to release.
      arena->dirty[index] = false;
      --arena->dirty_count;
      --dirty_;
    }
  } else {
    // A slot's first use: give it its guard.
    index = arena->handed_out;
    char* guard = arena->base + index * arena->slot_size;
    if (arena->guard == GuardMechanism::kGuardMarker) {
      if (madvise(guard, guard_size_, MADV_GUARD_INSTALL) != 0) {
        failure_ = {false, errno, "madvise(MADV_GUARD_INSTALL)"};
        return false;
      }
    } else {
      if (!ReserveMappings(2)) return false;
      if (mprotect(guard, guard_size_, PROT_NONE) != 0) {
        failure_ = {false, errno, "mprotect"};
        ReturnMappings(2);
        return false;
      }
    }
    ++arena->handed_out;
  }
  ++arena->in_use;
  ++in_use_;
  stack->mapping = arena->base + index * arena->slot_size;
  stack->mapping_size = arena->slot_size;
  stack->guard_size = guard_size_;
  stack->arena = arena;
  stack->index = index;
  return true;
}

StackArena* StackPool::MapArena() {
  if (!ReserveMappings(1)) return nullptr;
  const size_t slot_size = guard_size_ + usable_size_;
  const size_t count = std::clamp<size_t>(kArenaBytes / slot_size, 1, kMaxSlotsPerArena);
  void* base = mmap(nullptr, slot_size * count, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) {
    failure_ = {false, errno, "mmap"};
    ReturnMappings(1);
    return nullptr;
  }
  // With transparent huge pages set to "always", one touched byte of a stack
  // could fault in 2 MiB. Newer kernels already imply this for MAP_STACK;
  // failure only means the kernel has no THP.
  madvise(base, slot_size * count, MADV_NOHUGEPAGE);
  auto* arena = new StackArena();
  arena->base = static_cast<char*>(base);
  arena->slot_size = slot_size;
  arena->slot_count = static_cast<uint32_t>(count);
  arena->dirty.assign(count, false);
  arena->guard = guard_;
  arena->open = true;
  arenas_.push_back(arena);
  open_.push_back(arena);
  slots_ += count;
  return arena;
}

bool StackPool::IsCurrent(const StackArena* arena) const {
  return arena->slot_size == guard_size_ + usable_size_ && arena->guard == guard_;
}

bool StackPool::ReserveMappings(size_t count) {
  size_t now = g_process_mappings.load(std::memory_order_relaxed);
  do {
    if (now + count > mapping_limit_) {
      failure_ = {true, ENOMEM, ""};
      return false;
    }
  } while (!g_process_mappings.compare_exchange_weak(now, now + count, std::memory_order_relaxed));
  mappings_ += count;
  return true;
}

void StackPool::ReturnMappings(size_t count) {
  g_process_mappings.fetch_sub(count, std::memory_order_relaxed);
  mappings_ -= count;
}

void StackPool::Release(const Stack& stack) {
  if (!stack.valid()) return;
  StackArena* arena = stack.arena;
  --arena->in_use;
  --in_use_;
  if (arena->in_use == 0) {
    // Keep one empty arena of the current size mapped, so that a count of
    // coroutines hovering at an arena boundary does not map and unmap.
    const bool keep = IsCurrent(arena) &&
                      std::none_of(arenas_.begin(), arenas_.end(), [this, arena](StackArena* other) {
                        return other != arena && other->in_use == 0 && IsCurrent(other);
                      });
    if (!keep) {
      UnmapArena(arena);
      return;
    }
  }
  // The slot stays in its arena for the next coroutine (address space is
  // cheap); the pages it touched are released with the next batch.
  arena->free_slots.push_back(stack.index);
  arena->dirty[stack.index] = true;
  if (arena->dirty_count++ == 0) dirty_arenas_.push_back(arena);
  if (++dirty_ >= kReleaseBatch) ReleaseDirty();
  if (!arena->open && IsCurrent(arena)) {
    arena->open = true;
    open_.push_back(arena);
  }
}

void StackPool::ReleaseDirty() {
  for (StackArena* arena : dirty_arenas_) {
    for (uint32_t first = 0; first < arena->slot_count && arena->dirty_count > 0; ++first) {
      if (!arena->dirty[first]) continue;
      uint32_t end = first;
      for (; end < arena->slot_count && arena->dirty[end]; ++end) arena->dirty[end] = false;
      arena->dirty_count -= end - first;
      // Guards inside the range survive: MADV_DONTNEED keeps guard markers,
      // and PROT_NONE pages hold nothing to release.
      madvise(arena->base + first * arena->slot_size + guard_size_,
              (end - first) * arena->slot_size - guard_size_, MADV_DONTNEED);
      first = end;
    }
  }
  dirty_arenas_.clear();
  dirty_ = 0;
}

void StackPool::UnmapArena(StackArena* arena) {
  munmap(arena->base, arena->size());
  dirty_ -= arena->dirty_count;
  // It may be listed more than once (dirtied, cleaned by reuse, dirtied again).
  std::erase(dirty_arenas_, arena);
  slots_ -= arena->slot_count;
  ReturnMappings(arena->mappings());
  arenas_.erase(std::find(arenas_.begin(), arenas_.end(), arena));
  if (arena->open) open_.erase(std::find(open_.begin(), open_.end(), arena));
  delete arena;
}

void StackPool::SetStackSize(size_t usable_bytes) { usable_size_ = RoundUpToPage(usable_bytes); }

void StackPool::SetGuardMechanism(GuardMechanism mechanism) {
  guard_ = mechanism == GuardMechanism::kGuardMarker && KernelHasGuardMarkers()
               ? GuardMechanism::kGuardMarker
               : GuardMechanism::kMprotect;
  // Arenas with the other kind of guard keep their slots, but new stacks come
  // from arenas of the new kind.
  for (StackArena* arena : open_) arena->open = false;
  open_.clear();
  for (StackArena* arena : arenas_) {
    if (IsCurrent(arena) && arena->has_room()) {
      arena->open = true;
      open_.push_back(arena);
    }
  }
}

}  // namespace stackless
