#include "runtime/typescript/printer.hpp"

#include <set>

#include "runtime/typescript/globals_dts.hpp"
#include "runtime/typescript/web_dts.hpp"

namespace m3m::runtime {
namespace {

using K = Type::Kind;

const Type& inner(const Type& t) {
  static const Type any;
  return t.items.empty() ? any : t.items.front();
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// A JSDoc comment: one line, or one line per line of `doc`.
void docComment(std::string& out, const std::string& doc, const std::string& indent) {
  if (doc.empty()) return;
  if (doc.find('\n') == std::string::npos) {
    out += indent + "/** " + doc + " */\n";
    return;
  }
  out += indent + "/**\n";
  size_t start = 0;
  while (start <= doc.size()) {
    auto end = doc.find('\n', start);
    if (end == std::string::npos) end = doc.size();
    out += indent + " * " + doc.substr(start, end - start) + "\n";
    start = end + 1;
  }
  out += indent + " */\n";
}

bool needsParens(const Type& t, TypePosition pos) {
  switch (t.kind) {
    case K::Union:
    case K::Function:
    case K::Optional: return true;
    case K::Bytes: return pos == TypePosition::Input;
    case K::Custom: return t.text.find_first_of("|&=") != std::string::npos;
    default: return false;
  }
}

bool isOptional(const Param& p) { return p.type.kind == K::Optional || !p.defaultValue.is_null(); }

std::string printParams(const std::vector<Param>& params) {
  std::string out;
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& p = params[i];
    if (i) out += ", ";
    if (p.variadic) {
      const auto& elem = p.type;
      auto text = printType(elem, TypePosition::Input);
      out += "..." + p.name + ": " + (needsParens(elem, TypePosition::Input) ? "(" + text + ")" : text) + "[]";
    } else if (isOptional(p)) {
      out += p.name + "?: " + printType(p.type.kind == K::Optional ? inner(p.type) : p.type, TypePosition::Input);
    } else {
      out += p.name + ": " + printType(p.type, TypePosition::Input);
    }
  }
  return out;
}

std::string printFields(const std::vector<TypeField>& fields, TypePosition pos, const std::string& indent) {
  std::string out;
  for (const auto& f : fields) {
    docComment(out, f.doc, indent);
    const bool optional = f.type.kind == K::Optional;
    out += indent + f.name + (optional ? "?: " : ": ") + printType(optional ? inner(f.type) : f.type, pos) + ";\n";
  }
  return out;
}

// Named types, in the order first met, each with the position it was met in.
struct NamedTypes {
  std::vector<std::pair<const Type*, TypePosition>> list;
  std::set<std::string> seen;
  void walk(const Type& t, TypePosition pos) {
    if (t.kind == K::Named) {
      if (!seen.insert(t.name).second) return;
      walk(inner(t), pos);  // what it uses first: declarations read top-down
      list.emplace_back(&t, pos);
      return;
    }
    for (const auto& item : t.items) walk(item, pos);
    for (const auto& f : t.fields) walk(f.type, pos);
  }
};

std::string printNamed(const Type& t, TypePosition pos) {
  std::string out;
  docComment(out, t.doc, "");
  const Type& def = inner(t);
  if (def.kind == K::Object && !def.fields.empty())
    return out + "interface " + t.name + " {\n" + printFields(def.fields, pos, "  ") + "}\n";
  return out + "type " + t.name + " = " + printType(def, pos) + ";\n";
}

}  // namespace

std::string printType(const Type& t, TypePosition pos) {
  switch (t.kind) {
    case K::Any: return "any";
    case K::Unknown: return "unknown";
    case K::Void: return "void";
    case K::Null: return "null";
    case K::String: return "string";
    case K::Number:
    case K::Integer: return "number";
    case K::Boolean: return "boolean";
    case K::Bytes: return pos == TypePosition::Input ? "ArrayBuffer | ArrayBufferView" : "Uint8Array";
    case K::Function: return t.text;
    case K::Literal: return t.literal.is_string() ? quoted(t.literal.get<std::string>()) : t.literal.dump();
    case K::Array: {
      auto text = printType(inner(t), pos);
      return (needsParens(inner(t), pos) ? "(" + text + ")" : text) + "[]";
    }
    case K::Record: return "Record<string, " + printType(inner(t), pos) + ">";
    case K::Object: {
      if (t.fields.empty()) return "Record<string, unknown>";
      std::string out = "{ ";
      for (size_t i = 0; i < t.fields.size(); ++i) {
        const auto& f = t.fields[i];
        const bool optional = f.type.kind == K::Optional;
        if (i) out += "; ";
        out += f.name + (optional ? "?: " : ": ") + printType(optional ? inner(f.type) : f.type, pos);
      }
      return out + " }";
    }
    case K::Union: {
      std::vector<std::string> parts;
      std::set<std::string> seen;
      for (const auto& m : t.items) {
        auto text = printType(m, pos);
        if (m.kind == K::Function) text = "(" + text + ")";
        if (seen.insert(text).second) parts.push_back(text);
      }
      std::string out;
      for (size_t i = 0; i < parts.size(); ++i) out += (i ? " | " : "") + parts[i];
      return out;
    }
    case K::Optional:
      return printType(inner(t), pos) + (pos == TypePosition::Input ? " | null | undefined" : " | null");
    case K::Promise: return "Promise<" + printType(inner(t), pos) + ">";
    case K::Named: return t.name;
    case K::Custom: return t.text;
  }
  return "unknown";
}

std::string printSignature(const FunctionSpec& f) {
  return f.name + "(" + printParams(f.params) + "): " + printType(f.returns, TypePosition::Output) + ";";
}

std::string printModule(const ModuleSchema& m) {
  std::string out;
  if (!m.declarations.empty()) out += m.declarations;
  NamedTypes named;
  for (const auto& t : m.types) named.walk(t, TypePosition::Input);
  for (const auto& f : m.functions) {
    if (f.visibility == FunctionSpec::Visibility::Internal) continue;
    for (const auto& p : f.params) named.walk(p.type, TypePosition::Input);
    named.walk(f.returns, TypePosition::Output);
  }
  for (const auto& p : m.properties) named.walk(p.type, TypePosition::Output);
  for (const auto& [t, pos] : named.list) out += printNamed(*t, pos);
  docComment(out, m.doc, "");
  out += "declare const " + m.name + ": " + (m.mergedWith.empty() ? "" : m.mergedWith + " & ") + "{\n";
  for (const auto& f : m.functions) {
    if (f.visibility == FunctionSpec::Visibility::Internal) continue;
    docComment(out, f.doc, "  ");
    if (f.typescript.empty()) {
      out += "  " + printSignature(f) + "\n";
      continue;
    }
    size_t start = 0;
    while (start < f.typescript.size()) {
      auto end = f.typescript.find('\n', start);
      if (end == std::string::npos) end = f.typescript.size();
      if (end > start) out += "  " + f.typescript.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
  for (const auto& p : m.properties) {
    docComment(out, p.doc, "  ");
    out += "  readonly " + p.name + ": " + printType(p.type, TypePosition::Output) + ";\n";
  }
  out += "};\n";
  return out;
}

std::string printAll(const std::vector<ModuleSchema>& modules) {
  std::string out = "// m3m runtime API — generated by the server (GET /api/runtime/types)\n\n";
  out += GLOBALS_DTS;
  out += WEB_DTS;
  for (const auto& m : modules) out += "\n" + printModule(m);
  return out;
}

}  // namespace m3m::runtime
