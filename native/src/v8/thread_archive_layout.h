// Where V8 keeps a suspended thread's archived state, as observed at
// start-up. None of it is published; each field is found by watching V8 do
// its own work (a nested native call, a v8::Unlocker) and is later checked
// against what V8 itself restores before anything relies on it.
#pragma once

#include <v8.h>

#include <cstddef>
#include <string>

#include "v8/thread_identity.h"
#include "v8/thread_state_view.h"

namespace stackless {

struct ThreadArchiveLayout {
  char* live_tlt = nullptr;          // the isolate's ThreadLocalTop (published place)
  size_t exit_frame_offset = 0;      // ThreadLocalTop::c_entry_fp_
  size_t thread_state_offset = 0;    // PerIsolateThreadData::thread_state_

  // The isolate's ThreadManager: found if thread_manager != nullptr, else
  // thread_manager_error says why.
  char* thread_manager = nullptr;
  ThreadManagerFields thread_manager_fields;
  std::string thread_manager_error;

  ThreadManagerView ThreadManager() const { return ThreadManagerView(thread_manager, thread_manager_fields); }
  // A thread's per-isolate data (the identity's kCurrentThreadData word).
  PerIsolateThreadDataView PerThreadData(const Identity& identity) const {
    return PerIsolateThreadDataView(reinterpret_cast<char*>(identity.word[kCurrentThreadData]),
                                    thread_state_offset);
  }
};

// Must run inside a native call from JavaScript, on a thread that holds the
// isolate's lock. Returns false with a reason if the exit-frame word or the
// archive pointer cannot be found.
bool DiscoverThreadArchiveLayout(v8::Isolate* isolate, const IdentityAccess& identity,
                                 ThreadArchiveLayout* layout, std::string* error);

// The archive a suspended V8 thread's per-isolate data hangs, or a null view.
inline ThreadStateView ArchivedThreadState(const Identity& identity, size_t thread_state_offset) {
  return PerIsolateThreadDataView(reinterpret_cast<char*>(identity.word[kCurrentThreadData]),
                                  thread_state_offset)
      .thread_state();
}

}  // namespace stackless
