// Per-project environment values: typed, validated on save, optionally secret
// (masked by the API forever, never logged, still typed for the runtime).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "domain/page.hpp"
#include "domain/project.hpp"
#include "service/auth/principal.hpp"
#include "service/projects.hpp"
#include "store/store.hpp"

namespace m3m::service {

inline constexpr const char* SECRET_MASK = "********";

struct EnvView {
  std::string key;
  std::string type;
  nlohmann::json value;  // typed; SECRET_MASK for secrets
  bool secret = false;
  std::string createdAt;
  std::string updatedAt;
};

struct EnvInput {
  std::optional<std::string> key;  // create only
  std::optional<std::string> type;
  std::optional<nlohmann::json> value;
  std::optional<bool> secret;
};

class EnvService {
 public:
  EnvService(store::Store& store, ProjectService& projects);

  domain::Page<EnvView> list(const Principal& who, const std::string& projectId, const domain::PageRequest& page);
  EnvView get(const Principal& who, const std::string& projectId, const std::string& key);
  EnvView create(const Principal& who, const std::string& projectId, const EnvInput& in);
  EnvView update(const Principal& who, const std::string& projectId, const std::string& key, const EnvInput& in);
  void remove(const Principal& who, const std::string& projectId, const std::string& key);

  // For the runtime's env.get(key): the typed value (secrets included), or nullopt.
  std::optional<nlohmann::json> runtimeValue(const std::string& projectId, const std::string& key);

  static bool isValidKey(std::string_view key);
  // Converts `value` to the canonical typed JSON for `type`, or explains why not.
  static std::optional<nlohmann::json> coerce(const std::string& type, const nlohmann::json& value, std::string& why);

 private:
  store::Store& store_;
  ProjectService& projects_;
};

}  // namespace m3m::service
