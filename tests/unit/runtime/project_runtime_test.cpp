// The V8 host in-process: lifecycle, limits and teardown guarantees.
#include "runtime/project_runtime.hpp"

#include <gtest/gtest.h>
#include <v8.h>

#include <future>
#include <thread>

#include "runtime/engine.hpp"
#include "runtime/modules/builtin_modules.hpp"
#include "runtime/typescript/printer.hpp"
#include "runtime_harness.hpp"

using namespace m3m;
using namespace m3m::runtime;
using namespace std::chrono_literals;

namespace {

class EngineEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { engine_ = std::make_unique<Engine>(); }
  void TearDown() override { engine_.reset(); }

 private:
  std::unique_ptr<Engine> engine_;
};
const auto* const kEngine = ::testing::AddGlobalTestEnvironment(new EngineEnvironment);

}  // namespace

TEST(ProjectRuntime, BootsStartsAndServes) {
  Harness h(R"(
    const order = []
    service.boot(async () => { await new Promise(r => setTimeout(r, 5)); order.push('boot') })
    service.start(() => {
      order.push('start')
      router.get('/hello/:name', ctx => ({ hello: ctx.params.name, order, env: env.get('N'), project: service.project }))
    })
  )");
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  EXPECT_EQ(h.rt->snapshot().state, RunState::Running);
  auto r = h.call("/hello/ann");
  EXPECT_EQ(r.status, 200);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["hello"], "ann");
  EXPECT_EQ(j["order"], nlohmann::json::array({"boot", "start"}));
  EXPECT_EQ(j["env"], 42);
  EXPECT_EQ(j["project"]["url"], "http://x/r/shop");
  EXPECT_EQ(h.call("/missing").status, 404);
}

TEST(ProjectRuntime, SyntaxErrorsNameLineAndColumn) {
  Harness h("const a = 1\nconst b = )\n");
  auto o = h.rt->boot();
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("line 2:"), std::string::npos) << o.error;
  EXPECT_EQ(h.rt->snapshot().state, RunState::Failed);
  EXPECT_NE(h.logText().find("syntax error"), std::string::npos);
}

TEST(ProjectRuntime, ExceptionInBootFailsTheRun) {
  Harness h("service.boot(() => { throw new Error('no config') })");
  auto o = h.rt->boot();
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("no config"), std::string::npos);
  EXPECT_NE(h.rt->snapshot().lastError.find("no config"), std::string::npos);
}

TEST(ProjectRuntime, CpuLimitStopsOneCallAndTheNextOneWorks) {
  Harness h(R"(service.start(() => {
    router.get('/spin', () => { while (true) {} })
    router.get('/ok', () => ({ ok: true }))
  }))");
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto t0 = std::chrono::steady_clock::now();
  auto spin = h.call("/spin");
  EXPECT_EQ(spin.status, 500);
  EXPECT_NE(spin.body.find("CPU time limit"), std::string::npos) << spin.body;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_EQ(h.call("/ok").status, 200) << "the termination was cancelled, the next task runs";
  EXPECT_EQ(h.rt->snapshot().state, RunState::Running);
}

TEST(ProjectRuntime, HeapBombFailsTheProjectNotTheProcess) {
  RuntimeLimits l = Harness::quick();
  l.cpuTimeout = 20s;  // the heap limit, not the CPU limit, must stop it
  Harness h(R"(service.start(() => {
    router.get('/bomb', () => { const a = []; while (true) a.push(new Array(100000).fill(a.length)) })
  }))", l);
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto r = h.call("/bomb");
  EXPECT_GE(r.status, 500);
  auto snap = h.rt->snapshot();
  EXPECT_EQ(snap.state, RunState::Failed);
  EXPECT_NE(snap.lastError.find("heap limit"), std::string::npos) << snap.lastError;
}

TEST(ProjectRuntime, ArrayBufferMemoryIsBudgeted) {
  Harness h(R"(service.start(() => {
    router.get('/ab', () => { try { new ArrayBuffer(200 * 1024 * 1024); return { allocated: true } } catch (e) { return { error: e.name } } })
  }))");
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto j = nlohmann::json::parse(h.call("/ab").body);
  EXPECT_EQ(j["error"], "RangeError") << j.dump();
}

TEST(ProjectRuntime, DeepRecursionIsACatchableRangeError) {
  Harness h(R"(service.start(() => {
    router.get('/deep', () => { function f() { return f() } try { f() } catch (e) { return { name: e.name } } })
  }))");
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  EXPECT_EQ(nlohmann::json::parse(h.call("/deep").body)["name"], "RangeError");
}

TEST(ProjectRuntime, NothingRunsAfterStop) {
  Harness h(R"(
    service.start(() => { setInterval(() => logger.info('tick'), 10) })
    service.shutdown(() => logger.info('bye'))
  )");
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  std::this_thread::sleep_for(100ms);
  h.rt->stop();
  auto after = h.logText();
  EXPECT_NE(after.find("bye"), std::string::npos) << "shutdown ran";
  EXPECT_NE(after.find("tick"), std::string::npos);
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(h.logText(), after) << "no interval fired after stop";
  EXPECT_EQ(h.rt->snapshot().state, RunState::Stopped);
}

TEST(ProjectRuntime, StopEndsABusyScriptQuickly) {
  RuntimeLimits l = Harness::quick();
  l.cpuTimeout = 30s;  // the watchdog would not save us: stop must
  Harness h("service.start(() => router.get('/spin', () => { while (true) {} }))", l);
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  std::promise<HttpReply> p;
  h.rt->dispatch({"GET", "/spin", "", {}, "", "r"}, [&p](HttpReply r) { p.set_value(std::move(r)); });
  std::this_thread::sleep_for(100ms);
  auto t0 = std::chrono::steady_clock::now();
  h.rt->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(1s), std::future_status::ready) << "the request got an answer";
  EXPECT_GE(f.get().status, 500);
}

TEST(ProjectRuntime, PendingAsyncRequestsGetAnAnswerOnStop) {
  Harness h("service.start(() => router.get('/never', () => new Promise(() => {})))");
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  std::promise<HttpReply> p;
  h.rt->dispatch({"GET", "/never", "", {}, "", "r"}, [&p](HttpReply r) { p.set_value(std::move(r)); });
  std::this_thread::sleep_for(50ms);
  h.rt->stop();
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(f.get().status, 503);
}

TEST(ProjectRuntime, ModuleArgumentErrorsNameTheArgument) {
  Harness h(R"(service.start(() => router.get('/bad', () => { try { env.get(5) } catch (e) { return { m: e.message, code: e.code, name: e.name } } })))");
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto j = nlohmann::json::parse(h.call("/bad").body);
  EXPECT_EQ(j["m"], "env.get: argument 1 (key) must be a string");
  EXPECT_EQ(j["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(j["name"], "TypeError");
}

TEST(ProjectRuntime, TopLevelBindingsAreLocalToTheRun) {
  Harness h("const x = 1; let y = 2; service.start(() => router.get('/g', () => ({ x: typeof globalThis.x, y: typeof globalThis.y })))");
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto j = nlohmann::json::parse(h.call("/g").body);
  EXPECT_EQ(j["x"], "undefined");
  EXPECT_EQ(j["y"], "undefined");
}

TEST(ProjectRuntime, TextEncoderRoundTripsUtf8) {
  Harness h(R"(service.start(() => router.get('/t', () => {
    const bytes = new TextEncoder().encode('héllo ✓')
    return { n: bytes.length, back: new TextDecoder().decode(bytes) }
  })))");
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto j = nlohmann::json::parse(h.call("/t").body);
  EXPECT_EQ(j["n"], 10);
  EXPECT_EQ(j["back"], "héllo ✓");
}

TEST(ProjectRuntime, ModulesCallJsCallbacksAndWrapTheirApi) {
  auto cleanedUp = std::make_shared<bool>(false);
  auto probe = ModuleBuilder("probe")
                   .function("twice", {param("fn", t::function("(x: number) => number"))}, t::number(), "",
                             [](CallContext&, const Args& a) -> Value {
                               return a.callback(0)({Value(20)}).get<int>() * 2;
                             })
                   .function("guarded", {param("fn", t::function("() => void"))}, t::string(), "",
                             [cleanedUp](CallContext&, const Args& a) -> Value {
                               struct Guard {
                                 std::shared_ptr<bool> flag;
                                 ~Guard() { *flag = true; }
                               } guard{cleanedUp};
                               a.callback(0)({});
                               return "not reached when fn throws";
                             })
                   .function("needsFn", {param("fn", t::function("() => void"))}, t::void_(), "",
                             [](CallContext&, const Args& a) -> Value {
                               a.callback(0);
                               return nullptr;
                             })
                   .property("answer", t::number())
                   .wrapper("(native) => ({ twice: (f) => native.twice(f), guarded: native.guarded, "
                            "needsFn: native.needsFn, answer: 42 })")
                   .build();
  Harness h(R"(
    service.start(() => router.get('/t', () => {
      let caught, typeError;
      try { probe.guarded(() => { throw new RangeError('inner') }) } catch (e) { caught = (e instanceof RangeError) && e.message }
      try { probe.needsFn(5) } catch (e) { typeError = e.message }
      return { twice: probe.twice((x) => x + 1), answer: probe.answer, caught, typeError }
    }))
  )",
            Harness::quick(), {probe});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto r = h.call("/t");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["twice"], 42);
  EXPECT_EQ(j["answer"], 42) << "the global is the wrapper's result";
  EXPECT_EQ(j["caught"], "inner") << "the callback's own exception reaches the caller";
  EXPECT_TRUE(*cleanedUp) << "the module unwound (RAII ran)";
  EXPECT_EQ(j["typeError"], "probe.needsFn: argument 1 (fn) must be a function");
  EXPECT_NE(printAll(h.modules).find("readonly answer: number;"), std::string::npos);
  h.rt->stop();
}

// --- issue 14 ------------------------------------------------------------

TEST(ProjectRuntime, AFailedStartEndsItsTimersAndLogsTheExceptionOnce) {
  Harness h(R"(
    service.start(() => { setInterval(() => logger.info('tick'), 5); throw new Error('start-boom') })
  )");
  ASSERT_TRUE(h.rt->boot().ok);
  EXPECT_FALSE(h.rt->start().ok);
  EXPECT_EQ(h.rt->snapshot().state, RunState::Failed);
  std::this_thread::sleep_for(100ms);
  auto log = h.logText();
  EXPECT_EQ(log.find("tick"), std::string::npos) << log;
  auto first = log.find("start-boom");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("start-boom", first + 1), std::string::npos) << "logged once:\n" << log;
  EXPECT_EQ(log.find("unhandled"), std::string::npos) << log;
  h.rt->stop();  // still safe
  EXPECT_EQ(h.rt->snapshot().state, RunState::Failed);
}

TEST(ProjectRuntime, WebAssemblyIsAbsentUnlessEnabled) {
  Harness h(R"(service.start(() => router.get('/t', () => ({ t: typeof WebAssembly }))))");
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  EXPECT_EQ(nlohmann::json::parse(h.call("/t").body)["t"], "undefined");
}

TEST(ProjectRuntime, AsyncWebAssemblyInstantiateResolvesOnTheLoop) {
  RuntimeLimits l = Harness::quick();
  l.wasm = true;
  // (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
  Harness h(R"(service.start(() => router.get('/add', async () => {
    const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,7,1,96,2,127,127,1,127,3,2,1,0,7,7,1,3,97,100,100,0,0,10,9,1,7,0,32,0,32,1,106,11])
    const { instance } = await WebAssembly.instantiate(bytes)
    return { sum: instance.exports.add(20, 22) }
  })))", l);
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  for (int i = 0; i < 3; ++i) {
    auto r = h.call("/add");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(nlohmann::json::parse(r.body)["sum"], 42);
  }
}

TEST(ProjectRuntime, ResponsesOverMaxResponseOrNotValidHttpAreRefused) {
  RuntimeLimits l = Harness::quick();
  l.maxResponse = 1000;
  Harness h(R"(service.start(() => {
    router.get('/big', () => 'x'.repeat(1001))
    router.get('/fits', () => 'x'.repeat(1000))
    router.get('/utf8', () => 'é'.repeat(501))
    router.get('/s101', () => { const r = router.response(200, ''); r.status = 101; return r })
    router.get('/nul', () => router.response(200, '', { 'X-A': 'a\0b' }))
  }))", l);
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  for (const char* p : {"/big", "/utf8", "/s101", "/nul"}) {
    auto r = h.call(p);
    EXPECT_EQ(r.status, 500) << p;
    EXPECT_NE(r.body.find("details are in the run log"), std::string::npos) << r.body;
  }
  EXPECT_EQ(h.call("/fits").status, 200);
  auto log = h.logText();
  EXPECT_NE(log.find("exceeds runtime.max_response (1000 bytes)"), std::string::npos) << log;
  EXPECT_NE(log.find("status 101 is not a final HTTP status"), std::string::npos) << log;
  EXPECT_NE(log.find("X-A has a control character"), std::string::npos) << log;
}

// The boundary's fast paths (ASCII copied as Latin-1 both ways) must not change
// a byte of non-ASCII text: Latin-1-only strings (one byte per character in V8
// but two in UTF-8), two-byte strings and lone surrogates, in bodies, header
// values and the request's own fields, for synchronous answers (host.reply)
// and awaited ones (the array read element by element) alike.
TEST(ProjectRuntime, TextCrossesTheBoundaryAsUtf8InBothAnswerPaths) {
  Harness h(R"(service.start(() => {
    const answers = {
      latin: () => router.response(200, 'héllo', { 'X-Word': 'café' }),
      two: () => '✓ ok',
      lone: () => 'a\uD800b',
      echo: (ctx) => ctx.path + '|' + ctx.rawBody,
    }
    for (const [name, fn] of Object.entries(answers)) {
      router.post('/sync/' + name + '/*', fn)
      router.post('/async/' + name + '/*', async (ctx) => { await null; return fn(ctx) })
    }
  }))", Harness::quick());
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  for (std::string mode : {"sync", "async"}) {
    auto latin = h.call("/" + mode + "/latin/x", "POST");
    ASSERT_EQ(latin.status, 200) << mode << latin.body;
    EXPECT_EQ(latin.body, "h\xC3\xA9llo") << mode;
    bool sawHeader = false;
    for (const auto& [k, v] : latin.headers)
      if (k == "X-Word") sawHeader = (v == "caf\xC3\xA9");
    EXPECT_TRUE(sawHeader) << mode;
    EXPECT_EQ(h.call("/" + mode + "/two/x", "POST").body, "\xE2\x9C\x93 ok") << mode;
    // As V8 writes a lone surrogate (WTF-8), as before the fast path.
    EXPECT_EQ(h.call("/" + mode + "/lone/x", "POST").body, "a\xED\xA0\x80" "b") << mode;
    auto echo = h.call("/" + mode + "/echo/\xC3\xA9t\xC3\xA9", "POST", "na\xC3\xAFve \xE2\x9C\x93 plain");
    EXPECT_EQ(echo.body, "/" + mode + "/echo/\xC3\xA9t\xC3\xA9|na\xC3\xAFve \xE2\x9C\x93 plain") << mode;
    EXPECT_EQ(h.call("/" + mode + "/echo/ascii", "POST", "only ascii").body, "/" + mode + "/echo/ascii|only ascii");
  }
}

// A hot function called once per request (the thread idles between requests)
// gets TurboFan code. With V8's concurrent recompilation the finished job's
// request to install its code was lost whenever the project's thread had let
// go of the isolate, and nothing but OSR'd loops was ever optimized.
TEST(ProjectRuntime, HotFunctionsCalledByRequestsGetOptimized) {
  // No inlining: `hot` must earn its own code, not ride inside its caller's.
  static constexpr std::string_view kNatives = "--allow-natives-syntax --no-turbo-inlining";
  v8::V8::SetFlagsFromString(kNatives.data(), kNatives.size());
  Harness h(R"(function hot(x) { return x * 2 + 1 }
  service.start(() => {
    router.post('/hot', () => String(hot(3)))
    // V8's OptimizationStatus: bit 4 (16) is "optimized".
    router.post('/status', () => String(%GetOptimizationStatus(hot)))
  }))", Harness::quick());
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  int status = 0;
  for (int i = 0; i < 20000 && !(status & 16); ++i) {
    auto r = h.call("/hot", "POST");
    ASSERT_EQ(r.body, "7");
    if (i % 500 == 499) status = std::stoi(h.call("/status", "POST").body);
  }
  EXPECT_TRUE(status & 16) << "OptimizationStatus " << status;
  static constexpr std::string_view kInlining = "--turbo-inlining";
  v8::V8::SetFlagsFromString(kInlining.data(), kInlining.size());
}
