// m3m plugin SDK, the C++ side: header-only and inline over the C table of
// <m3m/plugin.h>, adding no ABI of its own (docs/plugins.md). A plugin is a
// few typed functions:
//
//   M3M_PLUGIN((m3m::sdk::Info{"hello", "1.0.0", "Greets.", "me", "https://…"}),
//              [](m3m::sdk::Init& init) {
//                init.module("hello", "Greetings.")
//                    .fn({"greet", "Returns a greeting.", {{"name"}}},
//                        [](std::string name) { return "Hello, " + name + "!"; });
//              })
//
// Argument types are read from the C++ signature (std::string, double, int,
// bool, Bytes, View, std::optional<T>) and give the TypeScript the editor
// shows; a wrong argument fails with "hello.greet: argument 1 (name) must be a
// string". Any exception becomes an error at the boundary: m3m::sdk::Error
// keeps its code (and its properties), anything else is INTERNAL. Build with
// -fvisibility=hidden (m3m_add_plugin does): the state is then private to the
// plugin.
//
// This header only gathers the parts, one purpose each (include/m3m/plugin/):
//   state.hpp   the host's table and the plugin's state     host()
//   error.hpp   the error a function throws                 Error
//   value.hpp   values across the ABI                       View, Json, Bytes, parseJson, toJson
//   call.hpp    the call served, an async result            Call, Pending
//   args.hpp    C++ argument types → TypeScript, reading    (detail)
//   module.hpp  declaring functions and named types         Module, Decl, Param, TypeDecl, Field
//   entry.hpp   the exported entry and init                 M3M_PLUGIN, Init, log
#pragma once

#include <m3m/plugin.h>

#include <m3m/plugin/args.hpp>
#include <m3m/plugin/call.hpp>
#include <m3m/plugin/entry.hpp>
#include <m3m/plugin/error.hpp>
#include <m3m/plugin/module.hpp>
#include <m3m/plugin/state.hpp>
#include <m3m/plugin/value.hpp>
