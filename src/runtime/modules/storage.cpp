// The `storage` module: the project's files (the same path rules as the file
// manager). Module values are JSON, so bytes cross the boundary as one base64
// string (not one JSON number per byte); the JS wrapper converts between it
// and Uint8Array, since V8 alone has no atob/btoa.
#include <m3m/error.hpp>

#include <string>

#include "lib/base64.hpp"
#include "runtime/modules/builtin_modules.hpp"
#include "runtime/modules/js_base64.hpp"

namespace m3m::runtime {
namespace {

const std::string kWrapper = std::string(R"js((native) => {
  'use strict';
)js" + std::string(kJsBase64) + R"js(
  return Object.freeze({
    read: (path) => native.read(path),
    readBytes: (path) => fromBase64(native.readBase64(path)),
    write: (path, content) => {
      const bytes = bytesOf(content);
      if (bytes) return native.writeBase64(path, toBase64(bytes));
      if (typeof content !== 'string') throw new TypeError('storage.write: argument 2 (content) must be a string, Uint8Array or ArrayBuffer');
      return native.write(path, content);
    },
    exists: (path) => native.exists(path),
    delete: (path) => native.delete(path),
    list: (path) => native.list(path === undefined ? '' : path),
    mkdir: (path) => native.mkdir(path),
    stat: (path) => native.stat(path),
  });
})js");

constexpr const char* kDeclarations = R"ts(interface M3MFileStat {
  size: number;
  is_dir: boolean;
  /** ISO-8601 UTC */
  modified: string;
  mime_type: string;
}
/** The project's files ({storage.path}/{project}/storage). Paths are relative; ".." and absolute paths throw. */
declare const storage: {
  /** The file as UTF-8 text. */
  read(path: string): string;
  readBytes(path: string): Uint8Array;
  /** Creates missing folders; replaces the file atomically. */
  write(path: string, content: string | Uint8Array | ArrayBuffer): void;
  exists(path: string): boolean;
  /** Deletes a file or a folder with its contents. */
  delete(path: string): void;
  /** Names in a folder ("" = the root), sorted. */
  list(path?: string): string[];
  mkdir(path: string): void;
  stat(path: string): M3MFileStat | null;
};
)ts";

}  // namespace

ModuleSchema storageModule(const BuiltinDeps& deps) {
  auto fs = deps.storage;
  auto backend = [fs]() -> StorageBackend& {
    if (!fs) throw Error(ErrorCode::UNAVAILABLE, "storage: not available in this runtime");
    return *fs;
  };
  const std::vector<Param> pathOnly = {{"path", "string"}};
  return ModuleBuilder("storage", "The project's files.")
      .function("read", pathOnly, "string", "",
                [backend](CallContext& ctx, const Args& a) -> Value { return backend().read(ctx.projectId(), a.string(0)); })
      .function("readBase64", pathOnly, "string", "the file's bytes as base64 (the wrapper's readBytes)",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  return lib::base64Encode(backend().read(ctx.projectId(), a.string(0)));
                })
      .function("write", {{"path", "string"}, {"content", "string"}}, "void", "",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  backend().write(ctx.projectId(), a.string(0), a.string(1));
                  return nullptr;
                })
      .function("writeBase64", {{"path", "string"}, {"base64", "string"}}, "void", "the wrapper's binary write",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  auto bytes = lib::base64Decode(a.string(1));
                  if (!bytes) a.fail(1, "must be base64");
                  backend().write(ctx.projectId(), a.string(0), *bytes);
                  return nullptr;
                })
      .function("exists", pathOnly, "boolean", "",
                [backend](CallContext& ctx, const Args& a) -> Value { return backend().exists(ctx.projectId(), a.string(0)); })
      .function("delete", pathOnly, "void", "",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  backend().remove(ctx.projectId(), a.string(0));
                  return nullptr;
                })
      .function("list", pathOnly, "string[]", "",
                [backend](CallContext& ctx, const Args& a) -> Value { return backend().list(ctx.projectId(), a.string(0)); })
      .function("mkdir", pathOnly, "void", "",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  backend().mkdir(ctx.projectId(), a.string(0));
                  return nullptr;
                })
      .function("stat", pathOnly, "object | null", "",
                [backend](CallContext& ctx, const Args& a) -> Value { return backend().stat(ctx.projectId(), a.string(0)); })
      .wrapper(kWrapper, kDeclarations)
      .build();
}

}  // namespace m3m::runtime
