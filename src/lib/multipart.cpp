#include "lib/multipart.hpp"

#include "lib/strings.hpp"

#include <algorithm>
#include <cctype>

namespace m3m::lib {
namespace {

// Value of `key=` in a header's parameters (quoted or token). Parameters are
// read in order, a quoted value as a whole: a ';' or "filename=" inside a
// quoted name is part of that name, never a parameter of its own.
std::optional<std::string> param(std::string_view header, std::string_view key) {
  size_t pos = header.find(';');  // the parameters follow the type
  while (pos != std::string_view::npos) {
    ++pos;
    auto eq = header.find_first_of("=;", pos);
    if (eq == std::string_view::npos) return std::nullopt;
    if (header[eq] == ';') {  // a parameter without a value
      pos = eq;
      continue;
    }
    const bool wanted = toLower(trimView(header.substr(pos, eq - pos))) == key;
    size_t i = eq + 1;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      bool closed = false;
      for (++i; i < header.size(); ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) value += header[++i];
        else if (header[i] == '"') {
          closed = true;
          ++i;
          break;
        } else value += header[i];
      }
      if (!closed) return std::nullopt;  // unterminated quote
      pos = header.find(';', i);
    } else {
      pos = header.find(';', i);
      value = std::string(trimView(header.substr(i, pos == std::string_view::npos ? std::string_view::npos : pos - i)));
    }
    if (wanted) return value;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> multipartBoundary(std::string_view contentType) {
  if (toLower(trimView(contentType.substr(0, contentType.find(';')))) != "multipart/form-data") return std::nullopt;
  auto b = param(contentType, "boundary");
  if (!b || b->empty() || b->size() > 70) return std::nullopt;
  return b;
}

std::optional<std::vector<MultipartPart>> parseMultipart(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  std::vector<MultipartPart> parts;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return std::nullopt;
  pos += delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;
    auto headersEnd = body.find("\r\n\r\n", pos);
    if (headersEnd == std::string_view::npos) return std::nullopt;
    MultipartPart part;
    bool haveDisposition = false;
    std::string_view headers = body.substr(pos, headersEnd - pos);
    while (!headers.empty()) {
      auto eol = headers.find("\r\n");
      auto line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      auto colon = line.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      auto name = toLower(trimView(line.substr(0, colon)));
      auto value = trimView(line.substr(colon + 1));
      if (name == "content-disposition") {
        if (toLower(value.substr(0, value.find(';'))) != "form-data") return std::nullopt;
        auto n = param(value, "name");
        if (!n) return std::nullopt;
        part.name = *n;
        part.filename = param(value, "filename").value_or("");
        haveDisposition = true;
      } else if (name == "content-type") {
        part.contentType = std::string(value);
      }
    }
    if (!haveDisposition) return std::nullopt;
    size_t dataStart = headersEnd + 4;
    auto next = body.find("\r\n" + delimiter, dataStart);
    if (next == std::string_view::npos) return std::nullopt;
    part.data = body.substr(dataStart, next - dataStart);
    parts.push_back(std::move(part));
    pos = next + 2 + delimiter.size();
  }
}

}  // namespace m3m::lib
