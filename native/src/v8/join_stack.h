// V8 detects cycles in Array.prototype.join (and toString, toLocaleString,
// %TypedArray%.prototype.join) with one stack per native context: a
// FixedArray, in a NativeContext slot (ARRAY_JOIN_STACK_INDEX), of the
// receivers whose join is under way. All greenlets share it. A greenlet that
// suspends inside a join leaves its receiver there: another greenlet's join
// of that array then returns "" (taken for a cycle), and V8 pops entries it
// assumes are its own. Giving each greenlet its own stack would mean storing
// heap pointers into the native context without V8's write barriers, which
// the core cannot do safely, so a switch out of a join is refused instead.
//
// The slot is found at load, not assumed: from inside a nested join of two
// known arrays (an element's toString calls Locate()), the one slot holding
// a FixedArray whose first entries are those arrays is the stack; after the
// join it must be empty again (Confirm()). Until both agree, Entries() says
// 0 and nothing is refused (the old behaviour).
#pragma once

#include <v8.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace stackless {

class JoinStackGuard {
 public:
  // `context` is the coroutines' context, held by `global` (whose handle
  // cell the GC updates when compaction moves the context).
  void Locate(v8::Isolate* isolate, v8::Local<v8::Context> context,
              const v8::Global<v8::Context>& global, v8::Local<v8::Value> outer,
              v8::Local<v8::Value> inner);
  void Confirm(v8::Local<v8::Context> context);

  bool on() const { return verified_; }
  const std::string& reason() const { return reason_; }
  // Receivers on the stack now (0 while unverified).
  size_t Entries() const {
    if (!verified_) return 0;
    const uintptr_t stack = Slot();
    if (stack == undefined_) return 0;
    return CountEntries(stack);
  }

 private:
  size_t CountEntries(uintptr_t stack) const;
  // The slot's value, read through the context's handle cell every time.
  uintptr_t Slot() const {
    return *reinterpret_cast<const uintptr_t*>(*context_cell_ - kTag + kSlotsOffset + slot_offset_);
  }
  static constexpr uintptr_t kTag = 1;             // v8::internal::kHeapObjectTag
  static constexpr size_t kSlotsOffset = 2 * 8;    // map and length words
  void TurnOff(const std::string& reason);

  bool verified_ = false;
  bool located_ = false;
  std::string reason_ = "not verified yet";
  const uintptr_t* context_cell_ = nullptr;
  size_t slot_offset_ = 0;
  uintptr_t undefined_ = 0;
  uintptr_t hole_ = 0;
};

}  // namespace stackless
