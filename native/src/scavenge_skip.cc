#include "scavenge_skip.h"

#include <cstring>

#include "read_probe.h"

namespace stackless {

namespace {

// ThreadState { ThreadId id_; char* data_; ThreadState* next_;
// ThreadState* previous_; ThreadManager* thread_manager_; }
// (src/execution/v8threads.h; id_, data_ and thread_manager_ are also in
// thread_archive_layout.h). The links are verified before first use.
constexpr size_t kNextOffset = 16;
constexpr size_t kPreviousOffset = 24;
// How far past lazily_archived_thread_state_ to look for in_use_anchor_
// (free_anchor_ and in_use_anchor_ follow it directly in V8 11 to 14).
constexpr size_t kAnchorSearchWords = 4;

char* Next(const char* state) { return Load<char*>(state + kNextOffset); }
char* Previous(const char* state) { return Load<char*>(state + kPreviousOffset); }
void SetNext(char* state, char* next) { Store(state + kNextOffset, next); }
void SetPrevious(char* state, char* previous) { Store(state + kPreviousOffset, previous); }

// The five words of a ThreadState, read with the probe (verification only).
struct ThreadStateWords {
  int32_t id = 0;
  uint64_t data = 0, next = 0, previous = 0, manager = 0;
};

bool ReadThreadState(const char* state, ThreadStateWords* words) {
  const auto at = reinterpret_cast<uint64_t>(state);
  return state != nullptr && ProbeValue(at + kThreadStateIdOffset, &words->id) &&
         ProbeValue(at + kThreadStateDataOffset, &words->data) &&
         ProbeValue(at + kNextOffset, &words->next) &&
         ProbeValue(at + kPreviousOffset, &words->previous) &&
         ProbeValue(at + kThreadStateManagerOffset, &words->manager);
}

// An anchor of V8's thread lists: a ThreadState of `manager` with no data.
bool IsAnchor(const char* state, uint64_t manager, ThreadStateWords* words) {
  return ReadThreadState(state, words) && words->data == 0 && words->id == kNoThreadId &&
         words->manager == manager;
}

}  // namespace

void ScavengeSkip::Start(v8::Isolate* isolate, const ThreadArchiveLayout& layout,
                         const std::string& layout_error) {
  isolate_ = isolate;
  if (!layout_error.empty()) {
    TurnOff(layout_error);
  } else if (layout.thread_manager == nullptr) {
    TurnOff(layout.thread_manager_error);
  } else {
    thread_manager_ = layout.thread_manager;
    thread_state_offset_ = layout.thread_state_offset;
    lazy_state_offset_ = layout.lazy_state_offset;
  }
  // Registered even when off: the record of suspensions is kept either way,
  // so that turning the skip on later starts from the truth.
  isolate_->AddGCPrologueCallback(&ScavengeSkip::Prologue, this);
  isolate_->AddGCEpilogueCallback(&ScavengeSkip::Epilogue, this);
  registered_ = true;
}

void ScavengeSkip::Stop() {
  Reattach();
  if (!registered_) return;
  isolate_->RemoveGCPrologueCallback(&ScavengeSkip::Prologue, this);
  isolate_->RemoveGCEpilogueCallback(&ScavengeSkip::Epilogue, this);
  registered_ = false;
}

void ScavengeSkip::SwitchingInsideCollection() {
  if (cut_first_ == nullptr) return;
  // A switch inside a GC callback: V8's list must be whole again first, and
  // this collection does not count toward settling.
  Reattach();
  disturbed_ = true;
}

void ScavengeSkip::Suspending(Suspension* suspension, const Identity* identity) {
  SwitchingInsideCollection();
  suspension->identity = identity;
  suspension->since_scavenge = scavenges_;
  suspension->newer = nullptr;
  suspension->older = newest_;
  if (newest_ != nullptr) newest_->newer = suspension;
  newest_ = suspension;
  suspension->listed = true;
  ++suspended_;
}

void ScavengeSkip::Resuming(Suspension* suspension) {
  SwitchingInsideCollection();
  if (!suspension->listed) return;
  if (suspension->newer != nullptr) suspension->newer->older = suspension->older;
  else newest_ = suspension->older;
  if (suspension->older != nullptr) suspension->older->newer = suspension->newer;
  suspension->newer = suspension->older = nullptr;
  suspension->listed = false;
  --suspended_;
}

void ScavengeSkip::Prologue(v8::Isolate*, v8::GCType type, v8::GCCallbackFlags, void* data) {
  auto* self = static_cast<ScavengeSkip*>(data);
  // Anything but a scavenge (mark-compact above all, which may move old
  // objects) must see every thread.
  self->Reattach();
  self->disturbed_ = false;
  if (type == v8::kGCTypeScavenge) self->BeforeScavenge();
}

void ScavengeSkip::Epilogue(v8::Isolate*, v8::GCType type, v8::GCCallbackFlags, void* data) {
  auto* self = static_cast<ScavengeSkip*>(data);
  self->Reattach();
  if (type == v8::kGCTypeScavenge && !self->disturbed_) ++self->scavenges_;
  self->disturbed_ = false;
}

char* ScavengeSkip::StateOf(const Suspension* suspension) const {
  return ArchivedThreadState(*suspension->identity, thread_state_offset_);
}

void ScavengeSkip::BeforeScavenge() {
  if (!enabled() || !available()) return;
  // Newest first: the recently suspended ones, which this scavenge must walk,
  // then the settled tail.
  const Suspension* first_settled = newest_;
  uint64_t recent = 0;
  while (first_settled != nullptr && !Settled(first_settled)) {
    first_settled = first_settled->older;
    ++recent;
  }
  if (first_settled == nullptr) return;
  if (!verified() && !Verify(2)) return;

  char* anchor = Load<char*>(thread_manager_ + in_use_anchor_offset_);
  char* state = Next(anchor);
  for (const Suspension* s = newest_; s != first_settled; s = s->older) {
    if (state != StateOf(s)) {
      TurnOff("V8's archived threads are not in the order the core suspended them");
      return;
    }
    state = Next(state);
  }
  if (state != StateOf(first_settled) || state == anchor) {
    TurnOff("V8's archived threads are not in the order the core suspended them");
    return;
  }
  const uint64_t settled = suspended_ - recent;
  char* last = Previous(anchor);
  char* before = Previous(state);
  SetNext(before, anchor);
  SetPrevious(anchor, before);
  cut_first_ = state;
  cut_last_ = last;
  ++cuts_;
  threads_skipped_ += settled;
  last_skipped_ = settled;
}

void ScavengeSkip::Reattach() {
  if (cut_first_ == nullptr) return;
  // Appended after whatever is last now: the unhooked threads were archived
  // before any thread V8 may have linked in meanwhile, so the list stays in
  // order.
  char* anchor = Load<char*>(thread_manager_ + in_use_anchor_offset_);
  char* last = Previous(anchor);
  SetNext(last, cut_first_);
  SetPrevious(cut_first_, last);
  SetNext(cut_last_, anchor);
  SetPrevious(anchor, cut_last_);
  cut_first_ = cut_last_ = nullptr;
}

bool ScavengeSkip::Verify(size_t minimum) {
  // The record's newest suspensions must be the first threads in V8's list,
  // linked through next_/previous_ to an anchor (a ThreadState with no data,
  // held by the ThreadManager), and the whole list, walked from there, must
  // be exactly the record, in order. Two threads tell next_ from previous_;
  // one is enough to find the anchor.
  if (suspended_ < minimum || newest_ == nullptr) return false;  // not yet: too few to tell
  char* first = StateOf(newest_);
  char* second = newest_->older == nullptr ? nullptr : StateOf(newest_->older);
  ThreadStateWords a, b, anchor_words;
  const auto manager = reinterpret_cast<uint64_t>(thread_manager_);
  if (!ReadThreadState(first, &a) || a.manager != manager ||
      (second != nullptr &&
       (!ReadThreadState(second, &b) || b.manager != manager ||
        a.next != reinterpret_cast<uint64_t>(second) || b.previous != reinterpret_cast<uint64_t>(first)))) {
    TurnOff("V8's archived threads are not linked as expected (ThreadState::next_/previous_)");
    return false;
  }
  char* anchor = reinterpret_cast<char*>(a.previous);
  if (!IsAnchor(anchor, manager, &anchor_words) || anchor_words.next != reinterpret_cast<uint64_t>(first)) {
    TurnOff("the list of V8's archived threads has no anchor where expected");
    return false;
  }
  bool found = false;
  for (size_t word = 1; word <= kAnchorSearchWords && !found; ++word) {
    uint64_t value = 0;
    if (ProbeValue(manager + lazy_state_offset_ + 8 * word, &value) &&
        value == reinterpret_cast<uint64_t>(anchor)) {
      in_use_anchor_offset_ = lazy_state_offset_ + 8 * word;
      found = true;
    }
  }
  if (!found) {
    TurnOff("cannot find the in-use anchor among V8's ThreadManager fields");
    return false;
  }
  if (!ListIsRecord(anchor)) return false;
  Verified();
  return true;
}

bool ScavengeSkip::ListIsRecord(const char* anchor) {
  // Read directly now that the links are known (a probe per word would make
  // this pause long with many suspended).
  const auto manager = reinterpret_cast<uint64_t>(thread_manager_);
  const char* state = Next(anchor);
  for (const Suspension* s = newest_; s != nullptr; s = s->older) {
    if (state != StateOf(s) || Load<uint64_t>(state + kThreadStateManagerOffset) != manager ||
        Load<uint64_t>(state + kThreadStateDataOffset) == 0) {
      TurnOff("V8's archived threads are not the ones the core suspended, in its order");
      return false;
    }
    state = Next(state);
  }
  if (state != anchor) {
    TurnOff("V8 has archived threads the core did not suspend");
    return false;
  }
  return true;
}

bool ScavengeSkip::ForgetSuspended() {
  Reattach();
  if (newest_ == nullptr) return true;
  if (!available() || (!verified() && !Verify(1))) return false;
  char* anchor = Load<char*>(thread_manager_ + in_use_anchor_offset_);
  // free_anchor_ is declared just before in_use_anchor_; it must look like it.
  char* free_anchor = Load<char*>(thread_manager_ + in_use_anchor_offset_ - 8);
  ThreadStateWords free_words;
  if (!IsAnchor(free_anchor, reinterpret_cast<uint64_t>(thread_manager_), &free_words) ||
      Next(reinterpret_cast<char*>(free_words.previous)) != free_anchor ||
      Previous(reinterpret_cast<char*>(free_words.next)) != free_anchor || !ListIsRecord(anchor)) {
    return false;
  }
  // Each thread as V8 leaves a restored one: no id, its per-thread data no
  // longer pointing at it.
  for (const Suspension* s = newest_; s != nullptr; s = s->older) {
    char* state = StateOf(s);
    Store<int32_t>(state + kThreadStateIdOffset, kNoThreadId);
    auto* per_thread = reinterpret_cast<char*>(s->identity->word[kCurrentThreadData]);
    Store<char*>(per_thread + thread_state_offset_, nullptr);
  }
  // The whole in-use list moves to the front of the free list.
  char* first = Next(anchor);
  char* last = Previous(anchor);
  SetNext(anchor, anchor);
  SetPrevious(anchor, anchor);
  char* after = Next(free_anchor);
  SetNext(free_anchor, first);
  SetPrevious(first, free_anchor);
  SetNext(last, after);
  SetPrevious(after, last);
  for (Suspension* s = newest_; s != nullptr;) {
    Suspension* older = s->older;
    s->newer = s->older = nullptr;
    s->listed = false;
    s = older;
  }
  newest_ = nullptr;
  suspended_ = 0;
  return true;
}

void ScavengeSkip::TurnOff(std::string reason) {
  Reattach();
  Unavailable(std::move(reason));
}

void ScavengeSkip::EnabledChanged() {
  if (!enabled()) Reattach();
}

void ScavengeSkip::Describe(ShortcutCounters& counters) const {
  counters.Count("scavenges", static_cast<double>(scavenges_));
  counters.Count("cuts", static_cast<double>(cuts_));
  counters.Count("threadsSkipped", static_cast<double>(threads_skipped_));
  counters.Count("lastSkipped", static_cast<double>(last_skipped_));
}

}  // namespace stackless
