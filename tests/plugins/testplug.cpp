// The API tests' plugin (tests/api/plugins.test.mjs): every kind of function
// and failure. Built twice: TESTPLUG_V2 adds testplug.added() and bumps the
// version, so a test can swap the file and reload.
#include <m3m/plugin.hpp>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <stdexcept>
#include <thread>
#include <vector>

#ifndef TESTPLUG_V2
#define TESTPLUG_VERSION "1.0.0"
#else
#define TESTPLUG_VERSION "2.0.0"
#endif

namespace {
std::mutex mutex;
std::vector<std::thread> workers;  // joined at shutdown
std::string prefix;                // plugins.config.testplug.prefix

template <class F>
void spawn(F f) {
  std::lock_guard lock(mutex);
  workers.emplace_back(std::move(f));
}
}  // namespace

M3M_PLUGIN((m3m::sdk::Info{"testplug", TESTPLUG_VERSION, "Test plugin.", "tests", "https://example.com/testplug"}),
           [](m3m::sdk::Init& init) {
             prefix = init.config().get("prefix").str();
             auto m = init.module("testplug", "Everything a plugin function can do.");
             // ABI 1.1: named types, error properties, the project's files.
             m.type({"TestplugPoint", "A point.", {{"x", "number"}, {"y?", "number", "Defaults to 0."}}})
                 .type({"TestplugId", "", {}, "string | number"})
                 .fn({"origin", "The origin.", {{"id", "TestplugId"}}, "TestplugPoint"},
                     [](m3m::sdk::View) { return m3m::sdk::Json::object({{"x", 0}, {"y", 0}}); })
                 .fn({"failWith", "Throws CONFLICT with these properties.", {{"properties"}}},
                     [](m3m::sdk::View props) -> bool {
                       throw m3m::sdk::Error(M3M_ERR_CONFLICT, "testplug.failWith: as asked", m3m::sdk::Json::copy(props));
                     })
                 .async({"laterFailWith", "Rejects CONFLICT with these properties, from another thread.", {{"properties"}}, "never"},
                        [](m3m::sdk::Pending p, m3m::sdk::Call call, m3m::sdk::View props) {
                          std::string json = m3m::sdk::toJson(call.scope(), props);  // the argument dies at return
                          spawn([p = std::move(p), json]() mutable {
                            p.reject(M3M_ERR_CONFLICT, "testplug.laterFailWith: as asked", m3m::sdk::Json::raw(json));
                          });
                        })
                 .fn({"readFile", "A file of the calling project's storage (at most max bytes).", {{"path"}, {"max"}}, "Uint8Array"},
                     [](m3m::sdk::Call call, std::string path, std::optional<int> max) {
                       return m3m::sdk::Json::copy(call.readFile(path, static_cast<size_t>(max.value_or(0))));
                     });
             if (init.config().get("twice").isBool())  // a refused declaration (loader_test.cpp)
               m.type({"TestplugPoint", "Again.", {{"x", "number"}}});
             m.fn({"version", "The plugin's version."}, [] { return std::string(TESTPLUG_VERSION); })
                 .fn({"echo", "Returns its argument.", {{"value"}}},
                     [](m3m::sdk::View v) { return m3m::sdk::Json::copy(v); })
                 .fn({"concat", "prefix + a + b", {{"a"}, {"b"}}},
                     [](std::string a, std::string b) { return prefix + a + b; })
                 .fn({"bytes", "n bytes 0..n-1", {{"n"}}},
                     [](int n) {
                       m3m::sdk::Bytes b;
                       for (int i = 0; i < n; ++i) b.data.push_back(static_cast<char>(i & 0xff));
                       return b;
                     })
                 .fn({"fail", "Throws an m3m error with this code.", {{"code"}, {"message"}}},
                     [](int code, std::string message) -> std::string {
                       throw m3m::sdk::Error(static_cast<m3m_status>(code), message);
                     })
                 .fn({"crash", "Throws a C++ exception."},
                     []() -> double { throw std::runtime_error("boom from C++"); })
                 .fn({"project", "The calling project's slug.", {}}, [](m3m::sdk::Call call) {
                   call.log(M3M_LOG_INFO, "testplug was here");
                   return call.project();
                 })
                 .waiting({"wait", "Waits ms (with the project's JS released).", {{"ms"}}},
                          [](m3m::sdk::Call call, int ms) {
                            auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
                            while (std::chrono::steady_clock::now() < end) {
                              if (call.cancelled()) return std::string("cancelled");
                              std::this_thread::sleep_for(std::chrono::milliseconds(5));
                            }
                            return std::string("waited");
                          })
                 .async({"later", "Resolves with value after ms, from another thread.", {{"value"}, {"ms"}}, "string"},
                        [](m3m::sdk::Pending p, std::string value, int ms) {
                          spawn([p = std::move(p), value, ms]() mutable {
                            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
                            p.resolve(value);
                          });
                        })
                 .async({"laterFail", "Rejects NOT_FOUND after ms.", {{"ms"}}, "never"},
                        [](m3m::sdk::Pending p, int ms) {
                          spawn([p = std::move(p), ms]() mutable {
                            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
                            p.reject(M3M_ERR_NOT_FOUND, "testplug.laterFail: nothing here");
                          });
                        })
                 .async({"never", "Never settles until the plugin stops.", {}, "void"},
                        [](m3m::sdk::Pending p) {
                          spawn([p = std::move(p)]() mutable {
                            while (!p.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
                          });
                        });
#ifdef TESTPLUG_V2
             m.fn({"added", "Only in version 2."}, [] { return true; });
#endif
           },
           [] {
             std::vector<std::thread> all;
             {
               std::lock_guard lock(mutex);
               all.swap(workers);
             }
             for (auto& t : all) t.join();
           })
