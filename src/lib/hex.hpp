// Base16 (RFC 4648 §8): lower-case out, either case in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace m3m::lib {

std::string hexEncode(std::string_view bytes);
// nullopt when `text` has an odd length or a character outside 0-9, a-f, A-F.
std::optional<std::string> hexDecode(std::string_view text);

}  // namespace m3m::lib
