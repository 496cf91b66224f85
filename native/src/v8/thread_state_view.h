// Typed views of the V8 structs this core reads and writes: each is an
// address plus the offsets of its fields, so that a reader sees
// `state.next()` where the bytes would be `Load<char*>(state + 16)`. None of
// these structs is published. The fixed offsets below are V8's declarations
// (unchanged for years); the others are observed at start-up
// (thread_archive_layout.h). Nothing here trusts either: every user verifies
// the fields it relies on before it relies on them and falls back to V8's
// public path otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "base/read_probe.h"

namespace stackless {

// V8's words, read and written as V8 declares them (memcpy: no aliasing
// assumptions about memory this code did not create).
template <typename T>
T Load(const char* address) {
  T value;
  std::memcpy(&value, address, sizeof value);
  return value;
}

template <typename T>
void Store(char* address, T value) {
  std::memcpy(address, &value, sizeof value);
}

// ThreadId::Invalid().
constexpr int32_t kNoThreadId = -1;

// v8::internal::ThreadState { ThreadId id_; char* data_; ThreadState* next_;
// ThreadState* previous_; ThreadManager* thread_manager_; }
// (src/execution/v8threads.h, unchanged since 2012): one archived V8 thread,
// or an anchor of the ThreadManager's free and in-use lists (no data).
class ThreadStateView {
 public:
  static constexpr size_t kIdOffset = 0;
  static constexpr size_t kDataOffset = 8;
  static constexpr size_t kNextOffset = 16;
  static constexpr size_t kPreviousOffset = 24;
  static constexpr size_t kManagerOffset = 32;

  // Its five words, read with the probe (for verification: nothing about
  // the address is trusted).
  struct Words {
    int32_t id = 0;
    uint64_t data = 0, next = 0, previous = 0, manager = 0;
  };

  ThreadStateView() = default;
  explicit ThreadStateView(char* address) : address_(address) {}

  char* address() const { return address_; }
  bool null() const { return address_ == nullptr; }
  bool operator==(const ThreadStateView& other) const { return address_ == other.address_; }
  bool operator!=(const ThreadStateView& other) const { return address_ != other.address_; }

  int32_t id() const { return Load<int32_t>(address_ + kIdOffset); }
  void set_id(int32_t id) const { Store(address_ + kIdOffset, id); }
  // The archived thread's bytes, one component after the other.
  char* data() const { return Load<char*>(address_ + kDataOffset); }
  ThreadStateView next() const { return ThreadStateView(Load<char*>(address_ + kNextOffset)); }
  ThreadStateView previous() const { return ThreadStateView(Load<char*>(address_ + kPreviousOffset)); }
  void set_next(ThreadStateView next) const { Store(address_ + kNextOffset, next.address_); }
  void set_previous(ThreadStateView previous) const { Store(address_ + kPreviousOffset, previous.address_); }
  uint64_t manager() const { return Load<uint64_t>(address_ + kManagerOffset); }

  bool ProbeId(int32_t* id) const { return ProbeValue(at(kIdOffset), id); }
  bool ProbeData(uint64_t* data) const { return ProbeValue(at(kDataOffset), data); }
  bool ProbeManager(uint64_t* manager) const { return ProbeValue(at(kManagerOffset), manager); }
  bool ProbeWords(Words* words) const {
    return address_ != nullptr && ProbeId(&words->id) && ProbeData(&words->data) &&
           ProbeValue(at(kNextOffset), &words->next) && ProbeValue(at(kPreviousOffset), &words->previous) &&
           ProbeManager(&words->manager);
  }

 private:
  uint64_t at(size_t offset) const { return reinterpret_cast<uint64_t>(address_) + offset; }

  char* address_ = nullptr;
};

// Where the fields of v8::internal::ThreadManager are, as observed
// (thread_archive_layout.cc): mutex_owner_ and lazily_archived_thread_
// (ThreadIds), lazily_archived_thread_state_, then free_anchor_ and
// in_use_anchor_, after a mutex whose size differs between versions.
struct ThreadManagerFields {
  size_t owner_offset = 0;        // mutex_owner_
  size_t lazy_thread_offset = 0;  // lazily_archived_thread_
  size_t lazy_state_offset = 0;   // lazily_archived_thread_state_
};

class ThreadManagerView {
 public:
  ThreadManagerView(char* address, const ThreadManagerFields& fields) : address_(address), fields_(&fields) {}

  char* address() const { return address_; }
  int32_t owner() const { return Load<int32_t>(address_ + fields_->owner_offset); }
  void set_owner(int32_t id) const { Store(address_ + fields_->owner_offset, id); }
  int32_t lazily_archived_thread() const { return Load<int32_t>(address_ + fields_->lazy_thread_offset); }
  void set_lazily_archived_thread(int32_t id) const { Store(address_ + fields_->lazy_thread_offset, id); }
  void set_lazily_archived_state(ThreadStateView state) const {
    Store(address_ + fields_->lazy_state_offset, state.address());
  }
  // The word `words` words after lazily_archived_thread_state_, read with
  // the probe (to find the anchors, which follow it).
  bool ProbeWordAfterLazyState(size_t words, uint64_t* value) const {
    return ProbeValue(reinterpret_cast<uint64_t>(address_) + fields_->lazy_state_offset + 8 * words, value);
  }
  // A list anchor held in the field at `offset` (found by ProbeWordAfterLazyState).
  ThreadStateView AnchorAt(size_t offset) const { return ThreadStateView(Load<char*>(address_ + offset)); }

 private:
  char* address_;
  const ThreadManagerFields* fields_;
};

// v8::internal::Isolate::PerIsolateThreadData: of its fields only
// thread_state_ (the archive a suspended thread hangs here), at the observed
// offset.
class PerIsolateThreadDataView {
 public:
  PerIsolateThreadDataView(char* address, size_t thread_state_offset)
      : address_(address), thread_state_offset_(thread_state_offset) {}

  bool null() const { return address_ == nullptr; }
  ThreadStateView thread_state() const {
    return ThreadStateView(address_ == nullptr ? nullptr : Load<char*>(address_ + thread_state_offset_));
  }
  void set_thread_state(ThreadStateView state) const {
    Store(address_ + thread_state_offset_, state.address());
  }
  bool ProbeThreadState(uint64_t* state) const {
    return address_ != nullptr && ProbeValue(reinterpret_cast<uint64_t>(address_) + thread_state_offset_, state);
  }

 private:
  char* address_;
  size_t thread_state_offset_;
};

// v8::internal::StackGuard { Isolate* isolate_; ThreadLocal thread_local_; },
// whose size V8 asserts to be the one its API header publishes
// (Internals::kStackGuardSize).
class StackGuardView {
 public:
  static constexpr size_t kIsolateOffset = 0;
  static constexpr size_t kThreadLocalOffset = sizeof(void*);

  StackGuardView() = default;
  explicit StackGuardView(char* address) : address_(address) {}

  char* address() const { return address_; }
  bool ProbeIsolate(uint64_t* isolate) const {
    return ProbeValue(reinterpret_cast<uint64_t>(address_) + kIsolateOffset, isolate);
  }
  // thread_local_, the per-thread state V8 archives and restores.
  char* thread_local_state() const { return address_ + kThreadLocalOffset; }

 private:
  char* address_ = nullptr;
};

}  // namespace stackless
