// The smallest m3m plugin: hello.greet(name) and hello.add(a, b?), built
// against the SDK headers alone (plugins/README.md).
#include <m3m/plugin.hpp>

#include <optional>
#include <string>

namespace {
std::string greeting = "Hello";  // plugins.config.hello.greeting
}

M3M_PLUGIN((m3m::sdk::Info{"hello", "1.0.0", "Greets from native code.", "m3m", "https://github.com/m3m"}),
           [](m3m::sdk::Init& init) {
             if (auto g = init.config().get("greeting"); g.isString()) greeting = g.str();
             init.module("hello", "A minimal plugin module.")
                 .fn({"greet", "Returns a greeting for `name`.", {{"name"}}},
                     [](std::string name) { return greeting + ", " + name + "!"; })
                 .fn({"add", "Adds two numbers (b defaults to 1).", {{"a"}, {"b"}}},
                     [](double a, std::optional<double> b) { return a + b.value_or(1); });
           })
