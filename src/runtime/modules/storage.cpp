// The `storage` module: the project's files (the same path rules as the file
// manager). Module values are JSON, so bytes cross the boundary as one base64
// string (not one JSON number per byte); the JS wrapper converts between it
// and Uint8Array, since V8 alone has no atob/btoa.
#include <m3m/error.hpp>

#include "lib/base64.hpp"
#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {
namespace {

constexpr const char* kWrapper = R"js((native) => {
  'use strict';
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const D = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) D[A.charCodeAt(i)] = i;
  const toBase64 = (u8) => {
    const parts = [];
    let s = '';
    const n = u8.length, full = n - (n % 3);
    for (let i = 0; i < full; i += 3) {
      const v = (u8[i] << 16) | (u8[i + 1] << 8) | u8[i + 2];
      s += A[v >> 18] + A[(v >> 12) & 63] + A[(v >> 6) & 63] + A[v & 63];
      if (s.length >= 16384) { parts.push(s); s = ''; }
    }
    if (n - full === 1) { const v = u8[full] << 16; s += A[v >> 18] + A[(v >> 12) & 63] + '=='; }
    else if (n - full === 2) { const v = (u8[full] << 16) | (u8[full + 1] << 8); s += A[v >> 18] + A[(v >> 12) & 63] + A[(v >> 6) & 63] + '='; }
    parts.push(s);
    return parts.join('');
  };
  // The native side only ever hands out well-formed padded base64.
  const fromBase64 = (s) => {
    const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
    const out = new Uint8Array((s.length / 4) * 3 - pad);
    let o = 0;
    for (let i = 0; i < s.length; i += 4) {
      const v = (D[s.charCodeAt(i)] << 18) | (D[s.charCodeAt(i + 1)] << 12) |
        ((D[s.charCodeAt(i + 2)] & 63) << 6) | (D[s.charCodeAt(i + 3)] & 63);
      out[o++] = v >> 16;
      if (o < out.length) out[o++] = (v >> 8) & 255;
      if (o < out.length) out[o++] = v & 255;
    }
    return out;
  };
  const bytesOf = (content) => {
    if (content instanceof ArrayBuffer) return new Uint8Array(content);
    if (ArrayBuffer.isView(content)) return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
    return null;
  };
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
