#include "v8/thread_identity.h"

#include "base/read_probe.h"
#include "v8/v8_module.h"

#include <pthread.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

namespace stackless {

std::string IdentitySlotName(int slot) {
  switch (slot) {
    case kCurrentIsolate: return "current isolate";
    case kCurrentThreadData: return "current per-isolate thread data";
    case kThreadId: return "thread id";
    case kThreadStackStart: return "thread stack start";
    default: return "enter pointer " + std::to_string(slot - kFirstEnterPointer + 1);
  }
}

IdentityAccess::IdentityAccess(const IdentityLayout& layout, char* tls_block)
    : count_(layout.count) {
  for (int slot = 0; slot < count_; ++slot) address_[slot] = tls_block + layout.offset[slot];
}

namespace {

uint64_t Word(const std::vector<unsigned char>& block, size_t offset) {
  uint64_t value;
  std::memcpy(&value, block.data() + offset, 8);
  return value;
}

uint32_t Int(const std::vector<unsigned char>& block, size_t offset) {
  uint32_t value;
  std::memcpy(&value, block.data() + offset, 4);
  return value;
}

// The V8 module's TLS block as a helper thread sees it before it takes the
// isolate's lock, after v8::Locker, and after Isolate::Enter().
struct HelperObservation {
  std::string error;
  std::vector<unsigned char> before, locked, entered;
  uintptr_t stack_low = 0, stack_high = 0;
};

void ObserveOnHelperThread(v8::Isolate* isolate, HelperObservation* seen) {
  char* block = nullptr;
  size_t size = 0;
  if (!FindV8TlsBlock(&block, &size, &seen->error)) return;
  if (!CurrentStackBounds(&seen->stack_low, &seen->stack_high)) {
    seen->error = "pthread_getattr_np failed on the discovery thread";
    return;
  }
  auto snapshot = [&] { return std::vector<unsigned char>(block, block + size); };
  seen->before = snapshot();
  {
    v8::Locker locker(isolate);
    seen->locked = snapshot();
    isolate->Enter();
    seen->entered = snapshot();
    isolate->Exit();
  }
}

std::string Hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%" PRIx64, value);
  return text;
}

// Picks the single offset that satisfies `match`, or explains the failure.
template <typename Match>
bool PickUnique(const char* what, size_t size, size_t step, Match match,
                size_t* picked, std::string* error) {
  std::vector<size_t> hits;
  for (size_t offset = 0; offset + step <= size; offset += step) {
    if (match(offset)) hits.push_back(offset);
  }
  if (hits.size() == 1) {
    *picked = hits[0];
    return true;
  }
  error->assign("cannot identify V8's ");
  error->append(what);
  error->append(": ");
  error->append(std::to_string(hits.size()));
  error->append(" candidate TLS words");
  for (size_t hit : hits) {
    error->append(" ");
    error->append(Hex(hit));
  }
  return false;
}

}  // namespace

bool FindV8TlsBlock(char** block, size_t* size, std::string* error) {
  V8Module module;
  if (!FindV8Module(&module, error)) return false;
  if (module.tls_block == nullptr || module.tls_size == 0) {
    *error = "the module that contains V8 has no thread-local storage block; "
             "this V8 build keeps its thread identity elsewhere";
    return false;
  }
  *block = module.tls_block;
  *size = module.tls_size;
  return true;
}

bool DiscoverIdentityLayout(v8::Isolate* isolate, IdentityLayout* layout,
                            std::string* error) {
  HelperObservation seen;
  {
    std::thread helper(ObserveOnHelperThread, isolate, &seen);
    v8::Unlocker unlocker(isolate);
    helper.join();
  }
  if (!seen.error.empty()) {
    *error = seen.error;
    return false;
  }
  char* main_block = nullptr;
  size_t size = 0;
  if (!FindV8TlsBlock(&main_block, &size, error)) return false;
  if (size != seen.before.size()) {
    *error = "V8's TLS block has a different size on the discovery thread";
    return false;
  }
  const std::vector<unsigned char> main(main_block, main_block + size);
  const uint64_t isolate_address = reinterpret_cast<uint64_t>(isolate);
  const std::vector<unsigned char>& before = seen.before;
  const std::vector<unsigned char>& entered = seen.entered;
  const std::vector<unsigned char>& locked = seen.locked;
  IdentityLayout found{};
  for (int slot = 0; slot < kMaxIdentitySlots; ++slot) found.width[slot] = 8;
  found.width[kThreadId] = 4;

  // Isolate::Enter() sets exactly the current isolate and its thread data.
  if (!PickUnique("current-isolate word", size, 8, [&](size_t at) {
        return Word(before, at) == 0 && Word(entered, at) == isolate_address;
      }, &found.offset[kCurrentIsolate], error)) return false;

  // The per-isolate thread data starts {Isolate* isolate_, ThreadId thread_id_}.
  uint32_t helper_thread_id = 0;
  if (!PickUnique("per-isolate-thread-data word", size, 8, [&](size_t at) {
        uint64_t pointer = Word(entered, at);
        if (Word(locked, at) != 0 || pointer == 0 || pointer == isolate_address ||
            pointer % 8 != 0) return false;
        struct { uint64_t isolate; uint32_t thread_id; } head;
        if (!ProbeBytes(pointer, &head, 12)) return false;
        if (head.isolate != isolate_address || head.thread_id == 0) return false;
        helper_thread_id = head.thread_id;
        return true;
      }, &found.offset[kCurrentThreadData], error)) return false;

  if (!PickUnique("thread-id word", size, 4, [&](size_t at) {
        return Int(before, at) == 0 && Int(locked, at) == helper_thread_id;
      }, &found.offset[kThreadId], error)) return false;

  if (!PickUnique("thread-stack-start word", size, 8, [&](size_t at) {
        uint64_t value = Word(entered, at);
        return Word(before, at) == 0 && value > seen.stack_low && value <= seen.stack_high;
      }, &found.offset[kThreadStackStart], error)) return false;

  auto classified = [&](size_t at) {
    for (int slot = 0; slot < kFirstEnterPointer; ++slot) {
      if (at < found.offset[slot] + 8 && found.offset[slot] < at + 8) return true;
    }
    return false;
  };
  // The rest that entering set: pointers (not, say, the guard flag of a
  // function-static thread_local, which V8 may initialise on the helper too)
  // to main-thread structures, so equal to the calling thread's values.
  auto plausible_pointer = [](uint64_t value) { return value >= 65536 && value % 8 == 0; };
  found.count = kFirstEnterPointer;
  for (size_t at = 0; at + 8 <= size; at += 8) {
    uint64_t value = Word(entered, at);
    if (classified(at) || Word(before, at) != 0 || !plausible_pointer(value) || value != Word(main, at)) continue;
    if (found.count == kMaxIdentitySlots) {
      *error = "more thread pointers than expected are set by entering the isolate";
      return false;
    }
    found.offset[found.count++] = at;
  }
  if (found.count == kFirstEnterPointer) {
    *error = "cannot identify V8's marking-barrier word: no pointer set by entering the isolate";
    return false;
  }

  // Cross-check on this (main or worker) thread, which has entered the isolate.
  uintptr_t stack_low = 0, stack_high = 0;
  CurrentStackBounds(&stack_low, &stack_high);
  const uint64_t main_data = Word(main, found.offset[kCurrentThreadData]);
  struct { uint64_t isolate; uint32_t thread_id; } main_head{};
  const uint32_t main_thread_id = Int(main, found.offset[kThreadId]);
  const uint64_t main_stack_start = Word(main, found.offset[kThreadStackStart]);
  const auto here = reinterpret_cast<uintptr_t>(&main_head);
  std::string mismatch;
  if (Word(main, found.offset[kCurrentIsolate]) != isolate_address) {
    mismatch = "the current-isolate word";
  } else if (!ProbeBytes(main_data, &main_head, 12) || main_head.isolate != isolate_address ||
             main_head.thread_id != main_thread_id) {
    mismatch = "the thread-data and thread-id words";
  } else if (main_thread_id == 0 || main_thread_id == helper_thread_id) {
    mismatch = "the thread-id word";
  } else if (main_stack_start != 0 &&
             (main_stack_start < here || main_stack_start - here > (64u << 20))) {
    mismatch = "the thread-stack-start word";
  }
  if (!mismatch.empty()) {
    error->assign("V8's thread identity was found on a helper thread but ");
    error->append(mismatch);
    error->append(" does not hold on the calling thread");
    return false;
  }
  *layout = found;
  return true;
}

bool CurrentStackBounds(uintptr_t* low, uintptr_t* high) {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return false;
  void* address = nullptr;
  size_t size = 0;
  bool ok = pthread_attr_getstack(&attr, &address, &size) == 0;
  pthread_attr_destroy(&attr);
  *low = reinterpret_cast<uintptr_t>(address);
  *high = *low + size;
  return ok;
}

}  // namespace stackless
