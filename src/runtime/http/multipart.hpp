// multipart/form-data request bodies (RFC 7578) for the `http` module's
// {multipart: [...]} body and fetch's FormData. No V8: the parts arrive as
// Values (http.js hands bytes over as extra arguments) and files of the
// project's storage are read through StorageBackend, which applies the
// storage's path checks (as smtp attachments do).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime::http {

struct FormPart {
  std::string name;                     // UTF-8
  std::optional<std::string> filename;  // set: a file part (UTF-8)
  std::string contentType;              // empty: none for a field, from the filename's extension for a file
  std::string data;
};

struct MultipartBody {
  std::string contentType;  // "multipart/form-data; boundary=…"
  std::string body;
};

// Largest encoded body (64 MiB): PAYLOAD_TOO_LARGE past it.
inline constexpr std::size_t kMaxMultipartBytes = 64u << 20;
inline constexpr std::size_t kMaxMultipartParts = 1000;

// A quoted-string parameter of Content-Disposition as browsers write it
// (HTML's multipart/form-data encoding): UTF-8 kept as is, '"' as %22.
// CR, LF and NUL are refused (INVALID_ARGUMENT naming `what`): they would
// end the header.
std::string quoteFormParam(std::string_view utf8, std::string_view what);

// A fresh boundary: "m3m-form-" + 32 random [a-z0-9].
std::string randomBoundary();

// The body, CRLF line endings. Each part: Content-Disposition: form-data;
// name="…"[; filename="…"], then Content-Type for a file part (given, or by
// the filename's extension, else application/octet-stream) or when given.
// `boundary` empty: random, re-drawn until no part's data contains it.
// Throws INVALID_ARGUMENT (CR/LF in a name, filename or content type) or
// PAYLOAD_TOO_LARGE.
MultipartBody encodeMultipart(const std::vector<FormPart>& parts, std::string boundary = {});

// The parts of a call `native.multipart(parts, ...bytes)` from http.js:
// parts[i] is {name, value: string} | {name, filename?, content: string |
// {bytes: k}, contentType?} | {name, filename?, path, contentType?}, where
// {bytes: k} is argument k + 2 (a Uint8Array) and `path` names a file of the
// project's storage (filename defaults to its last segment). INVALID_ARGUMENT
// "http: multipart[i]…" naming the culprit; the storage's own errors
// (NOT_FOUND, a path outside the storage…) prefixed the same way.
std::vector<FormPart> readFormParts(const Args& args, StorageBackend* storage, const std::string& projectId);

}  // namespace m3m::runtime::http
