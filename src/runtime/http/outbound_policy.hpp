// Where a project's outbound HTTP may go (runtime.http.allow / deny /
// allow_private). Host names are checked before a request and at every
// redirect; addresses when a connection is opened (after DNS, so a name that
// resolves to a private address is caught too). No V8, no libcurl here.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace m3m::runtime::http {

class OutboundPolicy {
 public:
  // Entries: a CIDR ("10.0.0.0/8", "fd00::/8"), an address ("127.0.0.1"), a
  // host name ("api.telegram.org") or a domain with its subdomains
  // ("*.example.com"). Throws m3m::Error INVALID_ARGUMENT naming a bad entry.
  OutboundPolicy(const std::vector<std::string>& allow, const std::vector<std::string>& deny, bool allowPrivate);
  OutboundPolicy() : OutboundPolicy({}, {}, true) {}

  // nullopt when the host may be asked; else why not.
  std::optional<std::string> checkHost(std::string_view host) const;
  // nullopt when a connection to this address may be opened; else why not.
  std::optional<std::string> checkAddress(const sockaddr* address, std::string_view host) const;

  // Loopback, RFC 1918, link-local (cloud metadata at 169.254.169.254),
  // CGNAT, unique-local IPv6, unspecified, and IPv4-mapped forms of these.
  static bool isPrivate(const std::array<std::uint8_t, 16>& address, bool v4);

 private:
  struct Cidr {
    std::array<std::uint8_t, 16> bytes{};
    int bits = 0;
    bool v4 = false;
  };
  struct Entry {
    std::optional<Cidr> cidr;
    std::string host;     // lower case
    bool subdomains = false;
  };
  static Entry parse(const std::string& text);
  static bool matches(const Entry& e, std::string_view host);
  static bool matches(const Cidr& c, const std::array<std::uint8_t, 16>& address, bool v4);

  std::vector<Entry> allow_, deny_;
  bool allowPrivate_;
};

}  // namespace m3m::runtime::http
