#include "shortcuts/direct_restore.h"

#include <cstdlib>
#include <cstring>
#include <iterator>

#include "base/read_probe.h"
#include "v8/v8_functions.h"

namespace stackless {

namespace {

using v8::internal::Internals;

// ThreadState::List
constexpr int kFreeList = 0;
constexpr int kInUseList = 1;

constexpr size_t kStackGuardLocalsSize = Internals::kStackGuardSize - StackGuardView::kThreadLocalOffset;
// EagerlyArchiveThread, once linking the state in use is done, is these calls.
constexpr V8Function kArchiveCalls[] = {
    V8Function::kHandleScopeArchive, V8Function::kIsolateArchive, V8Function::kRelocatableArchive,
    V8Function::kStackGuardArchive,  V8Function::kDebugArchive,   V8Function::kRegExpStackArchive,
    V8Function::kBootstrapperArchive,
};
// Generous for a function of list linking and seven calls (184 to 192
// bytes on Node 20 to 26).
constexpr size_t kMaxArchiveCodeSize = 512;

#if defined(__x86_64__)

// An unlocked base::RecursiveMutex, as its two implementations lay it out:
// up to V8 13 a glibc pthread_mutex_t (__lock, __count, __owner, __nusers,
// __kind: PTHREAD_MUTEX_RECURSIVE_NP = 1, ...), from V8 14 an owner thread
// id, a level and an absl::Mutex word, all zero.
bool LooksLikeUnlockedRecursiveMutex(const int32_t (&words)[6]) {
  const bool pthread = words[0] == 0 && words[1] == 0 && words[2] == 0 && words[4] == 1;
  const bool owner_and_level = words[0] == 0 && words[1] == 0 && words[2] == 0 && words[3] == 0;
  return pthread || owner_and_level;
}

// Reads x86-64 code for the Isolate field offsets that
// ThreadManager::RestoreThread loads before its calls: there the only object
// pointer at hand is isolate_, so "the argument register was loaded from
// [base + offset]" names a field of the Isolate.
class CodeReader {
 public:
  CodeReader(const void* code, size_t size)
      : code_(static_cast<const uint8_t*>(code)), size_(size) {}

  // Where the code calls `callee` (a `call rel32`), first occurrence.
  bool FindCall(const void* callee, size_t* at) const { return FindCallFrom(callee, 0, at); }

  bool FindCallFrom(const void* callee, size_t from, size_t* at) const {
    for (size_t i = from; i + 5 <= size_; ++i) {
      if (code_[i] != 0xe8) continue;
      int32_t relative;
      std::memcpy(&relative, code_ + i + 1, 4);
      if (code_ + i + 5 + relative == callee) {
        *at = i;
        return true;
      }
    }
    return false;
  }

  // Whether the code calls `callees`, in this order (other code between).
  bool CallsInOrder(const void* const* callees, size_t count) const {
    size_t from = 0;
    for (size_t i = 0; i < count; ++i) {
      size_t at = 0;
      if (!FindCallFrom(callees[i], from, &at)) return false;
      from = at + 5;
    }
    return true;
  }

  // The offset of `mov disp32(%base), %rdi` closest before `at` (within a few
  // instructions: the compiler may put the second argument's move between).
  bool FieldLoadedIntoFirstArgument(size_t at, int32_t* offset) const {
    for (size_t back = 7; back <= 16 && back <= at; ++back) {
      const uint8_t* p = code_ + at - back;
      // REX.W (+B), 8B /r, ModRM mod=10 reg=rdi rm=base (not 100: a SIB byte).
      if ((p[0] == 0x48 || p[0] == 0x49) && p[1] == 0x8b && (p[2] & 0xf8) == 0xb8 &&
          (p[2] & 0x07) != 0x04) {
        std::memcpy(offset, p + 3, 4);
        return true;
      }
    }
    return false;
  }

  // The offset added to %rdi (already the Isolate) just before `at`:
  // `add $imm32, %rdi` or `lea disp32(%base), %rdi`.
  bool OffsetAddedToFirstArgument(size_t at, int32_t* offset) const {
    if (at < 7) return false;
    const uint8_t* p = code_ + at - 7;
    const bool add = p[0] == 0x48 && p[1] == 0x81 && p[2] == 0xc7;
    const bool lea = (p[0] == 0x48 || p[0] == 0x49) && p[1] == 0x8d && (p[2] & 0xf8) == 0xb8 &&
                     (p[2] & 0x07) != 0x04;
    if (!add && !lea) return false;
    std::memcpy(offset, p + 3, 4);
    return true;
  }

 private:
  const uint8_t* code_;
  size_t size_;
};

#endif  // __x86_64__

}  // namespace

void DirectRestore::Discover(v8::Isolate* isolate, const ThreadArchiveLayout& layout,
                             const std::string& layout_error) {
  isolate_ = isolate;
  layout_ = layout;
  V8FunctionsIfReady();  // starts the lookup
  if (!layout_error.empty()) {
    Unavailable(layout_error);
  } else if (layout.thread_manager == nullptr) {
    Unavailable(layout.thread_manager_error);
  }
}

void DirectRestore::Prepare() {
  const V8Functions* functions = V8FunctionsIfReady();
  if (functions == nullptr) return;
  prepared_ = true;  // one attempt
  if (!functions->error.empty()) return Unavailable(functions->error);
#if !defined(__x86_64__)
  return Unavailable("reading V8's machine code is implemented for x86-64 only");
#else
  // Its own functions: those after them are other components' (the step guard's).
  for (int which = 0; which < static_cast<int>(V8Function::kDebugClearStepping); ++which) {
    if (static_cast<V8Function>(which) != V8Function::kAddressFromId &&
        functions->symbol[which].address == nullptr) {
      return Unavailable("V8's internal functions are not all in the symbol tables (a stripped build?)");
    }
  }
  const FunctionSymbol& restore = (*functions)[V8Function::kRestoreThread];
  CodeReader code(restore.address, restore.size);
  char* const isolate = reinterpret_cast<char*>(isolate_);
  auto field = [&](V8Function callee, char** object) {
    size_t at = 0;
    int32_t offset = 0;
    if (!code.FindCall((*functions)[callee].address, &at) ||
        !code.FieldLoadedIntoFirstArgument(at, &offset) || offset <= 0) {
      return false;
    }
    return ProbeValue(reinterpret_cast<uint64_t>(isolate + offset), reinterpret_cast<uint64_t*>(object)) &&
           *object != nullptr;
  };
  if (!field(V8Function::kHandleScopeRestore, &handle_scopes_) ||
      !field(V8Function::kDebugRestore, &debug_) ||
      !field(V8Function::kRegExpStackRestore, &regexp_stack_) ||
      !field(V8Function::kBootstrapperRestore, &bootstrapper_)) {
    return Unavailable("cannot read the Isolate's fields from ThreadManager::RestoreThread's code");
  }
  size_t lock_at = 0;
  int32_t lock_offset = 0;
  if (!code.FindCall((*functions)[V8Function::kRecursiveMutexLock].address, &lock_at) ||
      !code.OffsetAddedToFirstArgument(lock_at, &lock_offset) || lock_offset <= 0) {
    return Unavailable("cannot read the place of break_access_ from ThreadManager::RestoreThread's code");
  }

  // Cross-checks: each object must be what V8's accessors and its own
  // contents say it is.
  const auto handle_scopes_address =
      functions->As<uintptr_t (*)(v8::Isolate*)>(V8Function::kHandleScopeImplementerAddress)(isolate_);
  uint64_t handle_scopes = 0;
  if (!ProbeValue(handle_scopes_address, &handle_scopes) ||
      handle_scopes != reinterpret_cast<uint64_t>(handle_scopes_)) {
    return Unavailable("the HandleScopeImplementer read from code is not V8's");
  }
  const auto debug_is_active =
      functions->As<uintptr_t (*)(v8::Isolate*)>(V8Function::kDebugIsActiveAddress)(isolate_);
  uint8_t active = 2;
  if (debug_is_active < reinterpret_cast<uintptr_t>(debug_) ||
      debug_is_active >= reinterpret_cast<uintptr_t>(debug_) + 256 ||
      !ProbeValue(debug_is_active, &active) || active > 1) {
    return Unavailable("the Debug object read from code does not hold V8's is_active_ flag");
  }
  debug_is_active_ = reinterpret_cast<const uint8_t*>(debug_is_active);
  debug_verified_ = true;
  const auto regexp_limit =
      functions->As<uintptr_t (*)(v8::Isolate*)>(V8Function::kRegExpStackLimitAddress)(isolate_);
  if (regexp_limit < reinterpret_cast<uintptr_t>(regexp_stack_) ||
      regexp_limit >= reinterpret_cast<uintptr_t>(regexp_stack_) + 4096) {
    return Unavailable("the RegExpStack read from code does not hold V8's regexp stack limit");
  }
  uint64_t bootstrapper_isolate = 0;
  if (!ProbeValue(reinterpret_cast<uint64_t>(bootstrapper_), &bootstrapper_isolate) ||
      bootstrapper_isolate != reinterpret_cast<uint64_t>(isolate)) {
    return Unavailable("the Bootstrapper read from code does not point back at the isolate");
  }
  int32_t mutex_words[6] = {};
  char* mutex = isolate + lock_offset;
  if (!ProbeValue(reinterpret_cast<uint64_t>(mutex), &mutex_words) ||
      !LooksLikeUnlockedRecursiveMutex(mutex_words)) {
    return Unavailable("break_access_ read from code is not an unlocked recursive mutex");
  }
  break_access_ = mutex;
  lock_ = functions->As<StateFunction>(V8Function::kRecursiveMutexLock);
  unlock_ = functions->As<StateFunction>(V8Function::kRecursiveMutexUnlock);
  stack_guard_ = StackGuardView(isolate + Internals::kIsolateStackGuardOffset);
  const int debug_archive_size = functions->As<int (*)()>(V8Function::kDebugArchiveSize)();
  if (debug_archive_size <= 0 || debug_archive_size > 4096) {
    return Unavailable("Debug::ArchiveSpacePerThread() returned " + std::to_string(debug_archive_size));
  }
  debug_archive_size_ = static_cast<size_t>(debug_archive_size);

  get_free_thread_state_ = functions->As<GetStateFunction>(V8Function::kGetFreeThreadState);
  eagerly_archive_thread_ = functions->As<StateFunction>(V8Function::kEagerlyArchiveThread);
  unlink_ = functions->As<StateFunction>(V8Function::kThreadStateUnlink);
  link_into_ = functions->As<LinkFunction>(V8Function::kThreadStateLinkInto);
  restore_handle_scopes_ = functions->As<RestoreFunction>(V8Function::kHandleScopeRestore);
  restore_isolate_ = functions->As<IsolateRestoreFunction>(V8Function::kIsolateRestore);
  restore_relocatable_ = functions->As<IsolateRestoreFunction>(V8Function::kRelocatableRestore);
  restore_stack_guard_ = functions->As<RestoreFunction>(V8Function::kStackGuardRestore);
  restore_debug_ = functions->As<RestoreFunction>(V8Function::kDebugRestore);
  restore_regexp_stack_ = functions->As<RestoreFunction>(V8Function::kRegExpStackRestore);
  restore_bootstrapper_ = functions->As<RestoreFunction>(V8Function::kBootstrapperRestore);
  archive_by_component_verified_ = PrepareArchiveByComponent(*functions);
  archive_by_component_ = archive_by_component_verified_ && archive_by_component_wanted_;
  Verified();
#endif
}

bool DirectRestore::PrepareArchiveByComponent(const V8Functions& functions) {
#if !defined(__x86_64__)
  return false;
#else
  const FunctionSymbol& eager = functions[V8Function::kEagerlyArchiveThread];
  if (eager.size == 0 || eager.size > kMaxArchiveCodeSize) return false;
  const void* callees[std::size(kArchiveCalls)];
  for (size_t i = 0; i < std::size(kArchiveCalls); ++i) callees[i] = functions[kArchiveCalls[i]].address;
  if (!CodeReader(eager.address, eager.size).CallsInOrder(callees, std::size(callees))) return false;
  // The StackGuard's per-thread state: where V8's API header says it is, and
  // as large as RestoreStackGuard says (it returns the end of what it read).
  // Restoring the state it already has changes nothing; the lock keeps an
  // interrupt requested from another thread meanwhile from being lost.
  uint64_t owner = 0;
  if (!stack_guard_.ProbeIsolate(&owner) || owner != reinterpret_cast<uint64_t>(isolate_)) return false;
  char* const locals = stack_guard_.thread_local_state();
  alignas(16) char copy[kStackGuardLocalsSize];
  lock_(break_access_);
  std::memcpy(copy, locals, sizeof copy);
  const char* end = restore_stack_guard_(stack_guard_.address(), copy);
  const bool same = std::memcmp(copy, locals, sizeof copy) == 0;
  unlock_(break_access_);
  if (end != copy + sizeof copy || !same) return false;
  archive_handle_scopes_ = functions.As<RestoreFunction>(V8Function::kHandleScopeArchive);
  archive_isolate_ = functions.As<IsolateRestoreFunction>(V8Function::kIsolateArchive);
  archive_relocatable_ = functions.As<IsolateRestoreFunction>(V8Function::kRelocatableArchive);
  archive_debug_ = functions.As<RestoreFunction>(V8Function::kDebugArchive);
  archive_regexp_stack_ = functions.As<RestoreFunction>(V8Function::kRegExpStackArchive);
  archive_bootstrapper_ = functions.As<RestoreFunction>(V8Function::kBootstrapperArchive);
  return true;
#endif
}

void DirectRestore::ArchiveByComponent(ThreadStateView state) {
  link_into_(state.address(), kInUseList);
  char* to = state.data();
  to = archive_handle_scopes_(handle_scopes_, to);
  to = archive_isolate_(isolate_, to);
  to = archive_relocatable_(isolate_, to);
  // ArchiveStackGuard also resets the live copy, which the restore that
  // follows overwrites before anything could read it.
  std::memcpy(to, stack_guard_.thread_local_state(), kStackGuardLocalsSize);
  to += kStackGuardLocalsSize;
  to = archive_debug_(debug_, to);
  to = archive_regexp_stack_(regexp_stack_, to);
  archive_bootstrapper_(bootstrapper_, to);
}

bool DirectRestore::CanSwitch(const Identity& from, const Identity& to) {
  if (!on()) {
    if (!available() || prepared_) return false;
    Prepare();
    if (!on()) return false;
  }
  const ThreadManagerView manager = layout_.ThreadManager();
  const PerIsolateThreadDataView from_data = layout_.PerThreadData(from);
  return !from_data.null() && from_data.thread_state().null() &&
         !layout_.PerThreadData(to).thread_state().null() && manager.lazily_archived_thread() == kNoThreadId &&
         manager.owner() == static_cast<int32_t>(from.word[kThreadId]);
}

void DirectRestore::Switch(const Identity& from, const Identity& to, const IdentityAccess& identity) {
  const ThreadManagerView manager = layout_.ThreadManager();
  const auto from_id = static_cast<int32_t>(from.word[kThreadId]);
  const auto to_id = static_cast<int32_t>(to.word[kThreadId]);
  lock_(break_access_);

  // Archive `from` as ThreadManager::ArchiveThread and EagerlyArchiveThread do.
  const ThreadStateView archived(get_free_thread_state_(manager.address()));
  unlink_(archived.address());
  layout_.PerThreadData(from).set_thread_state(archived);
  archived.set_id(from_id);
  if (archive_by_component_) {
    ArchiveByComponent(archived);
  } else {
    manager.set_lazily_archived_thread(from_id);
    manager.set_lazily_archived_state(archived);
    eagerly_archive_thread_(manager.address());  // links it in use, copies every component
  }

  // Become `to`: its identity, and the owner of the ThreadManager's lock,
  // which this OS thread holds throughout.
  identity.Load(to);
  manager.set_owner(to_id);

  // Restore `to` as ThreadManager::RestoreThread does, component by component.
  const PerIsolateThreadDataView to_data = layout_.PerThreadData(to);
  const ThreadStateView restored = to_data.thread_state();
  char* const data = restored.data();
  char* next = restore_handle_scopes_(handle_scopes_, data);
  next = restore_isolate_(isolate_, next);
  next = restore_relocatable_(isolate_, next);
  if (archive_by_component_) {
    std::memcpy(stack_guard_.thread_local_state(), next, kStackGuardLocalsSize);
    next += kStackGuardLocalsSize;
  } else {
    next = restore_stack_guard_(stack_guard_.address(), next);
  }
  // The debugger's state: archiving left the live copy equal to `from`'s
  // archive, so when `to`'s is the same and no debugger is active there is
  // nothing to restore (Debug::RestoreDebug would copy the same bytes and
  // re-enter a debugger that is not there).
  const char* from_debug = archived.data() + (next - data);
  uint8_t debugging;
  std::memcpy(&debugging, debug_is_active_, 1);
  if (debugging != 0 || std::memcmp(next, from_debug, debug_archive_size_) != 0) {
    next = restore_debug_(debug_, next);
    ++debugger_restores_;
  } else {
    next += debug_archive_size_;
  }
  next = restore_regexp_stack_(regexp_stack_, next);
  restore_bootstrapper_(bootstrapper_, next);
  to_data.set_thread_state(ThreadStateView());
  restored.set_id(kNoThreadId);
  unlink_(restored.address());
  link_into_(restored.address(), kFreeList);

  unlock_(break_access_);
  ++switches_;
}

char* DirectRestore::VerifiedDebugObject() {
  if (available() && !prepared_) Prepare();
  return debug_verified_ ? debug_ : nullptr;
}

void DirectRestore::SetArchiveByComponent(bool enabled) {
  archive_by_component_wanted_ = enabled;
  archive_by_component_ = archive_by_component_verified_ && enabled;
}

void DirectRestore::Describe(ShortcutCounters& counters) const {
  counters.Count("switches", static_cast<double>(switches_));
  counters.Count("debuggerRestores", static_cast<double>(debugger_restores_));
  counters.Flag("archivesByComponent", archive_by_component_);
}

}  // namespace stackless
