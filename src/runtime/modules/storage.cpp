// The `storage` module: the project's files (the same path rules as the file
// manager). Bytes cross the boundary as themselves: readBytes returns a
// binary Value (a Uint8Array), write takes a string or any ArrayBuffer/view.
#include <m3m/error.hpp>

#include <string>

#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {
namespace {

constexpr const char* kWrapper = R"js((native) => {
  'use strict';
  return Object.freeze({
    read: (path) => native.read(path),
    readBytes: (path) => native.readBytes(path),
    write: (path, content) => native.write(path, content),
    exists: (path) => native.exists(path),
    delete: (path) => native.delete(path),
    list: (path) => native.list(path === undefined ? '' : path),
    mkdir: (path) => native.mkdir(path),
    stat: (path) => native.stat(path),
  });
})js";

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
  write(path: string, content: string | ArrayBuffer | ArrayBufferView): void;
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
      .function("readBytes", pathOnly, "Uint8Array", "",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  return bytesValue(backend().read(ctx.projectId(), a.string(0)));
                })
      .function("write", {{"path", "string"}, {"content", "string | Uint8Array"}}, "void", "",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  const auto path = a.string(0);
                  backend().write(ctx.projectId(), path, std::string(a.bytes(1)));
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
