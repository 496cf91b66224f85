#include "debug_walk_bypass.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "elf_symbols.h"
#include "read_probe.h"
#include "v8_module.h"

namespace stackless {

const uint8_t DebugWalkBypass::kAssumeActive = 1;

namespace {

using v8::internal::Internals;

// v8::internal::ThreadState { ThreadId id_; char* data_; ... }
// (src/execution/v8threads.h, unchanged since 2012). Checked by the calibration.
constexpr size_t kThreadStateIdOffset = 0;
constexpr size_t kThreadStateDataOffset = 8;
// How much of a thread's per-isolate data is searched for its archive pointer.
constexpr size_t kPerThreadDataWords = 8;
// V8's IsolateAddressId::kCEntryFPAddress, for the cross-check only.
constexpr int kCEntryFPAddressId = 1;
// ThreadId::Invalid().
constexpr int32_t kNoThreadId = -1;

template <typename T>
T Load(const char* address) {
  T value;
  std::memcpy(&value, address, sizeof value);
  return value;
}

template <typename T>
bool Probe(uint64_t address, T* value) {
  return address >= 4096 && ProbeRead(reinterpret_cast<const void*>(address), value, sizeof *value) == 0;
}

// The V8 functions the bypass needs, looked up once per process on a
// background thread: reading a symbol table of ~150,000 entries takes tens of
// milliseconds, which module loading should not wait for.
struct V8Functions {
  int (*handle_scope_archive_size)() = nullptr;
  uintptr_t (*debug_is_active_address)(void* isolate) = nullptr;
  uintptr_t (*address_from_id)(void* isolate, int id) = nullptr;  // optional
  std::string error;  // why the required ones cannot be had
};

class SymbolLookup {
 public:
  static SymbolLookup& Get() {
    static SymbolLookup lookup;
    return lookup;
  }
  // Node unloads an addon when the last worker using it ends; the lookup
  // thread runs this module's code, so unloading (and exit) waits for it.
  ~SymbolLookup() {
    if (thread_.joinable()) thread_.join();
  }
  const V8Functions* IfReady() const {
    return ready_.load(std::memory_order_acquire) ? &functions_ : nullptr;
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return ready_.load(std::memory_order_acquire); });
  }

 private:
  SymbolLookup() {
    try {
      thread_ = std::thread([this] { Run(); });
    } catch (...) {
      Run();  // no thread to be had: look up here, once
    }
  }

  void Run() {
    Look();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.store(true, std::memory_order_release);
    }
    done_.notify_all();
  }

  void Look() {
    V8Module module;
    std::string error;
    if (!FindV8Module(&module, &error)) {
      functions_.error = error;
      return;
    }
    const std::vector<std::string> names = {
        "_ZN2v88internal22HandleScopeImplementer21ArchiveSpacePerThreadEv",
        "_ZN2v88internal17ExternalReference23debug_is_active_addressEPNS0_7IsolateE",
        "_ZN2v88internal7Isolate19get_address_from_idENS0_16IsolateAddressIdE",
    };
    std::vector<void*> found;
    if (!LookUpFunctions(module, names, &found, &error)) {
      functions_.error = error;
      return;
    }
    if (found[0] == nullptr || found[1] == nullptr) {
      functions_.error = "V8's HandleScopeImplementer::ArchiveSpacePerThread and "
                         "ExternalReference::debug_is_active_address are not in the symbol "
                         "tables of " + module.path + " (a stripped build?)";
      return;
    }
    functions_.handle_scope_archive_size = reinterpret_cast<int (*)()>(found[0]);
    functions_.debug_is_active_address = reinterpret_cast<uintptr_t (*)(void*)>(found[1]);
    functions_.address_from_id = reinterpret_cast<uintptr_t (*)(void*, int)>(found[2]);
  }

  V8Functions functions_;
  std::atomic<bool> ready_{false};
  std::mutex mutex_;
  std::condition_variable done_;
  std::thread thread_;  // last: started once the rest is built
};

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

}  // namespace

void DebugWalkBypass::Discover(v8::Isolate* isolate, const IdentityAccess& identity) {
  isolate_ = isolate;
  const char* setting = std::getenv("STACKLESS_DEBUG_WALK_BYPASS");
  enabled_ = setting == nullptr || std::strcmp(setting, "0") != 0;
  SymbolLookup::Get();  // starts the lookup
  live_tlt_ = reinterpret_cast<char*>(isolate) + Internals::kIsolateThreadLocalTopOffset;

  std::string error;
  if (!FindExitFrameOffset(isolate, live_tlt_, &exit_frame_offset_, &error)) {
    TurnOff(error);
    return;
  }
  live_exit_frame_ = live_tlt_ + exit_frame_offset_;

  // A v8::Unlocker archives the thread lazily: it only hangs a ThreadState on
  // the thread's per-isolate data (whose id is the thread's or, in V8 11,
  // still unset).
  const uint64_t per_thread = identity.Read(kCurrentThreadData);
  const auto thread_id = static_cast<int32_t>(identity.Read(kThreadId));
  uint64_t before[kPerThreadDataWords], during[kPerThreadDataWords], after[kPerThreadDataWords];
  bool readable = Probe(per_thread, &before);
  {
    v8::Unlocker unlocker(isolate);
    readable = readable && Probe(per_thread, &during);
  }
  readable = readable && Probe(per_thread, &after);
  if (!readable) {
    TurnOff("cannot read this thread's per-isolate data");
    return;
  }
  int hits = 0;
  for (size_t word = 0; word < kPerThreadDataWords; ++word) {
    int32_t id = 0;
    if (before[word] == 0 && after[word] == 0 && during[word] != 0 &&
        Probe(during[word] + kThreadStateIdOffset, &id) && (id == thread_id || id == kNoThreadId)) {
      thread_state_offset_ = word * 8;
      ++hits;
    }
  }
  if (hits != 1) {
    TurnOff("cannot tell which word of the per-isolate thread data holds the thread's "
            "archive (" + std::to_string(hits) + " candidates)");
    return;
  }
  discovered_ = true;
}

bool DebugWalkBypass::Calibrating() {
  if (!discovered_ || calibrated_) return false;
  if (debug_is_active_ != &kAssumeActive) return true;
  const V8Functions* functions = SymbolLookup::Get().IfReady();
  if (functions == nullptr) return false;
  if (!functions->error.empty()) {
    TurnOff(functions->error);
    return false;
  }
  const int archive_size = functions->handle_scope_archive_size();
  if (archive_size <= 0 || archive_size > 4096 || archive_size % 8 != 0) {
    TurnOff("HandleScopeImplementer::ArchiveSpacePerThread() returned " +
            std::to_string(archive_size));
    return false;
  }
  const uintptr_t active = functions->debug_is_active_address(isolate_);
  uint8_t flag = 2;
  if (!Probe(active, &flag) || flag > 1) {
    TurnOff("ExternalReference::debug_is_active_address() does not point at a flag");
    return false;
  }
  debug_is_active_ = reinterpret_cast<const uint8_t*>(active);
  archive_tlt_offset_ = static_cast<size_t>(archive_size);
  archive_exit_frame_offset_ = archive_tlt_offset_ + exit_frame_offset_;
  if (functions->address_from_id != nullptr) {
    v8_exit_frame_offset_ = static_cast<long>(functions->address_from_id(isolate_, kCEntryFPAddressId) -
                                              reinterpret_cast<uintptr_t>(live_tlt_));
  }
  return true;
}

const char* DebugWalkBypass::ArchiveData(const RestoreTarget& target) {
  uint64_t state = 0;
  int32_t id = 0;
  uint64_t data = 0;
  const uint64_t per_thread = target.identity->word[kCurrentThreadData];
  const auto thread_id = static_cast<int32_t>(target.identity->word[kThreadId]);
  if (per_thread == 0 || !Probe(per_thread + thread_state_offset_, &state) ||
      !Probe(state + kThreadStateIdOffset, &id) || (id != thread_id && id != kNoThreadId) ||
      !Probe(state + kThreadStateDataOffset, &data) || data == 0) {
    TurnOff("a suspended thread's archive is not where it was observed");
    return nullptr;
  }
  // V8 12 and later mark an archive with its thread's id; then so does the check.
  check_archive_id_ = id == thread_id;
  return reinterpret_cast<const char*>(data);
}

void DebugWalkBypass::Calibrate(const RestoreTarget& target, const char* data) {
  std::vector<unsigned char> archived(Internals::kThreadLocalTopSize);
  if (ProbeRead(data + archive_tlt_offset_, archived.data(), archived.size()) != 0 ||
      std::memcmp(archived.data(), live_tlt_, archived.size()) != 0) {
    TurnOff("the archived ThreadLocalTop is not where HandleScopeImplementer::"
            "ArchiveSpacePerThread() says (V8 restored something else)");
    return;
  }
  const auto exit_frame = Load<uint64_t>(live_exit_frame_);
  if (exit_frame <= target.stack_low || exit_frame >= target.stack_high) {
    TurnOff("the observed exit-frame word does not point into the restored thread's stack");
    return;
  }
  calibrated_ = true;
  armed_ = enabled_;
}

char* DebugWalkBypass::ArchivedExitFrame(const RestoreTarget& target) const {
  const auto* per_thread = reinterpret_cast<const char*>(target.identity->word[kCurrentThreadData]);
  if (per_thread == nullptr) return nullptr;
  const auto* state = Load<const char*>(per_thread + thread_state_offset_);
  if (state == nullptr ||
      (check_archive_id_ && Load<int32_t>(state + kThreadStateIdOffset) !=
                                static_cast<int32_t>(target.identity->word[kThreadId]))) {
    return nullptr;
  }
  char* slot = Load<char*>(state + kThreadStateDataOffset) + archive_exit_frame_offset_;
  const auto exit_frame = Load<uint64_t>(slot);
  if (exit_frame <= target.stack_low || exit_frame >= target.stack_high) return nullptr;
  return slot;
}

void DebugWalkBypass::TurnOff(std::string reason) {
  reason_ = std::move(reason);
  discovered_ = false;
  calibrated_ = false;
  armed_ = false;
}

void DebugWalkBypass::SetEnabled(bool enabled) {
  enabled_ = enabled;
  armed_ = enabled_ && calibrated_;
}

DebugWalkBypass::Status DebugWalkBypass::status() const {
  if (!reason_.empty() || !enabled_) return Status::kOff;
  if (calibrated_) return Status::kOn;
  return debug_is_active_ == &kAssumeActive ? Status::kWaitingForSymbols : Status::kCalibrating;
}

const char* DebugWalkBypass::StatusName(Status status) {
  switch (status) {
    case Status::kOff: return "off";
    case Status::kWaitingForSymbols: return "waiting for symbols";
    case Status::kCalibrating: return "calibrating";
    case Status::kOn: return "on";
  }
  return "off";
}

std::string DebugWalkBypass::reason() const {
  if (!reason_.empty()) return reason_;
  return enabled_ ? "" : "disabled by request";
}

void DebugWalkBypass::WaitForSymbols() { SymbolLookup::Get().Wait(); }

}  // namespace stackless
