#include "runtime/typescript/type_check.hpp"

#include <cctype>

namespace m3m::runtime {
namespace {

using K = Type::Kind;

constexpr const char* kBytes = "a Uint8Array, ArrayBuffer or ArrayBufferView";

const Type& inner(const Type& t) {
  static const Type any;
  return t.items.empty() ? any : t.items.front();
}

std::string literalText(const Value& v) {
  if (v.is_string()) return "'" + v.get<std::string>() + "'";
  return v.dump();
}

bool identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '_' || c == '$')) return false;
  return true;
}

std::string fieldPath(const std::string& name) { return identifier(name) ? "." + name : "[" + Value(name).dump() + "]"; }

// The members of a union, nested unions and optionals flattened.
void flatten(const Type& t, std::vector<const Type*>& out, bool& nullable) {
  if (t.kind == K::Union) {
    for (const auto& m : t.items) flatten(m, out, nullable);
  } else if (t.kind == K::Optional) {
    nullable = true;
    flatten(inner(t), out, nullable);
  } else if (t.kind == K::Null) {
    nullable = true;
  } else {
    out.push_back(&t);
  }
}

std::string joinOr(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += i + 1 == parts.size() ? " or " : ", ";
    out += parts[i];
  }
  return out;
}

// Whether a union member could be meant for a value of this JSON kind (then
// its own, deeper message is the useful one).
bool sameKind(const Type& t, const Value& v) {
  switch (t.kind) {
    case K::Object:
    case K::Record: return v.is_object();
    case K::Array: return v.is_array();
    case K::Named:
    case K::Custom:
    case K::Optional: return sameKind(inner(t), v);
    default: return false;
  }
}

}  // namespace

std::string describeType(const Type& t) {
  switch (t.kind) {
    case K::Any:
    case K::Unknown:
    case K::Void:
    case K::Promise: return "any value";
    case K::Null: return "null";
    case K::String: return "a string";
    case K::Number: return "a number";
    case K::Integer: return "an integer";
    case K::Boolean: return "a boolean";
    case K::Bytes: return kBytes;
    case K::Function: return "a function";
    case K::Literal: return literalText(t.literal);
    case K::Array: return "an array";
    case K::Object:
    case K::Record: return "an object";
    case K::Named:
    case K::Custom: return describeType(inner(t));
    case K::Optional:
    case K::Union: {
      std::vector<const Type*> members;
      bool nullable = false;
      flatten(t, members, nullable);
      std::vector<std::string> parts;
      bool string = false, bytes = false;
      for (const auto* m : members) {
        string = string || m->kind == K::String;
        bytes = bytes || m->kind == K::Bytes;
      }
      for (const auto* m : members) {
        if (string && bytes && m->kind == K::String) continue;
        if (string && bytes && m->kind == K::Bytes) {
          parts.push_back("a string, Uint8Array, ArrayBuffer or ArrayBufferView");
          continue;
        }
        parts.push_back(describeType(*m));
      }
      if (nullable) parts.push_back("null");
      return joinOr(parts);
    }
  }
  return "any value";
}

std::optional<TypeMismatch> checkValue(const Type& t, const Value& v, bool isFunction) {
  auto must = [&t]() { return TypeMismatch{"", "must be " + describeType(t)}; };
  switch (t.kind) {
    case K::Any:
    case K::Unknown:
    case K::Void:
    case K::Promise: return std::nullopt;
    case K::Null:
      if (v.is_null() && !isFunction) return std::nullopt;
      return must();
    case K::String:
      if (v.is_string()) return std::nullopt;
      return must();
    case K::Number:
      if (v.is_number()) return std::nullopt;
      return must();
    case K::Integer:
      // A JS number crosses as an integer when it is one within ±2^53 (v8_values.cpp).
      if (v.is_number_integer()) return std::nullopt;
      return must();
    case K::Boolean:
      if (v.is_boolean()) return std::nullopt;
      return must();
    case K::Bytes:
      if (v.is_binary()) return std::nullopt;
      return must();
    case K::Function:
      // Only a top-level argument is known to be a function; nested ones crossed as null.
      if (isFunction) return std::nullopt;
      return must();
    case K::Literal:
      if (v == t.literal) return std::nullopt;
      return must();
    case K::Array: {
      if (!v.is_array()) return must();
      for (size_t i = 0; i < v.size(); ++i)
        if (auto m = checkValue(inner(t), v[i])) return TypeMismatch{"[" + std::to_string(i) + "]" + m->path, m->what};
      return std::nullopt;
    }
    case K::Record: {
      if (!v.is_object()) return must();
      for (const auto& [k, item] : v.items())
        if (auto m = checkValue(inner(t), item)) return TypeMismatch{fieldPath(k) + m->path, m->what};
      return std::nullopt;
    }
    case K::Object: {
      if (!v.is_object()) return must();
      for (const auto& f : t.fields) {
        auto it = v.find(f.name);
        if (it == v.end() || it->is_null()) {
          if (f.type.kind == K::Optional || f.type.kind == K::Any || f.type.kind == K::Unknown) continue;
          if (f.type.kind == K::Union || f.type.kind == K::Null) {
            if (!checkValue(f.type, nullptr)) continue;
          }
          return TypeMismatch{fieldPath(f.name), "is required"};
        }
        if (auto m = checkValue(f.type, *it)) return TypeMismatch{fieldPath(f.name) + m->path, m->what};
      }
      return std::nullopt;
    }
    case K::Optional:
      if (v.is_null() && !isFunction) return std::nullopt;
      return checkValue(inner(t), v, isFunction);
    case K::Named:
    case K::Custom: return checkValue(inner(t), v, isFunction);
    case K::Union: {
      std::vector<const Type*> candidates;
      for (const auto& m : t.items) {
        if (!checkValue(m, v, isFunction)) return std::nullopt;
        if (sameKind(m, v)) candidates.push_back(&m);
      }
      if (candidates.size() == 1)
        if (auto m = checkValue(*candidates.front(), v, isFunction); m && !m->path.empty()) return m;
      return must();
    }
  }
  return std::nullopt;
}

void checkArguments(const FunctionSpec& spec, const std::string& qualifiedName, std::vector<Value>& values,
                    const std::vector<bool>& isFunction) {
  auto fail = [&](size_t i, const std::string& name, const TypeMismatch& m) {
    throw Error(ErrorCode::INVALID_ARGUMENT,
                qualifiedName + ": argument " + std::to_string(i + 1) + " (" + name + m.path + ") " + m.what);
  };
  auto fn = [&](size_t i) { return i < isFunction.size() && isFunction[i]; };
  for (size_t i = 0; i < spec.params.size(); ++i) {
    const Param& p = spec.params[i];
    if (p.variadic) {
      for (size_t j = i; j < values.size(); ++j)
        if (auto m = checkValue(p.type, values[j], fn(j))) fail(j, p.name, *m);
      return;
    }
    const bool absent = (i >= values.size() || values[i].is_null()) && !fn(i);
    if (absent && !p.defaultValue.is_null()) {
      if (values.size() <= i) values.resize(i + 1);
      values[i] = p.defaultValue;
      continue;
    }
    if (auto m = checkValue(p.type, i < values.size() ? values[i] : Value(), fn(i))) fail(i, p.name, *m);
  }
}

}  // namespace m3m::runtime
