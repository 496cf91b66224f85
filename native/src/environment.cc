#include "environment.h"

#include <strings.h>

#include <cstdlib>
#include <initializer_list>

namespace stackless {

const char* const kEnvironmentSwitches[4] = {"STACKLESS_DIRECT_RESTORE", "STACKLESS_DEBUG_WALK_BYPASS",
                                            "STACKLESS_SCAVENGE_SKIP", "STACKLESS_DEBUG_STEP_GUARD"};

namespace {

bool IsOneOf(const char* value, std::initializer_list<const char*> spellings) {
  for (const char* spelling : spellings) {
    if (strcasecmp(value, spelling) == 0) return true;
  }
  return false;
}

}  // namespace

EnvironmentSwitch ReadEnvironmentSwitch(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || value[0] == '\0') return EnvironmentSwitch::kUnset;
  if (IsOneOf(value, {"1", "on", "true", "yes"})) return EnvironmentSwitch::kOn;
  if (IsOneOf(value, {"0", "off", "false", "no"})) return EnvironmentSwitch::kOff;
  return EnvironmentSwitch::kInvalid;
}

std::string CheckEnvironmentSwitches() {
  for (const char* name : kEnvironmentSwitches) {
    if (ReadEnvironmentSwitch(name) != EnvironmentSwitch::kInvalid) continue;
    return std::string("stackless: ") + name +
           " must be 0, off, false or no (to turn it off), or 1, on, true or yes, not '" +
           std::getenv(name) + "'";
  }
  return std::string();
}

}  // namespace stackless
