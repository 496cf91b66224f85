// Scavenges that skip settled greenlets.
//
// V8 sees each suspended greenlet as an archived thread, and every collection,
// scavenges included, walks every archived thread frame by frame
// (ThreadManager::Iterate): with 10,000 suspended greenlets a scavenge takes
// about 15 times as long as with none. Yet a scavenge only looks for pointers
// into the young generation, and a suspended greenlet's roots (its frames,
// handle scopes and archived thread state) are frozen: nothing writes to them
// until it resumes. A scavenge promotes every young object that survived the
// one before (V8's semi-space age mark), so once two scavenges have walked a
// suspended greenlet, everything its roots point to is in the old generation,
// and walking it again finds nothing until it resumes. Such a greenlet is
// "settled".
//
// V8 keeps its archived threads in a circular list, newest archived first
// (ThreadState::LinkInto inserts after the anchor; resuming unlinks). Settled
// greenlets, suspended longest, are its tail. So just before a scavenge (a GC
// prologue callback) the tail is unhooked from the list, and just after (the
// epilogue callback) hooked back in: the scavenge walks only the recently
// suspended. Mark-compact collections, which may move old objects, always see
// every thread. The order is checked against the core's own record of
// suspensions before every cut, and the list's layout (ThreadState's links, the
// ThreadManager's in-use anchor) is verified by observation the first time;
// on any disagreement the skip turns off for good and reason() says why.
//
// It is also turned off by STACKLESS_SCAVENGE_SKIP=0, and the native package
// turns it off when V8 runs with object pinning (conservative stack scanning),
// under which a scavenge may keep a survivor young.
#pragma once

#include <v8.h>

#include <cstdint>
#include <string>

#include "shortcuts/shortcut.h"
#include "v8/thread_archive_layout.h"
#include "v8/thread_identity.h"

namespace stackless {

// A suspended coroutine's entry in the skip's record, newest first.
struct Suspension {
  Suspension* newer = nullptr;
  Suspension* older = nullptr;
  const Identity* identity = nullptr;  // its saved identity (where its archive hangs)
  uint64_t since_scavenge = 0;         // scavenges completed when it was suspended
  bool listed = false;
};

class ScavengeSkip final : public Shortcut {
 public:
  ScavengeSkip() : Shortcut("scavengeSkip", "waiting to verify") {}

  // Registers the GC callbacks. `layout_error` non-empty: the skip stays off.
  void Start(v8::Isolate* isolate, const ThreadArchiveLayout& layout,
             const std::string& layout_error);
  // Unregisters them, putting back any threads unhooked.
  void Stop();
  // For the end of the thread, before the stacks of suspended coroutines are
  // given back: V8 may still collect after that (Node detaches the CppHeap
  // once the environment is gone, which finishes incremental marking with a
  // mark-compact) and would walk those stacks. This hands every suspended
  // thread from V8's in-use list to its free list (V8 deletes those with the
  // isolate). False if the list could not be verified: then the stacks must
  // stay mapped.
  bool ForgetSuspended();

  // The running coroutine is being suspended (its V8 thread archived).
  void Suspending(Suspension* suspension, const Identity* identity);
  // A suspended coroutine is about to be restored: call before V8 restores it.
  void Resuming(Suspension* suspension);

  uint64_t scavenges() const { return scavenges_; }
  uint64_t cuts() const { return cuts_; }
  uint64_t threads_skipped() const { return threads_skipped_; }
  uint64_t last_skipped() const { return last_skipped_; }

 private:
  static void Prologue(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags,
                       void* data);
  static void Epilogue(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags,
                       void* data);
  void BeforeScavenge();
  // Called on every switch; acts only inside a collection's callbacks.
  void SwitchingInsideCollection();
  // Verifies the list's layout against the record, once at least `minimum`
  // coroutines are suspended; true if it may be changed.
  bool Verify(size_t minimum);
  // Whether V8's list, from `anchor`, is exactly the record (else turns off).
  bool ListIsRecord(ThreadStateView anchor);
  void Reattach();
  void TurnOff(std::string reason);
  // Turned off: the threads unhooked for a scavenge under way go back.
  void EnabledChanged() override;
  void Describe(ShortcutCounters& counters) const override;
  ThreadStateView StateOf(const Suspension* suspension) const;
  ThreadManagerView Manager() const { return layout_.ThreadManager(); }
  ThreadStateView InUseAnchor() const { return Manager().AnchorAt(in_use_anchor_offset_); }
  // free_anchor_ is declared just before in_use_anchor_.
  ThreadStateView FreeAnchor() const { return Manager().AnchorAt(in_use_anchor_offset_ - 8); }
  bool Settled(const Suspension* suspension) const {
    return scavenges_ >= suspension->since_scavenge + 2;
  }

  v8::Isolate* isolate_ = nullptr;
  bool registered_ = false;
  ThreadArchiveLayout layout_;         // with a ThreadManager, or the skip is off
  size_t in_use_anchor_offset_ = 0;     // ThreadManager::in_use_anchor_ (verified)

  Suspension* newest_ = nullptr;
  uint64_t suspended_ = 0;  // entries in the record
  uint64_t scavenges_ = 0;
  // The unhooked tail of V8's list while a scavenge runs.
  ThreadStateView cut_first_;
  ThreadStateView cut_last_;
  // A switch ran between prologue and epilogue (another GC callback ran
  // JavaScript): this collection does not count as a scavenge that walked
  // every recently suspended thread.
  bool disturbed_ = false;

  uint64_t cuts_ = 0;
  uint64_t threads_skipped_ = 0;
  uint64_t last_skipped_ = 0;
};

}  // namespace stackless
