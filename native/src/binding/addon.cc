// The JavaScript surface of the native core: a handful of functions over
// Coroutines, one instance per Node.js thread (main or worker).
#include <napi.h>
// node_version.h defines NAPI_VERSION as the runtime's (9 in Node 20), which
// clashes with the version this addon asks for (binding.gyp): keep ours.
#pragma push_macro("NAPI_VERSION")
#undef NAPI_VERSION
#include <node_version.h>
#undef NAPI_VERSION
#pragma pop_macro("NAPI_VERSION")

#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "core/coroutines.h"
#include "v8/v8_functions.h"
#include "core/watchdog.h"

// Which Node.js this file was compiled for, as plain text in the binary:
// native/load.js reads it when the file fails to load (an addon built for
// another Node major lacks V8 symbols this one exports, so dlopen fails).
extern "C" [[gnu::used, gnu::visibility("default")]] const char stackless_built_for[] =
    "stackless-built-for: node " NODE_VERSION_STRING " abi " NODE_STRINGIFY(NODE_MODULE_VERSION) ";";

namespace stackless {
namespace {

// Uses about `remaining` bytes of machine stack in frames that check nothing,
// as native code may (for tests of the guard page). Each frame passes its
// address down, so the compiler can neither reuse nor elide them.
[[gnu::noinline]] size_t Recurse(size_t remaining, volatile char* caller) {
  volatile char frame[1024];
  frame[0] = caller != nullptr ? caller[0] : 1;
  frame[sizeof frame - 1] = frame[0];
  if (remaining <= sizeof frame) return 1;
  return 1 + Recurse(remaining - sizeof frame, frame) + (frame[sizeof frame - 1] - frame[0]);
}

bool RequireBoolean(const Napi::CallbackInfo& info, const char* call, bool* out) {
  if (!info[0].IsBoolean()) {
    Napi::TypeError::New(info.Env(), std::string(call) + " takes a boolean")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = info[0].As<Napi::Boolean>().Value();
  return true;
}

bool RequireUint(const Napi::CallbackInfo& info, size_t index, const char* what,
                 uint32_t* out) {
  Napi::Value value = info[index];
  if (!value.IsNumber()) {
    std::string message(what);
    message.append(" must be a number");
    Napi::TypeError::New(info.Env(), message)
        .ThrowAsJavaScriptException();
    return false;
  }
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number <= 4294967295.0) || number != static_cast<uint32_t>(number)) {
    std::string message(what);
    message.append(" must be an unsigned 32-bit integer");
    Napi::RangeError::New(info.Env(), message)
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<uint32_t>(number);
  return true;
}

// A whole number from `min` to `max` in info[index], or a TypeError or
// RangeError naming `call` and `parameter`, as configure() reports them.
bool RequireWholeNumber(const Napi::CallbackInfo& info, size_t index, const char* call,
                        const char* parameter, double min, double max, double* out) {
  Napi::Value value = info[index];
  const std::string name = std::string(call) + ": " + parameter;
  if (!value.IsNumber()) {
    Napi::TypeError::New(info.Env(), name + " must be a number")
        .ThrowAsJavaScriptException();
    return false;
  }
  const double number = value.As<Napi::Number>().DoubleValue();
  // Negated comparisons so that NaN is refused too.
  if (!(number >= min && number <= max) || number != std::floor(number)) {
    Napi::RangeError::New(info.Env(), name + " must be a whole number from " +
                                          std::to_string(static_cast<uint64_t>(min)) + " to " +
                                          std::to_string(static_cast<uint64_t>(max)) + ", not " +
                                          value.ToString().Utf8Value())
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = number;
  return true;
}

// A shortcut's counters as properties of a JavaScript object.
class ObjectCounters final : public ShortcutCounters {
 public:
  explicit ObjectCounters(Napi::Object object) : object_(object) {}
  void Count(const char* name, double value) override { object_.Set(name, value); }
  void Flag(const char* name, bool value) override { object_.Set(name, value); }

 private:
  Napi::Object object_;
};

class Binding : public Napi::Addon<Binding> {
 public:
  Binding(Napi::Env env, Napi::Object exports) {
    // The V8 layouts this file was compiled against are those of one Node
    // major: under another, even an addon whose symbols all resolve must not run.
    const napi_node_version* running = nullptr;
    if (napi_get_node_version(env, &running) == napi_ok && running->major != NODE_MAJOR_VERSION) {
      const std::string message =
          "stackless: the native core was built for Node " NODE_VERSION_STRING " (ABI " NODE_STRINGIFY(
              NODE_MODULE_VERSION) "), but this is Node " +
          std::to_string(running->major) + "." + std::to_string(running->minor) + "." +
          std::to_string(running->patch) + "; reinstall @stackless/native under this Node";
      napi_throw_error(env, nullptr, message.c_str());
      return;
    }
    coroutines_.reset(Coroutines::Create(env));
    if (!coroutines_) return;  // a JavaScript error explains why
    // A worker terminated while it loads the core: nothing below could
    // succeed, and node-addon-api aborts the process when it cannot throw.
    if (v8::Isolate::GetCurrent()->IsExecutionTerminating()) return;
    // The hot path skips node-addon-api's wrappers: one raw N-API callback.
    napi_value switch_to;
    if (napi_create_function(env, "switchTo", NAPI_AUTO_LENGTH, &Binding::SwitchTo,
                             coroutines_.get(), &switch_to) != napi_ok) {
      napi_throw_error(env, nullptr, "stackless: cannot create switchTo()");
      return;
    }
    // The hot path and configuration; diagnostics (read-only views for
    // tools and tests); hooks only tests use. index.js and testing.js hand
    // them out as separate objects.
    Napi::Object core = Napi::Object::New(env);
    core.Set("switchTo", switch_to);
    DefineProperties(core, {
        InstanceMethod("setCallbacks", &Binding::SetCallbacks),
        InstanceMethod("create", &Binding::Create),
        InstanceMethod("current", &Binding::Current),
        InstanceMethod("isLive", &Binding::IsLive),
        InstanceMethod("stats", &Binding::Stats),
        InstanceMethod("setStackSize", &Binding::SetStackSize),
        InstanceMethod("setMaxPooledStacks", &Binding::SetMaxPooledStacks),
        InstanceMethod("setGuardMechanism", &Binding::SetGuardMechanism),
        InstanceMethod("setShortcut", &Binding::SetShortcut),
        InstanceMethod("locateJoinStack", &Binding::LocateJoinStack),
        InstanceMethod("confirmJoinStack", &Binding::ConfirmJoinStack),
        InstanceMethod("trimMemory", &Binding::TrimMemory),
        InstanceMethod("captureStack", &Binding::CaptureStack),
        InstanceMethod("setLibraryPrefixes", &Binding::SetLibraryPrefixes),
        InstanceMethod("setBlockingWatch", &Binding::SetBlockingWatch),
        InstanceMethod("takeBlockingReport", &Binding::TakeBlockingReport),
    });
    Napi::Object diagnostics = Napi::Object::New(env);
    DefineProperties(diagnostics, {
        InstanceMethod("shortcuts", &Binding::Shortcuts),
        InstanceMethod("waitForV8Symbols", &Binding::WaitForV8Symbols),
        InstanceMethod("identityLayout", &Binding::IdentityLayoutInfo),
        InstanceMethod("v8ThreadId", &Binding::V8ThreadId),
        InstanceMethod("interruptProbeVerified", &Binding::InterruptProbeVerified),
        InstanceMethod("continuationDataShield", &Binding::ContinuationDataShieldInfo),
        InstanceMethod("joinStack", &Binding::JoinStackInfo),
        InstanceMethod("captures", &Binding::Captures),
    });
    Napi::Object testing = Napi::Object::New(env);
    DefineProperties(testing, {
        InstanceMethod("recurseNatively", &Binding::RecurseNatively),
        InstanceMethod("setArchiveByComponent", &Binding::SetArchiveByComponent),
        InstanceMethod("forceDebugStepCancelling", &Binding::ForceDebugStepCancelling),
    });
    exports.Set("core", core);
    exports.Set("diagnostics", diagnostics);
    exports.Set("testing", testing);
  }

 private:
  Napi::Value SetCallbacks(const Napi::CallbackInfo& info) {
    if (!info[0].IsFunction() || !info[1].IsFunction()) {
      Napi::TypeError::New(info.Env(), "setCallbacks(entry, poll) takes two functions")
          .ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    coroutines_->SetCallbacks(info[0].As<Napi::Function>(), info[1].As<Napi::Function>());
    return info.Env().Undefined();
  }

  Napi::Value Create(const Napi::CallbackInfo& info) {
    // Refused here too, so that a greenlet whose start is refused stays unstarted.
    if (coroutines_->RefuseInsideJoin()) return info.Env().Undefined();
    uint32_t id = coroutines_->CreateCoroutine();
    if (id == 0) {
      // `code` lets the TypeScript layer turn this into StackAllocationError.
      const StackFailure& failure = coroutines_->pool().failure();
      Napi::Error error = Napi::Error::New(info.Env(), failure.Describe());
      error.Set("code", failure.Code());
      if (!failure.map_count) error.Set("errno", static_cast<double>(failure.error));
      error.ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    return Napi::Number::New(info.Env(), id);
  }

  // N-API refuses to throw only while the environment is being torn down
  // (worker.terminate()): then the JavaScript still calling must be ended, or
  // a loop around switch() would spin for ever on the refused call.
  static void Refuse(Coroutines* coroutines, napi_status thrown) {
    if (thrown != napi_ok && coroutines != nullptr) coroutines->EndJavaScript();
  }

  static napi_value SwitchTo(napi_env env, napi_callback_info info) {
    size_t argc = 1;
    napi_value id_value;
    void* data = nullptr;
    uint32_t id = 0;
    const napi_status status = napi_get_cb_info(env, info, &argc, &id_value, nullptr, &data);
    auto* coroutines = static_cast<Coroutines*>(data);
    if (status != napi_ok || coroutines == nullptr || argc < 1 ||
        napi_get_value_uint32(env, id_value, &id) != napi_ok) {
      Refuse(coroutines, napi_throw_type_error(env, nullptr, "switchTo(id) takes a coroutine id"));
      return nullptr;
    }
    if (!coroutines->IsLive(id)) {
      Refuse(coroutines, napi_throw_error(env, nullptr, "stackless: no live coroutine with that id"));
      return nullptr;
    }
    coroutines->SwitchTo(id);
    return nullptr;
  }

  Napi::Value Current(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), coroutines_->current_id());
  }

  Napi::Value IsLive(const Napi::CallbackInfo& info) {
    uint32_t id;
    if (!RequireUint(info, 0, "coroutine id", &id)) return info.Env().Undefined();
    return Napi::Boolean::New(info.Env(), coroutines_->IsLive(id));
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Object stats = Napi::Object::New(info.Env());
    StackPool& pool = coroutines_->pool();
    stats.Set("live", static_cast<double>(coroutines_->live_count()));
    stats.Set("pooledStacks", static_cast<double>(coroutines_->stack_cache().kept()));
    stats.Set("mappedStacks", static_cast<double>(pool.mapped()));
    stats.Set("stackSize", static_cast<double>(pool.stack_size()));
    stats.Set("guard", GuardMechanismName(pool.guard_mechanism()));
    stats.Set("arenas", static_cast<double>(pool.arenas()));
    stats.Set("stackSlots", static_cast<double>(pool.slots()));
    stats.Set("mappings", static_cast<double>(pool.mappings()));
    stats.Set("mappingLimit", static_cast<double>(pool.mapping_limit()));
    return stats;
  }

  Napi::Value SetGuardMechanism(const Napi::CallbackInfo& info) {
    const std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    if (name != "madvise" && name != "mprotect") {
      Napi::TypeError::New(info.Env(), "guard mechanism must be 'madvise' or 'mprotect'")
          .ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    coroutines_->pool().SetGuardMechanism(name == "madvise" ? GuardMechanism::kGuardMarker
                                                            : GuardMechanism::kMprotect);
    return info.Env().Undefined();
  }

  Napi::Value SetStackSize(const Napi::CallbackInfo& info) {
    // Checked here as well as by configure(): a stack too small for V8's
    // limit and a coroutine's base frames faults at the next start.
    double bytes;
    if (!RequireWholeNumber(info, 0, "setStackSize(bytes)", "bytes",
                            static_cast<double>(StackPool::kMinStackSize),
                            static_cast<double>(StackPool::kMaxStackSize), &bytes)) {
      return info.Env().Undefined();
    }
    coroutines_->stack_cache().SetStackSize(static_cast<size_t>(bytes));
    return info.Env().Undefined();
  }

  Napi::Value SetMaxPooledStacks(const Napi::CallbackInfo& info) {
    uint32_t count;
    if (!RequireUint(info, 0, "pooled stack count", &count)) return info.Env().Undefined();
    coroutines_->stack_cache().SetMaxKept(count);
    return info.Env().Undefined();
  }

  Napi::Value IdentityLayoutInfo(const Napi::CallbackInfo& info) {
    Napi::Object layout = Napi::Object::New(info.Env());
    for (int slot = 0; slot < coroutines_->layout().count; ++slot) {
      Napi::Object entry = Napi::Object::New(info.Env());
      entry.Set("offset", static_cast<double>(coroutines_->layout().offset[slot]));
      entry.Set("width", static_cast<double>(coroutines_->layout().width[slot]));
      layout.Set(IdentitySlotName(slot), entry);
    }
    return layout;
  }

  Napi::Value V8ThreadId(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(),
                             static_cast<double>(coroutines_->identity().Read(kThreadId)));
  }

  Napi::Value InterruptProbeVerified(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), coroutines_->interrupt_probe_verified());
  }

  Napi::Value ContinuationDataShieldInfo(const Napi::CallbackInfo& info) {
    const ContinuationDataShield& shield = coroutines_->continuation_data_shield();
    Napi::Object result = Napi::Object::New(info.Env());
    result.Set("active", shield.active());
    result.Set("shielded", static_cast<double>(shield.shielded()));
    return result;
  }

  // shortcuts(): { directRestore: { enabled, status, reason, ...counters }, ... }
  Napi::Value Shortcuts(const Napi::CallbackInfo& info) {
    Napi::Object result = Napi::Object::New(info.Env());
    for (const Shortcut* shortcut : coroutines_->shortcuts()) {
      Napi::Object entry = Napi::Object::New(info.Env());
      entry.Set("enabled", shortcut->enabled());
      entry.Set("status", shortcut->status());
      entry.Set("reason", shortcut->reason());
      ObjectCounters counters(entry);
      shortcut->Describe(counters);
      result.Set(shortcut->name(), entry);
    }
    return result;
  }

  // setShortcut(name, enabled, reason?): `reason` is what shortcuts() reports
  // while it is off.
  Napi::Value SetShortcut(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const char* usage = "setShortcut(name, enabled, reason?)";
    Shortcut* found = nullptr;
    std::string names;
    const std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    for (Shortcut* shortcut : coroutines_->shortcuts()) {
      if (name == shortcut->name()) found = shortcut;
      names += names.empty() ? "" : ", ";
      names += shortcut->name();
    }
    if (found == nullptr) {
      const std::string message = std::string(usage) + ": name must be one of " + names;
      if (info[0].IsString()) {
        Napi::RangeError::New(env, message + ", not '" + name + "'").ThrowAsJavaScriptException();
      } else {
        Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
      }
      return env.Undefined();
    }
    if (!info[1].IsBoolean()) {
      Napi::TypeError::New(env, std::string(usage) + ": enabled must be a boolean").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string reason = "disabled by request";
    if (info.Length() > 2 && !info[2].IsUndefined()) {
      if (!info[2].IsString()) {
        Napi::TypeError::New(env, std::string(usage) + ": reason must be a string").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      reason = info[2].As<Napi::String>().Utf8Value();
    }
    found->SetEnabled(info[1].As<Napi::Boolean>().Value(), std::move(reason));
    return env.Undefined();
  }

  // Every shortcut's symbols, and the step guard prepared: for when a
  // debugger may step (an inspector session connecting), tests, benchmarks.
  Napi::Value WaitForV8Symbols(const Napi::CallbackInfo& info) {
    WaitForV8Functions();
    coroutines_->debug_step_guard().WaitForSymbols();
    return info.Env().Undefined();
  }

  Napi::Value ForceDebugStepCancelling(const Napi::CallbackInfo& info) {
    coroutines_->debug_step_guard().WaitForSymbols();
    coroutines_->debug_step_guard().ForceCancelling();
    return info.Env().Undefined();
  }

  Napi::Value SetArchiveByComponent(const Napi::CallbackInfo& info) {
    bool enabled;
    if (RequireBoolean(info, "setArchiveByComponent(enabled)", &enabled)) {
      coroutines_->direct_restore().SetArchiveByComponent(enabled);
    }
    return info.Env().Undefined();
  }

  Napi::Value RecurseNatively(const Napi::CallbackInfo& info) {
    uint32_t bytes;
    if (!RequireUint(info, 0, "byte count", &bytes)) return info.Env().Undefined();
    return Napi::Number::New(info.Env(), static_cast<double>(Recurse(bytes, nullptr)));
  }

  // The join stack's discovery (join_stack.h), driven by the greenlet layer
  // at load: locateJoinStack(outer, inner) from inside a nested join of the
  // two arrays, confirmJoinStack() once the join has returned.
  Napi::Value LocateJoinStack(const Napi::CallbackInfo& info) {
    if (!info[0].IsArray() || !info[1].IsArray()) {
      Napi::TypeError::New(info.Env(), "locateJoinStack(outer, inner) takes two arrays")
          .ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    v8::Isolate* isolate = v8::Isolate::GetCurrent();
    coroutines_->join_stack().Locate(isolate, isolate->GetCurrentContext(), coroutines_->context(),
                                     V8Value(info[0]), V8Value(info[1]));
    return info.Env().Undefined();
  }

  Napi::Value ConfirmJoinStack(const Napi::CallbackInfo& info) {
    coroutines_->join_stack().Confirm(v8::Isolate::GetCurrent()->GetCurrentContext());
    coroutines_->ResetJoinBaseline();
    return JoinStackInfo(info);
  }

  Napi::Value JoinStackInfo(const Napi::CallbackInfo& info) {
    const JoinStackGuard& guard = coroutines_->join_stack();
    Napi::Object result = Napi::Object::New(info.Env());
    result.Set("status", guard.on() ? "on" : "off");
    result.Set("reason", guard.reason());
    result.Set("entries", static_cast<double>(guard.Entries()));
    return result;
  }

  Napi::Value TrimMemory(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), TrimMallocHeap());
  }

  // captureStack(id, limit): the frame lines of coroutine `id`, or null.
  Napi::Value CaptureStack(const Napi::CallbackInfo& info) {
    uint32_t id;
    uint32_t limit;
    if (!RequireUint(info, 0, "coroutine id", &id) || !RequireUint(info, 1, "frame limit", &limit)) {
      return info.Env().Undefined();
    }
    std::string stack;
    if (!coroutines_->CaptureStack(id, limit, &stack)) return info.Env().Null();
    return Napi::String::New(info.Env(), stack);
  }

  // setLibraryPrefixes(prefixes): script names whose frames captureStack leaves out.
  Napi::Value SetLibraryPrefixes(const Napi::CallbackInfo& info) {
    if (!info[0].IsArray()) {
      Napi::TypeError::New(info.Env(), "setLibraryPrefixes(prefixes) takes an array of strings")
          .ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    Napi::Array array = info[0].As<Napi::Array>();
    std::vector<std::string> prefixes;
    for (uint32_t index = 0; index < array.Length(); ++index) {
      Napi::Value prefix = array.Get(index);
      if (!prefix.IsString()) {
        Napi::TypeError::New(info.Env(), "setLibraryPrefixes(prefixes) takes an array of strings")
            .ThrowAsJavaScriptException();
        return info.Env().Undefined();
      }
      std::string text = prefix.As<Napi::String>().Utf8Value();
      if (!text.empty()) prefixes.push_back(std::move(text));
    }
    coroutines_->SetLibraryPrefixes(std::move(prefixes));
    return info.Env().Undefined();
  }

  // setBlockingWatch(ms, frameLimit, pending, deliver): ms 0 turns it off.
  Napi::Value SetBlockingWatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t limit;
    if (!info[0].IsNumber() || !(info[0].As<Napi::Number>().DoubleValue() >= 0) ||
        !RequireUint(info, 1, "frame limit", &limit)) {
      if (!env.IsExceptionPending()) {
        Napi::TypeError::New(env, "setBlockingWatch(ms, frameLimit, pending, deliver)")
            .ThrowAsJavaScriptException();
      }
      return env.Undefined();
    }
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
        info[2].As<Napi::Uint8Array>().ElementLength() < 1 || !info[3].IsFunction()) {
      Napi::TypeError::New(env, "setBlockingWatch(ms, frameLimit, pending, deliver): a Uint8Array and a function")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Uint8Array pending = info[2].As<Napi::Uint8Array>();
    if (watchdog_ == nullptr) {
      // The byte's buffer stays alive as long as the watchdog (a reference).
      pending_ = Napi::Persistent(pending);
      watchdog_ = new Watchdog(env, v8::Isolate::GetCurrent(), coroutines_.get(),
                               coroutines_->switch_progress(), pending.Data());
    } else if (pending.Data() != pending_.Value().Data()) {
      Napi::TypeError::New(env, "setBlockingWatch(): the pending byte cannot change")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    watchdog_->Set(env, info[0].As<Napi::Number>().DoubleValue(), limit, info[3].As<Napi::Function>());
    return env.Undefined();
  }

  // takeBlockingReport(): { elapsedMs, coroutine, stack } or null.
  Napi::Value TakeBlockingReport(const Napi::CallbackInfo& info) {
    BlockingReport report;
    if (watchdog_ == nullptr || !watchdog_->Take(&report)) return info.Env().Null();
    Napi::Object result = Napi::Object::New(info.Env());
    result.Set("elapsedMs", report.elapsed_ms);
    result.Set("coroutine", static_cast<double>(report.coroutine));
    result.Set("stack", report.stack);
    return result;
  }

  Napi::Value Captures(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(coroutines_->captures()));
  }

  // napi_value and v8::Local<v8::Value> are the same handle (as Node's own
  // v8impl::V8LocalValueFromJsValue relies on).
  static v8::Local<v8::Value> V8Value(Napi::Value value) {
    v8::Local<v8::Value> local;
    napi_value raw = value;
    static_assert(sizeof(raw) == sizeof(local), "napi_value is a v8::Local");
    std::memcpy(static_cast<void*>(&local), &raw, sizeof raw);
    return local;
  }

  std::unique_ptr<Coroutines> coroutines_;
  // Frees itself once nothing can call into it (Watchdog::Shutdown).
  Watchdog* watchdog_ = nullptr;
  Napi::Reference<Napi::Uint8Array> pending_;

 public:
  ~Binding() {
    if (watchdog_ != nullptr) watchdog_->Shutdown();
  }
};

}  // namespace
}  // namespace stackless

using stackless::Binding;
NODE_API_ADDON(Binding)
