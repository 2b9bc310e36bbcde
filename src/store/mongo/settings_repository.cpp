#include "store/mongo/settings_repository.hpp"

#include "lib/random.hpp"
#include "store/mongo/indexes.hpp"

namespace m3m::store::mongo {
namespace {
constexpr const char* kSettings = "settings";
using nlohmann::json;
}  // namespace

void ensureSettingsIndexes(Database&) {}  // keyed by _id

std::optional<std::string> MongoSettingsRepository::get(const std::string& key) {
  Collection c(db_, kSettings);
  auto doc = c.findOne(toBson({{"_id", key}}));
  if (!doc) return std::nullopt;
  return doc->value("value", "");
}

void MongoSettingsRepository::set(const std::string& key, const std::string& value) {
  Collection c(db_, kSettings);
  c.updateOne(toBson({{"_id", key}}), toBson({{"$set", {{"value", value}, {"updated_at", lib::nowIso()}}}}), true);
}

std::string MongoSettingsRepository::setIfAbsent(const std::string& key, const std::string& value) {
  try {
    Collection c(db_, kSettings);
    c.insertOne(toBson({{"_id", key}, {"value", value}, {"updated_at", lib::nowIso()}}));  // atomic on _id
    return value;
  } catch (const DuplicateKey&) {
    return get(key).value_or(value);
  }
}

bool MongoSettingsRepository::remove(const std::string& key) {
  Collection c(db_, kSettings);
  return c.deleteOne(toBson({{"_id", key}})) > 0;
}

std::vector<Setting> MongoSettingsRepository::list() {
  Collection c(db_, kSettings);
  const auto opts = toBson({{"sort", {{"_id", 1}}}});
  std::vector<Setting> out;
  for (auto& d : c.find(Bson(), opts.get()))
    out.push_back({d.value("_id", ""), d.value("value", ""), d.value("updated_at", "")});
  return out;
}

}  // namespace m3m::store::mongo
