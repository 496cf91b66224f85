#include "shortcuts/debug_walk_bypass.h"

#include <vector>

#include "base/read_probe.h"
#include "v8/v8_functions.h"

namespace stackless {

const uint8_t DebugWalkBypass::kAssumeActive = 1;

namespace {

using v8::internal::Internals;

// V8's IsolateAddressId::kCEntryFPAddress, for the cross-check only.
constexpr int kCEntryFPAddressId = 1;

}  // namespace

void DebugWalkBypass::Discover(v8::Isolate* isolate, const ThreadArchiveLayout& layout,
                               const std::string& layout_error) {
  isolate_ = isolate;
  V8FunctionsIfReady();  // starts the lookup
  if (!layout_error.empty()) {
    Unavailable(layout_error);
    return;
  }
  live_tlt_ = layout.live_tlt;
  exit_frame_offset_ = layout.exit_frame_offset;
  live_exit_frame_ = live_tlt_ + exit_frame_offset_;
  thread_state_offset_ = layout.thread_state_offset;
}

bool DebugWalkBypass::Calibrating() {
  if (!available() || verified()) return false;
  if (debug_is_active_ != &kAssumeActive) return true;
  const V8Functions* functions = V8FunctionsIfReady();
  if (functions == nullptr) return false;
  if (!functions->error.empty()) {
    Unavailable(functions->error);
    return false;
  }
  const auto archive_size_of = functions->As<int (*)()>(V8Function::kHandleScopeArchiveSize);
  const auto debug_is_active_address =
      functions->As<uintptr_t (*)(void*)>(V8Function::kDebugIsActiveAddress);
  if (archive_size_of == nullptr || debug_is_active_address == nullptr) {
    Unavailable("V8's HandleScopeImplementer::ArchiveSpacePerThread and "
            "ExternalReference::debug_is_active_address are not in the symbol tables "
            "(a stripped build?)");
    return false;
  }
  const int archive_size = archive_size_of();
  if (archive_size <= 0 || archive_size > 4096 || archive_size % 8 != 0) {
    Unavailable("HandleScopeImplementer::ArchiveSpacePerThread() returned " +
            std::to_string(archive_size));
    return false;
  }
  const uintptr_t active = debug_is_active_address(isolate_);
  uint8_t flag = 2;
  if (!ProbeValue(active, &flag) || flag > 1) {
    Unavailable("ExternalReference::debug_is_active_address() does not point at a flag");
    return false;
  }
  debug_is_active_ = reinterpret_cast<const uint8_t*>(active);
  Pending("calibrating");
  archive_tlt_offset_ = static_cast<size_t>(archive_size);
  archive_exit_frame_offset_ = archive_tlt_offset_ + exit_frame_offset_;
  if (const auto address_from_id = functions->As<uintptr_t (*)(void*, int)>(V8Function::kAddressFromId)) {
    v8_exit_frame_offset_ = static_cast<long>(address_from_id(isolate_, kCEntryFPAddressId) -
                                              reinterpret_cast<uintptr_t>(live_tlt_));
  }
  return true;
}

const char* DebugWalkBypass::ArchiveData(const RestoreTarget& target) {
  const PerIsolateThreadDataView per_thread(reinterpret_cast<char*>(target.identity->word[kCurrentThreadData]),
                                            thread_state_offset_);
  const auto thread_id = static_cast<int32_t>(target.identity->word[kThreadId]);
  uint64_t state_address = 0;
  const bool hung = per_thread.ProbeThreadState(&state_address);
  const ThreadStateView state(reinterpret_cast<char*>(state_address));
  int32_t id = 0;
  uint64_t data = 0;
  if (!hung || !state.ProbeId(&id) || (id != thread_id && id != kNoThreadId) || !state.ProbeData(&data) ||
      data == 0) {
    Unavailable("a suspended thread's archive is not where it was observed");
    return nullptr;
  }
  // V8 12 and later mark an archive with its thread's id; then so does the check.
  check_archive_id_ = id == thread_id;
  return reinterpret_cast<const char*>(data);
}

void DebugWalkBypass::Calibrate(const RestoreTarget& target, const char* data) {
  std::vector<unsigned char> archived(Internals::kThreadLocalTopSize);
  if (!ProbeBytes(reinterpret_cast<uint64_t>(data + archive_tlt_offset_), archived.data(), archived.size()) ||
      std::memcmp(archived.data(), live_tlt_, archived.size()) != 0) {
    Unavailable("the archived ThreadLocalTop is not where HandleScopeImplementer::"
            "ArchiveSpacePerThread() says (V8 restored something else)");
    return;
  }
  const auto exit_frame = Load<uint64_t>(live_exit_frame_);
  if (exit_frame <= target.stack_low || exit_frame >= target.stack_high) {
    Unavailable("the observed exit-frame word does not point into the restored thread's stack");
    return;
  }
  Verified();
}

char* DebugWalkBypass::ArchivedExitFrame(const RestoreTarget& target) const {
  const ThreadStateView state = ArchivedThreadState(*target.identity, thread_state_offset_);
  if (state.null() ||
      (check_archive_id_ && state.id() != static_cast<int32_t>(target.identity->word[kThreadId]))) {
    return nullptr;
  }
  char* slot = state.data() + archive_exit_frame_offset_;
  const auto exit_frame = Load<uint64_t>(slot);
  if (exit_frame <= target.stack_low || exit_frame >= target.stack_high) return nullptr;
  return slot;
}

void DebugWalkBypass::Describe(ShortcutCounters& counters) const {
  counters.Count("bypassed", static_cast<double>(bypassed_));
  counters.Count("plain", static_cast<double>(plain_));
  counters.Count("exitFrameOffset", static_cast<double>(exit_frame_offset_));
  counters.Count("archiveExitFrameOffset", static_cast<double>(archive_exit_frame_offset_));
  counters.Count("v8ExitFrameOffset", static_cast<double>(v8_exit_frame_offset_));
}

}  // namespace stackless
