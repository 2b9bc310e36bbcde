// Standard base64 (RFC 4648 §4, with padding; OpenSSL's block coder): how the runtime's `storage`
// module moves bytes across the JSON-valued module boundary — one string
// instead of an array with one JSON number per byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace m3m::lib {

std::string base64Encode(std::string_view bytes);
// nullopt when `text` is not padded base64 (length % 4 != 0, a
// character outside the alphabet, padding anywhere but the end).
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace m3m::lib
