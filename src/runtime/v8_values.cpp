#include "runtime/v8_values.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdio>

#include "lib/json.hpp"

#include <tuple>

namespace m3m::runtime {

v8::Local<v8::String> toV8(v8::Isolate* isolate, std::string_view s) {
  return v8::String::NewFromUtf8(isolate, s.data(), v8::NewStringType::kNormal, static_cast<int>(s.size()))
      .ToLocalChecked();
}

namespace {
std::string str(v8::Isolate* isolate, v8::Local<v8::Value> v) {
  v8::String::Utf8Value u(isolate, v);
  return *u ? std::string(*u, static_cast<size_t>(u.length())) : std::string();
}
bool containsBinary(const Value& v) {
  if (v.is_binary()) return true;
  if (v.is_array() || v.is_object())
    for (const auto& item : v) if (containsBinary(item)) return true;
  return false;
}
}  // namespace

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
  // Bytes (Uint8Array and other views, ArrayBuffer) as a top-level value:
  // JSON's binary type (nested ones go through JSON like any object).
  if (v->IsArrayBufferView()) {
    auto view = v.As<v8::ArrayBufferView>();
    Value::binary_t::container_type bytes(view->ByteLength());
    if (!bytes.empty()) view->CopyContents(bytes.data(), bytes.size());
    return Value::binary(std::move(bytes));
  }
  if (v->IsArrayBuffer()) {
    auto buffer = v.As<v8::ArrayBuffer>();
    const auto* data = static_cast<const std::uint8_t*>(buffer->Data());
    return Value::binary(Value::binary_t::container_type(data, data + buffer->ByteLength()));
  }
  // Objects and arrays: through JSON, which defines the data subset exactly.
  auto context = isolate->GetCurrentContext();
  v8::Local<v8::String> json;
  if (!v8::JSON::Stringify(context, v).ToLocal(&json)) throw JsExceptionPending{};
  return lib::parseJson(str(isolate, json), "a value passed to the host");
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
  for (const auto& [k, msg] : e.fields()) fields[k] = msg;
  std::ignore = error.As<v8::Object>()->Set(context, toV8(isolate, "fields"), fromValue(isolate, fields));
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

std::optional<HttpReply> toReply(v8::Isolate* isolate, v8::Local<v8::Value> v, size_t maxBody, std::string& problem) {
  HttpReply r;
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
  double s = status.As<v8::Number>()->Value();
  if (!(s >= 200 && s <= 599) || s != static_cast<int>(s)) {
    problem = "the response status " + str(isolate, status) + " is not a final HTTP status (an integer 200-599)";
    return std::nullopt;
  }
  r.status = static_cast<int>(s);
  auto headers = arr->Get(context, 1).ToLocalChecked();
  if (headers->IsArray()) {
    auto h = headers.As<v8::Array>();
    for (uint32_t i = 0; i + 1 < h->Length(); i += 2) {
      auto name = str(isolate, h->Get(context, i).ToLocalChecked());
      auto value = str(isolate, h->Get(context, i + 1).ToLocalChecked());
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
  }
  v8::Local<v8::Value> body = arr->Get(context, 2).ToLocalChecked();
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
  }
  r.body = str(isolate, body);
  if (r.body.size() > maxBody) return tooBig(r.body.size());
  return r;
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
