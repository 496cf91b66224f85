// Tells cheaply whether V8 has an interrupt pending for the running thread.
//
// V8 requests an interrupt (GC finalisation, termination, code installation,
// RequestInterrupt) by moving the stack guard's JavaScript limit away from its
// real value so that the next stack check traps. The stack guard sits at a
// published offset in the isolate (v8::internal::Internals::
// kIsolateStackGuardOffset); its words are {isolate, real_jslimit,
// real_climit, jslimit, ...}. That inner layout is not published, so it is verified at
// load: if an interrupt request does not show there, or servicing it does not
// clear it, the probe stays off and every switch calls into JavaScript to
// service interrupts instead.
#pragma once

#include <v8.h>

#include <cstdint>
#include <functional>

namespace stackless {

class InterruptProbe {
 public:
  explicit InterruptProbe(v8::Isolate* isolate);

  // `service` must make V8 run its interrupts (call any JavaScript function).
  // Returns whether the probe is usable.
  bool Verify(const std::function<void()>& service);

  bool verified() const { return verified_; }
  // True when interrupts may be pending (always true when unverified).
  bool MaybePending() const {
    if (!verified_) return true;
    return __atomic_load_n(&guard_[kJsLimit], __ATOMIC_RELAXED) !=
           __atomic_load_n(&guard_[kRealJsLimit], __ATOMIC_RELAXED);
  }

 private:
  static constexpr int kIsolate = 0;
  static constexpr int kRealJsLimit = 1;
  static constexpr int kJsLimit = 3;

  v8::Isolate* isolate_;
  uintptr_t* guard_;
  bool verified_ = false;
};

}  // namespace stackless
