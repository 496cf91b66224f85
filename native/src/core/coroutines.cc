#include "core/coroutines.h"

#include "switch/context.h"

#include <algorithm>
#include <new>

namespace stackless {

namespace {

// Room left between V8's JS stack limit and the guard page, for the C++ that
// V8 and Node run below the limit (runtime calls, the RangeError itself).
constexpr size_t kStackLimitSlack = 64 * 1024;

// Raw napi_throw_error: a worker may be terminated while it loads the core
// (discovery calls into JavaScript, which termination interrupts); then
// nothing can be thrown, and node-addon-api would abort the process trying.
void ThrowLoadError(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
}

}  // namespace

Coroutines* Coroutines::Create(Napi::Env env) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate == nullptr || !v8::Locker::IsLocked(isolate)) {
    ThrowLoadError(env, "stackless: this thread does not hold V8's isolate lock "
                        "(v8::Locker); this Node.js build is not supported");
    return nullptr;
  }
  IdentityLayout layout;
  std::string error;
  char* tls_block = nullptr;
  size_t tls_size = 0;
  if (!DiscoverIdentityLayout(isolate, &layout, &error) ||
      !FindV8TlsBlock(&tls_block, &tls_size, &error)) {
    if (!isolate->IsExecutionTerminating()) {
      ThrowLoadError(env, "stackless: unsupported Node.js build: " + error);
    }
    return nullptr;
  }
  return new Coroutines(env, isolate, layout, tls_block);
}

Coroutines::Coroutines(Napi::Env env, v8::Isolate* isolate,
                       const IdentityLayout& layout, char* tls_block)
    : env_(env),
      isolate_(isolate),
      layout_(layout),
      identity_(layout, tls_block),
      interrupts_(isolate) {
  context_.Reset(isolate, isolate->GetCurrentContext());
  CurrentStackBounds(&main_stack_low_, &main_stack_high_);
  std::string layout_error;  // stays empty when the layout is found
  DiscoverThreadArchiveLayout(isolate, identity_, &archive_layout_, &layout_error);
  bypass_.Discover(isolate, archive_layout_, layout_error);
  direct_.Discover(isolate, archive_layout_, layout_error);
  step_guard_.Discover(isolate, &direct_);
  skip_.Start(isolate, archive_layout_, layout_error);
  shield_.Start(isolate, &live_);
  main_.id = 0;
  main_.started = true;
  table_.push_back(&main_);
}

Coroutines::~Coroutines() {
  skip_.Stop();
  shield_.Stop();
  // Suspended coroutines cannot be resumed once their thread is gone; their
  // stacks go back to the system with the pool. V8 must not walk them after
  // that (a collection while the isolate is torn down would): their V8
  // threads are handed to V8's free list first, or, if that cannot be done
  // safely, the stacks stay mapped.
  if (!skip_.ForgetSuspended()) pool_.KeepStacksMapped();
  for (size_t id = 1; id < table_.size(); ++id) delete table_[id];
}

void Coroutines::SetCallbacks(Napi::Function entry, Napi::Function poll) {
  entry_ = Napi::Persistent(entry);
  poll_ = Napi::Persistent(poll);
  interrupts_.Verify([this] { Poll(); });
}

Coroutine* Coroutines::Lookup(uint32_t id) const {
  return id < table_.size() ? table_[id] : nullptr;
}

bool Coroutines::IsLive(uint32_t id) const { return Lookup(id) != nullptr; }

uint32_t Coroutines::CreateCoroutine() {
  StackSlot slot = stack_cache_.Acquire();
  if (!slot.stack.valid()) return 0;  // pool_.failure() says why
  auto* coroutine = new Coroutine();
  coroutine->owner = this;
  coroutine->slot = slot;
  if (free_ids_.empty()) {
    coroutine->id = static_cast<uint32_t>(table_.size());
    table_.push_back(coroutine);
  } else {
    coroutine->id = free_ids_.back();
    free_ids_.pop_back();
    table_[coroutine->id] = coroutine;
  }
  ++live_;
  return coroutine->id;
}

void Coroutines::SwitchTo(uint32_t id) {
  Coroutine* target = Lookup(id);
  Coroutine* from = current_;
  if (target == nullptr || target == from) return;
  if (RefuseInsideJoin()) return;
  if (!ServiceInterruptsBeforeSwitch()) return;
  // For the blocking-code watchdog (a capture is no switch: not counted). A
  // plain store, this thread being the only writer: it costs nothing
  // measurable whether or not the watchdog is on.
  switch_progress_.store(switch_progress_.load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
  Suspend(from, target);
  ServeCaptures();
}

bool Coroutines::ServiceInterruptsBeforeSwitch() {
  // Interrupts requested of the running V8 thread are archived with it: let V8
  // service them here rather than strand them on a suspended stack.
  if (!interrupts_.MaybePending() || Poll()) return true;
  // An exception or termination reaches the caller in place of the switch.
  bool pending = false;
  if (isolate_->IsExecutionTerminating() ||
      (napi_is_exception_pending(env_, &pending) == napi_ok && pending)) {
    return false;
  }
  // Otherwise N-API refused the call: the environment is being torn down
  // (worker.terminate()). The JavaScript calling switch() is to end too;
  // returning without switching would look like a resumption to it.
  EndJavaScript();
  return false;
}

V8Lock Coroutines::SwitchDirect(Coroutine* from, Coroutine* to) {
  // Archives `from` and restores `to` under the lock this OS thread keeps.
  direct_.Switch(from->slot.identity, to->slot.identity, identity_);
  return SwapTo(from, to, V8Lock::kHeld);
}

V8Lock Coroutines::SwitchThroughUnlocker(Coroutine* from, Coroutine* to) {
  // Archives this V8 thread and gives up the isolate's lock; whoever runs
  // next takes it back (a new greenlet's v8::Locker, or RestoreCurrent()).
  // The object owns nothing, so it is left undestroyed.
  new (&unlocker_storage_) v8::Unlocker(isolate_);
  PrepareIfFresh(to);
  identity_.Load(to->slot.identity);
  return SwapTo(from, to, V8Lock::kReleased);
}

void Coroutines::Suspend(Coroutine* from, Coroutine* target) {
  // No archive may hold a debugger step (debug_step_guard.h).
  step_guard_.Leaving(&from->saved_step);
  identity_.Save(&from->slot.identity);
  // Before V8 archives one thread and restores the other: the record must
  // match the order in which V8 links archived threads.
  skip_.Resuming(&target->suspension);
  skip_.Suspending(&from->suspension, &from->slot.identity);
  const V8Lock lock = target->started && direct_.CanSwitch(from->slot.identity, target->slot.identity)
                           ? SwitchDirect(from, target)
                           : SwitchThroughUnlocker(from, target);
  // Whoever resumed this coroutine says whether the lock is still to be taken.
  if (lock == V8Lock::kReleased) relock_stack_.Run();
  AfterResume();
}

bool Coroutines::CaptureStack(uint32_t id, uint32_t limit, std::string* out) {
  Coroutine* target = Lookup(id);
  if (target == nullptr || !target->started) return false;
  out->clear();
  if (target == current_) {
    FormatCurrentStack(limit, out);
    return true;
  }
  if (!ServiceInterruptsBeforeSwitch()) return false;
  Coroutine* self = current_;
  // The resumption below would make this coroutine's current join-stack depth
  // its baseline; a capture is no switch, so the baseline stays what it was.
  const size_t join_entries = self->join_entries;
  capture_target_ = target;
  capture_requester_ = self;
  capture_limit_ = limit;
  capture_out_ = out;
  // Every started coroutine that is not running is suspended inside Suspend()
  // called by SwitchTo() or ServeCaptures(), which both go on to
  // ServeCaptures(): that is where `target` answers and switches back. (A
  // requester suspended here is only ever resumed by that answer.)
  Suspend(self, target);
  self->join_entries = join_entries;
  ++captures_;
  return true;
}

void Coroutines::ServeCaptures() {
  while (capture_target_ == current_ && current_ != nullptr) {
    Coroutine* requester = capture_requester_;
    capture_target_ = nullptr;
    capture_requester_ = nullptr;
    FormatCurrentStack(capture_limit_, capture_out_);
    capture_out_ = nullptr;
    // Straight back, without servicing interrupts: that would call into
    // JavaScript on this stack. One requested during these microseconds is
    // serviced when this coroutine next runs for real.
    Suspend(current_, requester);
  }
}

namespace {

void AppendUtf8(v8::Isolate* isolate, v8::Local<v8::String> string, std::string* out) {
  if (string.IsEmpty()) return;
  // Utf8Value, not WriteUtf8: it is the same on every supported V8.
  const v8::String::Utf8Value utf8(isolate, string);
  if (*utf8 != nullptr) out->append(*utf8, static_cast<size_t>(utf8.length()));
}

}  // namespace

Coroutines::ScriptInfo Coroutines::DescribeScript(v8::Local<v8::StackFrame> frame) const {
  ScriptInfo info;
  AppendUtf8(isolate_, frame->GetScriptNameOrSourceURL(), &info.name);
  for (const std::string& prefix : library_prefixes_) {
    if (info.name.compare(0, prefix.size(), prefix) == 0) {
      info.library = true;
      break;
    }
  }
  return info;
}

void Coroutines::FormatCurrentStack(uint32_t limit, std::string* out) {
  out->clear();
  if (limit == 0) return;
  v8::HandleScope scope(isolate_);
  // Library frames are left out after the walk, so walk further than `limit`;
  // walk again, further, if that was not enough.
  constexpr int kMaxWalk = 1 << 16;
  int walk = static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(limit) + 64, kMaxWalk));
  for (;;) {
    out->clear();
    v8::Local<v8::StackTrace> trace = v8::StackTrace::CurrentStackTrace(isolate_, walk);
    const int count = trace->GetFrameCount();
    uint32_t kept = 0;
    for (int index = 0; index < count && kept < limit; ++index) {
      v8::Local<v8::StackFrame> frame = trace->GetFrame(isolate_, static_cast<uint32_t>(index));
      const int script_id = frame->GetScriptId();
      ScriptInfo uncached;
      const ScriptInfo* info = &uncached;
      if (script_id == v8::Message::kNoScriptIdInfo) {
        uncached = DescribeScript(frame);
      } else {
        auto known = scripts_.find(script_id);
        if (known == scripts_.end()) {
          // Scripts made by eval would grow it without bound.
          if (scripts_.size() >= kMaxKnownScripts) scripts_.clear();
          known = scripts_.emplace(script_id, DescribeScript(frame)).first;
        }
        info = &known->second;
      }
      if (info->library) continue;
      const std::string& script = info->name;
      if (kept > 0) out->push_back('\n');
      ++kept;
      // Error.stack's format: "    at [new ]name (location)", or
      // "    at location" for an anonymous function.
      out->append("    at ");
      std::string name;
      AppendUtf8(isolate_, frame->GetFunctionName(), &name);
      if (frame->IsConstructor()) out->append("new ");
      std::string location = script.empty() ? std::string("<anonymous>") : script;
      if (frame->GetLineNumber() != v8::Message::kNoLineNumberInfo) {
        location.push_back(':');
        location.append(std::to_string(frame->GetLineNumber()));
        if (frame->GetColumn() != v8::Message::kNoColumnInfo) {
          location.push_back(':');
          location.append(std::to_string(frame->GetColumn()));
        }
      }
      if (name.empty() && !frame->IsConstructor()) {
        out->append(location);
      } else {
        out->append(name.empty() ? std::string("<anonymous>") : name);
        out->append(" (");
        out->append(location);
        out->push_back(')');
      }
    }
    if (kept >= limit || count < walk || walk >= kMaxWalk) return;
    walk = std::min(walk * 4, kMaxWalk);
  }
}

bool Coroutines::RefuseInsideJoin() {
  if (join_stack_.Entries() <= current_->join_entries) return false;
  // Suspending inside Array.prototype.join would leave its receiver on the
  // join stack all greenlets share (join_stack.h).
  Napi::Error error = Napi::Error::New(
      env_,
      "cannot switch greenlets inside Array.prototype.join, toString or toLocaleString (an "
      "element's toString or a getter it calls): V8 keeps one join stack for all greenlets, "
      "and a join suspended on it makes other joins of that array return \"\"");
  error.Set("code", "ERR_GREENLET_SWITCH_IN_JOIN");
  error.ThrowAsJavaScriptException();
  return true;
}

void Coroutines::EndJavaScript() { isolate_->TerminateExecution(); }

bool Coroutines::Poll() {
  // Raw N-API: when the call fails because execution is terminating,
  // node-addon-api would try to throw an Error, which is not possible then.
  napi_value poll, undefined, result;
  return napi_get_reference_value(env_, poll_, &poll) == napi_ok &&
         napi_get_undefined(env_, &undefined) == napi_ok &&
         napi_call_function(env_, undefined, poll, 0, nullptr, &result) == napi_ok;
}

void Coroutines::RestoreCurrentOf(void* self_as_void) {
  static_cast<Coroutines*>(self_as_void)->RestoreCurrent();
}

void Coroutines::RestoreCurrent() {
  RestoreTarget target{&current_->slot.identity, main_stack_low_, main_stack_high_};
  if (current_ != &main_) {
    target.stack_low = reinterpret_cast<uintptr_t>(current_->slot.stack.lowest_usable());
    target.stack_high = reinterpret_cast<uintptr_t>(current_->slot.stack.top());
  }
  // v8::Locker takes the lock and restores the thread, as ~v8::Unlocker
  // would; like the Unlocker it owns nothing and is left undestroyed.
  bypass_.Restore(target, [this] { new (&locker_storage_) v8::Locker(isolate_); });
}

void Coroutines::PrepareIfFresh(Coroutine* coroutine) {
  if (coroutine->started) return;
  coroutine->started = true;
  if (!coroutine->slot.has_identity) {
    // A V8 thread that has never run: no isolate, no id yet (the Locker
    // assigns one), and its own stack as the conservative-scan bound.
    coroutine->slot.identity = Identity{};
    coroutine->slot.identity.word[kThreadStackStart] =
        reinterpret_cast<uint64_t>(coroutine->slot.stack.top());
  }
  coroutine->saved_sp =
      PrepareContext(coroutine->slot.stack.top(), &Coroutines::Main, coroutine);
}

V8Lock Coroutines::SwapTo(Coroutine* from, Coroutine* to, V8Lock lock) {
  current_ = to;
  handoff_.Give(lock);
  stackless_swap_context(&from->saved_sp, to->saved_sp);
  ReleaseRetiredStack();
  return handoff_.Take();
}

void Coroutines::ReleaseRetiredStack() {
  if (!retired_.stack.valid()) return;
  stack_cache_.Release(retired_);
  retired_ = StackSlot{};
}

void Coroutines::PointHeapAtThisStack() {
  // Isolate::Enter() records the current thread's stack start (our swapped
  // thread-stack-start word) as the bound of the heap's conservative stack
  // scan (cppgc). That bound is per isolate and not archived with the thread,
  // so it must follow every switch. The identity words already say "entered",
  // so Enter() only bumps the entry count, which Exit() undoes.
  isolate_->Enter();
  isolate_->Exit();
}

void Coroutines::AfterResume() {
  PointHeapAtThisStack();
  step_guard_.Arrived(&current_->saved_step, false);
  current_->join_entries = join_stack_.Entries();
  if (pending_termination_) {
    pending_termination_ = false;
    isolate_->TerminateExecution();
  }
  if (!pending_exception_.IsEmpty()) {
    napi_value error = pending_exception_.Value();
    pending_exception_.Reset();
    // Raw napi_throw: while a worker's environment is being torn down nothing
    // can be thrown (node-addon-api would abort the process); then the
    // environment is stopping anyway and the error has no one to reach.
    napi_throw(env_, error);
  }
}

void Coroutines::Main(void* self_as_void) {
  auto* self = static_cast<Coroutine*>(self_as_void);
  Coroutines* coroutines = self->owner;
  // A fresh coroutine is only entered with the lock released (the hand-off
  // says kReleased, unread): Run()'s v8::Locker takes it.
  coroutines->ReleaseRetiredStack();
  uint32_t next = coroutines->Run(self);
  coroutines->Finish(self, next);
}

uint32_t Coroutines::Run(Coroutine* self) {
  uint32_t next = 0;
  v8::Locker locker(isolate_);
  if (self->slot.has_identity) {
    PointHeapAtThisStack();
  } else {
    // Let V8 fill in this thread's identity, keep it, and leave the isolate's
    // entry stack as it was: entering is per coroutine, not nested.
    isolate_->Enter();
    identity_.Save(&self->slot.identity);
    isolate_->Exit();
    identity_.Load(self->slot.identity);
    self->slot.has_identity = true;
  }
  isolate_->SetStackLimit(
      reinterpret_cast<uintptr_t>(self->slot.stack.lowest_usable()) + kStackLimitSlack);
  step_guard_.Arrived(&self->saved_step, true);
  {
    // A V8 scope, not a Napi::HandleScope: N-API counts open scopes per env and
    // checks the count is unchanged when each callback returns, which a scope
    // left open on a suspended stack would break.
    v8::HandleScope scope(isolate_);
    v8::Context::Scope context_scope(context_.Get(isolate_));
    // Sees termination even though N-API's own TryCatch is nested inside.
    v8::TryCatch try_catch(isolate_);
    napi_value id, result, undefined, entry;
    // Raw N-API: on failure node-addon-api would build an Error object, which
    // is not possible while execution is terminating.
    self->join_entries = join_stack_.Entries();
    napi_status status = napi_get_undefined(env_, &undefined);
    if (status == napi_ok) status = napi_create_uint32(env_, self->id, &id);
    if (status == napi_ok) status = napi_get_reference_value(env_, entry_, &entry);
    if (status == napi_ok) {
      status = napi_call_function(env_, undefined, entry, 1, &id, &result);
    }
    uint32_t target = 0;
    if (try_catch.HasTerminated() || isolate_->IsExecutionTerminating()) {
      // Termination (worker.terminate(), a watchdog) unwound this coroutine.
      // V8 ends it at the bottom of each V8 thread, so carry it on to the
      // coroutine that runs next, where it continues.
      napi_value ignored;
      napi_get_and_clear_last_exception(env_, &ignored);
      if (isolate_->IsExecutionTerminating()) isolate_->CancelTerminateExecution();
      pending_termination_ = true;
    } else if (status != napi_ok) {
      // entry() never throws; if it did, hand the error to whoever runs next.
      // (A failure with no exception pending means JavaScript cannot run:
      // the environment is being torn down, and there is nothing to hand on.)
      napi_value error;
      napi_ref reference;
      bool pending = false;
      if (napi_is_exception_pending(env_, &pending) == napi_ok && pending &&
          napi_get_and_clear_last_exception(env_, &error) == napi_ok &&
          napi_create_reference(env_, error, 1, &reference) == napi_ok) {
        pending_exception_ = Napi::Reference<Napi::Value>(env_, reference);
      }
    } else if (napi_get_value_uint32(env_, result, &target) == napi_ok) {
      next = target;
    }
  }
  // A step still pending as the greenlet ends goes on in whoever runs next.
  step_guard_.Leaving(&self->saved_step);
  identity_.Save(&self->slot.identity);
  return next;
}

void Coroutines::Finish(Coroutine* self, uint32_t next_id) {
  // The end of a coroutine is a switch too, for the watchdog.
  switch_progress_.store(switch_progress_.load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
  Coroutine* next = Lookup(next_id);
  if (next == nullptr || next == self) next = &main_;
  PrepareIfFresh(next);
  skip_.Resuming(&next->suspension);
  StackSlot slot = self->slot;
  table_[self->id] = nullptr;
  free_ids_.push_back(self->id);
  --live_;
  delete self;
  retired_ = slot;
  handoff_.Give(V8Lock::kReleased);  // Run()'s v8::Locker has let the lock go
  identity_.Load(next->slot.identity);
  current_ = next;
  void* discarded_sp = nullptr;
  stackless_swap_context(&discarded_sp, next->saved_sp);
  __builtin_unreachable();
}

}  // namespace stackless
