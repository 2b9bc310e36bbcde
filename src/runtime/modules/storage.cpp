// The `storage` module: the project's files (the same path rules as the file
// manager). Declared once, typed: no JS wrapper, no hand-written TypeScript.
// Bytes cross the boundary as themselves: readBytes returns a binary Value (a
// Uint8Array), write takes a string or any ArrayBuffer/view.
#include <m3m/error.hpp>

#include <string>

#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {

ModuleSchema storageModule(std::shared_ptr<StorageBackend> fs) {
  auto backend = [fs]() -> StorageBackend& {
    if (!fs) throw Error(ErrorCode::UNAVAILABLE, "storage: not available in this runtime");
    return *fs;
  };
  const Type fileStat = t::named("M3MFileStat", t::object({
                                                    t::field("size", t::integer()),
                                                    t::field("is_dir", t::boolean()),
                                                    t::field("modified", t::string(), "ISO-8601 UTC"),
                                                    t::field("mime_type", t::string()),
                                                }));
  const std::vector<Param> path = {param("path", t::string())};
  return ModuleBuilder("storage",
                       "The project's files ({storage.path}/{project}/storage). Paths are relative; \"..\" and absolute "
                       "paths throw.")
      .function("read", path, t::string(), "The file as UTF-8 text.",
                [backend](CallContext& ctx, const Args& a) -> Value { return backend().read(ctx.projectId(), a.string(0)); })
      .function("readBytes", path, t::bytes(), "The file's bytes.",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  return bytesValue(backend().read(ctx.projectId(), a.string(0)));
                })
      .function("write", {param("path", t::string()), param("content", t::oneOf({t::string(), t::bytes()}))},
                t::void_(), "Creates missing folders; replaces the file atomically. Text is written as UTF-8.",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  const auto path = a.string(0);
                  backend().write(ctx.projectId(), path, std::string(a.bytes(1)));
                  return nullptr;
                })
      .function("exists", path, t::boolean(), "",
                [backend](CallContext& ctx, const Args& a) -> Value { return backend().exists(ctx.projectId(), a.string(0)); })
      .function("delete", path, t::void_(), "Deletes a file or a folder with its contents.",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  backend().remove(ctx.projectId(), a.string(0));
                  return nullptr;
                })
      .function("list", {param("path", t::string(), "")}, t::array(t::string()),
                "Names in a folder (\"\" = the root), sorted.",
                [backend](CallContext& ctx, const Args& a) -> Value { return backend().list(ctx.projectId(), a.string(0)); })
      .function("mkdir", path, t::void_(), "Creates the folder and its missing parents.",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  backend().mkdir(ctx.projectId(), a.string(0));
                  return nullptr;
                })
      .function("stat", path, t::nullable(fileStat), "The file's size, kind, time and type, or null when it is missing.",
                [backend](CallContext& ctx, const Args& a) -> Value { return backend().stat(ctx.projectId(), a.string(0)); })
      .build();
}

}  // namespace m3m::runtime
