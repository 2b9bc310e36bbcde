#include "runtime/http/multipart.hpp"

#include "lib/mime.hpp"
#include "lib/random.hpp"
#include "lib/units.hpp"

namespace m3m::runtime::http {

namespace {

[[noreturn]] void invalid(const std::string& what) {
  throw Error(ErrorCode::INVALID_ARGUMENT, "http: " + what, {{"multipart", what}});
}

void checkHeaderText(std::string_view text, std::string_view what) {
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      invalid(std::string(what) + " has a control character (CR, LF, NUL…)");
}

}  // namespace

std::string quoteFormParam(std::string_view utf8, std::string_view what) {
  std::string out = "\"";
  for (char c : utf8) {
    if (c == '\r' || c == '\n' || c == '\0') invalid(std::string(what) + " has a CR, LF or NUL character");
    if (c == '"') out += "%22";
    else out += c;
  }
  return out + "\"";
}

std::string randomBoundary() { return "m3m-form-" + lib::randomLowerAlnum(32); }

MultipartBody encodeMultipart(const std::vector<FormPart>& parts, std::string boundary) {
  if (parts.size() > kMaxMultipartParts) invalid("multipart has more than " + std::to_string(kMaxMultipartParts) + " parts");
  std::vector<std::string> heads;
  heads.reserve(parts.size());
  std::size_t total = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    const std::string what = "multipart[" + std::to_string(i) + "]";
    std::string h = "Content-Disposition: form-data; name=" + quoteFormParam(p.name, what + ".name");
    if (p.filename) h += "; filename=" + quoteFormParam(*p.filename, what + ".filename");
    h += "\r\n";
    std::string type = p.contentType;
    if (type.empty() && p.filename) type = lib::mime::contentTypeFor(*p.filename);
    if (!type.empty()) {
      checkHeaderText(type, what + ".contentType");
      h += "Content-Type: " + type + "\r\n";
    }
    total += h.size() + p.data.size() + 64;
    if (total > kMaxMultipartBytes)
      throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "http: the multipart body is larger than " + lib::formatSize(kMaxMultipartBytes));
    heads.push_back(std::move(h));
  }
  const bool given = !boundary.empty();
  if (!given) boundary = randomBoundary();
  auto occurs = [&] {
    for (const auto& p : parts)
      if (p.data.find(boundary) != std::string::npos) return true;
    return false;
  };
  for (int attempt = 0; occurs(); ++attempt) {  // 32 random characters: practically never
    if (given || attempt >= 8) invalid("the boundary occurs in a part's data");
    boundary = randomBoundary();
  }
  MultipartBody out;
  out.contentType = "multipart/form-data; boundary=" + boundary;
  out.body.reserve(total + boundary.size() * (parts.size() + 1) + 8);
  for (size_t i = 0; i < parts.size(); ++i) {
    out.body += "--" + boundary + "\r\n";
    out.body += heads[i];
    out.body += "\r\n";
    out.body += parts[i].data;
    out.body += "\r\n";
  }
  out.body += "--" + boundary + "--\r\n";
  return out;
}

std::vector<FormPart> readFormParts(const Args& args, StorageBackend* storage, const std::string& projectId) {
  const Value& list = args.at(0);
  if (!list.is_array()) invalid("multipart must be an array of parts or a FormData");
  if (list.size() > kMaxMultipartParts) invalid("multipart has more than " + std::to_string(kMaxMultipartParts) + " parts");
  std::vector<FormPart> parts;
  std::size_t total = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const Value& p = list[i];
    const std::string what = "multipart[" + std::to_string(i) + "]";
    if (!p.is_object()) invalid(what + " must be {name, value} | {name, filename, content} | {name, path}");
    FormPart part;
    auto name = p.find("name");
    if (name == p.end() || !name->is_string()) invalid(what + ".name must be a string");
    part.name = name->get<std::string>();
    const bool hasValue = p.contains("value") && !p["value"].is_null();
    const bool hasContent = p.contains("content") && !p["content"].is_null();
    const bool hasPath = p.contains("path") && !p["path"].is_null();
    if (hasValue + hasContent + hasPath != 1) invalid(what + " needs exactly one of value, content or path");
    if (auto fn = p.find("filename"); fn != p.end() && !fn->is_null()) {
      if (hasValue) invalid(what + ".filename goes with content or path, not value");
      if (!fn->is_string()) invalid(what + ".filename must be a string");
      part.filename = fn->get<std::string>();
    }
    if (auto ct = p.find("contentType"); ct != p.end() && !ct->is_null()) {
      if (hasValue) invalid(what + ".contentType goes with content or path, not value");
      if (!ct->is_string()) invalid(what + ".contentType must be a string");
      part.contentType = ct->get<std::string>();
    }
    if (hasValue) {
      if (!p["value"].is_string()) invalid(what + ".value must be a string (use content for bytes)");
      part.data = p["value"].get<std::string>();
    } else if (hasContent) {
      const Value& c = p["content"];
      if (c.is_string()) {
        part.data = c.get<std::string>();
      } else if (c.is_object() && c.contains("bytes") && c["bytes"].is_number() && c["bytes"].get<double>() >= 0 &&
                 c["bytes"].get<double>() < 1e9) {
        const Value& bytes = args.at(1 + static_cast<std::size_t>(c["bytes"].get<double>()));
        if (!bytes.is_binary()) invalid(what + ".content must be a string, a Uint8Array or an ArrayBuffer");
        part.data.assign(bytes.get_binary().begin(), bytes.get_binary().end());
      } else {
        invalid(what + ".content must be a string, a Uint8Array or an ArrayBuffer");
      }
    } else {
      if (!p["path"].is_string() || p["path"].get<std::string>().empty())
        invalid(what + ".path must be a path in the project's storage");
      const std::string path = p["path"].get<std::string>();
      if (!storage) throw Error(ErrorCode::UNAVAILABLE, "http: the project's storage is not available in this runtime");
      try {
        part.data = storage->read(projectId, path);
      } catch (const Error& e) {
        throw Error(e.code(), "http: " + what + ".path (" + path + "): " + e.what(), e.fields());
      }
      if (!part.filename) {
        const auto slash = path.find_last_of('/');
        part.filename = slash == std::string::npos ? path : path.substr(slash + 1);
      }
    }
    total += part.data.size();
    if (total > kMaxMultipartBytes)
      throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "http: the multipart body is larger than " + lib::formatSize(kMaxMultipartBytes));
    parts.push_back(std::move(part));
  }
  return parts;
}

}  // namespace m3m::runtime::http
