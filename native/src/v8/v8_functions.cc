#include "v8/v8_functions.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "v8/v8_module.h"

namespace stackless {

namespace {

const char* const kMangledNames[] = {
#define STACKLESS_V8_MANGLED_NAME(name, mangled) mangled,
    STACKLESS_V8_FUNCTIONS(STACKLESS_V8_MANGLED_NAME)
#undef STACKLESS_V8_MANGLED_NAME
};

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
