// The plugin loader's refusals (each message asserted) and a real plugin's
// functions called through the module schema the adapter makes.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "plugin/loader.hpp"
#include "plugin/plugin_manager.hpp"
#include "runtime/typescript/printer.hpp"

namespace m3m::plugin {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = M3M_TEST_PLUGINS_DIR;

std::shared_ptr<spdlog::logger> quiet() { return std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>()); }

struct Ctx : CallContext {
  std::string id = "p1", slug = "shop";
  std::vector<std::string> lines;
  const std::string& projectId() const override { return id; }
  const std::string& projectSlug() const override { return slug; }
  void log(std::string_view level, std::string_view message) override { lines.push_back(std::string(level) + " " + std::string(message)); }
};

TEST(PluginLoader, RefusesALibraryWithoutTheEntry) {
  auto o = open(kDir / "no_entry.so", quiet());
  EXPECT_FALSE(o.instance);
  EXPECT_NE(o.error.find("no_entry.so: not an m3m plugin for this host: no m3m_plugin_init_v1 symbol (not an m3m plugin, "
                         "or built for another ABI major); this host accepts plugin ABI 1.0–1.1"),
            std::string::npos)
      << o.error;
}

TEST(PluginLoader, NamesTheMajorAPluginWasBuiltFor) {
  auto o = open(kDir / "v2_only.so", quiet());
  EXPECT_FALSE(o.instance);
  EXPECT_NE(o.error.find("(it is built for plugin ABI 2.x); this host accepts plugin ABI 1.0–1.1: rebuild it against the m3m SDK 1.x headers"),
            std::string::npos)
      << o.error;
}

TEST(PluginLoader, RefusesANewerMinor) {
  auto o = open(kDir / "bad_minor.so", quiet());
  EXPECT_FALSE(o.instance);
  EXPECT_EQ(o.meta.name, "bad_minor");
  EXPECT_NE(o.error.find("(plugin bad_minor): built for plugin ABI 1.99; this host accepts 1.0–1.1"), std::string::npos) << o.error;
}

TEST(PluginLoader, InitFailureCarriesThePluginsMessageAndItsConfig) {
  auto o = open(kDir / "init_fails.so", quiet());
  ASSERT_TRUE(o.instance) << o.error;
  auto error = initialize(*o.instance, {{"init_fails", {{"x", 1}}}, {"other", 2}});
  EXPECT_NE(error.find("(plugin init_fails): init failed: missing bot_token (config was {\"x\":1})"), std::string::npos) << error;
}

TEST(PluginLoader, SilentInitFailureIsReportedAsAPluginBug) {
  auto o = open(kDir / "init_silent.so", quiet());
  ASSERT_TRUE(o.instance) << o.error;
  EXPECT_NE(initialize(*o.instance, nlohmann::json::object()).find("init failed without a message (a bug in the plugin)"),
            std::string::npos);
}

class TestPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("m3m-plugins-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    fs::copy_file(kDir / "testplug.so", dir_ / "testplug.so", fs::copy_options::overwrite_existing);
    fs::copy_file(kDir / "bad_minor.so", dir_ / "bad_minor.so", fs::copy_options::overwrite_existing);
    manager_ = std::make_unique<PluginManager>(dir_, nlohmann::json{{"testplug", {{"prefix", ">"}}}},
                                               [] {
                                                 ModuleSchema logger;
                                                 logger.name = "logger";
                                                 return std::make_shared<const std::vector<ModuleSchema>>(
                                                     std::vector<ModuleSchema>{logger});
                                               },
                                               nullptr, quiet(),
                                               std::chrono::milliseconds(2000));
    manager_->startAll();
  }
  void TearDown() override {
    manager_.reset();
    fs::remove_all(dir_);
  }
  const FunctionSpec& fn(const std::string& name) {
    modules_ = manager_->modules();
    for (const auto& m : *modules_)
      if (m.name == "testplug")
        for (const auto& f : m.functions)
          if (f.name == name) return f;
    throw std::runtime_error("no testplug." + name);
  }
  Value call(const std::string& name, std::vector<Value> args) {
    const auto& f = fn(name);
    Args a("testplug." + name, f.params, std::move(args));
    return f.impl(ctx_, a);
  }
  fs::path dir_;
  std::unique_ptr<PluginManager> manager_;
  std::shared_ptr<const std::vector<ModuleSchema>> modules_;
  Ctx ctx_;
};

TEST_F(TestPlugin, LoadsBesideAFailedOneAndListsBoth) {
  auto list = manager_->list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].meta.name, "bad_minor");
  EXPECT_EQ(list[0].state, State::Failed);
  EXPECT_EQ(list[1].meta.name, "testplug");
  EXPECT_EQ(list[1].state, State::Running);
  EXPECT_EQ(list[1].meta.version, "1.0.0");
  EXPECT_EQ(manager_->modules()->front().name, "logger");  // built-ins first
}

TEST_F(TestPlugin, CallsWithTypedArgumentsAndConfig) {
  EXPECT_EQ(call("concat", {"a", "b"}), ">ab");
  EXPECT_EQ(call("echo", {Value{{"k", {1, "two", nullptr}}}}), (Value{{"k", {1, "two", nullptr}}}));
  EXPECT_EQ(call("bytes", {3}), bytesValue(std::string("\0\1\2", 3)));
  EXPECT_EQ(call("project", {}), "shop");
  ASSERT_EQ(ctx_.lines.size(), 1u);
  EXPECT_EQ(ctx_.lines[0], "INFO testplug was here");
  EXPECT_EQ(m3m::runtime::printType(fn("concat").params[0].type, m3m::runtime::TypePosition::Input), "string");
  EXPECT_EQ(m3m::runtime::printType(fn("later").returns, m3m::runtime::TypePosition::Output), "Promise<string>");
}

TEST_F(TestPlugin, MapsErrorsAndExceptions) {
  try {
    call("concat", {1, "b"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
    EXPECT_STREQ(e.what(), "testplug.concat: argument 1 (a) must be a string");
  }
  try {
    call("fail", {4, "no such thing"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NOT_FOUND);
    EXPECT_STREQ(e.what(), "no such thing");
  }
  try {
    call("crash", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::INTERNAL);
    EXPECT_STREQ(e.what(), "boom from C++");
  }
}

TEST_F(TestPlugin, ReloadThenStopRejectsCallsClearly) {
  auto info = manager_->reload("testplug");
  EXPECT_EQ(info.state, State::Running);
  EXPECT_EQ(call("version", {}), "1.0.0");
  EXPECT_THROW(manager_->reload("nope"), Error);
  const auto& f = fn("version");  // keep the old snapshot
  manager_->stopAll();
  Args a("testplug.version", f.params, {});
  try {
    f.impl(ctx_, a);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UNAVAILABLE);
    EXPECT_STREQ(e.what(), "testplug.version: plugin testplug is not running");
  }
}

}  // namespace
}  // namespace m3m::plugin
