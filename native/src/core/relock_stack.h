// A scratch stack, one per thread, on which a coroutine just resumed takes
// V8's lock back.
//
// ~v8::Unlocker (V8 relocking the isolate and restoring the resumed thread's
// state) runs several KB of C++ below the suspension point: the debugger's
// restore walks the stack. On the coroutine's own stack that would dirty a
// second page of every suspended coroutine, so it runs here instead, entered
// like a coroutine and swapped straight back. If no scratch stack can be
// mapped, the task runs in place.
#pragma once

#include "stacks/stack_pool.h"

namespace stackless {

class RelockStack {
 public:
  using Task = void (*)(void* data);

  RelockStack(Task task, void* data) : task_(task), data_(data) {}
  ~RelockStack();
  RelockStack(const RelockStack&) = delete;
  RelockStack& operator=(const RelockStack&) = delete;

  // Runs the task on the scratch stack (mapped at the first call) and returns
  // on the caller's stack once it is done.
  void Run();

 private:
  [[noreturn]] static void Main(void* self_as_void);

  Task task_;
  void* data_;
  Stack stack_;
  bool failed_ = false;  // no stack could be mapped: the task runs in place
  void* sp_ = nullptr;         // the scratch stack's saved context
  void* return_sp_ = nullptr;  // the caller's, while the task runs
};

}  // namespace stackless
