// The blocking-code watchdog: notices JavaScript that has run for a threshold
// without a coroutine switch and without the event loop turning, and records
// where it was running at that moment, without running any JavaScript.
//
// Progress is a counter the JS thread bumps (plain stores, one writer) at
// every switch and, while the watchdog is on, at every event-loop turn
// (uv_prepare before the loop waits, uv_check after). A thread of its own
// samples it; a stretch is the time the counter has stood still while the
// loop was not idle. When a stretch passes the threshold, the thread asks V8
// for an interrupt (Isolate::RequestInterrupt); V8 runs it on the JS thread
// at its next stack check, in whatever coroutine is running, where it walks
// that stack in C++ (Coroutines::FormatCurrentStack). The report waits there
// until the code yields: the greenlet layer picks it up at the next switch,
// or a thread-safe function call delivers it from the event loop.
//
// Between uv_prepare and the end of the loop's wait the loop may be idle, or
// running I/O callbacks. The watchdog does not count that time; it asks for
// a "probe" interrupt instead, which V8 services only once JavaScript runs
// again, and which starts a stretch there.
#pragma once

#include <napi.h>
#include <uv.h>
#include <v8.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace stackless {

class Coroutines;

struct BlockingReport {
  double elapsed_ms = 0;
  uint32_t coroutine = 0;
  std::string stack;
};

class Watchdog {
 public:
  // `progress` is bumped by the JS thread at every switch; `pending` is a
  // byte the greenlet layer reads on its switch path (1: a report waits),
  // in memory the caller keeps alive for as long as this object.
  Watchdog(Napi::Env env, v8::Isolate* isolate, Coroutines* coroutines,
           const std::atomic<uint64_t>* progress, uint8_t* pending);

  // Turns the watchdog on with a threshold in milliseconds (> 0), or off
  // (0). `deliver` is called from the event loop when a report waits.
  // `frame_limit` bounds the stack lines of each report.
  void Set(Napi::Env env, double threshold_ms, uint32_t frame_limit, Napi::Function deliver);
  // The report recorded, if any (then the pending byte is cleared).
  bool Take(BlockingReport* out);
  // Stops the thread and closes the loop handles; at the environment's end.
  // The object is freed once nothing can call into it any more.
  void Shutdown();

 private:
  void Run();
  void StopThread();
  void MarkLoopTurn(bool idle);
  static void OnPrepare(uv_prepare_t* handle);
  static void OnCheck(uv_check_t* handle);
  static void OnProbe(v8::Isolate* isolate, void* data);
  static void OnReport(v8::Isolate* isolate, void* data);
  static void OnClosed(uv_handle_t* handle);
  void MaybeFree();

  v8::Isolate* isolate_;
  Coroutines* coroutines_;
  const std::atomic<uint64_t>* switches_;
  uint8_t* pending_;  // written on the JS thread only
  uv_loop_t* loop_ = nullptr;
  uv_prepare_t prepare_{};
  uv_check_t check_{};
  bool handles_started_ = false;
  int handles_open_ = 0;
  bool shut_down_ = false;

  // Written by the JS thread, read by the watchdog thread.
  std::atomic<uint64_t> loop_turns_{0};
  // Bumped by a probe that finds the loop idle: JavaScript runs again. Not
  // counted when OnReport checks whether the code yielded (a probe queued
  // before the report is serviced first, and is no yield).
  std::atomic<uint64_t> probe_turns_{0};
  std::atomic<bool> idle_{false};
  std::atomic<int> outstanding_{0};  // interrupts requested, not yet run
  std::atomic<bool> probe_requested_{false};
  // Set by the watchdog thread for OnReport: the stretch it saw pass.
  std::atomic<uint64_t> report_progress_{0};  // switches + loop turns
  std::atomic<double> report_elapsed_ms_{0};
  std::atomic<bool> report_requested_{false};

  std::mutex mutex_;  // guards the settings and the thread's wake-ups
  std::condition_variable wake_;
  std::thread thread_;
  double threshold_ms_ = 0;
  bool stop_ = false;
  std::atomic<uint32_t> frame_limit_{10};

  // Touched on the JS thread only.
  bool has_report_ = false;
  BlockingReport report_;
  // Raw N-API: node-addon-api's default call aborts the process when the call
  // fails, which it does while a worker's environment is torn down.
  napi_threadsafe_function deliver_ = nullptr;
  // Thread-safe functions not yet finalized (by N-API, after a release or at
  // the environment's teardown, whichever comes first): this object must
  // outlive them, their finalizer reaching it.
  int live_delivers_ = 0;
  static void CallDeliver(napi_env env, napi_value js_callback, void* context, void* data);
  static void OnDeliverFinalized(napi_env env, void* finalize_data, void* hint);
  void ReleaseDeliver();
};

}  // namespace stackless
