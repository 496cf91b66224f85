#include "continuation_data_shield.h"

namespace stackless {

void ContinuationDataShield::Start(v8::Isolate* isolate, const size_t* live) {
#if !STACKLESS_ISOLATE_CPED
  return;  // nothing to shield (see the header)
#endif
  isolate_ = isolate;
  live_ = live;
  // Scavenges only: they are the collections that evacuate every young object
  // a root shows them (see the header).
  isolate_->AddGCPrologueCallback(&ContinuationDataShield::Prologue, this, v8::kGCTypeScavenge);
  isolate_->AddGCEpilogueCallback(&ContinuationDataShield::Epilogue, this, v8::kGCTypeScavenge);
  registered_ = true;
}

void ContinuationDataShield::Stop() {
  if (!registered_) return;
  isolate_->RemoveGCPrologueCallback(&ContinuationDataShield::Prologue, this);
  isolate_->RemoveGCEpilogueCallback(&ContinuationDataShield::Epilogue, this);
  registered_ = false;
  held_.Reset();
}

void ContinuationDataShield::Prologue(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags,
                                      void* data) {
#if STACKLESS_ISOLATE_CPED
  auto* self = static_cast<ContinuationDataShield*>(data);
  // No coroutine, no archived thread: the slot is visited once, as V8 intends.
  if (*self->live_ == 0 || !self->held_.IsEmpty()) return;
  // V8 opens a HandleScope around GC callbacks.
  v8::Local<v8::Value> value = isolate->GetContinuationPreservedEmbedderData();
  // Undefined lives in read-only space: nothing to evacuate.
  if (value.IsEmpty() || value->IsUndefined()) return;
  self->held_.Reset(isolate, value);
  isolate->SetContinuationPreservedEmbedderData(v8::Undefined(isolate));
  ++self->shielded_;
#endif
}

void ContinuationDataShield::Epilogue(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags,
                                      void* data) {
#if STACKLESS_ISOLATE_CPED
  auto* self = static_cast<ContinuationDataShield*>(data);
  if (self->held_.IsEmpty()) return;
  v8::HandleScope scope(isolate);
  // Had anything set the slot during the collection, its value would be the
  // newer one; V8 runs no JavaScript there, so this is the normal case.
  if (isolate->GetContinuationPreservedEmbedderData()->IsUndefined()) {
    isolate->SetContinuationPreservedEmbedderData(self->held_.Get(isolate));
  }
  self->held_.Reset();
#endif
}

}  // namespace stackless
