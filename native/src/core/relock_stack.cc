#include "core/relock_stack.h"

#include "switch/context.h"

namespace stackless {

namespace {

// Ample for V8's thread restore, even with the debugger stepping. Untouched
// pages cost nothing.
constexpr size_t kRelockStackSize = 256 * 1024;

}  // namespace

RelockStack::~RelockStack() { UnmapStandaloneStack(stack_); }

void RelockStack::Run() {
  if (!stack_.valid() && !failed_) {
    stack_ = MapStandaloneStack(kRelockStackSize);
    failed_ = !stack_.valid();
    if (stack_.valid()) sp_ = PrepareContext(stack_.top(), &RelockStack::Main, this);
  }
  if (!stack_.valid()) {
    task_(data_);
    return;
  }
  stackless_swap_context(&return_sp_, sp_);
}

void RelockStack::Main(void* self_as_void) {
  auto* self = static_cast<RelockStack*>(self_as_void);
  for (;;) {
    self->task_(self->data_);
    stackless_swap_context(&self->sp_, self->return_sp_);
  }
}

}  // namespace stackless
