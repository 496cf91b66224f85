#include "v8/join_stack.h"

#include <cstring>

#include "base/read_probe.h"

namespace stackless {

namespace {

using v8::internal::Internals;

constexpr uintptr_t kTagMask = 3;
// Context and FixedArray: a map word and a Smi length, then the entries.
constexpr size_t kLengthOffset = static_cast<size_t>(v8::internal::kApiTaggedSize);
constexpr size_t kHeaderSize = 2 * static_cast<size_t>(v8::internal::kApiTaggedSize);
// More than V8 has ever had (about 300 slots in V8 11-14); bounds the scan.
constexpr uint64_t kMaxContextSlots = 4096;
// V8 starts the stack at 4 entries and grows it with nesting; a stack this
// long would be nesting no real program reaches.
constexpr uint64_t kMaxStackLength = 1024;

template <typename T>
uintptr_t AddressOf(v8::Local<T> value) {
  return static_cast<uintptr_t>(v8::internal::ValueHelper::ValueAsAddress(*value));
}

bool IsHeapObject(uintptr_t tagged) {
  return (tagged & kTagMask) == static_cast<uintptr_t>(v8::internal::kHeapObjectTag);
}

// A Smi's value, where `tagged` is one (full-width Smis: no pointer compression).
bool SmiValue(uintptr_t tagged, uint64_t* value) {
  if ((tagged & 1) != 0) return false;
  *value = static_cast<uint64_t>(tagged) >> (v8::internal::kSmiShiftSize + v8::internal::kSmiTagSize);
  return true;
}

uintptr_t Field(uintptr_t object, size_t offset) {
  return *reinterpret_cast<const uintptr_t*>(object - v8::internal::kHeapObjectTag + offset);
}

// Reads a field of something that may not be an object at all, safely.
bool ProbeField(uintptr_t object, size_t offset, uintptr_t* value) {
  return ProbeValue(static_cast<uint64_t>(object - v8::internal::kHeapObjectTag + offset), value);
}

}  // namespace

void JoinStackGuard::TurnOff(const std::string& reason) {
  verified_ = false;
  located_ = false;
  reason_ = reason;
}

void JoinStackGuard::Locate(v8::Isolate* isolate, v8::Local<v8::Context> context,
                            const v8::Global<v8::Context>& global, v8::Local<v8::Value> outer,
                            v8::Local<v8::Value> inner) {
  // The layout read here is that of 64-bit V8 without pointer compression,
  // which is how Node.js is built on x86-64 and arm64.
  if (v8::internal::kApiTaggedSize != 8 || v8::internal::PointerCompressionIsEnabled() ||
      !v8::internal::SmiValuesAre32Bits()) {
    return TurnOff("this V8 compresses pointers; the join stack's layout is not known");
  }
  located_ = false;
  static_assert(kTag == static_cast<uintptr_t>(v8::internal::kHeapObjectTag));
  static_assert(kSlotsOffset == kHeaderSize);
  // A Global is one pointer to its handle cell, which holds the object.
  static_assert(sizeof(global) == sizeof(uintptr_t*), "v8::Global is one handle-cell pointer");
  const uintptr_t* cell = nullptr;
  std::memcpy(static_cast<void*>(&cell), static_cast<const void*>(&global), sizeof cell);
  uintptr_t held = 0;
  if (cell == nullptr || !ProbeValue(reinterpret_cast<uint64_t>(cell), &held) ||
      held != AddressOf(context)) {
    return TurnOff("the context's handle cell does not hold the context");
  }
  context_cell_ = cell;
  undefined_ = Internals::GetRoot(isolate, Internals::kUndefinedValueRootIndex);
  hole_ = Internals::GetRoot(isolate, Internals::kTheHoleValueRootIndex);
  const uintptr_t native_context = AddressOf(context);
  const uintptr_t want_outer = AddressOf(outer);
  const uintptr_t want_inner = AddressOf(inner);
  uintptr_t length_word = 0;
  uint64_t slots = 0;
  if (!ProbeField(native_context, kLengthOffset, &length_word) || !SmiValue(length_word, &slots) ||
      slots == 0 || slots > kMaxContextSlots) {
    return TurnOff("the native context's length is not where it was expected");
  }
  int found = -1;
  for (uint64_t index = 0; index < slots; ++index) {
    const uintptr_t value = Field(native_context, kHeaderSize + index * 8);
    if (!IsHeapObject(value)) continue;
    uintptr_t stack_length = 0, first = 0, second = 0;
    uint64_t length = 0;
    if (!ProbeField(value, kLengthOffset, &stack_length) || !SmiValue(stack_length, &length) ||
        length < 2 || length > kMaxStackLength || !ProbeField(value, kHeaderSize, &first) ||
        !ProbeField(value, kHeaderSize + 8, &second)) {
      continue;
    }
    if (first != want_outer || second != want_inner) continue;
    if (found != -1) return TurnOff("two native context slots look like the join stack");
    found = static_cast<int>(index);
  }
  if (found == -1) return TurnOff("no native context slot holds the arrays being joined");
  slot_offset_ = static_cast<size_t>(found) * 8;
  located_ = true;
  verified_ = false;
  if (CountEntries(Slot()) != 2) return TurnOff("the join stack holds other entries than the two joins");
}

void JoinStackGuard::Confirm(v8::Local<v8::Context> context) {
  if (!located_) return;
  if (AddressOf(context) != *context_cell_) return TurnOff("the join ran in another context");
  const uintptr_t stack = Slot();
  if (stack != undefined_ && CountEntries(stack) != 0) {
    return TurnOff("the join stack was not empty after the join");
  }
  verified_ = true;
  reason_.clear();
}

size_t JoinStackGuard::CountEntries(uintptr_t stack) const {
  if (!IsHeapObject(stack)) return 0;
  uint64_t length = 0;
  if (!SmiValue(Field(stack, kLengthOffset), &length) || length > kMaxStackLength) return 0;
  size_t entries = 0;
  for (uint64_t index = 0; index < length; ++index) {
    if (Field(stack, kHeaderSize + index * 8) != hole_) ++entries;
  }
  return entries;
}

}  // namespace stackless
