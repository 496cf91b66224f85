// Restoring a suspended V8 thread (v8::Locker, ThreadManager::RestoreThread)
// re-enters V8's debugger: Debug::RestoreDebug opens a DebugScope, which walks
// the restored thread's stack to its topmost debuggable frame. That walk is
// about a fifth of a switch, and when no debugger is active its result is
// thrown away (the scope puts the previous frame id back when it closes).
//
// The walk starts from the exit-frame pointer (ThreadLocalTop::c_entry_fp_)
// that the restore copies out of the thread's archive; zeroed, the walk finds
// no frames and ends at once. So, when no debugger is active, the bypass
// zeroes that word in the archive just before the restore and writes it into
// the live ThreadLocalTop just after. Nothing else changes: V8 still restores
// every component of the thread itself.
//
// None of these places is published, so each is found or checked here:
//  - the exit-frame pointer's offset in ThreadLocalTop (whose place in the
//    Isolate v8-internal.h does publish), and where a thread's archive
//    hangs: observed at start-up (thread_archive_layout.h);
//  - where ThreadLocalTop sits in the archive: V8's own
//    HandleScopeImplementer::ArchiveSpacePerThread(), found in the binary's
//    symbol table (v8_functions.h);
//  - whether a debugger is active: the flag behind V8's
//    ExternalReference::debug_is_active_address().
// The first restore after that runs untouched and is checked: the archive,
// read at the computed place, must equal the ThreadLocalTop V8 restored from
// it. Only then is the bypass used; on any failure it stays off, and
// Describe() says why. A suspended thread whose archived exit frame does not
// lie on its own stack is restored untouched.
#pragma once

#include <v8.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "shortcuts/shortcut.h"
#include "v8/thread_archive_layout.h"
#include "v8/thread_identity.h"

namespace stackless {

// The V8 thread about to be restored.
struct RestoreTarget {
  const Identity* identity;  // its identity words, as saved when it was suspended
  uintptr_t stack_low;       // its machine stack
  uintptr_t stack_high;
};

class DebugWalkBypass final : public Shortcut {
 public:
  DebugWalkBypass() : Shortcut("debugWalkBypass", "waiting for symbols") {}

  // Takes the observed layout (or why it could not be observed: then the
  // bypass stays off).
  void Discover(v8::Isolate* isolate, const ThreadArchiveLayout& layout,
                const std::string& layout_error);

  // Runs `restore`, which restores the target's V8 thread (v8::Locker),
  // with the debugger's walk bypassed when that is known to be safe.
  template <typename F>
  void Restore(const RestoreTarget& target, F&& restore) {
    char* slot = on() && !DebuggerActive() ? ArchivedExitFrame(target) : nullptr;
    if (slot == nullptr) {
      RestorePlainly(target, [&restore] { restore(); });
      return;
    }
    uint64_t exit_frame;
    std::memcpy(&exit_frame, slot, sizeof exit_frame);
    const uint64_t none = 0;
    std::memcpy(slot, &none, sizeof none);
    restore();
    std::memcpy(live_exit_frame_, &exit_frame, sizeof exit_frame);
    ++bypassed_;
  }

  uint64_t bypassed() const { return bypassed_; }
  uint64_t plain() const { return plain_; }
  size_t exit_frame_offset() const { return exit_frame_offset_; }
  size_t archive_exit_frame_offset() const { return archive_exit_frame_offset_; }
  // V8's own answer for the exit-frame offset where the binary has a function
  // that gives it (Isolate::get_address_from_id; not in every version), else -1.
  long v8_exit_frame_offset() const { return v8_exit_frame_offset_; }

 private:
  template <typename F>
  void RestorePlainly(const RestoreTarget& target, F&& restore);
  // Takes up the symbols once they are found; true while the next plain
  // restore is to be checked.
  bool Calibrating();
  // Checks the layout against a restore V8 has just done from `data`.
  void Calibrate(const RestoreTarget& target, const char* data);

  bool DebuggerActive() const {
    uint8_t active;
    std::memcpy(&active, debug_is_active_, sizeof active);
    return active != 0;
  }
  // The archived exit-frame word of a suspended target, or nullptr.
  char* ArchivedExitFrame(const RestoreTarget& target) const;
  // The archive data of a suspended target, read without trusting the layout;
  // nullptr (and the bypass off) if it is not where it was observed.
  const char* ArchiveData(const RestoreTarget& target);
  void Describe(ShortcutCounters& counters) const override;

  v8::Isolate* isolate_ = nullptr;
  char* live_tlt_ = nullptr;          // the isolate's ThreadLocalTop
  char* live_exit_frame_ = nullptr;   // its c_entry_fp_
  size_t exit_frame_offset_ = 0;      // in ThreadLocalTop
  size_t thread_state_offset_ = 0;    // in PerIsolateThreadData
  size_t archive_tlt_offset_ = 0;     // in a ThreadState's data
  bool check_archive_id_ = false;     // whether archives carry their thread's id
  size_t archive_exit_frame_offset_ = 0;
  long v8_exit_frame_offset_ = -1;
  // Debug::is_active_; until the symbols are in, a flag that reads "active".
  const uint8_t* debug_is_active_ = &kAssumeActive;
  static const uint8_t kAssumeActive;
  uint64_t bypassed_ = 0;
  uint64_t plain_ = 0;
};

template <typename F>
void DebugWalkBypass::RestorePlainly(const RestoreTarget& target, F&& restore) {
  ++plain_;
  const char* data = Calibrating() && !DebuggerActive() ? ArchiveData(target) : nullptr;
  restore();
  if (data != nullptr) Calibrate(target, data);
}

}  // namespace stackless
