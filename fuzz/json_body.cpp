// JSON request bodies: Request::json/jsonObject (the parser every handler
// uses, with its limits), the JsonInput field reader, and the model-definition
// validator (fields, indexes, table/form config) plus record value checks —
// the same path POST /api/projects/:id/models and record writes take.
// Only m3m::Error may escape (anything else is a 500); the parsed value must
// survive a dump, as every response does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common.hpp"
#include "http/handlers/support.hpp"
#include "http/message.hpp"
#include "lib/json.hpp"
#include "service/models/field_values.hpp"
#include "service/models/model_input.hpp"

using namespace m3m;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::Request req;
  req.method = "POST";
  req.headers["Content-Type"] = "application/json; charset=utf-8";
  req.body.assign(reinterpret_cast<const char*>(data), size);

  fuzz::expectOnlyErrors([&] {
    json body = req.jsonObject();
    if (lib::jsonDepth(body) > lib::JSON_MAX_DEPTH) fuzz::fail("a body nested past lib::JSON_MAX_DEPTH was accepted");
    (void)body.dump(-1, ' ', false, json::error_handler_t::replace);

    http::handlers::JsonInput in(body);
    (void)in.string("name", true);
    (void)in.boolean("blocked");
    (void)in.stringList("project_ids");
    (void)in.any("value");
    if (auto nested = in.object("settings")) {
      (void)nested->string("theme");
      in.mergeErrorsOf(*nested, "settings");
    }

    service::Validation v;
    auto fields = service::models::readFields(body.value("fields", json::array()), v, true);
    std::vector<domain::ModelField> defs;
    for (const auto& f : fields) defs.push_back(f.field);
    service::models::checkRefTargets(fields, {"orders", "users"}, "self", v);
    if (body.contains("indexes")) (void)service::models::readIndexes(body["indexes"], defs, v);
    if (body.contains("table_config")) (void)service::models::readTableConfig(body["table_config"], defs, v);
    if (body.contains("form_config")) (void)service::models::readFormConfig(body["form_config"], defs, v);

    // A record written to that model: each value checked, then converted to
    // every other field's type (a type change) and checked again.
    if (body.contains("record") && body["record"].is_object()) {
      const auto& record = body["record"];
      for (const auto& f : defs) {
        if (!record.contains(f.key)) continue;
        std::string why;
        auto stored = service::models::checkValue(f, record[f.key], why);
        if (!stored) continue;
        for (const auto& to : defs)
          if (auto converted = service::models::convertValue(f, to, *stored))
            (void)service::models::checkValue(to, *converted, why);
      }
    }
    in.done();
    v.throwIfAny();
  });
  return 0;
}
