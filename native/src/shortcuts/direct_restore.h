// A switch between two greenlets that drives V8's thread archive directly.
//
// Through the public API a switch is v8::Unlocker (ThreadManager::ArchiveThread,
// Unlock) and, on the other side, ~v8::Unlocker (Lock, RestoreThread). Around
// the actual copying of per-thread state, that path looks the thread up in V8's
// per-thread table twice, takes and drops the ThreadManager's mutex, re-enters
// the debugger (a DebugScope: a frame iterator, a clock read, interrupt-scope
// bookkeeping) and enters the isolate once more. None of that is needed when
// one OS thread hands the isolate from one of its V8 threads to another with no
// debugger active. The direct restore does what ThreadManager::ArchiveThread,
// EagerlyArchiveThread and RestoreThread do to the state itself, calling V8's
// own functions for every component, under the isolate's break_access_ mutex
// as V8 does (so that an interrupt requested from another thread in between is
// not lost), and leaves V8's ThreadManager exactly as the public path would.
//
// The V8 internals it relies on, and how each is established:
//  - the functions: the binary's symbol table (v8_functions.h);
//  - the ThreadManager and its fields, the per-thread archive pointer:
//    observed (thread_archive_layout.h);
//  - the component objects (HandleScopeImplementer, Debug, RegExpStack,
//    Bootstrapper) and break_access_, all fields of the Isolate: read from
//    the machine code of ThreadManager::RestoreThread (the load of each one
//    before the call that uses it), then cross-checked against V8's
//    ExternalReference accessors and against what each object must contain;
//  - the StackGuard: the place v8-internal.h publishes.
// The machine code is only read on x86-64; elsewhere, and when any check
// fails, switches take the public path (reason() says why).
//
// Archiving, too, goes component by component when ThreadManager::
// EagerlyArchiveThread's code is seen to call exactly V8's seven archive
// functions in order: then the StackGuard's per-thread state is copied in
// place, under the break_access_ lock this switch already holds, where V8's
// StackGuard::ArchiveStackGuard and RestoreStackGuard would each take that
// lock again (a third of the switch's instructions went to locking).
#pragma once

#include <v8.h>

#include <cstdint>
#include <string>

#include "shortcuts/shortcut.h"
#include "v8/thread_archive_layout.h"
#include "v8/thread_identity.h"

namespace stackless {

struct V8Functions;

class DirectRestore final : public Shortcut {
 public:
  DirectRestore() : Shortcut("directRestore", "waiting for symbols") {}

  void Discover(v8::Isolate* isolate, const ThreadArchiveLayout& layout,
                const std::string& layout_error);

  // Whether Switch() may take the running V8 thread `from` to the suspended
  // one `to` (a started greenlet suspended in a switch).
  bool CanSwitch(const Identity& from, const Identity& to);
  // Archives `from`, loads `to`'s identity words and restores `to`. On return
  // the isolate is `to`'s, as if `to` had just come back from ~v8::Unlocker.
  void Switch(const Identity& from, const Identity& to, const IdentityAccess& identity);

  // Archiving through EagerlyArchiveThread whole instead (tests), where the
  // component path was verified; it is verified at the first direct switch.
  void SetArchiveByComponent(bool enabled);
  uint64_t switches() const { return switches_; }
  bool archives_by_component() const { return archive_by_component_; }
  uint64_t debugger_restores() const { return debugger_restores_; }
  // V8's Debug object, as read from ThreadManager::RestoreThread's code and
  // checked to hold the debugger's is_active_ flag; nullptr if it could not
  // be (yet: the symbols may still be being read). For the step guard, which
  // needs it whether or not the direct restore itself is on.
  char* VerifiedDebugObject();

 private:
  // Takes up the symbols and reads V8's code once they are found.
  void Prepare();
  // Whether the archive may be done component by component (see above).
  bool PrepareArchiveByComponent(const V8Functions& functions);
  void Describe(ShortcutCounters& counters) const override;
  // Archives the running V8 thread into `state`, as EagerlyArchiveThread.
  void ArchiveByComponent(ThreadStateView state);

  using StateFunction = void (*)(char* object);
  using GetStateFunction = char* (*)(char* object);
  using LinkFunction = void (*)(char* state, int list);
  using RestoreFunction = char* (*)(char* object, char* from);
  using IsolateRestoreFunction = char* (*)(v8::Isolate* isolate, char* from);

  v8::Isolate* isolate_ = nullptr;
  ThreadArchiveLayout layout_;
  bool prepared_ = false;  // Prepare() ran (once)

  char* break_access_ = nullptr;  // a base::RecursiveMutex
  char* handle_scopes_ = nullptr;  // HandleScopeImplementer
  StackGuardView stack_guard_;
  char* debug_ = nullptr;
  char* regexp_stack_ = nullptr;
  char* bootstrapper_ = nullptr;
  const uint8_t* debug_is_active_ = nullptr;
  bool debug_verified_ = false;  // debug_ passed its cross-check
  size_t debug_archive_size_ = 0;

  StateFunction lock_ = nullptr;    // RecursiveMutex::Lock
  StateFunction unlock_ = nullptr;  // RecursiveMutex::Unlock
  GetStateFunction get_free_thread_state_ = nullptr;
  StateFunction eagerly_archive_thread_ = nullptr;
  bool archive_by_component_ = false;  // verified_ && wanted_
  bool archive_by_component_verified_ = false;
  bool archive_by_component_wanted_ = true;
  RestoreFunction archive_handle_scopes_ = nullptr;
  IsolateRestoreFunction archive_isolate_ = nullptr;
  IsolateRestoreFunction archive_relocatable_ = nullptr;
  RestoreFunction archive_debug_ = nullptr;
  RestoreFunction archive_regexp_stack_ = nullptr;
  RestoreFunction archive_bootstrapper_ = nullptr;
  StateFunction unlink_ = nullptr;
  LinkFunction link_into_ = nullptr;
  RestoreFunction restore_handle_scopes_ = nullptr;
  IsolateRestoreFunction restore_isolate_ = nullptr;
  IsolateRestoreFunction restore_relocatable_ = nullptr;
  RestoreFunction restore_stack_guard_ = nullptr;
  RestoreFunction restore_debug_ = nullptr;
  RestoreFunction restore_regexp_stack_ = nullptr;
  RestoreFunction restore_bootstrapper_ = nullptr;

  uint64_t switches_ = 0;
  uint64_t debugger_restores_ = 0;
};

}  // namespace stackless
