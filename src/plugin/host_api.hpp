// The host's side of <m3m/plugin.h>: the function table handed to every
// plugin, the scopes, calls and pending results behind its opaque handles,
// and invoke(), which runs one declared function and turns what it did into
// a value, an m3m::Error or a pending result. No exception crosses the ABI.
#pragma once

#include <deque>
#include <m3m/error.hpp>
#include <m3m/module.hpp>
#include <m3m/plugin.h>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "plugin/instance.hpp"

// Values made by a plugin live here until the call (or pending) ends.
struct m3m_scope_s {
  std::deque<m3m::Value> nodes;
  std::deque<std::string> texts;
};

struct m3m_pending_s : std::enable_shared_from_this<m3m_pending_s> {
  std::mutex mutex;
  m3m_scope_s scope;
  m3m::plugin::Instance* owner = nullptr;
  bool settled = false;
  bool cancelled = false;
  std::stop_token stop;
  // Before the runtime attaches its Completion, an outcome waits here.
  std::optional<m3m::Completion> completion;
  std::optional<std::pair<m3m::Value, std::optional<m3m::Error>>> early;
  std::string qualified;  // module.function, for messages

  void settle(m3m::Value value, std::optional<m3m::Error> error);
  void attach(m3m::Completion c, std::stop_token stop);
};

struct m3m_call_s {
  const std::vector<m3m::Value>* args = nullptr;
  m3m_scope_s scope;
  m3m::CallContext* context = nullptr;
  m3m::plugin::Instance* instance = nullptr;
  const m3m::plugin::DeclaredFunction* function = nullptr;
  std::string qualified;
  std::stop_token stop;
  bool returned = false;
  m3m::Value result;
  std::optional<m3m::Error> error;
  std::shared_ptr<m3m_pending_s> pending;
};

namespace m3m::plugin {

const m3m_host_api_v1& hostApi();

// The m3m::Error of a plugin's {code, message} (an unknown code is INTERNAL).
Error errorOf(m3m_status code, const char* message, const std::string& qualified);
ErrorCode codeOf(m3m_status status);

struct Outcome {
  Value value;
  std::optional<Error> error;
  std::shared_ptr<m3m_pending_s> pending;  // an async function deferred
};

// Runs `fn` of `instance` with `args` on this thread (the caller holds the
// instance's enter()).
Outcome invoke(Instance& instance, const DeclaredFunction& fn, const std::string& qualified,
               const std::vector<Value>& args, CallContext* context, std::stop_token stop);

}  // namespace m3m::plugin
