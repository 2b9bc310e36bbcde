// multipart/form-data parsing (RFC 7578) over an in-memory body. Debian ships
// no C++ parser for it; this one is small and tested hard (multipart_test).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace m3m::lib {

struct MultipartPart {
  std::string name;      // form field name
  std::string filename;  // empty when not a file
  std::string contentType;
  std::string_view data;  // points into the body
};

// The boundary parameter of a multipart/form-data Content-Type; nullopt when
// the type is something else or the boundary is missing/invalid.
std::optional<std::string> multipartBoundary(std::string_view contentType);

// nullopt when the body is not well-formed for that boundary.
std::optional<std::vector<MultipartPart>> parseMultipart(std::string_view body, std::string_view boundary);

}  // namespace m3m::lib
