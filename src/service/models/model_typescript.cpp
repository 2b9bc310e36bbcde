#include "service/models/runtime_database.hpp"

namespace m3m::service {
namespace {

std::string scalarType(const domain::ModelField& f) {
  const auto& t = f.type;
  if (t == "integer" || t == "float") return "number";
  if (t == "bool") return "boolean";
  if (t == "document") return "any";
  if (t == "select") {
    std::string out;
    for (const auto& v : f.values) out += (out.empty() ? "" : " | ") + nlohmann::json(v).dump();
    return out.empty() ? "string" : out;
  }
  return "string";
}

std::string typeName(const std::string& model) {
  std::string out;
  bool upper = true;
  for (char c : model) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out + "Record";
}

}  // namespace

std::string modelDeclarations(const std::vector<domain::Model>& models) {
  std::string out = "\n// The project's models\n";
  std::string registry;
  for (const auto& m : models) {
    const auto name = typeName(m.name);
    if (!m.description.empty()) out += "/** " + m.description + " */\n";
    out += "interface " + name + " extends M3MRecord {\n";
    for (const auto& f : m.fields) {
      auto type = scalarType(f);
      if (f.multiple) type = "Array<" + type + ">";
      if (f.nullable && !f.required) type += " | null";
      out += "  /** " + f.type + (f.type == "ref" ? " → " + f.refModel : "") + " */\n";
      out += "  " + f.key + ": " + type + ";\n";
    }
    out += "}\n";
    registry += "  " + m.name + ": M3MCollection<" + name + ">;\n";
  }
  return out + "interface M3MModels {\n" + registry + "}\n";
}

}  // namespace m3m::service
