#include "service/validation.hpp"

#include <algorithm>
#include <cctype>

namespace m3m::service {

bool isValidEmail(std::string_view e) {
  if (e.size() < 3 || e.size() > 254) return false;
  auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) return false;
  auto domain = e.substr(at + 1);
  auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size()) return false;
  return std::none_of(e.begin(), e.end(), [](unsigned char c) { return std::isspace(c) || std::iscntrl(c); });
}

}  // namespace m3m::service
