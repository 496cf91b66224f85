#include "core/watchdog.h"

#include "core/coroutines.h"

#include <algorithm>
#include <chrono>

namespace stackless {

namespace {

// One per thread-safe function: which watchdog it belongs to and its handle,
// so that its finalizer forgets exactly that one.
struct DeliverContext {
  Watchdog* owner;
  napi_threadsafe_function handle = nullptr;
};

using Clock = std::chrono::steady_clock;

double MillisecondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// One writer (the JS thread): a plain load and store, no locked instruction.
void Bump(std::atomic<uint64_t>* counter) {
  counter->store(counter->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace

Watchdog::Watchdog(Napi::Env env, v8::Isolate* isolate, Coroutines* coroutines,
                   const std::atomic<uint64_t>* progress, uint8_t* pending)
    : isolate_(isolate), coroutines_(coroutines), switches_(progress), pending_(pending) {
  napi_get_uv_event_loop(env, &loop_);
}

void Watchdog::Set(Napi::Env env, double threshold_ms, uint32_t frame_limit,
                   Napi::Function deliver) {
  StopThread();
  frame_limit_.store(frame_limit, std::memory_order_relaxed);
  if (handles_started_) {
    uv_prepare_stop(&prepare_);
    uv_check_stop(&check_);
    handles_started_ = false;
  }
  ReleaseDeliver();
  if (threshold_ms <= 0 || loop_ == nullptr) return;
  napi_value name;
  auto* context = new DeliverContext{this};
  if (napi_create_string_utf8(env, "stackless blocking report", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, deliver, nullptr, name, 0, 1, context,
                                      &Watchdog::OnDeliverFinalized, context,
                                      &Watchdog::CallDeliver, &deliver_) != napi_ok) {
    delete context;
    deliver_ = nullptr;
    Napi::Error::New(env, "stackless: cannot create the watchdog's report delivery")
        .ThrowAsJavaScriptException();
    return;
  }
  context->handle = deliver_;
  ++live_delivers_;
  // Delivery must not keep the process alive.
  napi_unref_threadsafe_function(env, deliver_);
  if (handles_open_ == 0) {
    uv_prepare_init(loop_, &prepare_);
    uv_check_init(loop_, &check_);
    prepare_.data = this;
    check_.data = this;
    handles_open_ = 2;
  }
  uv_prepare_start(&prepare_, &Watchdog::OnPrepare);
  uv_check_start(&check_, &Watchdog::OnCheck);
  // The watchdog's own handles must not keep the process alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(&prepare_));
  uv_unref(reinterpret_cast<uv_handle_t*>(&check_));
  handles_started_ = true;
  idle_.store(false, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    threshold_ms_ = threshold_ms;
    stop_ = false;
  }
  thread_ = std::thread(&Watchdog::Run, this);
}

void Watchdog::StopThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    threshold_ms_ = 0;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Watchdog::Take(BlockingReport* out) {
  if (!has_report_) return false;
  *out = std::move(report_);
  report_ = BlockingReport{};
  has_report_ = false;
  *pending_ = 0;
  return true;
}

void Watchdog::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  const double threshold = threshold_ms_;
  // Sampling often enough that a stretch is seen to pass the threshold
  // within an eighth of it (at most 10 ms late), and no more often than 1 ms.
  const auto period = std::chrono::duration<double, std::milli>(std::clamp(threshold / 8, 1.0, 10.0));
  uint64_t last = ~uint64_t{0};
  Clock::time_point stretch_start = Clock::now();
  bool reported = false;
  while (!stop_) {
    wake_.wait_for(lock, period);
    if (stop_) break;
    const uint64_t yields =
        switches_->load(std::memory_order_relaxed) + loop_turns_.load(std::memory_order_relaxed);
    const uint64_t progress = yields + probe_turns_.load(std::memory_order_relaxed);
    const Clock::time_point now = Clock::now();
    const bool idle = idle_.load(std::memory_order_relaxed);
    if (progress != last || idle) {
      last = progress;
      stretch_start = now;
      reported = false;
      if (idle && !probe_requested_.exchange(true)) {
        outstanding_.fetch_add(1);
        isolate_->RequestInterrupt(&Watchdog::OnProbe, this);
      }
      continue;
    }
    if (reported) continue;
    const double elapsed = MillisecondsBetween(stretch_start, now);
    if (elapsed < threshold) continue;
    reported = true;  // once per stretch
    if (report_requested_.exchange(true)) continue;
    report_progress_.store(yields);
    report_elapsed_ms_.store(elapsed);
    outstanding_.fetch_add(1);
    isolate_->RequestInterrupt(&Watchdog::OnReport, this);
  }
}

void Watchdog::MarkLoopTurn(bool idle) {
  idle_.store(idle, std::memory_order_relaxed);
  Bump(&loop_turns_);
}

void Watchdog::OnPrepare(uv_prepare_t* handle) {
  static_cast<Watchdog*>(handle->data)->MarkLoopTurn(true);
}

void Watchdog::OnCheck(uv_check_t* handle) {
  static_cast<Watchdog*>(handle->data)->MarkLoopTurn(false);
}

void Watchdog::OnProbe(v8::Isolate*, void* data) {
  auto* self = static_cast<Watchdog*>(data);
  // JavaScript runs again after the loop was idle: a stretch starts here.
  self->probe_requested_.store(false);
  // Only a probe that finds the loop still marked idle starts a stretch; one
  // serviced after uv_check already did is no news.
  if (!self->shut_down_ && self->idle_.load(std::memory_order_relaxed)) {
    self->idle_.store(false, std::memory_order_relaxed);
    Bump(&self->probe_turns_);
  }
  self->outstanding_.fetch_sub(1);
  self->MaybeFree();
}

void Watchdog::OnReport(v8::Isolate*, void* data) {
  auto* self = static_cast<Watchdog*>(data);
  self->outstanding_.fetch_sub(1);
  self->report_requested_.store(false);
  if (self->shut_down_) {
    self->MaybeFree();
    return;
  }
  const uint64_t progress = self->switches_->load(std::memory_order_relaxed) +
                            self->loop_turns_.load(std::memory_order_relaxed);
  // The code yielded between the request and this stack check: the stretch
  // is over and what runs now is not what blocked.
  if (progress != self->report_progress_.load() || self->deliver_ == nullptr) return;
  self->report_.elapsed_ms = self->report_elapsed_ms_.load();
  self->report_.coroutine = self->coroutines_->current_id();
  // No JavaScript: V8's stack walk, formatted in C++.
  self->coroutines_->FormatCurrentStack(self->frame_limit_.load(std::memory_order_relaxed),
                                        &self->report_.stack);
  self->has_report_ = true;
  *self->pending_ = 1;
  napi_call_threadsafe_function(self->deliver_, nullptr, napi_tsfn_nonblocking);
}

void Watchdog::CallDeliver(napi_env env, napi_value js_callback, void*, void*) {
  // Null while the environment is being torn down: nothing to deliver to.
  if (env == nullptr || js_callback == nullptr) return;
  napi_value undefined, result;
  if (napi_get_undefined(env, &undefined) != napi_ok) return;
  // A failure (an exception from a listener) is left to N-API, which reports
  // it as uncaught; a refusal (teardown) is ignored.
  napi_call_function(env, undefined, js_callback, 0, nullptr, &result);
}

void Watchdog::OnDeliverFinalized(napi_env, void* finalize_data, void*) {
  auto* context = static_cast<DeliverContext*>(finalize_data);
  Watchdog* self = context->owner;
  if (self->deliver_ == context->handle) self->deliver_ = nullptr;
  --self->live_delivers_;
  delete context;
  self->MaybeFree();
}

void Watchdog::ReleaseDeliver() {
  if (deliver_ == nullptr) return;
  napi_release_threadsafe_function(deliver_, napi_tsfn_release);
  deliver_ = nullptr;
}

void Watchdog::Shutdown() {
  StopThread();
  shut_down_ = true;
  ReleaseDeliver();
  if (handles_open_ > 0) {
    if (handles_started_) {
      uv_prepare_stop(&prepare_);
      uv_check_stop(&check_);
      handles_started_ = false;
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&prepare_), &Watchdog::OnClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&check_), &Watchdog::OnClosed);
  }
  MaybeFree();
}

void Watchdog::OnClosed(uv_handle_t* handle) {
  auto* self = static_cast<Watchdog*>(handle->data);
  --self->handles_open_;
  self->MaybeFree();
}

void Watchdog::MaybeFree() {
  // Freed only when neither V8 (an interrupt still queued), libuv (a handle
  // not yet closed) nor N-API (a thread-safe function not yet finalized) can
  // call into it; otherwise it is left allocated, which
  // costs a few hundred bytes once per thread.
  if (shut_down_ && handles_open_ == 0 && live_delivers_ == 0 && outstanding_.load() == 0) {
    delete this;
  }
}

}  // namespace stackless
