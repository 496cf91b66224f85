#include "v8/interrupt_probe.h"

namespace stackless {

InterruptProbe::InterruptProbe(v8::Isolate* isolate)
    : isolate_(isolate),
      guard_(reinterpret_cast<uintptr_t*>(reinterpret_cast<char*>(isolate) +
                                          v8::internal::Internals::kIsolateStackGuardOffset)) {}

bool InterruptProbe::Verify(const std::function<void()>& service) {
  verified_ = false;
  auto load = [this](int word) { return __atomic_load_n(&guard_[word], __ATOMIC_RELAXED); };
  // The real limit lies below us on this thread's stack, and with nothing
  // pending the effective limit equals it.
  if (load(kIsolate) != reinterpret_cast<uintptr_t>(isolate_)) return false;
  const auto here = reinterpret_cast<uintptr_t>(&service);
  const uintptr_t real_limit = load(kRealJsLimit);
  if (real_limit == 0 || real_limit >= here || here - real_limit > (64u << 20)) return false;
  if (load(kJsLimit) != real_limit) service();
  if (load(kJsLimit) != real_limit) return false;

  bool ran = false;
  isolate_->RequestInterrupt([](v8::Isolate*, void* flag) { *static_cast<bool*>(flag) = true; },
                             &ran);
  const bool visible = load(kJsLimit) != load(kRealJsLimit);
  service();
  const bool cleared = load(kJsLimit) == load(kRealJsLimit);
  verified_ = ran && visible && cleared && load(kRealJsLimit) == real_limit;
  return verified_;
}

}  // namespace stackless
