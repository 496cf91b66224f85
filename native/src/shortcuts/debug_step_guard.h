// Keeps the debugger's stepping state consistent with the stack each switch
// lands on.
//
// V8 keeps its stepping state (Debug::ThreadLocal: the step action, the frame
// count a step over or out is to return to, ...) per V8 thread and archives
// it with the thread. Debug::RestoreDebug, when it restores a thread whose
// archived step action is not StepNone, walks that thread's frames from the
// top until the remaining count is the archived target_frame_count_, and
// dereferences the frame it stops at. A step into (and a step out with no
// frame to land in) leaves that count at -1, so the walk runs off the end of
// the stack: SIGSEGV, on the public ~Unlocker path and on the direct restore
// alike. A greenlet started while another steps inherits the stepper's live
// state (V8 resets nothing for a new thread), counts of another stack.
//
// So, while a debugger is active, no archive ever holds a step: before each
// switch the running greenlet's step action is taken out of the live state
// (Leaving), and after the switch it is put back where it belongs (Arrived):
//  - a step over or out with a frame to return to stays with its greenlet and
//    is re-established when that greenlet runs again, by V8's own
//    RestoreDebug run on the live state, where its walk is known to be safe;
//  - a step into (or a step out with nowhere to land) goes on in the greenlet
//    switched to, as a step out of its switch(): the debugger pauses at the
//    first statement after that greenlet's switch() has returned (a greenlet
//    starting pauses at its first function call).
//
// The places it writes are read from V8's code and checked (x86-64 only):
// the step action is the byte Debug::RestoreDebug compares with StepNone
// (0xff) and Debug::ClearStepping stores 0xff to; it lies 12 bytes into the
// state Debug::ArchiveDebug copies (V8 11 to 14: break_frame_id_ at 8,
// last_step_action_ at 12, target_frame_count_ at 40), and RestoreDebug loads
// the 32-bit target from 28 bytes after it. Where any of that cannot be
// verified, steps are cancelled at a switch instead (V8's own ClearStepping):
// the program runs on, it is never restored into a crash.
//
// The same per-thread state holds the counter V8 numbers breakpoints with
// (last_breakpoint_id_, 52 bytes after the step action). Per greenlet, two
// breakpoints set while different greenlets ran got the same number: a hit
// was reported as the other's, and removing one removed the other. So, where
// Debug::SetBreakPointForScript's code is seen to load and store that word,
// the counter is carried from each greenlet to the next.
#pragma once

#include <v8.h>

#include <cstdint>
#include <string>

#include "shortcuts/shortcut.h"

namespace stackless {

class DirectRestore;
struct V8Functions;

class DebugStepGuard final : public Shortcut {
 public:
  DebugStepGuard() : Shortcut("debugStepGuard", "waiting for symbols") {}

  // A greenlet's step over or out, taken out of the live state while it is
  // suspended (kNoStep: none).
  static constexpr int8_t kNoStep = -1;

  void Discover(v8::Isolate* isolate, DirectRestore* direct);

  // Before the running greenlet's V8 thread is archived or ends: sets
  // `*saved_step` to the step it keeps for itself (or kNoStep).
  void Leaving(int8_t* saved_step) {
    if (mode_ == Mode::kOff) return;
    if (mode_ == Mode::kUnprepared || DebuggerActive()) LeavingSlow(saved_step);
  }
  // On the greenlet just switched to, once V8 has restored (or, `fresh`,
  // created) its thread: re-establishes its own step or the one handed over.
  void Arrived(int8_t* saved_step, bool fresh) {
    if (mode_ == Mode::kOff) return;
    if (handoff_ || *saved_step != kNoStep || mode_ == Mode::kUnprepared || DebuggerActive()) {
      ArrivedSlow(saved_step, fresh);
    }
  }
  // Blocks until the symbols are read, then prepares (tests, and the
  // JavaScript side when an inspector session connects).
  void WaitForSymbols();
  // Takes the fallback as if V8's layout had not been verified (tests of it).
  void ForceCancelling() {
    if (mode_ == Mode::kOn) Cancel("cancelling forced by forceDebugStepCancelling()");
  }

  uint64_t handoffs() const { return handoffs_; }
  uint64_t kept() const { return kept_; }
  uint64_t cancelled() const { return cancelled_; }
  long step_offset() const { return mode_ == Mode::kOn ? static_cast<long>(step_offset_) : -1; }
  bool carries_breakpoint_ids() const { return mode_ == Mode::kOn && breakpoint_id_offset_ != 0; }

 private:
  enum class Mode { kOff, kUnprepared, kOn, kCancelling };

  bool DebuggerActive() const { return debug_is_active_ != nullptr && *debug_is_active_ != 0; }
  void LeavingSlow(int8_t* saved_step);
  void ArrivedSlow(int8_t* saved_step, bool fresh);
  // Once the symbols are read: reads V8's code and sets mode_. False while
  // they are not (yet) or if nothing can be done.
  bool TryPrepare();
  void Prepare(const V8Functions& functions);
  // Nothing can be done (not even telling whether a debugger is active).
  void GiveUp(std::string reason);
  // The layout is not verified: steps are cancelled at a switch instead.
  void Cancel(std::string reason);
  static bool Plausible(int8_t step);
  // mode_ from the shortcut's state (the inline checks above read mode_ only).
  void UpdateMode();
  void EnabledChanged() override { UpdateMode(); }
  void Describe(ShortcutCounters& counters) const override;
  // Runs Debug::RestoreDebug over the live state (its step set), as V8 would
  // when restoring a thread: the walk to the step's frame and PrepareStep.
  void Reestablish();
  int8_t& LiveStep() const { return *reinterpret_cast<int8_t*>(debug_ + step_offset_); }
  int32_t LiveTarget() const;
  void SetLiveTarget(int32_t target) const;
  int32_t LiveBreakpointId() const;
  void SetLiveBreakpointId(int32_t id) const;

  using DebugFunction = void (*)(char* debug);
  using ArchiveFunction = char* (*)(char* debug, char* to);
  using ApiClearFunction = void (*)(v8::Isolate* isolate);

  v8::Isolate* isolate_ = nullptr;
  DirectRestore* direct_ = nullptr;
  Mode mode_ = Mode::kOff;
  const volatile uint8_t* debug_is_active_ = nullptr;
  char* debug_ = nullptr;
  size_t step_offset_ = 0;    // last_step_action_ in the Debug object
  size_t archive_size_ = 0;   // Debug::ArchiveSpacePerThread()
  size_t breakpoint_id_offset_ = 0;  // last_breakpoint_id_ in the Debug object; 0: not verified
  int32_t carried_breakpoint_id_ = 0;
  bool carrying_ = false;  // carried_breakpoint_id_ is the last greenlet's
  ArchiveFunction archive_ = nullptr;
  ArchiveFunction restore_ = nullptr;
  DebugFunction update_hook_ = nullptr;
  DebugFunction break_on_next_call_ = nullptr;
  ApiClearFunction api_clear_stepping_ = nullptr;
  bool handoff_ = false;  // a step into is to go on in the greenlet that runs next
  uint64_t handoffs_ = 0;
  uint64_t kept_ = 0;
  uint64_t cancelled_ = 0;
};

}  // namespace stackless
