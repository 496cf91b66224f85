// Keeps V8's scavenger from evacuating the continuation-preserved embedder
// data (CPED) twice while coroutines are suspended.
//
// Since V8 12 the CPED (Node 24's AsyncLocalStorage keeps its current
// AsyncContextFrame there) is one slot of the isolate, not of a thread. Yet
// V8 visits it as a per-thread root: Isolate::Iterate(RootVisitor*,
// ThreadLocalTop*) reports continuation_preserved_embedder_data_address()
// for the current thread and again for every archived one
// (ThreadManager::Iterate), and each suspended coroutine is an archived
// thread. The scavenger's root visitor evacuates any young object it is
// shown; on the second visit the slot already points at the copy in
// to-space, which is young too, so the copy is copied again and left with a
// forwarding word in place of its map. Processing the first copy then reads
// that forwarding address as a map: a fatal check in Scavenger::Process
// (PushParamsAndDie(object, "map" just past it, bogus instance type)) or a
// segfault. It takes a young CPED and at least one archived thread; whether
// the first visit promotes the object (it survived a scavenge before) or
// copies it decides each time, hence the intermittency.
//
// So, while any coroutine exists, a scavenge's prologue moves the CPED into a
// global handle (a root visited exactly once) and leaves undefined in the slot
// (an old object, never evacuated); the epilogue puts it back. Mark-compact
// and minor mark-sweep collections are left alone: marking is idempotent and
// updating an already updated slot changes nothing.
//
// Before V8 12.3 the CPED was a slot of the native context, a heap object
// visited once, and v8::Isolate had no accessors for it: there the shield is
// not needed and does nothing.
#pragma once

#include <v8.h>

#include <cstddef>
#include <cstdint>

// Whether this V8 keeps the CPED in the isolate (v8::Isolate's accessors).
#define STACKLESS_ISOLATE_CPED \
  (V8_MAJOR_VERSION > 12 || (V8_MAJOR_VERSION == 12 && V8_MINOR_VERSION >= 3))

namespace stackless {

class ContinuationDataShield {
 public:
  // `live` counts the coroutines (archived threads exist only while it is
  // non-zero).
  void Start(v8::Isolate* isolate, const size_t* live);
  void Stop();
  // Whether it is in use (this V8 keeps the CPED in the isolate).
  bool active() const { return registered_; }
  // Scavenges that ran with the CPED moved out of its slot.
  uint64_t shielded() const { return shielded_; }

 private:
  static void Prologue(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags, void* data);
  static void Epilogue(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags, void* data);

  v8::Isolate* isolate_ = nullptr;
  const size_t* live_ = nullptr;
  bool registered_ = false;
  v8::Global<v8::Data> held_;  // the CPED during a scavenge, if taken
  uint64_t shielded_ = 0;
};

}  // namespace stackless
