// Instance-wide key/value settings (e.g. feature flags, one-time markers).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace m3m::store {

struct Setting {
  std::string key;
  std::string value;
  std::string updatedAt;  // ISO-8601 UTC
};

class SettingsRepository {
 public:
  virtual ~SettingsRepository() = default;
  virtual std::optional<std::string> get(const std::string& key) = 0;
  virtual void set(const std::string& key, const std::string& value) = 0;
  // Stores `value` unless the key has one; returns the stored value (when
  // several writers race, every one of them gets the first one's).
  virtual std::string setIfAbsent(const std::string& key, const std::string& value) = 0;
  virtual bool remove(const std::string& key) = 0;
  virtual std::vector<Setting> list() = 0;
};

}  // namespace m3m::store
