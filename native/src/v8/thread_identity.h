// V8 decides "which thread is running" from a handful of C++ thread_local
// variables in the module that contains V8 (the node executable, or libnode).
// A coroutine is a V8 thread of its own, so each coroutine keeps its own copy
// of these words and the core swaps them on every switch.
//
// Their offsets are not published. They are discovered once at load time by
// watching which TLS words V8 writes when a helper thread takes the isolate's
// lock and enters it, then cross-checked against the main thread. Any doubt
// means the addon refuses to load with an explanation: it never guesses.
#pragma once

#include <v8.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace stackless {

enum IdentitySlot : int {
  kCurrentIsolate = 0,     // v8::internal::g_current_isolate_
  kCurrentThreadData,      // v8::internal::g_current_per_isolate_thread_data_
  kThreadId,               // v8::internal::thread_id (an int)
  kThreadStackStart,       // v8::base thread_stack_start (conservative scan bound)
  // Then the pointers to main-thread structures that entering the isolate
  // sets for a thread: current_marking_barrier always, and from V8 14 on
  // also g_current_local_heap_.
  kFirstEnterPointer,
  kMaxIdentitySlots = kFirstEnterPointer + 4
};

// "current isolate", ..., "enter pointer 1", ... (for diagnostics and tests).
std::string IdentitySlotName(int slot);

// Where the identity words live, relative to the start of the V8 module's
// TLS block. Identical for every thread of the process.
struct IdentityLayout {
  int count = 0;  // kFirstEnterPointer + how many enter pointers were found
  size_t offset[kMaxIdentitySlots] = {};
  size_t width[kMaxIdentitySlots] = {};  // bytes: 8, or 4 for the thread id
};

// One V8 thread's identity: the values of the words.
struct Identity {
  uint64_t word[kMaxIdentitySlots] = {};
};

// The identity words of the calling OS thread. Save and Load run on every
// switch, so the slots' addresses are resolved once.
class IdentityAccess {
 public:
  IdentityAccess() = default;
  IdentityAccess(const IdentityLayout& layout, char* tls_block);

  void Save(Identity* into) const {
    for (int slot = 0; slot < count_; ++slot) into->word[slot] = Read(slot);
  }
  void Load(const Identity& from) const {
    for (int slot = 0; slot < count_; ++slot) Write(slot, from.word[slot]);
  }
  uint64_t Read(int slot) const {
    if (slot == kThreadId) return *static_cast<const uint32_t*>(address_[slot]);
    return *static_cast<const uint64_t*>(address_[slot]);
  }
  void Write(int slot, uint64_t value) const {
    if (slot == kThreadId) {
      *static_cast<uint32_t*>(address_[slot]) = static_cast<uint32_t>(value);
    } else {
      *static_cast<uint64_t*>(address_[slot]) = value;
    }
  }

 private:
  // V8 declares these as thread_local int / pointer variables, naturally
  // aligned, so plain typed access is what V8's own code does.
  void* address_[kMaxIdentitySlots] = {};
  int count_ = 0;
};

// Finds the TLS block (for the calling thread) of the module that contains V8.
// Returns false with a reason if there is none.
bool FindV8TlsBlock(char** block, size_t* size, std::string* error);

// Runs the discovery. Must be called on a thread that holds the isolate's
// v8::Locker and has entered it (Node's main thread or a worker). On failure
// returns false and explains why in *error.
bool DiscoverIdentityLayout(v8::Isolate* isolate, IdentityLayout* layout,
                            std::string* error);

// The bounds of the calling OS thread's own stack (pthread_getattr_np).
bool CurrentStackBounds(uintptr_t* low, uintptr_t* high);

}  // namespace stackless
