#include "runtime/v8_values.hpp"

#include "lib/json.hpp"

#include <cmath>

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
    default: {
      auto context = isolate->GetCurrentContext();
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

void throwError(v8::Isolate* isolate, const Error& e) {
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
  isolate->ThrowException(error);
}

HttpReply toReply(v8::Isolate* isolate, v8::Local<v8::Value> v) {
  HttpReply r;
  if (!v->IsArray()) return errorReply(500, "internal: the handler's answer could not be read");
  auto context = isolate->GetCurrentContext();
  auto arr = v.As<v8::Array>();
  r.status = static_cast<int>(arr->Get(context, 0).ToLocalChecked()->Int32Value(context).FromMaybe(500));
  auto headers = arr->Get(context, 1).ToLocalChecked();
  if (headers->IsArray()) {
    auto h = headers.As<v8::Array>();
    for (uint32_t i = 0; i + 1 < h->Length(); i += 2)
      r.headers.emplace_back(str(isolate, h->Get(context, i).ToLocalChecked()),
                             str(isolate, h->Get(context, i + 1).ToLocalChecked()));
  }
  r.body = str(isolate, arr->Get(context, 2).ToLocalChecked());
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
