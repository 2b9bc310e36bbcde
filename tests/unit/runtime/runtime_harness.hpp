// A ProjectRuntime in-process with the built-in modules (and extra ones), for
// the runtime's unit tests. The V8 engine is set up once per test binary by
// project_runtime_test.cpp.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../store/temp_dir.hpp"
#include "runtime/modules/builtin_modules.hpp"
#include "runtime/project_runtime.hpp"

namespace m3m::runtime {

struct Harness {
  TempDir dir;
  std::shared_ptr<RunLog> log = std::make_shared<RunLog>(dir.path / "logs", 1 << 20);
  std::vector<ModuleSchema> modules;
  std::unique_ptr<ProjectRuntime> rt;

  explicit Harness(const std::string& code, RuntimeLimits limits = quick(), std::vector<ModuleSchema> extra = {}) {
    modules = builtins();
    for (auto& m : extra) modules.push_back(std::move(m));
    rt = std::make_unique<ProjectRuntime>(ProjectInfo{"p1", "shop", "http://x/r/shop"}, code, limits, log,
                                          std::make_shared<const std::vector<ModuleSchema>>(modules));
  }
  // The built-in modules as App lists them, with test backends: env knows N = 42;
  // no database, storage, goals or passwords (their calls throw UNAVAILABLE).
  static std::vector<ModuleSchema> builtins() {
    struct Env final : EnvBackend {
      std::optional<Value> get(const std::string&, const std::string& key) override {
        if (key == "N") return Value(42);
        return std::nullopt;
      }
    };
    std::vector<ModuleSchema> out;
    out.push_back(loggerModule());
    out.push_back(envModule(std::make_shared<Env>()));
    out.push_back(databaseModule(nullptr));
    out.push_back(goalsModule(nullptr));
    out.push_back(storageModule(nullptr));
    out.push_back(utilsModule({}));
    out.push_back(httpModule({}, nullptr));
    out.push_back(cryptoModule(nullptr));
    out.push_back(encodingModule());
    out.push_back(smtpModule({}, nullptr));
    return out;
  }
  static RuntimeLimits quick() {
    RuntimeLimits l;
    l.cpuTimeout = std::chrono::milliseconds(300);
    l.heapMb = 32;
    l.phaseTimeout = std::chrono::seconds(5);
    l.shutdownTimeout = std::chrono::seconds(1);
    return l;
  }
  HttpReply call(const std::string& path, const std::string& method = "GET", const std::string& body = "") {
    auto f = send(path, method, body);
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready) << path;
    return f.get();
  }
  // A call whose answer comes later.
  std::future<HttpReply> send(const std::string& path, const std::string& method = "GET", const std::string& body = "") {
    auto p = std::make_shared<std::promise<HttpReply>>();
    HttpCall c{method, path, "", {{"content-type", "application/json"}}, body, "req-1"};
    EXPECT_TRUE(rt->dispatch(c, [p](HttpReply r) { p->set_value(std::move(r)); }));
    return p->get_future();
  }
  std::string logText() { return log->readAll(); }
};


}  // namespace m3m::runtime
