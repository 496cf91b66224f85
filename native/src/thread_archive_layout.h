// Where V8 keeps a suspended thread's archived state, as observed at
// start-up. None of it is published; each field is found by watching V8 do
// its own work (a nested native call, a v8::Unlocker) and is later checked
// against what V8 itself restores before anything relies on it.
#pragma once

#include <v8.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "thread_identity.h"

namespace stackless {

// v8::internal::ThreadState { ThreadId id_; char* data_; ThreadState* next_;
// ThreadState* previous_; ThreadManager* thread_manager_; }
// (src/execution/v8threads.h, unchanged since 2012).
constexpr size_t kThreadStateIdOffset = 0;
constexpr size_t kThreadStateDataOffset = 8;
constexpr size_t kThreadStateManagerOffset = 32;
// ThreadId::Invalid().
constexpr int32_t kNoThreadId = -1;

struct ThreadArchiveLayout {
  char* live_tlt = nullptr;          // the isolate's ThreadLocalTop (published place)
  size_t exit_frame_offset = 0;      // ThreadLocalTop::c_entry_fp_
  size_t thread_state_offset = 0;    // PerIsolateThreadData::thread_state_

  // The isolate's ThreadManager: found if thread_manager != nullptr, else
  // thread_manager_error says why.
  char* thread_manager = nullptr;
  size_t owner_offset = 0;           // mutex_owner_ (a ThreadId)
  size_t lazy_thread_offset = 0;     // lazily_archived_thread_ (a ThreadId)
  size_t lazy_state_offset = 0;      // lazily_archived_thread_state_
  std::string thread_manager_error;
};

// Must run inside a native call from JavaScript, on a thread that holds the
// isolate's lock. Returns false with a reason if the exit-frame word or the
// archive pointer cannot be found.
bool DiscoverThreadArchiveLayout(v8::Isolate* isolate, const IdentityAccess& identity,
                                 ThreadArchiveLayout* layout, std::string* error);

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

// The archive a suspended V8 thread's per-isolate data hangs, or nullptr
// (PerIsolateThreadData::thread_state_, at the observed offset).
inline char* ArchivedThreadState(const Identity& identity, size_t thread_state_offset) {
  const auto* per_thread = reinterpret_cast<const char*>(identity.word[kCurrentThreadData]);
  return per_thread == nullptr ? nullptr : Load<char*>(per_thread + thread_state_offset);
}

}  // namespace stackless
