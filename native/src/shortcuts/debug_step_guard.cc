#include "shortcuts/debug_step_guard.h"

#include <climits>
#include <cstring>
#include <vector>

#include "shortcuts/direct_restore.h"
#include "base/read_probe.h"
#include "v8/v8_functions.h"

namespace stackless {

namespace {

// V8's StepAction (src/debug/interface-types.h): StepNone = -1, StepOut = 0,
// StepOver = 1, StepInto = 2.
constexpr int8_t kStepOut = 0;
constexpr int8_t kStepInto = 2;
// Debug::ThreadLocal, V8 11 to 14: last_step_action_ at 12, target_frame_count_ at 40.
constexpr size_t kStepInThreadLocal = 12;
constexpr size_t kTargetAfterStep = 40 - 12;
// ... and last_breakpoint_id_ at 64.
constexpr size_t kBreakpointIdAfterStep = 64 - 12;
// Room for Debug::ArchiveSpacePerThread() (0x58 to 0x60 bytes in V8 11 to 14).
constexpr size_t kMaxArchiveSize = 512;

#if defined(__x86_64__)

// A memory operand [base + displacement] (no index register) whose ModRM byte
// is at `at`; sets the displacement and where the operand ends.
bool BaseDisplacement(const uint8_t* code, size_t size, size_t at, int64_t* displacement, size_t* end) {
  if (at >= size) return false;
  const uint8_t modrm = code[at];
  const int mod = modrm >> 6;
  if (mod != 1 && mod != 2) return false;
  size_t next = at + 1;
  if ((modrm & 7) == 4) {  // a SIB byte: accept "no index" only
    if (next >= size || (code[next] & 0x38) != 0x20) return false;
    ++next;
  }
  if (mod == 1) {
    if (next + 1 > size) return false;
    *displacement = static_cast<int8_t>(code[next]);
    next += 1;
  } else {
    int32_t wide;
    if (next + 4 > size) return false;
    std::memcpy(&wide, code + next, 4);
    *displacement = wide;
    next += 4;
  }
  *end = next;
  return true;
}

// The displacements of every `<opcode> /<reg> [base + d], $0xff` (an 8-bit
// immediate 0xff: `cmpb $0xff` is 80 /7, `movb $0xff` is C6 /0).
std::vector<int64_t> ByteImmediateFF(const void* function, size_t size, uint8_t opcode, int reg) {
  const auto* code = static_cast<const uint8_t*>(function);
  std::vector<int64_t> found;
  for (size_t i = 0; i + 1 < size; ++i) {
    if (code[i] != opcode || ((code[i + 1] >> 3) & 7) != reg) continue;
    int64_t displacement = 0;
    size_t end = 0;
    if (BaseDisplacement(code, size, i + 1, &displacement, &end) && end < size && code[end] == 0xff) {
      found.push_back(displacement);
    }
  }
  return found;
}

// Whether the code moves 32 bits between a register and [base + displacement]
// (`mov r32, m32` is 8B, `mov m32, r32` is 89; without REX.W).
bool Moves32(const void* function, size_t size, int64_t wanted, uint8_t opcode) {
  const auto* code = static_cast<const uint8_t*>(function);
  for (size_t i = 1; i + 1 < size; ++i) {
    if (code[i] != opcode) continue;
    const uint8_t before = code[i - 1];
    if (before >= 0x48 && before <= 0x4f) continue;  // REX.W: a 64-bit load
    int64_t displacement = 0;
    size_t end = 0;
    if (BaseDisplacement(code, size, i + 1, &displacement, &end) && displacement == wanted) return true;
  }
  return false;
}

#endif  // __x86_64__

}  // namespace

void DebugStepGuard::Discover(v8::Isolate* isolate, DirectRestore* direct) {
  isolate_ = isolate;
  direct_ = direct;
  V8FunctionsIfReady();  // starts the lookup
  UpdateMode();
}

bool DebugStepGuard::TryPrepare() {
  const V8Functions* functions = V8FunctionsIfReady();
  if (functions == nullptr) return false;
  Prepare(*functions);
  return mode_ != Mode::kOff;
}

void DebugStepGuard::Prepare(const V8Functions& functions) {
  if (!functions.error.empty()) return GiveUp(functions.error);
  const auto debug_is_active_address =
      functions.As<uintptr_t (*)(v8::Isolate*)>(V8Function::kDebugIsActiveAddress);
  api_clear_stepping_ = functions.As<ApiClearFunction>(V8Function::kDebugApiClearStepping);
  if (debug_is_active_address == nullptr) {
    return GiveUp("ExternalReference::debug_is_active_address is not in the symbol tables");
  }
  const uintptr_t active = debug_is_active_address(isolate_);
  uint8_t flag = 2;
  if (!ProbeValue(active, &flag) || flag > 1) {
    return GiveUp("ExternalReference::debug_is_active_address() does not point at a flag");
  }
  debug_is_active_ = reinterpret_cast<const volatile uint8_t*>(active);
#if !defined(__x86_64__)
  return Cancel("reading V8's machine code is implemented for x86-64 only");
#else
  debug_ = direct_->VerifiedDebugObject();
  if (debug_ == nullptr) {
    return Cancel("V8's Debug object was not found (" +
                  (direct_->reason().empty() ? std::string("the direct restore found none") : direct_->reason()) +
                  ")");
  }
  const FunctionSymbol& restore = functions[V8Function::kDebugRestore];
  const FunctionSymbol& clear = functions[V8Function::kDebugClearStepping];
  archive_ = functions.As<ArchiveFunction>(V8Function::kDebugArchive);
  restore_ = functions.As<ArchiveFunction>(V8Function::kDebugRestore);
  update_hook_ = functions.As<DebugFunction>(V8Function::kDebugUpdateHook);
  break_on_next_call_ = functions.As<DebugFunction>(V8Function::kDebugSetBreakOnNextCall);
  const auto archive_size = functions.As<int (*)()>(V8Function::kDebugArchiveSize);
  if (restore.address == nullptr || clear.address == nullptr || archive_ == nullptr ||
      update_hook_ == nullptr || break_on_next_call_ == nullptr || archive_size == nullptr) {
    return Cancel("V8's Debug functions are not all in the symbol tables");
  }
  const int size = archive_size();
  if (size < static_cast<int>(kStepInThreadLocal + kTargetAfterStep + 4) || size > static_cast<int>(kMaxArchiveSize)) {
    return Cancel("Debug::ArchiveSpacePerThread() returned " + std::to_string(size));
  }
  archive_size_ = static_cast<size_t>(size);
  // The step action: the one byte RestoreDebug compares with StepNone.
  const std::vector<int64_t> compared = ByteImmediateFF(restore.address, restore.size, 0x80, 7);
  if (compared.size() != 1 || compared[0] < static_cast<int64_t>(kStepInThreadLocal) || compared[0] > 4096) {
    return Cancel("Debug::RestoreDebug's code does not compare exactly one byte with StepNone");
  }
  const int64_t step = compared[0];
  bool cleared = false;
  for (int64_t stored : ByteImmediateFF(clear.address, clear.size, 0xc6, 0)) cleared |= stored == step;
  if (!cleared) return Cancel("Debug::ClearStepping does not store StepNone where RestoreDebug reads it");
  if (!Moves32(restore.address, restore.size, step + static_cast<int64_t>(kTargetAfterStep), 0x8b)) {
    return Cancel("Debug::RestoreDebug does not load the target frame count where V8 11 to 14 keep it");
  }
  // The byte must sit 12 bytes into the state ArchiveDebug copies.
  alignas(16) char copy[kMaxArchiveSize];
  archive_(debug_, copy);
  const char* thread_local_state = debug_ + step - static_cast<int64_t>(kStepInThreadLocal);
  if (std::memcmp(copy, thread_local_state, archive_size_) != 0) {
    return Cancel("the step action RestoreDebug reads is not 12 bytes into the state ArchiveDebug copies");
  }
  step_offset_ = static_cast<size_t>(step);
  if (!Plausible(LiveStep())) return Cancel("the step action read is no StepAction");
  Verified();
  UpdateMode();
  // The breakpoint counter: inside the archived state, and the word
  // SetBreakPointForScript increments (`*id = ++last_breakpoint_id_`).
  const FunctionSymbol& handle_form = functions[V8Function::kDebugSetBreakPointForScript];
  const FunctionSymbol& set = handle_form.address != nullptr
                                  ? handle_form
                                  : functions[V8Function::kDebugSetBreakPointForScriptDirect];
  const int64_t counter = step + static_cast<int64_t>(kBreakpointIdAfterStep);
  if (set.address != nullptr &&
      kStepInThreadLocal + kBreakpointIdAfterStep + sizeof(int32_t) <= archive_size_ &&
      Moves32(set.address, set.size, counter, 0x8b) && Moves32(set.address, set.size, counter, 0x89)) {
    breakpoint_id_offset_ = static_cast<size_t>(counter);
  }
#endif
}

void DebugStepGuard::GiveUp(std::string reason) {
  // Without even the active flag, nothing can be done.
  Unavailable(std::move(reason));
  UpdateMode();
}

void DebugStepGuard::Cancel(std::string reason) {
  if (api_clear_stepping_ == nullptr || debug_is_active_ == nullptr) {
    return GiveUp(std::move(reason) + "; and v8::debug::ClearStepping is not in the symbol tables");
  }
  Fallback(std::move(reason), "cancelling steps");
  UpdateMode();
}

bool DebugStepGuard::Plausible(int8_t step) { return step >= -1 && step <= kStepInto; }

int32_t DebugStepGuard::LiveTarget() const {
  int32_t target;
  std::memcpy(&target, debug_ + step_offset_ + kTargetAfterStep, sizeof target);
  return target;
}

void DebugStepGuard::SetLiveTarget(int32_t target) const {
  std::memcpy(debug_ + step_offset_ + kTargetAfterStep, &target, sizeof target);
}

int32_t DebugStepGuard::LiveBreakpointId() const {
  int32_t id;
  std::memcpy(&id, debug_ + breakpoint_id_offset_, sizeof id);
  return id;
}

void DebugStepGuard::SetLiveBreakpointId(int32_t id) const {
  std::memcpy(debug_ + breakpoint_id_offset_, &id, sizeof id);
}

void DebugStepGuard::LeavingSlow(int8_t* saved_step) {
  *saved_step = kNoStep;
  if (mode_ == Mode::kUnprepared && !TryPrepare()) return;
  if (!DebuggerActive()) return;
  if (mode_ == Mode::kOn && breakpoint_id_offset_ != 0) {
    carried_breakpoint_id_ = LiveBreakpointId();
    carrying_ = true;
  }
  if (mode_ == Mode::kCancelling) {
    // No archive may hold a step: V8's own ClearStepping, on the live state.
    api_clear_stepping_(isolate_);
    ++cancelled_;
    return;
  }
  if (mode_ != Mode::kOn) return;
  const int8_t step = LiveStep();
  if (step == kNoStep) return;
  if (!Plausible(step)) {
    Cancel("a step action read at a switch is no StepAction");
    api_clear_stepping_(isolate_);
    ++cancelled_;
    return;
  }
  // A step into, or a step whose frame count is no frame of this stack (a
  // step out of the bottom frame leaves -1): it goes on in whoever runs next.
  if (step == kStepInto || LiveTarget() < 1) {
    handoff_ = true;
  } else {
    *saved_step = step;
  }
  LiveStep() = kNoStep;
}

void DebugStepGuard::ArrivedSlow(int8_t* saved_step, bool fresh) {
  const int8_t own = *saved_step;
  const bool handoff = handoff_;
  const bool carrying = carrying_;
  *saved_step = kNoStep;
  handoff_ = false;
  carrying_ = false;
  if (mode_ == Mode::kUnprepared && !TryPrepare()) return;
  if (mode_ != Mode::kOn || !DebuggerActive()) return;
  // Breakpoint numbers go on from the highest handed out, whichever
  // greenlet handed it out.
  if (carrying && carried_breakpoint_id_ > LiveBreakpointId()) SetLiveBreakpointId(carried_breakpoint_id_);
  if (fresh) {
    // A new V8 thread: no frames to step in yet. V8 left the live state of
    // the thread that started it (its step taken out by Leaving).
    if (handoff) {
      break_on_next_call_(debug_);
      ++handoffs_;
    } else {
      update_hook_(debug_);
    }
    return;
  }
  if (handoff) {
    // A step out of the top frame (the switch that has just returned here):
    // RestoreDebug stops its walk at the top for any count above the stack's.
    LiveStep() = kStepOut;
    SetLiveTarget(INT_MAX);
    Reestablish();
    ++handoffs_;
  } else if (own != kNoStep && LiveTarget() >= 1) {
    // The greenlet's own step, with the target it was archived with, on the
    // stack it was counted on.
    LiveStep() = own;
    Reestablish();
    ++kept_;
  } else {
    // The previous greenlet's step into left V8's check on every call on.
    update_hook_(debug_);
  }
}

void DebugStepGuard::Reestablish() {
  // RestoreDebug copies a thread's state in, then walks to the step's frame
  // and prepares the step; given a copy of the live state, only the latter.
  alignas(16) char copy[kMaxArchiveSize];
  archive_(debug_, copy);
  restore_(debug_, copy);
}

void DebugStepGuard::WaitForSymbols() {
  WaitForV8Functions();
  if (mode_ == Mode::kUnprepared) TryPrepare();
}

void DebugStepGuard::UpdateMode() {
  switch (state()) {
    case State::kPending: mode_ = Mode::kUnprepared; break;
    case State::kOn: mode_ = Mode::kOn; break;
    case State::kFallback: mode_ = Mode::kCancelling; break;
    case State::kUnavailable:
    case State::kDisabled: mode_ = Mode::kOff; break;
  }
}

void DebugStepGuard::Describe(ShortcutCounters& counters) const {
  counters.Count("handoffs", static_cast<double>(handoffs_));
  counters.Count("kept", static_cast<double>(kept_));
  counters.Count("cancelled", static_cast<double>(cancelled_));
  counters.Count("stepOffset", static_cast<double>(step_offset()));
  counters.Flag("carriesBreakpointIds", carries_breakpoint_ids());
}

}  // namespace stackless
