// The core's on/off switches in environment variables (STACKLESS_DIRECT_RESTORE,
// STACKLESS_DEBUG_WALK_BYPASS, STACKLESS_SCAVENGE_SKIP, STACKLESS_DEBUG_STEP_GUARD). Each is read where
// its component starts; the core's load checks them all first and refuses
// a value it cannot read, so that no spelling is silently taken as "on".
#pragma once

#include <string>

namespace stackless {

enum class EnvironmentSwitch { kUnset, kOn, kOff, kInvalid };

// The variables above, for the check at load.
extern const char* const kEnvironmentSwitches[4];

// Unset or empty: kUnset. 1/on/true/yes: kOn. 0/off/false/no: kOff (any case).
EnvironmentSwitch ReadEnvironmentSwitch(const char* name);

// Empty if every switch variable is readable; else why not, for a RangeError.
std::string CheckEnvironmentSwitches();

}  // namespace stackless
