#include "v8/continuation_data_shield.h"

#include <type_traits>
#include <utility>

namespace stackless {

#if STACKLESS_ISOLATE_CPED
namespace {

// V8 14 replaced the accessors with ones taking v8::Data (the old ones are
// deprecated, and warnings are errors here). Templates over the isolate type,
// so that only the branch this V8 has is instantiated.
template <typename I, typename = void>
struct HasDataAccessors : std::false_type {};
template <typename I>
struct HasDataAccessors<I, std::void_t<decltype(std::declval<I&>().GetContinuationPreservedEmbedderDataV2())>>
    : std::true_type {};

template <typename I>
v8::Local<v8::Data> GetData(I* isolate) {
  if constexpr (HasDataAccessors<I>::value) {
    return isolate->GetContinuationPreservedEmbedderDataV2();
  } else {
    return isolate->GetContinuationPreservedEmbedderData();
  }
}

// An empty `data` leaves undefined in the slot.
template <typename I>
void SetData(I* isolate, v8::Local<v8::Data> data) {
  if constexpr (HasDataAccessors<I>::value) {
    isolate->SetContinuationPreservedEmbedderDataV2(data);
  } else {
    isolate->SetContinuationPreservedEmbedderData(
        data.IsEmpty() ? v8::Local<v8::Value>(v8::Undefined(isolate)) : data.template As<v8::Value>());
  }
}

// Undefined lives in read-only space: nothing to evacuate.
bool IsUndefined(v8::Local<v8::Data> data) {
  return data.IsEmpty() || (data->IsValue() && data.As<v8::Value>()->IsUndefined());
}

}  // namespace
#endif

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
  v8::Local<v8::Data> value = GetData(isolate);
  if (IsUndefined(value)) return;
  self->held_.Reset(isolate, value);
  SetData(isolate, v8::Local<v8::Data>());
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
  if (IsUndefined(GetData(isolate))) SetData(isolate, self->held_.Get(isolate));
  self->held_.Reset();
#endif
}

}  // namespace stackless
