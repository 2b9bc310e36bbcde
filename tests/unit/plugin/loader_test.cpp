// The plugin loader's refusals (each message asserted) and a real plugin's
// functions called through the module schema the adapter makes.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "plugin/loader.hpp"
#include "plugin/plugin_manager.hpp"
#include "runtime/error_properties.hpp"
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

TEST(PluginLoader, LoadsAPluginBuiltForTheOlderMinor) {
  auto o = open(kDir / "abi_1_0.so", quiet());
  ASSERT_TRUE(o.instance) << o.error;
  EXPECT_EQ(o.meta.abiMajor, 1u);
  EXPECT_EQ(o.meta.abiMinor, 0u);
  EXPECT_EQ(initialize(*o.instance, nlohmann::json::object()), "");
  ASSERT_EQ(o.instance->modules().size(), 1u);
  EXPECT_EQ(o.instance->modules()[0].name, "old10");
  o.instance->stop(std::chrono::milliseconds(100));
}

TEST(PluginLoader, DeclareTypeRefusesBadDeclarations) {
  auto o = open(kDir / "bad_types.so", quiet());
  ASSERT_TRUE(o.instance) << o.error;
  // NOT_FOUND (no module), INVALID_ARGUMENT ×5 (name, nothing declared, optional
  // index signature, no type, bad field name), OK, CONFLICT ×2 (type, field twice), OK.
  auto error = initialize(*o.instance, nlohmann::json::object());
  EXPECT_NE(error.find("init failed: statuses 4 1 1 1 1 1 0 6 6 0"), std::string::npos) << error;
  EXPECT_TRUE(o.instance->modules().empty());  // a failed init declares nothing
  o.instance->stop(std::chrono::milliseconds(100));
}

TEST(PluginLoader, ARefusedDeclarationSaysWhyAfterThePluginsMessage) {
  auto o = open(kDir / "testplug.so", quiet());
  ASSERT_TRUE(o.instance) << o.error;
  auto error = initialize(*o.instance, {{"testplug", {{"twice", true}}}});
  EXPECT_NE(error.find("init failed: cannot declare type TestplugPoint of module testplug "
                       "(declare_type: type TestplugPoint declared twice)"),
            std::string::npos)
      << error;
  o.instance->stop(std::chrono::milliseconds(100));
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
                                               [this] { return builtins_; }, nullptr, quiet(),
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
  // The built-in modules as the registry's snapshot would give them.
  static ModuleSchema module(std::string name, std::vector<Type> types = {}) {
    ModuleSchema m;
    m.name = std::move(name);
    m.types = std::move(types);
    return m;
  }
  std::shared_ptr<const std::vector<ModuleSchema>> builtins_ =
      std::make_shared<const std::vector<ModuleSchema>>(std::vector<ModuleSchema>{module("logger")});
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

TEST_F(TestPlugin, ErrorPropertiesTravelWithTheError) {
  try {
    call("failWith", {Value{{"error_code", 400}, {"description", "Bad Request"}}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::CONFLICT);
    EXPECT_STREQ(e.what(), "testplug.failWith: as asked");
    auto props = runtime::errorProperties(e);
    ASSERT_TRUE(props);
    EXPECT_EQ(*props, (Value{{"error_code", 400}, {"description", "Bad Request"}}));
  }
  try {
    call("failWith", {"not an object"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_FALSE(runtime::errorProperties(e));
    EXPECT_TRUE(e.fields().empty());
  }
}

TEST_F(TestPlugin, ReadFileWithoutStorageIsUnavailable) {
  try {
    call("readFile", {"a.txt"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UNAVAILABLE);
    EXPECT_STREQ(e.what(), "the project's storage is not available here");
  }
}

TEST_F(TestPlugin, NamedTypesJoinTheModuleSchema) {
  modules_ = manager_->modules();
  const ModuleSchema* testplug = nullptr;
  for (const auto& m : *modules_)
    if (m.name == "testplug") testplug = &m;
  ASSERT_TRUE(testplug);
  const std::string dts = runtime::printModule(*testplug);
  EXPECT_NE(dts.find("/** A point. */\ninterface TestplugPoint {\n  x: number;\n  /** Defaults to 0. */\n  y?: number;\n}\n"),
            std::string::npos) << dts;
  EXPECT_NE(dts.find("type TestplugId = string | number;\n"), std::string::npos) << dts;
  EXPECT_NE(dts.find("origin(id: TestplugId): TestplugPoint;"), std::string::npos) << dts;
}

TEST_F(TestPlugin, BuiltinsAreReadThroughTheSourceAndWinClashes) {
  // A built-in added after the start shows, and a plugin module of its name gives way.
  builtins_ = std::make_shared<const std::vector<ModuleSchema>>(std::vector<ModuleSchema>{module("logger"), module("image")});
  auto names = [&] {
    std::vector<std::string> out;
    for (const auto& m : *manager_->modules()) out.push_back(m.name);
    return out;
  };
  EXPECT_EQ(names(), (std::vector<std::string>{"logger", "image", "testplug"}));
  builtins_ = std::make_shared<const std::vector<ModuleSchema>>(std::vector<ModuleSchema>{module("logger"), module("testplug")});
  EXPECT_EQ(names(), (std::vector<std::string>{"logger", "testplug"}));
  auto info = manager_->reload("testplug");
  EXPECT_EQ(info.state, State::Failed);
  EXPECT_NE(info.error.find("module testplug is a built-in module"), std::string::npos) << info.error;
  // A plugin type may not take a built-in's type name.
  builtins_ = std::make_shared<const std::vector<ModuleSchema>>(
      std::vector<ModuleSchema>{module("logger", {t::named("TestplugPoint", t::object())})});
  info = manager_->reload("testplug");
  EXPECT_EQ(info.state, State::Failed);
  EXPECT_NE(info.error.find("type TestplugPoint is declared by the built-in module logger"), std::string::npos) << info.error;
  builtins_ = std::make_shared<const std::vector<ModuleSchema>>(std::vector<ModuleSchema>{module("logger")});
  EXPECT_EQ(manager_->reload("testplug").state, State::Running);
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
