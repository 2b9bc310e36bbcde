#include "runtime/text_codec.hpp"

#include <unicode/ustring.h>

#include <string_view>
#include <tuple>

#include "runtime/v8_values.hpp"

namespace m3m::runtime {

namespace {

void utf8Encode(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* isolate = info.GetIsolate();
  v8::Local<v8::String> s;
  if (!info[0]->ToString(isolate->GetCurrentContext()).ToLocal(&s)) return;
  const int length = s->Utf8Length(isolate);
  if (length == 0) return info.GetReturnValue().Set(v8::Uint8Array::New(v8::ArrayBuffer::New(isolate, 0), 0, 0));
  // On the isolate's allocator: the bytes count in the project's budget.
  auto* allocator = isolate->GetArrayBufferAllocator();
  void* data = allocator->AllocateUninitialized(static_cast<size_t>(length));
  if (!data) {
    isolate->ThrowException(v8::Exception::RangeError(toV8(isolate, "TextEncoder: the result exceeds the project's memory budget")));
    return;
  }
  s->WriteUtf8(isolate, static_cast<char*>(data), length, nullptr,
               v8::String::NO_NULL_TERMINATION | v8::String::REPLACE_INVALID_UTF8);
  auto store = v8::ArrayBuffer::NewBackingStore(
      data, static_cast<size_t>(length),
      [](void* p, size_t n, void* owner) { static_cast<v8::ArrayBuffer::Allocator*>(owner)->Free(p, n); }, allocator);
  info.GetReturnValue().Set(v8::Uint8Array::New(v8::ArrayBuffer::New(isolate, std::move(store)), 0, static_cast<size_t>(length)));
}

bool validUtf8(std::string_view bytes) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t needed = 0;
  // Preflight (no destination): reports U_INVALID_CHAR_FOUND on ill-formed input.
  u_strFromUTF8(nullptr, 0, &needed, bytes.data(), static_cast<int32_t>(bytes.size()), &status);
  return status != U_INVALID_CHAR_FOUND && status != U_ILLEGAL_CHAR_FOUND;
}

void utf8Decode(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* isolate = info.GetIsolate();
  std::string_view bytes;
  std::shared_ptr<v8::BackingStore> keep;
  if (info[0]->IsArrayBufferView()) {
    auto view = info[0].As<v8::ArrayBufferView>();
    keep = view->Buffer()->GetBackingStore();
    bytes = {static_cast<const char*>(keep->Data()) + view->ByteOffset(), view->ByteLength()};
  } else if (info[0]->IsArrayBuffer()) {
    keep = info[0].As<v8::ArrayBuffer>()->GetBackingStore();
    bytes = {static_cast<const char*>(keep->Data()), keep->ByteLength()};
  } else if (info[0]->IsSharedArrayBuffer()) {
    keep = info[0].As<v8::SharedArrayBuffer>()->GetBackingStore();
    bytes = {static_cast<const char*>(keep->Data()), keep->ByteLength()};
  } else {
    isolate->ThrowException(v8::Exception::TypeError(
        toV8(isolate, "TextDecoder.decode: the input must be an ArrayBuffer or an ArrayBufferView")));
    return;
  }
  if (bytes.size() > static_cast<size_t>(v8::String::kMaxLength)) {
    isolate->ThrowException(v8::Exception::RangeError(toV8(isolate, "TextDecoder.decode: the input is too large for a string")));
    return;
  }
  if (info[1]->IsTrue() && !validUtf8(bytes)) {
    isolate->ThrowException(v8::Exception::TypeError(toV8(isolate, "TextDecoder.decode: the data is not valid utf-8")));
    return;
  }
  v8::Local<v8::String> s;
  if (v8::String::NewFromUtf8(isolate, bytes.data(), v8::NewStringType::kNormal, static_cast<int>(bytes.size())).ToLocal(&s))
    info.GetReturnValue().Set(s);
}

}  // namespace

void addTextCodec(v8::Local<v8::Context> context, v8::Local<v8::Object> host) {
  auto* isolate = context->GetIsolate();
  std::ignore = host->Set(context, toV8(isolate, "utf8Encode"), v8::Function::New(context, &utf8Encode).ToLocalChecked());
  std::ignore = host->Set(context, toV8(isolate, "utf8Decode"), v8::Function::New(context, &utf8Decode).ToLocalChecked());
}

}  // namespace m3m::runtime
