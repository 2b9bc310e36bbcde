#include "runtime/module_registry.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace m3m::runtime {
namespace {

// Globals the engine defines itself (runtime/prelude.js, context_setup.cpp,
// the web classes): a module may not take their names.
const std::set<std::string, std::less<>> kEngineGlobals = {
    "router",  "service",        "console",         "delayed",   "schedule", "setTimeout", "setInterval",
    "clearTimeout", "clearInterval", "fetch",        "Headers",   "Request",  "Response",   "AbortController",
    "AbortSignal", "URL",          "URLSearchParams", "Blob",      "File",     "FormData",   "TextEncoder",
    "TextDecoder", "atob",         "btoa",            "globalThis"};

void check(const ModuleSchema& m) {
  auto invalid = [&](const std::string& what) {
    throw Error(ErrorCode::INVALID_ARGUMENT, "module \"" + m.name + "\": " + what);
  };
  const bool identifier = !m.name.empty() && !std::isdigit(static_cast<unsigned char>(m.name[0])) &&
                          std::all_of(m.name.begin(), m.name.end(), [](unsigned char c) {
                            return std::isalnum(c) || c == '_' || c == '$';
                          });
  if (!identifier) invalid("the name must be a JavaScript identifier");
  if (kEngineGlobals.count(m.name)) invalid("the name is an engine global");
  std::set<std::pair<std::string, bool>> seen;  // (name, internal): a script function may share an internal's name
  for (const auto& f : m.functions) {
    const bool internal = f.visibility == FunctionSpec::Visibility::Internal;
    if (!seen.insert({f.name, internal}).second) invalid("two functions are named " + f.name);
    const bool native = f.impl || f.asyncImpl || f.asyncStart;
    if (f.visibility == FunctionSpec::Visibility::Script ? native : !native)
      invalid(f.name + ": a native function needs an implementation, a script function has none");
    if (f.visibility == FunctionSpec::Visibility::Script && m.jsWrapper.empty())
      invalid(f.name + ": a script function needs the module's JS wrapper");
  }
}

}  // namespace

ModuleRegistry::ModuleRegistry() : modules_(std::make_shared<const std::vector<ModuleSchema>>()) {}

void ModuleRegistry::add(ModuleSchema schema) {
  check(schema);
  std::lock_guard lock(mutex_);
  for (const auto& m : *modules_)
    if (m.name == schema.name)
      throw Error(ErrorCode::INVALID_ARGUMENT, "module \"" + schema.name + "\": a module of that name is registered");
  auto next = std::make_shared<std::vector<ModuleSchema>>(*modules_);
  next->push_back(std::move(schema));
  modules_ = std::move(next);
}

void ModuleRegistry::replace(ModuleSchema schema) {
  check(schema);
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<std::vector<ModuleSchema>>(*modules_);
  auto it = std::find_if(next->begin(), next->end(), [&](const ModuleSchema& m) { return m.name == schema.name; });
  if (it != next->end()) *it = std::move(schema);
  else next->push_back(std::move(schema));
  modules_ = std::move(next);
}

bool ModuleRegistry::remove(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<std::vector<ModuleSchema>>(*modules_);
  auto it = std::find_if(next->begin(), next->end(), [&](const ModuleSchema& m) { return m.name == name; });
  if (it == next->end()) return false;
  next->erase(it);
  modules_ = std::move(next);
  return true;
}

ModuleSet ModuleRegistry::snapshot() const {
  std::lock_guard lock(mutex_);
  return modules_;
}

std::vector<std::string> ModuleRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& m : *snapshot()) out.push_back(m.name);
  return out;
}

}  // namespace m3m::runtime
