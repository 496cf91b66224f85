#include "shortcuts/scavenge_skip.h"


namespace stackless {

namespace {

// How far past lazily_archived_thread_state_ to look for in_use_anchor_
// (free_anchor_ and in_use_anchor_ follow it directly in V8 11 to 14).
constexpr size_t kAnchorSearchWords = 4;

// An anchor of V8's thread lists: a ThreadState of `manager` with no data.
bool IsAnchor(ThreadStateView state, uint64_t manager, ThreadStateView::Words* words) {
  return state.ProbeWords(words) && words->data == 0 && words->id == kNoThreadId &&
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
    layout_ = layout;
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
  if (cut_first_.null()) return;
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

ThreadStateView ScavengeSkip::StateOf(const Suspension* suspension) const {
  return layout_.PerThreadData(*suspension->identity).thread_state();
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

  const ThreadStateView anchor = InUseAnchor();
  ThreadStateView state = anchor.next();
  for (const Suspension* s = newest_; s != first_settled; s = s->older) {
    if (state != StateOf(s)) {
      TurnOff("V8's archived threads are not in the order the core suspended them");
      return;
    }
    state = state.next();
  }
  if (state != StateOf(first_settled) || state == anchor) {
    TurnOff("V8's archived threads are not in the order the core suspended them");
    return;
  }
  const uint64_t settled = suspended_ - recent;
  const ThreadStateView last = anchor.previous();
  const ThreadStateView before = state.previous();
  before.set_next(anchor);
  anchor.set_previous(before);
  cut_first_ = state;
  cut_last_ = last;
  ++cuts_;
  threads_skipped_ += settled;
  last_skipped_ = settled;
}

void ScavengeSkip::Reattach() {
  if (cut_first_.null()) return;
  // Appended after whatever is last now: the unhooked threads were archived
  // before any thread V8 may have linked in meanwhile, so the list stays in
  // order.
  const ThreadStateView anchor = InUseAnchor();
  const ThreadStateView last = anchor.previous();
  last.set_next(cut_first_);
  cut_first_.set_previous(last);
  cut_last_.set_next(anchor);
  anchor.set_previous(cut_last_);
  cut_first_ = cut_last_ = ThreadStateView();
}

bool ScavengeSkip::Verify(size_t minimum) {
  // The record's newest suspensions must be the first threads in V8's list,
  // linked through next_/previous_ to an anchor (a ThreadState with no data,
  // held by the ThreadManager), and the whole list, walked from there, must
  // be exactly the record, in order. Two threads tell next_ from previous_;
  // one is enough to find the anchor.
  if (suspended_ < minimum || newest_ == nullptr) return false;  // not yet: too few to tell
  const ThreadStateView first = StateOf(newest_);
  const ThreadStateView second = newest_->older == nullptr ? ThreadStateView() : StateOf(newest_->older);
  ThreadStateView::Words a, b, anchor_words;
  const auto manager = reinterpret_cast<uint64_t>(layout_.thread_manager);
  if (!first.ProbeWords(&a) || a.manager != manager ||
      (!second.null() &&
       (!second.ProbeWords(&b) || b.manager != manager ||
        a.next != reinterpret_cast<uint64_t>(second.address()) ||
        b.previous != reinterpret_cast<uint64_t>(first.address())))) {
    TurnOff("V8's archived threads are not linked as expected (ThreadState::next_/previous_)");
    return false;
  }
  const ThreadStateView anchor(reinterpret_cast<char*>(a.previous));
  if (!IsAnchor(anchor, manager, &anchor_words) ||
      anchor_words.next != reinterpret_cast<uint64_t>(first.address())) {
    TurnOff("the list of V8's archived threads has no anchor where expected");
    return false;
  }
  bool found = false;
  for (size_t word = 1; word <= kAnchorSearchWords && !found; ++word) {
    uint64_t value = 0;
    if (Manager().ProbeWordAfterLazyState(word, &value) &&
        value == reinterpret_cast<uint64_t>(anchor.address())) {
      in_use_anchor_offset_ = layout_.thread_manager_fields.lazy_state_offset + 8 * word;
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

bool ScavengeSkip::ListIsRecord(ThreadStateView anchor) {
  // Read directly now that the links are known (a probe per word would make
  // this pause long with many suspended).
  const auto manager = reinterpret_cast<uint64_t>(layout_.thread_manager);
  ThreadStateView state = anchor.next();
  for (const Suspension* s = newest_; s != nullptr; s = s->older) {
    if (state != StateOf(s) || state.manager() != manager || state.data() == nullptr) {
      TurnOff("V8's archived threads are not the ones the core suspended, in its order");
      return false;
    }
    state = state.next();
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
  const ThreadStateView anchor = InUseAnchor();
  // It must look like an anchor.
  const ThreadStateView free_anchor = FreeAnchor();
  ThreadStateView::Words free_words;
  if (!IsAnchor(free_anchor, reinterpret_cast<uint64_t>(layout_.thread_manager), &free_words) ||
      ThreadStateView(reinterpret_cast<char*>(free_words.previous)).next() != free_anchor ||
      ThreadStateView(reinterpret_cast<char*>(free_words.next)).previous() != free_anchor ||
      !ListIsRecord(anchor)) {
    return false;
  }
  // Each thread as V8 leaves a restored one: no id, its per-thread data no
  // longer pointing at it.
  for (const Suspension* s = newest_; s != nullptr; s = s->older) {
    StateOf(s).set_id(kNoThreadId);
    layout_.PerThreadData(*s->identity).set_thread_state(ThreadStateView());
  }
  // The whole in-use list moves to the front of the free list.
  const ThreadStateView first = anchor.next();
  const ThreadStateView last = anchor.previous();
  anchor.set_next(anchor);
  anchor.set_previous(anchor);
  const ThreadStateView after = free_anchor.next();
  free_anchor.set_next(first);
  first.set_previous(free_anchor);
  last.set_next(after);
  after.set_previous(last);
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
