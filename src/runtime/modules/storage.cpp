// The `storage` module: the project's files (the same path rules as the file
// manager). Bytes cross as arrays of numbers (module values are JSON); the JS
// wrapper turns them into Uint8Array.
#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {
namespace {

constexpr const char* kWrapper = R"js((native) => {
  'use strict';
  const bytesOf = (content) => {
    if (content instanceof ArrayBuffer) return Array.from(new Uint8Array(content));
    if (ArrayBuffer.isView(content)) return Array.from(new Uint8Array(content.buffer, content.byteOffset, content.byteLength));
    return null;
  };
  return Object.freeze({
    read: (path) => native.read(path),
    readBytes: (path) => new Uint8Array(native.readBytes(path)),
    write: (path, content) => {
      const bytes = bytesOf(content);
      if (bytes) return native.writeBytes(path, bytes);
      if (typeof content !== 'string') throw new TypeError('storage.write: argument 2 (content) must be a string, Uint8Array or ArrayBuffer');
      return native.write(path, content);
    },
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
      .function("readBytes", pathOnly, "number[]", "",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  auto bytes = backend().read(ctx.projectId(), a.string(0));
                  Value out = Value::array();
                  for (unsigned char c : bytes) out.push_back(c);
                  return out;
                })
      .function("write", {{"path", "string"}, {"content", "string"}}, "void", "",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  backend().write(ctx.projectId(), a.string(0), a.string(1));
                  return nullptr;
                })
      .function("writeBytes", {{"path", "string"}, {"bytes", "number[]"}}, "void", "",
                [backend](CallContext& ctx, const Args& a) -> Value {
                  const auto& arr = a.at(1);
                  if (!arr.is_array()) a.fail(1, "must be bytes");
                  std::string bytes;
                  bytes.reserve(arr.size());
                  for (const auto& b : arr) {
                    if (!b.is_number_integer() || b.get<int>() < 0 || b.get<int>() > 255) a.fail(1, "must be bytes (0-255)");
                    bytes += static_cast<char>(b.get<int>());
                  }
                  backend().write(ctx.projectId(), a.string(0), bytes);
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
