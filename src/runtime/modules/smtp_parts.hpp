// The parts of the `smtp` module (internal to it): Mustache rendering
// (smtp_templates.cpp), the message read from JS (smtp.cpp) and the SMTP
// exchange over libcurl (smtp_exchange.cpp).
#pragma once

#include <mstch/mstch.hpp>

#include <string>
#include <vector>

#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime::smtp {

// INVALID_ARGUMENT "smtp.send: <message>".
[[noreturn]] void invalid(const std::string& message);

// A JSON value as template data.
mstch::node toNode(const Value& v);
// Renders a Mustache template; `html` escapes {{x}} for HTML (else nothing);
// `what` names the template in errors.
std::string render(const std::string& tmpl, const mstch::node& data, bool html, const std::string& what);

// A message ready to go: read and built while the isolate was held.
struct Prepared {
  std::string mailFrom;                 // envelope sender
  std::vector<std::string> recipients;  // envelope: to + cc + bcc, each once
  std::string messageId;
  std::string data;
};

// Sends it in a waiting call; {messageId, accepted, rejected} or an m3m::Error.
Value send(CallContext& ctx, const SmtpSettings& cfg, Prepared mail);

}  // namespace m3m::runtime::smtp
