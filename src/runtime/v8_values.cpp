#include "runtime/v8_values.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include "lib/json.hpp"
#include "runtime/error_properties.hpp"

#include <tuple>

namespace m3m::runtime {

namespace {
// ASCII text is the same bytes in UTF-8 and Latin-1, so it needs no decoding
// or encoding at the boundary (most of a request and of an answer is ASCII).
bool isAscii(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  std::uint64_t any = 0;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    any |= word;
  }
  for (; n; ++p, --n) any |= static_cast<unsigned char>(*p);
  return (any & 0x8080808080808080ULL) == 0;
}
}  // namespace

v8::Local<v8::String> toV8(v8::Isolate* isolate, std::string_view s) {
  if (isAscii(s))
    return v8::String::NewFromOneByte(isolate, reinterpret_cast<const std::uint8_t*>(s.data()),
                                      v8::NewStringType::kNormal, static_cast<int>(s.size()))
        .ToLocalChecked();
  return v8::String::NewFromUtf8(isolate, s.data(), v8::NewStringType::kNormal, static_cast<int>(s.size()))
      .ToLocalChecked();
}

namespace {
// A string's UTF-8, written once into its std::string (Utf8Value would copy
// it twice). Lone surrogates come out as Utf8Value writes them.
std::string utf8(v8::Isolate* isolate, v8::Local<v8::String> s) {
  std::string out;
  if (s->IsOneByte()) {
    out.resize(static_cast<size_t>(s->Length()));
    s->WriteOneByte(isolate, reinterpret_cast<std::uint8_t*>(out.data()), 0, static_cast<int>(out.size()),
                    v8::String::NO_NULL_TERMINATION);
    if (isAscii(out)) return out;
  }
  out.resize(static_cast<size_t>(s->Utf8Length(isolate)));
  s->WriteUtf8(isolate, out.data(), static_cast<int>(out.size()), nullptr, v8::String::NO_NULL_TERMINATION);
  return out;
}

std::string str(v8::Isolate* isolate, v8::Local<v8::Value> v) {
  if (v->IsString()) return utf8(isolate, v.As<v8::String>());
  v8::String::Utf8Value u(isolate, v);
  return *u ? std::string(*u, static_cast<size_t>(u.length())) : std::string();
}
bool containsBinary(const Value& v) {
  if (v.is_binary()) return true;
  if (v.is_array() || v.is_object())
    for (const auto& item : v) if (containsBinary(item)) return true;
  return false;
}

using Bytes = Value::binary_t::container_type;

// The bytes of an ArrayBuffer, a SharedArrayBuffer or any view (a typed
// array, a DataView: its own window only); false for anything else.
bool bytesOf(v8::Local<v8::Value> v, Bytes& out) {
  if (v->IsArrayBufferView()) {
    auto view = v.As<v8::ArrayBufferView>();
    out.resize(view->ByteLength());
    if (!out.empty()) view->CopyContents(out.data(), out.size());
    return true;
  }
  std::shared_ptr<v8::BackingStore> store;
  if (v->IsArrayBuffer()) store = v.As<v8::ArrayBuffer>()->GetBackingStore();
  else if (v->IsSharedArrayBuffer()) store = v.As<v8::SharedArrayBuffer>()->GetBackingStore();
  else return false;
  const auto* data = static_cast<const std::uint8_t*>(store->Data());
  out.assign(data, data + store->ByteLength());
  return true;
}

size_t byteLength(v8::Local<v8::Value> v) {
  if (v->IsArrayBufferView()) return v.As<v8::ArrayBufferView>()->ByteLength();
  if (v->IsArrayBuffer()) return v.As<v8::ArrayBuffer>()->ByteLength();
  if (v->IsSharedArrayBuffer()) return v.As<v8::SharedArrayBuffer>()->ByteLength();
  return 0;
}

// ---- bytes nested in objects and arrays -------------------------------------
// toValue reads objects and arrays with JSON.stringify, which would turn a
// nested Uint8Array into {"0":…,"1":…} and an ArrayBuffer or a DataView
// into {}. Instead, the toJSON that installBytesToJson puts on the prototypes
// of typed arrays, DataView and (Shared)ArrayBuffer hands the bytes to the
// toValue running on this thread (a BytesCapture): they are set aside, a
// marker string stands in their place in the JSON, and after the parse the
// markers become binary Values. With no toValue running, toJSON returns the
// object itself, so JSON.stringify in the project's own code is unchanged.
// Plain objects cost nothing more: JSON.stringify looks toJSON up on every
// object anyway, and the markers are only searched for when bytes were met.
struct BytesCapture {
  std::vector<Bytes> found;
  size_t total = 0;
  size_t limit = 0;  // all the bytes of one value: the isolate's heap limit (set at the first bytes)
  BytesCapture* outer = nullptr;
};
thread_local BytesCapture* tCapture = nullptr;

// "\x01m3m-bytes-<random>-": no value of the project's collides by chance.
const std::string& markerPrefix() {
  static const std::string prefix = [] {
    std::random_device rd;
    char buf[48];
    std::snprintf(buf, sizeof buf, "\x01m3m-bytes-%08x%08x-", static_cast<unsigned>(rd()), static_cast<unsigned>(rd()));
    return std::string(buf);
  }();
  return prefix;
}

void bytesToJson(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* isolate = info.GetIsolate();
  v8::Local<v8::Value> self = info.This();
  info.GetReturnValue().Set(self);
  auto* capture = tCapture;
  if (!capture || !(self->IsArrayBufferView() || self->IsArrayBuffer() || self->IsSharedArrayBuffer())) return;
  const size_t size = byteLength(self);
  if (capture->limit == 0) {
    v8::HeapStatistics heap;
    isolate->GetHeapStatistics(&heap);
    capture->limit = heap.heap_size_limit();
  }
  if (size > capture->limit - capture->total) {
    isolate->ThrowException(makeError(
        isolate, Error(ErrorCode::PAYLOAD_TOO_LARGE,
                       "the bytes in a value passed to the host (" + std::to_string(capture->total + size) +
                           "+ bytes) exceed the project's memory limit (" + std::to_string(capture->limit) + " bytes)")));
    return;
  }
  Bytes bytes;
  bytesOf(self, bytes);
  capture->total += size;
  capture->found.push_back(std::move(bytes));
  info.GetReturnValue().Set(toV8(isolate, markerPrefix() + std::to_string(capture->found.size() - 1)));
}

// Markers → the bytes they stand for (depth is bounded by lib::parseJson).
void restoreBytes(Value& v, std::vector<Bytes>& found) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    const auto& prefix = markerPrefix();
    if (s.size() <= prefix.size() || s.compare(0, prefix.size(), prefix) != 0) return;
    size_t index = 0;
    for (size_t i = prefix.size(); i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return;
      index = index * 10 + static_cast<size_t>(s[i] - '0');
      if (index >= found.size()) return;
    }
    v = Value::binary(std::move(found[index]));
  } else if (v.is_array() || v.is_object()) {
    for (auto& item : v) restoreBytes(item, found);
  }
}

}  // namespace

void installBytesToJson(v8::Local<v8::Context> context) {
  auto* isolate = context->GetIsolate();
  v8::HandleScope scope(isolate);
  auto global = context->Global();
  auto get = [&](v8::Local<v8::Object> o, const char* key) -> v8::Local<v8::Value> {
    v8::Local<v8::Value> out;
    if (!o->Get(context, toV8(isolate, key)).ToLocal(&out)) return v8::Undefined(isolate);
    return out;
  };
  auto prototypeOf = [&](const char* ctor) -> v8::Local<v8::Value> {
    auto c = get(global, ctor);
    return c->IsFunction() ? get(c.As<v8::Object>(), "prototype") : v8::Local<v8::Value>(v8::Undefined(isolate));
  };
  std::vector<v8::Local<v8::Value>> prototypes = {prototypeOf("DataView"), prototypeOf("ArrayBuffer"),
                                                  prototypeOf("SharedArrayBuffer")};
  // %TypedArray%.prototype: the one prototype every typed array shares.
  if (auto u8 = prototypeOf("Uint8Array"); u8->IsObject()) prototypes.push_back(u8.As<v8::Object>()->GetPrototype());
  auto fn = v8::Function::New(context, &bytesToJson, v8::Local<v8::Value>(), 1, v8::ConstructorBehavior::kThrow)
                .ToLocalChecked();
  fn->SetName(toV8(isolate, "toJSON"));
  for (auto p : prototypes)
    if (p->IsObject())
      std::ignore = p.As<v8::Object>()->DefineOwnProperty(context, toV8(isolate, "toJSON"), fn, v8::DontEnum);
}

Value toValue(v8::Isolate* isolate, v8::Local<v8::Value> v) {
  if (v->IsNullOrUndefined() || v->IsFunction()) return nullptr;
  if (v->IsString()) return str(isolate, v);
  if (v->IsBoolean()) return v->IsTrue();
  if (v->IsInt32()) return v.As<v8::Int32>()->Value();
  if (v->IsNumber()) {
    // Integral numbers in the exact range stay integers (64-bit fields take them).
    double d = v.As<v8::Number>()->Value();
    if (std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0) return static_cast<std::int64_t>(d);
    return d;
  }
  // Bytes (typed arrays, DataView, ArrayBuffer): JSON's binary type.
  if (Bytes bytes; bytesOf(v, bytes)) return Value::binary(std::move(bytes));
  // Objects and arrays: through JSON, which defines the data subset exactly;
  // bytes inside are set aside by their toJSON (above).
  auto context = isolate->GetCurrentContext();
  v8::Local<v8::String> json;
  BytesCapture capture;
  capture.outer = tCapture;
  tCapture = &capture;
  const bool ok = v8::JSON::Stringify(context, v).ToLocal(&json);
  tCapture = capture.outer;
  if (!ok) throw JsExceptionPending{};
  Value out = lib::parseJson(str(isolate, json), "a value passed to the host");
  if (!capture.found.empty()) restoreBytes(out, capture.found);
  return out;
}

v8::Local<v8::Value> fromValue(v8::Isolate* isolate, const Value& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded: return v8::Null(isolate);
    case nlohmann::json::value_t::boolean: return v8::Boolean::New(isolate, v.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return v8::Number::New(isolate, v.get<double>());
    case nlohmann::json::value_t::string: return toV8(isolate, v.get_ref<const std::string&>());
    case nlohmann::json::value_t::binary: {
      // A Uint8Array on memory of the isolate's allocator, so it counts in the
      // project's budget; past the budget a RangeError, not V8's fatal OOM
      // (which ArrayBuffer::New would be).
      const auto& bytes = v.get_binary();
      if (bytes.empty()) return v8::Uint8Array::New(v8::ArrayBuffer::New(isolate, 0), 0, 0);
      auto* allocator = isolate->GetArrayBufferAllocator();
      void* data = allocator->AllocateUninitialized(bytes.size());
      if (!data) {
        isolate->ThrowException(v8::Exception::RangeError(
            toV8(isolate, "the result (" + std::to_string(bytes.size()) + " bytes) exceeds the project's memory budget")));
        return v8::Undefined(isolate);
      }
      std::memcpy(data, bytes.data(), bytes.size());
      auto store = v8::ArrayBuffer::NewBackingStore(
          data, bytes.size(),
          [](void* p, size_t length, void* owner) { static_cast<v8::ArrayBuffer::Allocator*>(owner)->Free(p, length); },
          allocator);
      return v8::Uint8Array::New(v8::ArrayBuffer::New(isolate, std::move(store)), 0, bytes.size());
    }
    default: {
      auto context = isolate->GetCurrentContext();
      // Bytes inside: built member by member (JSON has no bytes); else
      // through JSON.parse, faster for the large results of database calls.
      if (containsBinary(v)) {
        if (v.is_array()) {
          auto out = v8::Array::New(isolate, static_cast<int>(v.size()));
          for (std::uint32_t i = 0; i < v.size(); ++i) std::ignore = out->Set(context, i, fromValue(isolate, v[i]));
          return out;
        }
        auto out = v8::Object::New(isolate);
        for (const auto& [k, item] : v.items()) std::ignore = out->Set(context, toV8(isolate, k), fromValue(isolate, item));
        return out;
      }
      v8::Local<v8::Value> out;
      if (v8::JSON::Parse(context, toV8(isolate, v.dump())).ToLocal(&out)) return out;
      return v8::Null(isolate);
    }
  }
}

std::string describeException(v8::Isolate* isolate, v8::Local<v8::Value> exception, bool withStack) {
  if (exception.IsEmpty()) return "unknown error";
  if (withStack && exception->IsObject()) {
    auto context = isolate->GetCurrentContext();
    v8::Local<v8::Value> stack;
    if (exception.As<v8::Object>()->Get(context, toV8(isolate, "stack")).ToLocal(&stack) && stack->IsString())
      return str(isolate, stack);
  }
  return str(isolate, exception);
}

std::string describeLocation(v8::Isolate* isolate, const v8::TryCatch& tc) {
  auto message = tc.Message();
  if (message.IsEmpty()) return "";
  auto context = isolate->GetCurrentContext();
  int line = message->GetLineNumber(context).FromMaybe(0);
  int column = message->GetStartColumn(context).FromMaybe(-1) + 1;
  return "at line " + std::to_string(line) + ":" + std::to_string(column);
}

void throwTypeError(v8::Isolate* isolate, const std::string& message) {
  isolate->ThrowException(v8::Exception::TypeError(toV8(isolate, message)));
}

void throwError(v8::Isolate* isolate, const Error& e) { isolate->ThrowException(makeError(isolate, e)); }

v8::Local<v8::Value> makeError(v8::Isolate* isolate, const Error& e) {
  auto message = toV8(isolate, e.what());
  v8::Local<v8::Value> error;
  auto js = errorJsClass(e.code());
  if (js == "TypeError") error = v8::Exception::TypeError(message);
  else if (js == "RangeError") error = v8::Exception::RangeError(message);
  else error = v8::Exception::Error(message);
  auto context = isolate->GetCurrentContext();
  std::ignore = error.As<v8::Object>()->Set(context, toV8(isolate, "code"), toV8(isolate, errorCodeName(e.code())));
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& [k, msg] : e.fields())
    if (k != kErrorPropertiesKey) fields[k] = msg;
  std::ignore = error.As<v8::Object>()->Set(context, toV8(isolate, "fields"), fromValue(isolate, fields));
  if (auto properties = errorProperties(e))
    for (const auto& [k, v] : properties->items())
      if (!isReservedErrorProperty(k)) std::ignore = error.As<v8::Object>()->Set(context, toV8(isolate, k), fromValue(isolate, v));
  return error;
}

namespace {
bool isTokenChar(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}
// field-value: visible characters, spaces, tabs and obs-text; no other control.
bool isFieldValue(std::string_view v) {
  return std::none_of(v.begin(), v.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}
std::string shownText(std::string_view s) {
  // For the run log: a header name or value shown with its control characters escaped.
  std::string out = "\"";
  for (char ch : s.substr(0, 100)) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + (s.size() > 100 ? "…\"" : "\"");
}
}  // namespace

namespace {
// The checks of every answer, wherever its parts come from: `headerAt(i)` for
// i < headerValues gives names and values in turn (a lone last one is ignored).
template <class HeaderAt>
std::optional<HttpReply> readReply(v8::Isolate* isolate, v8::Local<v8::Value> status, std::uint32_t headerValues,
                                   HeaderAt&& headerAt, v8::Local<v8::Value> body, size_t maxBody,
                                   std::string& problem) {
  HttpReply r;
  if (!status->IsNumber()) {
    problem = "the response status is not a number";
    return std::nullopt;
  }
  double s = status.As<v8::Number>()->Value();
  if (!(s >= 200 && s <= 599) || s != static_cast<int>(s)) {
    problem = "the response status " + str(isolate, status) + " is not a final HTTP status (an integer 200-599)";
    return std::nullopt;
  }
  r.status = static_cast<int>(s);
  r.headers.reserve(headerValues / 2);
  for (std::uint32_t i = 0; i + 1 < headerValues; i += 2) {
    auto name = str(isolate, headerAt(i));
    auto value = str(isolate, headerAt(i + 1));
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return isTokenChar(static_cast<unsigned char>(c)); })) {
      problem = "the response header name " + shownText(name) + " is not an HTTP token (RFC 7230)";
      return std::nullopt;
    }
    if (!isFieldValue(value)) {
      problem = "the response header " + name + " has a control character (NUL, CR, LF…) in its value " + shownText(value);
      return std::nullopt;
    }
    r.headers.emplace_back(std::move(name), std::move(value));
  }
  // Measured before it is copied out: a string's length (UTF-16 units) is
  // free and never more than its UTF-8 size, so a huge string is refused
  // without being flattened or copied.
  const auto tooBig = [&](size_t bytes) {
    problem = "the response body (" + std::to_string(bytes) + "+ bytes) exceeds runtime.max_response (" +
              std::to_string(maxBody) + " bytes)";
    return std::nullopt;
  };
  if (body->IsString()) {
    auto text = body.As<v8::String>();
    if (static_cast<size_t>(text->Length()) > maxBody) return tooBig(static_cast<size_t>(text->Length()));
    if (static_cast<size_t>(text->Length()) * 3 > maxBody && static_cast<size_t>(text->Utf8Length(isolate)) > maxBody)
      return tooBig(static_cast<size_t>(text->Utf8Length(isolate)));
    r.body = utf8(isolate, text);
    return r;
  }
  // Bytes (an ArrayBuffer or any view: prelude.js passes them through) are copied as they are.
  if (body->IsArrayBufferView() || body->IsArrayBuffer()) {
    size_t length = 0;
    const char* data = nullptr;
    std::shared_ptr<v8::BackingStore> store;
    if (body->IsArrayBufferView()) {
      auto view = body.As<v8::ArrayBufferView>();
      length = view->ByteLength();
      store = view->Buffer()->GetBackingStore();
      data = store->Data() ? static_cast<const char*>(store->Data()) + view->ByteOffset() : nullptr;
    } else {
      store = body.As<v8::ArrayBuffer>()->GetBackingStore();
      length = store->ByteLength();
      data = static_cast<const char*>(store->Data());
    }
    if (length > maxBody) return tooBig(length);
    if (data && length) r.body.assign(data, length);
    return r;
  }
  r.body = str(isolate, body);
  if (r.body.size() > maxBody) return tooBig(r.body.size());
  return r;
}
}  // namespace

std::optional<HttpReply> toReply(v8::Isolate* isolate, v8::Local<v8::Value> v, size_t maxBody, std::string& problem) {
  if (!v->IsArray()) {
    problem = "the handler's answer could not be read";
    return std::nullopt;
  }
  auto context = isolate->GetCurrentContext();
  auto arr = v.As<v8::Array>();
  v8::Local<v8::Value> status;
  if (!arr->Get(context, 0).ToLocal(&status) || !status->IsNumber()) {
    problem = "the response status is not a number";
    return std::nullopt;
  }
  auto body = arr->Get(context, 1).ToLocalChecked();
  const std::uint32_t n = arr->Length();
  return readReply(isolate, status, n > 2 ? n - 2 : 0,
                   [&](std::uint32_t i) { return arr->Get(context, i + 2).ToLocalChecked(); }, body, maxBody, problem);
}

std::optional<HttpReply> toReply(const v8::FunctionCallbackInfo<v8::Value>& args, size_t maxBody, std::string& problem) {
  const int n = args.Length();
  return readReply(args.GetIsolate(), args[0], n > 2 ? static_cast<std::uint32_t>(n - 2) : 0,
                   [&](std::uint32_t i) { return args[static_cast<int>(i) + 2]; }, args[1], maxBody, problem);
}

HttpReply errorReply(int status, const std::string& message) {
  HttpReply r;
  r.status = status;
  const char* code = status == 503 ? "UNAVAILABLE" : status == 504 ? "TIMEOUT" : status == 404 ? "NOT_FOUND" : "INTERNAL";
  r.headers = {{"Content-Type", "application/json"}};
  if (status == 503) r.headers.emplace_back("Retry-After", "5");
  r.body = nlohmann::json{{"error", {{"code", code}, {"message", message}, {"fields", nlohmann::json::object()}}}}.dump();
  return r;
}

}  // namespace m3m::runtime
