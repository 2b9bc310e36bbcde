#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace m3m::domain {

struct Version {
  int major = 0;
  int minor = 0;

  std::string toString() const { return std::to_string(major) + "." + std::to_string(minor); }
  auto operator<=>(const Version&) const = default;
  // "1.10" → {1, 10}; digits only, no leading zeros, no sign.
  static std::optional<Version> parse(std::string_view text) {
    auto dot = text.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    auto part = [](std::string_view s) -> std::optional<int> {
      if (s.empty() || s.size() > 6 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
      int n = 0;
      for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
      }
      return n;
    };
    auto major = part(text.substr(0, dot)), minor = part(text.substr(dot + 1));
    if (!major || !minor) return std::nullopt;
    return Version{*major, *minor};
  }
};

// A branch holds a mutable draft of the project's service code.
struct Branch {
  std::string projectId;
  std::string name;
  std::string code;
  int revision = 1;  // optimistic-concurrency token: bumped on every change
  std::optional<std::string> createdFromRelease;
  std::optional<std::string> parentBranch;
  std::string createdAt;
  std::string updatedAt;
};

// A release freezes a branch's draft forever under a version.
struct Release {
  std::string projectId;
  Version version;
  std::string code;
  std::string comment;
  std::string tag;  // stable | hot-fix | night-build | develop
  std::string branch;
  std::string createdBy;
  std::string createdAt;
  std::int64_t codeSize = 0;
};

}  // namespace m3m::domain
