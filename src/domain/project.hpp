#pragma once

#include <optional>
#include <string>

namespace m3m::domain {

struct Project {
  std::string id;
  std::string name;
  std::string slug;
  std::optional<std::string> color;  // none, or one of the 16 system colors
  std::string status = "stopped";    // desired state: running | stopped
  std::optional<std::string> activeRelease;
  std::optional<std::string> runningRelease;  // set by the runtime while it runs
  bool autoStart = true;
  std::string ownerId;
  std::string apiKeyHash;  // SHA-256 of the key; the key itself is shown once
  std::string apiKeyHint;  // "m3m_…abcd"
  std::string createdAt;
  std::string updatedAt;
};

struct EnvValue {
  std::string projectId;
  std::string key;
  std::string type;       // string text json integer float boolean
  std::string valueJson;  // the typed value as JSON text
  bool secret = false;
  std::string createdAt;
  std::string updatedAt;
};

}  // namespace m3m::domain
