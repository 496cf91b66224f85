#include "shortcuts/shortcut.h"

#include <utility>

namespace stackless {

Shortcut::State Shortcut::state() const {
  if (unavailable_) return State::kUnavailable;
  if (!enabled_) return State::kDisabled;
  if (fallback_) return State::kFallback;
  return verified_ ? State::kOn : State::kPending;
}

const char* Shortcut::status() const {
  switch (state()) {
    case State::kPending: return pending_;
    case State::kOn: return "on";
    case State::kFallback: return fallback_status_;
    case State::kUnavailable:
    case State::kDisabled: return "off";
  }
  return "off";
}

std::string Shortcut::reason() const {
  if (unavailable_ || fallback_) return failure_;
  return enabled_ ? std::string() : disabled_;
}

void Shortcut::SetEnabled(bool enabled, std::string reason) {
  enabled_ = enabled;
  disabled_ = enabled ? std::string() : std::move(reason);
  Update();
  EnabledChanged();
}

void Shortcut::Verified() {
  verified_ = true;
  Update();
}

void Shortcut::Unavailable(std::string reason) {
  unavailable_ = true;
  failure_ = std::move(reason);
  Update();
}

void Shortcut::Fallback(std::string reason, const char* status) {
  fallback_ = true;
  fallback_status_ = status;
  failure_ = std::move(reason);
  Update();
}

}  // namespace stackless
