#include "v8_functions.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "v8_module.h"

namespace stackless {

namespace {

const char* const kMangledNames[] = {
    "_ZN2v88internal22HandleScopeImplementer21ArchiveSpacePerThreadEv",
    "_ZN2v88internal17ExternalReference23debug_is_active_addressEPNS0_7IsolateE",
    "_ZN2v88internal7Isolate19get_address_from_idENS0_16IsolateAddressIdE",
    "_ZN2v88internal13ThreadManager18GetFreeThreadStateEv",
    "_ZN2v88internal13ThreadManager20EagerlyArchiveThreadEv",
    "_ZN2v88internal13ThreadManager13RestoreThreadEv",
    "_ZN2v88internal11ThreadState6UnlinkEv",
    "_ZN2v88internal11ThreadState8LinkIntoENS1_4ListE",
    "_ZN2v88internal22HandleScopeImplementer13RestoreThreadEPc",
    "_ZN2v88internal7Isolate13RestoreThreadEPc",
    "_ZN2v88internal11Relocatable12RestoreStateEPNS0_7IsolateEPc",
    "_ZN2v88internal10StackGuard17RestoreStackGuardEPc",
    "_ZN2v88internal5Debug12RestoreDebugEPc",
    "_ZN2v88internal5Debug21ArchiveSpacePerThreadEv",
    "_ZN2v88internal11RegExpStack12RestoreStackEPc",
    "_ZN2v88internal12Bootstrapper12RestoreStateEPc",
    "_ZN2v84base14RecursiveMutex4LockEv",
    "_ZN2v84base14RecursiveMutex6UnlockEv",
    "_ZN2v88internal22HandleScopeImplementer13ArchiveThreadEPc",
    "_ZN2v88internal7Isolate13ArchiveThreadEPc",
    "_ZN2v88internal11Relocatable12ArchiveStateEPNS0_7IsolateEPc",
    "_ZN2v88internal10StackGuard17ArchiveStackGuardEPc",
    "_ZN2v88internal5Debug12ArchiveDebugEPc",
    "_ZN2v88internal11RegExpStack12ArchiveStackEPc",
    "_ZN2v88internal12Bootstrapper12ArchiveStateEPc",
    "_ZN2v88internal17ExternalReference32handle_scope_implementer_addressEPNS0_7IsolateE",
    "_ZN2v88internal17ExternalReference37address_of_regexp_stack_limit_addressEPNS0_7IsolateE",
    "_ZN2v88internal5Debug13ClearSteppingEv",
    "_ZN2v88internal5Debug24UpdateHookOnFunctionCallEv",
    "_ZN2v88internal5Debug26SetBreakOnNextFunctionCallEv",
    "_ZN2v85debug13ClearSteppingEPNS_7IsolateE",
    "_ZN2v88internal5Debug22SetBreakPointForScriptENS0_6HandleINS0_6ScriptEEENS2_INS0_6StringEEEPiS7_",
    "_ZN2v88internal5Debug22SetBreakPointForScriptENS0_6HandleINS0_6ScriptEEENS0_12DirectHandleINS0_6StringEEEPiS8_",
};
static_assert(sizeof kMangledNames / sizeof kMangledNames[0] ==
              static_cast<size_t>(V8Function::kCount));

class Lookup {
 public:
  static Lookup& Get() {
    static Lookup lookup;
    return lookup;
  }
  // Node unloads an addon when the last worker using it ends; the lookup
  // thread runs this module's code, so unloading (and exit) waits for it.
  ~Lookup() {
    if (thread_.joinable()) thread_.join();
  }
  const V8Functions* IfReady() const {
    return ready_.load(std::memory_order_acquire) ? &functions_ : nullptr;
  }
  const V8Functions& Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return ready_.load(std::memory_order_acquire); });
    return functions_;
  }

 private:
  Lookup() {
    try {
      thread_ = std::thread([this] { Run(); });
    } catch (...) {
      Run();  // no thread to be had: look up here, once
    }
  }

  void Run() {
    Look();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.store(true, std::memory_order_release);
    }
    done_.notify_all();
  }

  void Look() {
    V8Module module;
    if (!FindV8Module(&module, &functions_.error)) return;
    const std::vector<std::string> names(std::begin(kMangledNames), std::end(kMangledNames));
    std::vector<FunctionSymbol> found;
    if (!LookUpFunctions(module, names, &found, &functions_.error)) return;
    for (size_t i = 0; i < found.size(); ++i) functions_.symbol[i] = found[i];
  }

  V8Functions functions_;
  std::atomic<bool> ready_{false};
  std::mutex mutex_;
  std::condition_variable done_;
  std::thread thread_;  // last: started once the rest is built
};

}  // namespace

const V8Functions* V8FunctionsIfReady() { return Lookup::Get().IfReady(); }

const V8Functions& WaitForV8Functions() { return Lookup::Get().Wait(); }

}  // namespace stackless
