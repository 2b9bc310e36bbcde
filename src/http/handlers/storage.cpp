#include <fstream>

#include "http/handlers/handlers.hpp"
#include "http/handlers/support.hpp"
#include "lib/multipart.hpp"
#include "lib/strings.hpp"
#include "service/storage/storage_service.hpp"

namespace m3m::http::handlers {
namespace {

nlohmann::json entryJson(const service::StorageEntry& e) {
  return {{"name", e.name},          {"path", e.path},         {"size", e.size},
          {"mime_type", e.mimeType}, {"modified", e.modified}, {"is_dir", e.isDir}};
}

nlohmann::json linkJson(const service::StorageLinkView& l) {
  nlohmann::json j = {{"id", l.id}, {"token_hint", l.tokenHint}, {"path", l.path}, {"created_at", l.createdAt}};
  if (!l.token.empty()) {
    j["token"] = l.token;
    j["url"] = l.url;
  }
  return j;
}

// RFC 6266: a plain ASCII fallback plus the exact UTF-8 name.
std::string contentDisposition(const std::string& name) {
  std::string ascii;
  for (unsigned char c : name) ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + lib::percentEncode(name);
}

std::string readRange(const std::filesystem::path& p, std::uint64_t from, std::uint64_t length) {
  std::ifstream in(p, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(from));
  std::string out(length, '\0');
  in.read(out.data(), static_cast<std::streamsize>(length));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

// The file, whole or one byte range (Range: bytes=a-b | a- | -n).
Response fileResponse(const Request& req, const service::StoredFile& f, bool attachment) {
  Response r;
  r.headers.emplace_back("Content-Type", f.mimeType);
  r.headers.emplace_back("Accept-Ranges", "bytes");
  // Stored HTML/SVG must never run as the API's origin.
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
  if (attachment) r.headers.emplace_back("Content-Disposition", contentDisposition(f.name));
  auto range = std::string(req.header("range"));
  if (range.empty()) {
    r.body = readRange(f.location, 0, f.size);
    return r;
  }
  std::uint64_t from = 0, to = f.size ? f.size - 1 : 0;
  bool ok = range.rfind("bytes=", 0) == 0 && range.find(',') == std::string::npos;
  if (ok) {
    auto spec = range.substr(6);
    auto dash = spec.find('-');
    try {
      if (dash == std::string::npos) ok = false;
      else if (dash == 0) {
        auto n = std::stoull(spec.substr(1));
        if (n == 0) ok = false;
        from = n >= f.size ? 0 : f.size - n;
      } else {
        from = std::stoull(spec.substr(0, dash));
        if (dash + 1 < spec.size()) to = std::min<std::uint64_t>(std::stoull(spec.substr(dash + 1)), to);
      }
    } catch (...) {
      ok = false;
    }
  }
  if (!ok || f.size == 0 || from >= f.size || from > to) {
    Response bad = Response::error(Error(ErrorCode::INVALID_ARGUMENT, "range not satisfiable"));
    bad.status = 416;
    bad.headers.emplace_back("Content-Range", "bytes */" + std::to_string(f.size));
    return bad;
  }
  r.status = 206;
  r.headers.emplace_back("Content-Range",
                         "bytes " + std::to_string(from) + "-" + std::to_string(to) + "/" + std::to_string(f.size));
  r.body = readRange(f.location, from, to - from + 1);
  return r;
}

}  // namespace

void registerStorage(Router& router, service::AuthService& auth, service::StorageService& storage,
                     spdlog::logger& log) {
  const std::string base = "/api/projects/:id/storage";
  router.get(base, sync([&](Request& req) {
               auto page = storage.list(authenticate(req, auth), req.params["id"], req.query("path"), pageRequest(req));
               return Response::json(200, pageJson(page, entryJson));
             }));
  router.get(base + "/usage", sync([&](Request& req) {
               return Response::json(200, storage.usage(authenticate(req, auth), req.params["id"]));
             }));
  router.post(base + "/mkdir", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                auto path = in.string("path", true);
                in.done();
                return Response::json(201, entryJson(storage.mkdir(who, req.params["id"], *path)));
              }));
  router.post(base + "/upload", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                auto boundary = lib::multipartBoundary(req.header("content-type"));
                if (!boundary)
                  throw Error(ErrorCode::UNSUPPORTED_MEDIA_TYPE, "send the files as multipart/form-data (field \"file\")");
                auto parts = lib::parseMultipart(req.body, *boundary);
                if (!parts) throw Error(ErrorCode::INVALID_ARGUMENT, "malformed multipart body");
                std::vector<std::pair<std::string, std::string_view>> files;
                for (const auto& p : *parts)
                  if (!p.filename.empty()) files.emplace_back(p.filename, p.data);
                auto stored = storage.upload(who, req.params["id"], req.query("path"), files);
                nlohmann::json items = nlohmann::json::array();
                for (const auto& e : stored) items.push_back(entryJson(e));
                return Response::json(201, {{"items", items}});
              }));
  router.get(base + "/download/*path", sync([&](Request& req) {
               auto f = storage.download(authenticate(req, auth), req.params["id"], req.params["path"]);
               return fileResponse(req, f, true);
             }));
  // Answered from an image worker (or at once from the cache): decoding never
  // runs on an IO thread.
  router.get(base + "/thumbnail/*path", [&](Request& req, Respond respond) {
    auto who = authenticate(req, auth);
    storage.thumbnail(who, req.params["id"], req.params["path"],
                      answerLater<std::string>(req, std::move(respond), log, [](std::string png) {
                        auto r = Response::text(200, std::move(png), "image/png");
                        r.headers.emplace_back("Cache-Control", "private, max-age=60");
                        return r;
                      }));
  });
  router.put(base + "/rename", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               JsonInput in(req);
               auto from = in.string("from", true);
               auto to = in.string("to", true);
               in.done();
               return Response::json(200, entryJson(storage.rename(who, req.params["id"], *from, *to)));
             }));
  router.post(base + "/file", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                auto path = in.string("path", true);
                auto content = in.string("content", true);
                in.done();
                return Response::json(201, entryJson(storage.createText(who, req.params["id"], *path, *content)));
              }));
  router.get(base + "/file/*path", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               auto text = storage.readText(who, req.params["id"], req.params["path"]);
               return Response::json(200, {{"path", req.params["path"]}, {"content", text}});
             }));
  router.put(base + "/file/*path", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               JsonInput in(req);
               auto content = in.string("content", true);
               in.done();
               return Response::json(200, entryJson(storage.editText(who, req.params["id"], req.params["path"], *content)));
             }));
  router.post(base + "/links", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                auto path = in.string("path", true);
                in.done();
                return Response::json(201, linkJson(storage.createLink(who, req.params["id"], *path)));
              }));
  router.get(base + "/links", sync([&](Request& req) {
               auto page = storage.links(authenticate(req, auth), req.params["id"], pageRequest(req));
               return Response::json(200, pageJson(page, linkJson));
             }));
  router.del(base + "/links/:link", sync([&](Request& req) {
               storage.revokeLink(authenticate(req, auth), req.params["id"], req.params["link"]);
               return Response::noContent();
             }));
  router.del(base + "/*path", sync([&](Request& req) {
               storage.remove(authenticate(req, auth), req.params["id"], req.params["path"]);
               return Response::noContent();
             }));
  // Public: the unguessable token is the credential.
  router.get("/api/storage/public/:token/:filename", sync([&](Request& req) {
               auto f = storage.publicFile(req.params["token"], req.params["filename"]);
               auto r = fileResponse(req, f, false);
               r.headers.emplace_back("Cache-Control", "public, max-age=300");
               r.headers.emplace_back("X-Content-Type-Options", "nosniff");
               return r;
             }));
}

}  // namespace m3m::http::handlers
