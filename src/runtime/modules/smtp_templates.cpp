// Mustache templates of smtp.send (mstch from Debian).
#include <mutex>
#include <string>

#include "runtime/modules/smtp_parts.hpp"

namespace m3m::runtime::smtp {
namespace {
// ---- Mustache (mstch) ------------------------------------------------------

// mstch escapes {{x}} through one process-wide function; HTML templates want
// HTML escaping, subjects and text templates want none. A thread-local switch
// chooses per render (renders never interleave on one thread).
thread_local bool tlsHtmlEscape = true;

std::string htmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void installEscape() {
  static std::once_flag once;
  std::call_once(once, [] {
    mstch::config::escape = [](const std::string& s) { return tlsHtmlEscape ? htmlEscape(s) : s; };
  });
}

}  // namespace

mstch::node toNode(const Value& v) {
  switch (v.type()) {
    case Value::value_t::boolean: return v.get<bool>();
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned: {
      if (v.is_number_integer() && v.get<long long>() >= INT_MIN && v.get<long long>() <= INT_MAX)
        return static_cast<int>(v.get<long long>());
      return std::string(v.dump());
    }
    case Value::value_t::number_float: return std::string(v.dump());  // 1.5, not "1.500000"
    case Value::value_t::string: return v.get<std::string>();
    case Value::value_t::array: {
      mstch::array a;
      for (const auto& item : v) a.push_back(toNode(item));
      return a;
    }
    case Value::value_t::object: {
      mstch::map m;
      for (const auto& [k, item] : v.items()) m.emplace(k, toNode(item));
      return m;
    }
    default: return std::string();
  }
}

// mstch renders sections recursively: bound their nesting so that a hostile
// template ("{{#a}}" × 100,000) cannot exhaust the stack. Custom delimiters
// ({{=<% %>=}}) would hide sections from this check, so they are refused.
static constexpr int kMaxSectionDepth = 50;

static void checkTemplate(const std::string& tmpl, const std::string& what) {
  if (tmpl.find("{{=") != std::string::npos) invalid(what + ": set-delimiter tags ({{=…=}}) are not supported");
  int depth = 0;
  for (size_t i = tmpl.find("{{"); i != std::string::npos; i = tmpl.find("{{", i + 2)) {
    const char kind = i + 2 < tmpl.size() ? tmpl[i + 2] : '\0';
    if (kind == '#' || kind == '^') {
      if (++depth > kMaxSectionDepth)
        invalid(what + ": sections nest deeper than " + std::to_string(kMaxSectionDepth) + " levels");
    } else if (kind == '/' && depth > 0) {
      --depth;
    }
  }
}

std::string render(const std::string& tmpl, const mstch::node& data, bool html, const std::string& what) {
  checkTemplate(tmpl, what);
  installEscape();
  tlsHtmlEscape = html;
  try {
    std::string out = mstch::render(tmpl, data);
    tlsHtmlEscape = true;
    return out;
  } catch (const std::exception& e) {
    tlsHtmlEscape = true;
    invalid(what + ": cannot render the Mustache template (" + e.what() + ")");
  }
}


}  // namespace m3m::runtime::smtp
