// The state every self-verifying shortcut of the switch shares.
//
// A shortcut replaces part of V8's public path with a faster one that relies
// on V8 internals. Each checks itself before it is used and falls back to the
// public path for good when a check fails; a user may turn it off (and on
// again) for diagnosis or comparison. This class holds that state, so that
// each shortcut only says when its own checks pass or fail:
//
//   pending --Verified()--> on            (until then, the public path)
//      |                     |
//      +--Unavailable(why)---+--> unavailable, for good
//   any state --SetEnabled(false)--> disabled, until SetEnabled(true)
//
// A shortcut with a degraded but safe mode (the step guard's cancelling of
// steps) reports it as kFallback. The hot path reads only on().
#pragma once

#include <string>

namespace stackless {

// A shortcut's counters, for the diagnostics binding (which knows the
// JavaScript side; shortcuts do not).
class ShortcutCounters {
 public:
  virtual void Count(const char* name, double value) = 0;
  virtual void Flag(const char* name, bool value) = 0;

 protected:
  ~ShortcutCounters() = default;
};

class Shortcut {
 public:
  enum class State { kPending, kOn, kFallback, kUnavailable, kDisabled };

  // `name` is the shortcut's key in the binding's shortcuts() and
  // setShortcut(); `pending` what status() says while it is being checked.
  Shortcut(const char* name, const char* pending) : name_(name), pending_(pending) {}
  Shortcut(const Shortcut&) = delete;
  Shortcut& operator=(const Shortcut&) = delete;

  const char* name() const { return name_; }
  // Verified, available and enabled: the shortcut may be taken.
  bool on() const { return on_; }
  bool enabled() const { return enabled_; }
  // No check has failed (yet).
  bool available() const { return !unavailable_; }
  bool verified() const { return verified_; }

  State state() const;
  // The word the binding reports for state(): "on", "off", or what the
  // shortcut calls its pending or fallback state.
  const char* status() const;
  // Why it is off or in its fallback; empty otherwise.
  std::string reason() const;

  // By the user (the binding's setShortcut). `reason` is what reason() says
  // while disabled.
  void SetEnabled(bool enabled, std::string reason = "disabled by request");

  // The shortcut's own counters and facts, beside its state.
  virtual void Describe(ShortcutCounters& counters) const = 0;

 protected:
  ~Shortcut() = default;
  // Still checking; `status` is what status() says meanwhile.
  void Pending(const char* status) { pending_ = status; }
  // The checks passed.
  void Verified();
  // A check failed: the public path from now on.
  void Unavailable(std::string reason);
  // The checks failed, but a safe degraded mode is used (`status` names it).
  void Fallback(std::string reason, const char* status);
  // Called after SetEnabled() has changed the state (to put back what the
  // shortcut changed in V8, for instance).
  virtual void EnabledChanged() {}

 private:
  void Update() { on_ = enabled_ && verified_ && !unavailable_ && !fallback_; }

  const char* name_;
  const char* pending_;
  const char* fallback_status_ = "";
  bool on_ = false;  // enabled_ && verified_ && !unavailable_ && !fallback_
  bool enabled_ = true;
  bool verified_ = false;
  bool unavailable_ = false;
  bool fallback_ = false;
  std::string failure_;   // why unavailable (or in the fallback)
  std::string disabled_;  // why disabled
};

}  // namespace stackless
