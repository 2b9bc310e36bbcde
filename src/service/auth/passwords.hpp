// Argon2id password hashing (libargon2), OWASP parameters: m=19 MiB, t=2, p=1.
#pragma once

#include <string>
#include <string_view>

namespace m3m::service {

std::string hashPassword(std::string_view password);
bool verifyPassword(const std::string& encoded, std::string_view password);
// Burns the same time as a verification, so unknown emails are not revealed by timing.
void verifyDummyPassword(std::string_view password);

// INVALID_ARGUMENT (with `field`) unless 8–256 characters.
void validatePassword(std::string_view password, const std::string& field);

}  // namespace m3m::service
