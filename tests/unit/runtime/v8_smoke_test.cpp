// Retires the toolchain risk: V8 from Debian's libnode (private prefix, rpath)
// initializes with the default platform and evaluates JavaScript.
#include <gtest/gtest.h>
#include <libplatform/libplatform.h>
#include <v8.h>

#include <memory>
#include <string>

namespace {

class V8Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    platform_ = v8::platform::NewDefaultPlatform();
    v8::V8::InitializePlatform(platform_.get());
    ASSERT_TRUE(v8::V8::Initialize());
  }
  void TearDown() override {
    v8::V8::Dispose();
    v8::V8::DisposePlatform();
  }

 private:
  std::unique_ptr<v8::Platform> platform_;
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new V8Environment);

std::string eval(const char* source) {
  v8::Isolate::CreateParams params;
  std::unique_ptr<v8::ArrayBuffer::Allocator> allocator(v8::ArrayBuffer::Allocator::NewDefaultAllocator());
  params.array_buffer_allocator = allocator.get();
  v8::Isolate* isolate = v8::Isolate::New(params);
  std::string out;
  {
    v8::Isolate::Scope isolateScope(isolate);
    v8::HandleScope handleScope(isolate);
    v8::Local<v8::Context> context = v8::Context::New(isolate);
    v8::Context::Scope contextScope(context);
    v8::TryCatch tryCatch(isolate);
    auto src = v8::String::NewFromUtf8(isolate, source).ToLocalChecked();
    v8::Local<v8::Script> script;
    v8::Local<v8::Value> result;
    if (v8::Script::Compile(context, src).ToLocal(&script) && script->Run(context).ToLocal(&result)) {
      v8::String::Utf8Value utf8(isolate, result);
      out = *utf8;
    } else {
      v8::String::Utf8Value utf8(isolate, tryCatch.Exception());
      out = std::string("exception: ") + *utf8;
    }
  }
  isolate->Dispose();
  return out;
}

TEST(V8Smoke, EvaluatesOnePlusOne) { EXPECT_EQ(eval("1 + 1"), "2"); }

TEST(V8Smoke, RunsModernSyntax) {
  EXPECT_EQ(eval("const f = (a, ...r) => a + r.length; class A { #x = 40; get x() { return this.#x } };"
                 "`${f(1, 2, 3)}-${new A().x + 2}-${[1, 2, 3].at(-1)}`"),
            "3-42-3");
}

TEST(V8Smoke, ReportsExceptions) { EXPECT_EQ(eval("throw new TypeError('boom')"), "exception: TypeError: boom"); }

TEST(V8Smoke, LinksDebianV8Version) {
  // Debian 12's libnode108 carries V8 10.2; Node 20's headers (V8 11.x) must not leak in.
  EXPECT_EQ(V8_MAJOR_VERSION, 10);
  EXPECT_TRUE(std::string(v8::V8::GetVersion()).starts_with("10.2.")) << v8::V8::GetVersion();
}

}  // namespace
