// m3m public SDK: the type of a module function's parameter or result, as
// plain data. One descriptor drives both the argument checks of the V8
// binding (INVALID_ARGUMENT naming the argument: "env.get: argument 1 (key)
// must be a string") and the TypeScript printed for the editor
// (GET /api/runtime/types), so a declaration and its checks cannot disagree.
//
//   using namespace m3m;
//   .function("get", {param("key", t::string())}, t::nullable(t::string()), "…", impl)
//
// Kinds and what they print / accept (inputs: arguments; outputs: results):
//   t::any() any, t::unknown() unknown          anything
//   t::string() number() boolean() null()       that JSON kind
//   t::integer()                                 number; a whole one within ±2^53
//   t::bytes()                                   in: ArrayBuffer | ArrayBufferView; out: Uint8Array
//   t::function("(x: number) => void")           a JS function (a Callback; arguments only)
//   t::literal("hex"), t::literal(4)             that exact value ('hex', 4)
//   t::array(T)  t::record(T)                    T[]; Record<string, T>
//   t::object({t::field("a", T, "doc"), …})      { a: T } (unknown fields are allowed)
//   t::oneOf({A, B})  t::enumOf({"a", "b"})      A | B; 'a' | 'b'
//   t::optional(T)                               may be absent: `p?: T` for a parameter or a
//                                                field, else in: T | null | undefined, out: T | null
//   t::nullable(T)                               T | null
//   t::named("M3MFileStat", T, "doc")            prints the name; the module's declarations get
//                                                `interface M3MFileStat {…}` (or `type … = …`) once
//   t::ts("M3MFilter<T>", T = any)               escape hatch for what the kinds cannot say
//                                                (generics, classes, overloads): printed as is,
//                                                checked as T
//   t::void_() (results), t::promise(T) (async results: asyncFunction adds it)
// Absent arguments and undefined cross as null; a function nested in an
// object or array crosses as null (only top-level functions are Callbacks).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace m3m {

struct TypeField;

struct Type {
  enum class Kind : std::uint8_t {
    Any,
    Unknown,
    Void,
    Null,
    String,
    Number,
    Integer,
    Boolean,
    Bytes,
    Function,
    Literal,
    Array,
    Object,
    Record,
    Union,
    Optional,
    Promise,
    Named,
    Custom,
  };
  Kind kind = Kind::Any;
  std::string name;          // Named: the TS name
  std::string text;          // Function: its TS signature; Custom: the TS printed
  std::string doc;           // Named: the declaration's doc comment
  nlohmann::json literal;    // Literal: the value
  std::vector<Type> items;   // Array, Record, Optional, Promise, Named, Custom: [inner]; Union: members
  std::vector<TypeField> fields;  // Object
};

struct TypeField {
  std::string name;
  Type type;  // t::optional(T) for a field that may be absent
  std::string doc;
};

namespace t {

inline Type of(Type::Kind k) {
  Type t;
  t.kind = k;
  return t;
}
inline Type wrap(Type::Kind k, Type inner) {
  Type t = of(k);
  t.items.push_back(std::move(inner));
  return t;
}

inline Type any() { return of(Type::Kind::Any); }
inline Type unknown() { return of(Type::Kind::Unknown); }
inline Type void_() { return of(Type::Kind::Void); }
inline Type null() { return of(Type::Kind::Null); }
inline Type string() { return of(Type::Kind::String); }
inline Type number() { return of(Type::Kind::Number); }
inline Type integer() { return of(Type::Kind::Integer); }
inline Type boolean() { return of(Type::Kind::Boolean); }
inline Type bytes() { return of(Type::Kind::Bytes); }
inline Type function(std::string signature = "(...args: any[]) => unknown") {
  Type t = of(Type::Kind::Function);
  t.text = std::move(signature);
  return t;
}
inline Type literal(nlohmann::json value) {
  Type t = of(Type::Kind::Literal);
  t.literal = std::move(value);
  return t;
}
inline Type array(Type item) { return wrap(Type::Kind::Array, std::move(item)); }
inline Type record(Type value) { return wrap(Type::Kind::Record, std::move(value)); }
inline TypeField field(std::string name, Type type, std::string doc = "") {
  return {std::move(name), std::move(type), std::move(doc)};
}
inline Type object(std::vector<TypeField> fields = {}) {
  Type t = of(Type::Kind::Object);
  t.fields = std::move(fields);
  return t;
}
inline Type oneOf(std::vector<Type> members) {
  Type t = of(Type::Kind::Union);
  t.items = std::move(members);
  return t;
}
// 'a' | 'b' | 'c'
inline Type enumOf(std::initializer_list<const char*> values) {
  std::vector<Type> members;
  for (const char* v : values) members.push_back(literal(v));
  return oneOf(std::move(members));
}
inline Type optional(Type inner) { return wrap(Type::Kind::Optional, std::move(inner)); }
inline Type nullable(Type inner) { return oneOf({std::move(inner), null()}); }
inline Type promise(Type inner) { return wrap(Type::Kind::Promise, std::move(inner)); }
inline Type named(std::string name, Type definition, std::string doc = "") {
  Type t = wrap(Type::Kind::Named, std::move(definition));
  t.name = std::move(name);
  t.doc = std::move(doc);
  return t;
}
inline Type ts(std::string typescript, Type check = any()) {
  Type t = wrap(Type::Kind::Custom, std::move(check));
  t.text = std::move(typescript);
  return t;
}

}  // namespace t

// A Type as JSON and back (the plugin ABI sends declarations as JSON):
// {"kind": "object", "fields": [{"name": "x", "type": {"kind": "number"}, "doc": ""}]};
// "name", "text", "doc", "literal", "items" and "fields" appear where set.
// Reading an unknown kind throws std::invalid_argument.
inline constexpr const char* kTypeKindNames[] = {"any",     "unknown",  "void",   "null",    "string",
                                                 "number",  "integer",  "boolean", "bytes",  "function",
                                                 "literal", "array",    "object", "record",  "union",
                                                 "optional", "promise", "named",  "custom"};

inline void to_json(nlohmann::json& j, const Type& t);
inline void from_json(const nlohmann::json& j, Type& t);

inline void to_json(nlohmann::json& j, const TypeField& f) {
  j = nlohmann::json{{"name", f.name}, {"type", f.type}};
  if (!f.doc.empty()) j["doc"] = f.doc;
}
inline void from_json(const nlohmann::json& j, TypeField& f) {
  f.name = j.at("name").get<std::string>();
  f.type = j.at("type").get<Type>();
  f.doc = j.value("doc", "");
}
inline void to_json(nlohmann::json& j, const Type& t) {
  j = nlohmann::json{{"kind", kTypeKindNames[static_cast<int>(t.kind)]}};
  if (!t.name.empty()) j["name"] = t.name;
  if (!t.text.empty()) j["text"] = t.text;
  if (!t.doc.empty()) j["doc"] = t.doc;
  if (t.kind == Type::Kind::Literal) j["literal"] = t.literal;
  if (!t.items.empty()) j["items"] = t.items;
  if (!t.fields.empty()) j["fields"] = t.fields;
}
inline void from_json(const nlohmann::json& j, Type& t) {
  const auto kind = j.at("kind").get<std::string>();
  int k = 0;
  for (; k < static_cast<int>(std::size(kTypeKindNames)); ++k)
    if (kind == kTypeKindNames[k]) break;
  if (k == static_cast<int>(std::size(kTypeKindNames))) throw std::invalid_argument("m3m::Type: unknown kind \"" + kind + "\"");
  t = Type{};
  t.kind = static_cast<Type::Kind>(k);
  t.name = j.value("name", "");
  t.text = j.value("text", "");
  t.doc = j.value("doc", "");
  if (auto it = j.find("literal"); it != j.end()) t.literal = *it;
  if (auto it = j.find("items"); it != j.end()) t.items = it->get<std::vector<Type>>();
  if (auto it = j.find("fields"); it != j.end()) t.fields = it->get<std::vector<TypeField>>();
}

}  // namespace m3m
