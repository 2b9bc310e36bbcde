// m3m plugin SDK (C++): m3m::sdk::Error, the exception a plugin function
// throws to fail with a code of include/m3m/error.hpp (`err.code` in JS) and,
// since ABI 1.1, extra properties of the JS error object.
#pragma once

#include <m3m/plugin.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace m3m::sdk {

class Json;

class Error : public std::runtime_error {
 public:
  Error(m3m_status code, const std::string& message) : std::runtime_error(message), code_(code) {}
  // With extra properties of the JS error object: an object, e.g.
  // Json::object({{"error_code", 400}}) → `err.error_code === 400`. The host's
  // own (name, message, stack, code, fields) cannot be replaced. (value.hpp)
  Error(m3m_status code, const std::string& message, Json properties);
  m3m_status code() const noexcept { return code_; }
  const Json* properties() const noexcept { return properties_.get(); }

 private:
  m3m_status code_;
  std::shared_ptr<const Json> properties_;
};

}  // namespace m3m::sdk
