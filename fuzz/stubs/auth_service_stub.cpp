// support.cpp's authenticate() calls into AuthService, which the JSON target
// never reaches: these stand-ins keep the fuzz binary free of the store and JWT.
#include <cstdlib>

#include "service/auth/auth_service.hpp"

namespace m3m::service {
Principal AuthService::authenticateBearer(const std::string&) { std::abort(); }
Principal AuthService::authenticateApiKey(const std::string&) { std::abort(); }
}  // namespace m3m::service
