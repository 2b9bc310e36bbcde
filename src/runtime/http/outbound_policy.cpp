#include "runtime/http/outbound_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include <m3m/error.hpp>

namespace m3m::runtime::http {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "[::1]" → "::1" (URL hosts keep IPv6 brackets).
std::string_view unbracket(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

// An address as 16 bytes; IPv4 in the first 4. False when `text` is not one.
bool parseAddress(std::string_view text, std::array<std::uint8_t, 16>& out, bool& v4) {
  const std::string s(unbracket(text));
  out.fill(0);
  if (inet_pton(AF_INET, s.c_str(), out.data()) == 1) return v4 = true;
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) {
    v4 = false;
    return true;
  }
  return false;
}

}  // namespace

OutboundPolicy::Entry OutboundPolicy::parse(const std::string& text) {
  Entry e;
  auto bad = [&](const std::string& why) {
    throw Error(ErrorCode::INVALID_ARGUMENT, "\"" + text + "\": " + why, {{"entry", why}});
  };
  if (text.empty()) bad("empty entry");
  auto slash = text.find('/');
  Cidr c;
  if (parseAddress(text.substr(0, slash), c.bytes, c.v4)) {
    c.bits = c.v4 ? 32 : 128;
    if (slash != std::string::npos) {
      const auto bits = text.substr(slash + 1);
      if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), ::isdigit)) bad("bad prefix length");
      c.bits = std::stoi(bits);
      if (c.bits > (c.v4 ? 32 : 128)) bad("prefix length out of range");
    }
    e.cidr = c;
    return e;
  }
  if (slash != std::string::npos) bad("not an address/prefix");
  std::string host = lower(text);
  if (host.rfind("*.", 0) == 0) {
    e.subdomains = true;
    host = host.substr(2);
  }
  if (host.empty() || host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos)
    bad("not a host name, address or CIDR");
  e.host = host;
  return e;
}

OutboundPolicy::OutboundPolicy(const std::vector<std::string>& allow, const std::vector<std::string>& deny,
                               bool allowPrivate)
    : allowPrivate_(allowPrivate) {
  for (const auto& a : allow) allow_.push_back(parse(a));
  for (const auto& d : deny) deny_.push_back(parse(d));
}

bool OutboundPolicy::matches(const Entry& e, std::string_view host) {
  if (e.host.empty()) return false;
  const std::string h = lower(unbracket(host));
  if (h == e.host) return true;
  return e.subdomains && h.size() > e.host.size() && h.ends_with("." + e.host);
}

bool OutboundPolicy::matches(const Cidr& c, const std::array<std::uint8_t, 16>& address, bool v4) {
  if (c.v4 != v4) return false;
  int bits = c.bits;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((c.bytes[i] & mask) != (address[i] & mask)) return false;
  }
  return true;
}

bool OutboundPolicy::isPrivate(const std::array<std::uint8_t, 16>& a, bool v4) {
  if (v4) {
    return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
           (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
           (a[0] == 100 && (a[1] & 0xc0) == 64) || a[0] >= 224;
  }
  static const std::array<std::uint8_t, 16> zero{};
  std::array<std::uint8_t, 16> loop{};
  loop[15] = 1;
  if (a == zero || a == loop) return true;
  if ((a[0] & 0xfe) == 0xfc) return true;                 // fc00::/7 unique local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local
  if (a[0] == 0xff) return true;                           // multicast
  // ::ffff:a.b.c.d and 64:ff9b::a.b.c.d carry an IPv4 address
  const bool mapped = std::all_of(a.begin(), a.begin() + 10, [](auto b) { return b == 0; }) && a[10] == 0xff && a[11] == 0xff;
  const bool nat64 = a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b;
  if (mapped || nat64) {
    std::array<std::uint8_t, 16> v4a{};
    std::copy(a.begin() + 12, a.end(), v4a.begin());
    return isPrivate(v4a, true);
  }
  return false;
}

std::optional<std::string> OutboundPolicy::checkHost(std::string_view host) const {
  for (const auto& d : deny_)
    if (matches(d, host)) return "the host " + std::string(host) + " is denied (runtime.http.deny)";
  return std::nullopt;
}

std::optional<std::string> OutboundPolicy::checkAddress(const sockaddr* address, std::string_view host) const {
  std::array<std::uint8_t, 16> a{};
  bool v4 = false;
  if (address->sa_family == AF_INET) {
    std::memcpy(a.data(), &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, 4);
    v4 = true;
  } else if (address->sa_family == AF_INET6) {
    std::memcpy(a.data(), &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
  } else {
    return "only IP connections are allowed";
  }
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4 ? AF_INET : AF_INET6, a.data(), text, sizeof text);
  const std::string where = std::string(host) + " (" + text + ")";
  for (const auto& d : deny_)
    if ((d.cidr && matches(*d.cidr, a, v4)) || matches(d, host)) return where + " is denied (runtime.http.deny)";
  bool listed = false;
  for (const auto& e : allow_)
    if ((e.cidr && matches(*e.cidr, a, v4)) || matches(e, host)) listed = true;
  if (!allow_.empty() && !listed) return where + " is not in runtime.http.allow";
  if (!allowPrivate_ && !listed && isPrivate(a, v4))
    return where + " is a private, loopback or link-local address (runtime.http.allow_private is false)";
  return std::nullopt;
}

}  // namespace m3m::runtime::http
