// The coroutines of one JavaScript thread (Node's main thread or a worker).
//
// Each coroutine is, for V8, a thread of its own: while it is suspended its
// V8 state (handle scopes, stack guard, top frames) sits in V8's thread
// archive, where the garbage collector visits its frames. A switch is
//
//   v8::Unlocker (archive "from") -> swap identity words -> swap machine stacks
//   -> on the target's side, v8::Locker (lock, restore the target's state),
//
// or, between started coroutines where it verified itself, the direct
// restore (direct_restore.h) does the archive and restore before the swap.
//
// This layer only moves control. Values, exceptions, parents and every other
// greenlet rule live in TypeScript (packages/greenlet).
#pragma once

#include <napi.h>
#include <v8.h>

#include <cstdint>
#include <string>
#include <vector>

#include "continuation_data_shield.h"
#include "debug_walk_bypass.h"
#include "direct_restore.h"
#include "interrupt_probe.h"
#include "join_stack.h"
#include "scavenge_skip.h"
#include "stack_pool.h"
#include "thread_identity.h"

namespace stackless {

class Coroutines;

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
  uint32_t current_id() const { return current_->id; }
  // Ends the JavaScript running on this thread (V8 termination), for when the
  // environment is being torn down and N-API refuses to call or throw.
  void EndJavaScript();
  bool IsLive(uint32_t id) const;
  size_t live_count() const { return live_; }
  bool interrupt_probe_verified() const { return interrupts_.verified(); }

  StackPool& pool() { return pool_; }
  DebugWalkBypass& debug_walk_bypass() { return bypass_; }
  DirectRestore& direct_restore() { return direct_; }
  ScavengeSkip& scavenge_skip() { return skip_; }
  const ContinuationDataShield& continuation_data_shield() const { return shield_; }
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
  void Transfer(Coroutine* from, Coroutine* to);
  // Runs `to` on its stack; returns when some coroutine switches back.
  void SwapTo(Coroutine* from, Coroutine* to);
  void PrepareIfFresh(Coroutine* coroutine);
  // Takes the isolate's lock back for the coroutine just resumed, after a
  // switch that gave it up (v8::Unlocker, or a coroutine's end).
  void Relock();
  // Calls poll(); false if it did not return (an exception, termination).
  bool Poll();
  static void RelockMain(void* self_as_void);
  // ~v8::Unlocker for the coroutine being resumed (current_).
  void RestoreCurrent();
  void AfterResume();
  void PointHeapAtThisStack();
  void ReleaseRetiredStack();
  Coroutine* Lookup(uint32_t id) const;

  Napi::Env env_;
  v8::Isolate* isolate_;
  IdentityLayout layout_;
  IdentityAccess identity_;
  StackPool pool_;
  // The context coroutines run in (that of the thread's main script): a fresh
  // V8 thread has none entered, and code at a coroutine's base must have one.
  v8::Global<v8::Context> context_;
  Napi::FunctionReference entry_;
  Napi::FunctionReference poll_;
  InterruptProbe interrupts_;
  ThreadArchiveLayout archive_layout_;
  DebugWalkBypass bypass_;
  DirectRestore direct_;
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
  // swap away from it, so the next coroutine to run gives it back to the pool.
  StackSlot retired_;
  // ~Unlocker (V8 relocking the isolate and restoring the resumed thread's
  // state) runs ~4.5 KB of C++ below the suspension point: the debugger's
  // restore walks the stack. On the coroutine's own stack that would dirty a
  // second page of every suspended coroutine, so it runs on this scratch
  // stack, one per thread, entered like a coroutine.
  Stack relock_stack_;
  bool relock_stack_failed_ = false;  // then ~Unlocker runs in place
  void* relock_sp_ = nullptr;
  void* relock_return_sp_ = nullptr;
  bool relock_on_resume_ = false;  // set by whoever resumes a coroutine
  alignas(v8::Unlocker) unsigned char unlocker_storage_[sizeof(v8::Unlocker)];
  alignas(v8::Locker) unsigned char locker_storage_[sizeof(v8::Locker)];
  // A coroutine that ended abnormally hands this to whoever runs next.
  Napi::Reference<Napi::Value> pending_exception_;
  bool pending_termination_ = false;
};

}  // namespace stackless
