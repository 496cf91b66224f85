#include "v8/thread_archive_layout.h"

#include <cstring>
#include <vector>

#include "base/read_probe.h"

namespace stackless {

using v8::internal::Internals;

namespace {

// How much of a thread's per-isolate data is searched for its archive pointer,
// and of the ThreadManager for its fields.
constexpr size_t kPerThreadDataWords = 8;
constexpr size_t kThreadManagerWords = 32;

template <typename T>
T At(const uint64_t* words, size_t byte_offset) {
  return Load<T>(reinterpret_cast<const char*>(words) + byte_offset);
}

// ThreadLocalTop as seen from inside a native function called from JavaScript.
struct NestedObservation {
  const char* live_tlt = nullptr;
  std::vector<unsigned char> tlt[2];
  // For each word of tlt that points up the stack (within 64 KiB), the word
  // it points at, read while that frame was live.
  std::vector<uint64_t> pointee[2];
  uintptr_t frame[2] = {};
  int calls = 0;
};

// The observation under way on this thread (a v8::External would do, but
// its untagged form is deprecated from V8 14 on).
thread_local NestedObservation* g_observing = nullptr;

void ObserveNested(const v8::FunctionCallbackInfo<v8::Value>&) {
  NestedObservation* seen = g_observing;
  if (seen == nullptr || seen->calls >= 2) return;
  const int call = seen->calls++;
  seen->frame[call] = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  seen->tlt[call].assign(seen->live_tlt, seen->live_tlt + Internals::kThreadLocalTopSize);
  for (size_t at = 0; at + 8 <= seen->tlt[call].size(); at += 8) {
    const auto word = Load<uint64_t>(seen->live_tlt + at);
    const bool up_this_stack = word > seen->frame[call] && word < seen->frame[call] + 64 * 1024;
    seen->pointee[call].push_back(up_this_stack ? Load<uint64_t>(reinterpret_cast<const char*>(word)) : 0);
  }
}

// Calls `observe` from JavaScript twice, the second time from 8 JS frames
// deeper. Returns false if V8 refuses.
bool CallFromJavaScriptTwice(v8::Isolate* isolate, v8::Local<v8::Function> observe) {
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::Value> made;
  const char* source = "(function down(f, depth) { return depth > 0 ? down(f, depth - 1) : f(); })";
  v8::Local<v8::Script> script;
  if (context.IsEmpty() ||
      !v8::Script::Compile(context, v8::String::NewFromUtf8(isolate, source).ToLocalChecked())
           .ToLocal(&script) ||
      !script->Run(context).ToLocal(&made) || !made->IsFunction()) {
    return false;
  }
  auto down = made.As<v8::Function>();
  for (int depth : {0, 8}) {
    v8::Local<v8::Value> args[] = {observe, v8::Integer::New(isolate, depth)};
    if (down->Call(context, v8::Undefined(isolate), 2, args).IsEmpty()) return false;
  }
  return true;
}

// The exit-frame pointer is the ThreadLocalTop word that points at the frame
// V8 builds between JavaScript and a native function. Between two calls of
// the same native function from different JavaScript depths, it and every
// frame below it move by the same distance as the native function's own
// frame, while words that belong above the JavaScript frames (the entry
// handler, the outermost entry) stay; the exit frame is the highest of the
// words that move. As a frame pointer it holds its caller's (a JavaScript
// frame's) frame pointer, just above it.
[[gnu::noinline]] bool FindExitFrameOffset(v8::Isolate* isolate, const char* live_tlt,
                                            size_t* offset, std::string* error) {
  const auto frame = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  NestedObservation seen;
  seen.live_tlt = live_tlt;
  {
    v8::HandleScope scope(isolate);
    v8::TryCatch try_catch(isolate);
    v8::Local<v8::Function> observe;
    g_observing = &seen;
    const bool called =
        v8::Function::New(isolate->GetCurrentContext(), ObserveNested).ToLocal(&observe) &&
        CallFromJavaScriptTwice(isolate, observe);
    g_observing = nullptr;
    if (!called || seen.calls != 2) {
      *error = "could not call a native function from JavaScript to observe its exit frame";
      return false;
    }
  }
  const uint64_t moved = seen.frame[0] - seen.frame[1];
  bool found = false;
  uint64_t highest = 0;
  for (size_t at = 0; at + 8 <= seen.tlt[0].size(); at += 8) {
    const auto shallow = Load<uint64_t>(reinterpret_cast<const char*>(seen.tlt[0].data()) + at);
    const auto deep = Load<uint64_t>(reinterpret_cast<const char*>(seen.tlt[1].data()) + at);
    const uint64_t caller_frame = seen.pointee[1][at / 8];
    if (moved != 0 && shallow - deep == moved && deep > seen.frame[1] && deep < frame &&
        caller_frame > deep && caller_frame < frame && deep > highest) {
      highest = deep;
      *offset = at;
      found = true;
    }
  }
  if (!found) *error = "no ThreadLocalTop word follows a native call's exit frame";
  return found;
}

// The ThreadManager is the thread_manager_ of any ThreadState. While a
// v8::Unlocker is open it is unlocked (owner invalid) and holds the thread as
// lazily archived; once closed, the thread owns it again. Its fields
// mutex_owner_, lazily_archived_thread_ (ThreadIds), lazily_archived_thread_state_,
// free_anchor_, in_use_anchor_ and isolate_ follow each other in that order,
// after a mutex whose size differs between versions.
bool FindThreadManagerFields(const uint64_t* during, const uint64_t* after, uint64_t state,
                             int32_t thread_id, v8::Isolate* isolate, ThreadArchiveLayout* layout) {
  int hits = 0;
  for (size_t at = 8; at + 32 <= kThreadManagerWords * 8; at += 8) {
    if (At<uint64_t>(during, at) != state) continue;
    const bool unlocked = At<int32_t>(during, at - 8) == kNoThreadId &&
                          At<int32_t>(during, at - 4) == thread_id &&
                          At<uint64_t>(during, at + 24) == reinterpret_cast<uint64_t>(isolate);
    const bool relocked = At<int32_t>(after, at - 8) == thread_id &&
                          At<int32_t>(after, at - 4) == kNoThreadId && At<uint64_t>(after, at) == 0;
    if (unlocked && relocked) {
      layout->thread_manager_fields.owner_offset = at - 8;
      layout->thread_manager_fields.lazy_thread_offset = at - 4;
      layout->thread_manager_fields.lazy_state_offset = at;
      ++hits;
    }
  }
  return hits == 1;
}

}  // namespace

bool DiscoverThreadArchiveLayout(v8::Isolate* isolate, const IdentityAccess& identity,
                                 ThreadArchiveLayout* layout, std::string* error) {
  *layout = ThreadArchiveLayout{};
  layout->live_tlt = reinterpret_cast<char*>(isolate) + Internals::kIsolateThreadLocalTopOffset;
  if (!FindExitFrameOffset(isolate, layout->live_tlt, &layout->exit_frame_offset, error)) return false;

  // A v8::Unlocker archives the thread lazily: it only hangs a ThreadState on
  // the thread's per-isolate data (whose id is the thread's or, in V8 11,
  // still unset).
  const uint64_t per_thread = identity.Read(kCurrentThreadData);
  const auto thread_id = static_cast<int32_t>(identity.Read(kThreadId));
  uint64_t before[kPerThreadDataWords], during[kPerThreadDataWords], after[kPerThreadDataWords];
  uint64_t manager_during[kThreadManagerWords], manager_after[kThreadManagerWords];
  uint64_t manager = 0;
  bool readable = ProbeValue(per_thread, &before);
  bool manager_readable = false;
  {
    v8::Unlocker unlocker(isolate);
    readable = readable && ProbeValue(per_thread, &during);
    for (size_t word = 0; readable && word < kPerThreadDataWords; ++word) {
      if (before[word] == 0 && during[word] != 0 &&
          ThreadStateView(reinterpret_cast<char*>(during[word])).ProbeManager(&manager) &&
          ProbeValue(manager, &manager_during)) {
        manager_readable = true;
        break;
      }
    }
  }
  readable = readable && ProbeValue(per_thread, &after);
  manager_readable = manager_readable && ProbeValue(manager, &manager_after);
  if (!readable) {
    *error = "cannot read this thread's per-isolate data";
    return false;
  }
  int hits = 0;
  uint64_t state = 0;
  for (size_t word = 0; word < kPerThreadDataWords; ++word) {
    int32_t id = 0;
    if (before[word] == 0 && after[word] == 0 && during[word] != 0 &&
        ThreadStateView(reinterpret_cast<char*>(during[word])).ProbeId(&id) &&
        (id == thread_id || id == kNoThreadId)) {
      layout->thread_state_offset = word * 8;
      state = during[word];
      ++hits;
    }
  }
  if (hits != 1) {
    *error = "cannot tell which word of the per-isolate thread data holds the thread's archive (" +
             std::to_string(hits) + " candidates)";
    return false;
  }
  if (manager_readable &&
      FindThreadManagerFields(manager_during, manager_after, state, thread_id, isolate, layout)) {
    layout->thread_manager = reinterpret_cast<char*>(manager);
  } else {
    layout->thread_manager_error = "cannot identify the fields of V8's ThreadManager";
  }
  return true;
}

}  // namespace stackless
