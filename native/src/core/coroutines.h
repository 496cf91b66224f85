// The coroutines of one JavaScript thread (Node's main thread or a worker).
//
// Each coroutine is, for V8, a thread of its own: while it is suspended its
// V8 state (handle scopes, stack guard, top frames) sits in V8's thread
// archive, where the garbage collector visits its frames. A coroutine's life:
//
//   fresh --(SwitchThroughUnlocker, or a coroutine's end)--> running
//   running --(SwitchDirect or SwitchThroughUnlocker away)--> suspended
//   suspended --(SwitchDirect: lock held; SwitchThroughUnlocker: relock)--> running
//   running --(entry returns: Finish, lock released)--> finished
//
// SwitchThroughUnlocker is V8's public path: v8::Unlocker (archive "from"),
// swap identity words and machine stacks, then on the target's side a
// v8::Locker (lock, restore its state) on the scratch stack (relock_stack.h).
// SwitchDirect, between started coroutines where the direct restore verified
// itself (direct_restore.h), archives and restores under the held lock
// before the swap. Which of the two ran is the LockHandoff the swapping side
// gives the side it lands on.
//
// This layer only moves control. Values, exceptions, parents and every other
// greenlet rule live in TypeScript (packages/greenlet).
#pragma once

#include <napi.h>
#include <v8.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/relock_stack.h"
#include "core/stack_cache.h"
#include "shortcuts/debug_step_guard.h"
#include "shortcuts/debug_walk_bypass.h"
#include "shortcuts/direct_restore.h"
#include "shortcuts/scavenge_skip.h"
#include "stacks/stack_pool.h"
#include "v8/continuation_data_shield.h"
#include "v8/interrupt_probe.h"
#include "v8/join_stack.h"
#include "v8/thread_identity.h"

namespace stackless {

class Coroutines;

// What the side that swaps stacks tells the side it lands on about V8's
// lock: still held, with the landing side's V8 thread restored (SwitchDirect),
// or released, to be taken back there (SwitchThroughUnlocker, a coroutine's
// end). A stack swap carries no value, so the word waits in the hand-off: given
// right before each swap, taken right after it by the side it lands on.
enum class V8Lock : uint8_t { kHeld, kReleased };

class LockHandoff {
 public:
  void Give(V8Lock lock) { lock_ = lock; }
  // Every swap gives first, so what is taken is always this swap's word.
  V8Lock Take() const { return lock_; }

 private:
  V8Lock lock_ = V8Lock::kHeld;
};

struct Coroutine {
  Coroutines* owner = nullptr;
  uint32_t id = 0;
  bool started = false;
  StackSlot slot;            // machine stack and its V8 identity (none for main)
  void* saved_sp = nullptr;  // valid while suspended
  Suspension suspension;     // the scavenge skip's record of it
  // Receivers on V8's join stack when it last resumed: more at a switch away
  // means it is inside a join (join_stack.h).
  size_t join_entries = 0;
  // Its own step over or out while it is suspended (debug_step_guard.h).
  int8_t saved_step = DebugStepGuard::kNoStep;
};

class Coroutines {
 public:
  // Discovers V8's thread identity and prepares the calling thread.
  // Returns nullptr after throwing a JavaScript Error that explains why this
  // process cannot run coroutines.
  static Coroutines* Create(Napi::Env env);
  ~Coroutines();

  // `entry(id)` runs each new coroutine and returns the id to switch to when it
  // ends. `poll()` is an empty function called before each switch so that V8
  // services interrupts (GC requests, termination) on the stack that owns them.
  void SetCallbacks(Napi::Function entry, Napi::Function poll);

  // Throws a JavaScript Error (code ERR_GREENLET_SWITCH_IN_JOIN) and returns
  // true if the running coroutine is inside an Array.prototype.join it began
  // (join_stack.h): it must not be suspended, nor another one started there.
  bool RefuseInsideJoin();
  // Returns 0 if no stack can be had (pool().failure() says why).
  uint32_t CreateCoroutine();
  // Suspends the current coroutine and resumes (or starts) `id`. Returns when
  // some coroutine switches back. A JavaScript exception may be pending on
  // return (a coroutine's entry failed, or execution is terminating).
  void SwitchTo(uint32_t id);
  // Where coroutine `id` stands, as Error.stack frame lines ("    at f (url:1:2)"),
  // innermost first, at most `limit`, leaving out frames whose script name
  // starts with one of the library prefixes (SetLibraryPrefixes). A suspended
  // coroutine is resumed in capture mode: on its own stack and V8 thread, only
  // V8's stack walk (v8::StackTrace::CurrentStackTrace) runs, and it switches
  // straight back; no JavaScript runs there. The running coroutine is walked in
  // place. False (nothing captured) for an unstarted or unknown coroutine, or
  // when an interrupt serviced first left an exception pending.
  bool CaptureStack(uint32_t id, uint32_t limit, std::string* out);
  void SetLibraryPrefixes(std::vector<std::string> prefixes) {
    library_prefixes_ = std::move(prefixes);
    scripts_.clear();
  }
  uint64_t captures() const { return captures_; }
  // The running coroutine's stack, formatted as CaptureStack() does. Runs no
  // JavaScript (also usable from an interrupt callback).
  void FormatCurrentStack(uint32_t limit, std::string* out);
  // Bumped at every switch (one writer, this thread), for the watchdog.
  const std::atomic<uint64_t>* switch_progress() const { return &switch_progress_; }
  uint32_t current_id() const { return current_->id; }
  // Ends the JavaScript running on this thread (V8 termination), for when the
  // environment is being torn down and N-API refuses to call or throw.
  void EndJavaScript();
  bool IsLive(uint32_t id) const;
  size_t live_count() const { return live_; }
  bool interrupt_probe_verified() const { return interrupts_.verified(); }

  StackPool& pool() { return pool_; }
  StackCache& stack_cache() { return stack_cache_; }
  DebugWalkBypass& debug_walk_bypass() { return bypass_; }
  DirectRestore& direct_restore() { return direct_; }
  DebugStepGuard& debug_step_guard() { return step_guard_; }
  ScavengeSkip& scavenge_skip() { return skip_; }
  const ContinuationDataShield& continuation_data_shield() const { return shield_; }
  // The switch's self-verifying shortcuts (shortcut.h), for the binding's
  // shortcuts() and setShortcut().
  std::array<Shortcut*, 4> shortcuts() { return {&direct_, &bypass_, &skip_, &step_guard_}; }
  JoinStackGuard& join_stack() { return join_stack_; }
  const v8::Global<v8::Context>& context() const { return context_; }
  // After the join stack's verification: main's entries now are its baseline.
  void ResetJoinBaseline() { current_->join_entries = join_stack_.Entries(); }
  const IdentityLayout& layout() const { return layout_; }
  const IdentityAccess& identity() const { return identity_; }

 private:
  Coroutines(Napi::Env env, v8::Isolate* isolate, const IdentityLayout& layout,
             char* tls_block);
  static void Main(void* self_as_void);
  uint32_t Run(Coroutine* self);
  [[noreturn]] void Finish(Coroutine* self, uint32_t next_id);
  // Interrupts pending for the running V8 thread are serviced before it is
  // archived. False when the caller must return at once (an exception or
  // termination is pending, or JavaScript is being ended).
  bool ServiceInterruptsBeforeSwitch();
  // Suspends `from` (the running coroutine) and resumes `to`; returns once
  // `from` is resumed again, with V8's lock and state back.
  void Suspend(Coroutine* from, Coroutine* to);
  // The two ways to suspend `from` and run `to` (a started one, for the
  // first). Each returns on `from`'s side once it is resumed, with what the
  // resuming side handed over.
  // (Inlined into Suspend: a call more would cost the switch measurably.)
  [[gnu::always_inline]] inline V8Lock SwitchDirect(Coroutine* from, Coroutine* to);
  [[gnu::always_inline]] inline V8Lock SwitchThroughUnlocker(Coroutine* from, Coroutine* to);
  // Run by a coroutine just resumed: answers capture requests addressed to it
  // (one per resumption in capture mode) until it is resumed for real.
  void ServeCaptures();
  // Runs `to` on its stack, handing it `lock`; returns when some coroutine
  // switches back, with what that one handed over.
  V8Lock SwapTo(Coroutine* from, Coroutine* to, V8Lock lock);
  void PrepareIfFresh(Coroutine* coroutine);
  // Calls poll(); false if it did not return (an exception, termination).
  bool Poll();
  // ~v8::Unlocker for the coroutine being resumed (current_), after a switch
  // that gave the lock up (run on relock_stack_).
  void RestoreCurrent();
  static void RestoreCurrentOf(void* self_as_void);
  void AfterResume();
  void PointHeapAtThisStack();
  void ReleaseRetiredStack();
  Coroutine* Lookup(uint32_t id) const;

  Napi::Env env_;
  v8::Isolate* isolate_;
  IdentityLayout layout_;
  IdentityAccess identity_;
  StackPool pool_;
  StackCache stack_cache_{&pool_};
  // The context coroutines run in (that of the thread's main script): a fresh
  // V8 thread has none entered, and code at a coroutine's base must have one.
  v8::Global<v8::Context> context_;
  Napi::FunctionReference entry_;
  Napi::FunctionReference poll_;
  InterruptProbe interrupts_;
  ThreadArchiveLayout archive_layout_;
  DebugWalkBypass bypass_;
  DirectRestore direct_;
  DebugStepGuard step_guard_;
  ScavengeSkip skip_;
  ContinuationDataShield shield_;
  JoinStackGuard join_stack_;
  Coroutine main_;
  uintptr_t main_stack_low_ = 0;  // the thread's own stack, where main runs
  uintptr_t main_stack_high_ = 0;
  Coroutine* current_ = &main_;
  std::vector<Coroutine*> table_;   // index = id; main is 0
  std::vector<uint32_t> free_ids_;
  size_t live_ = 0;
  // The stack of a coroutine that just ended: it is still in use until the
  // swap away from it, so the next coroutine to run gives it back.
  StackSlot retired_;
  RelockStack relock_stack_{&Coroutines::RestoreCurrentOf, this};
  LockHandoff handoff_;
  alignas(v8::Unlocker) unsigned char unlocker_storage_[sizeof(v8::Unlocker)];
  alignas(v8::Locker) unsigned char locker_storage_[sizeof(v8::Locker)];
  // A coroutine that ended abnormally hands this to whoever runs next.
  Napi::Reference<Napi::Value> pending_exception_;
  bool pending_termination_ = false;
  // A capture under way: the suspended coroutine asked for, who asked, and
  // where the answer goes (CaptureStack).
  Coroutine* capture_target_ = nullptr;
  Coroutine* capture_requester_ = nullptr;
  uint32_t capture_limit_ = 0;
  std::string* capture_out_ = nullptr;
  uint64_t captures_ = 0;
  std::atomic<uint64_t> switch_progress_{0};
  std::vector<std::string> library_prefixes_;
  // Per V8 script id (unique in the isolate, and a script's name never
  // changes): its name as UTF-8 and whether it is the library's, so that a
  // capture converts and compares each script's name once.
  struct ScriptInfo {
    std::string name;
    bool library = false;
  };
  std::unordered_map<int, ScriptInfo> scripts_;
  static constexpr size_t kMaxKnownScripts = 4096;
  ScriptInfo DescribeScript(v8::Local<v8::StackFrame> frame) const;
};

}  // namespace stackless
