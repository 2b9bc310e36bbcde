// Prints TypeScript declarations (.d.ts) for the editor from module schemas:
// each module's named types, then `declare const <module>: {…}` with its
// public and script functions and properties (internal ones are left out).
#pragma once

#include <m3m/module.hpp>
#include <string>
#include <vector>

namespace m3m::runtime {

// Where a type is read: bytes are ArrayBuffer | ArrayBufferView as an
// argument and Uint8Array as a result; an optional value may be undefined
// only as an argument.
enum class TypePosition { Input, Output };

std::string printType(const Type& type, TypePosition position);
// "get(key: string): string | null;"
std::string printSignature(const FunctionSpec& function);
std::string printModule(const ModuleSchema& schema);
// The engine's own globals (service, router, console, timers…), the web
// classes, then every module.
std::string printAll(const std::vector<ModuleSchema>& modules);

}  // namespace m3m::runtime
