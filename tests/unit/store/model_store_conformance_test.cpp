// The storage-driver contract for models and records: every driver runs this
// same suite unchanged (SQLite, and MongoDB on FerretDB or
// $M3M_TEST_MONGODB_URI). It talks only to the Store interface.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <m3m/error.hpp>
#include <memory>

#include "config/config.hpp"
#include "store/query/filter.hpp"
#include "store/store.hpp"
#include "store/mongo/mongo_store.hpp"
#include "temp_dir.hpp"
#include "test_mongodb.hpp"

using namespace m3m;
using nlohmann::json;

namespace {

struct Driver {
  std::string name;
  std::function<std::unique_ptr<store::Store>(const TempDir&)> open;
};

const std::string kNow = "2026-11-24T12:00:00.000Z";

domain::ModelField field(std::string key, std::string type, std::string column) {
  domain::ModelField f;
  f.key = std::move(key);
  f.type = std::move(type);
  f.column = std::move(column);
  return f;
}

void PrintTo(const Driver& d, std::ostream* os) { *os << d.name; }

class ModelStoreConformance : public ::testing::TestWithParam<Driver> {
 protected:
  void SetUp() override {
    store = GetParam().open(dir);
    domain::User u;
    u.id = "u1";
    u.email = "owner@example.com";
    u.passwordHash = "x";
    u.createdAt = u.updatedAt = kNow;
    store->repos().users().create(u);
    domain::Project p;
    p.id = "p1";
    p.name = "P";
    p.slug = "p";
    p.ownerId = "u1";
    p.apiKeyHash = "h";
    p.createdAt = p.updatedAt = kNow;
    store->repos().projects().create(p);

    orders.id = "0b1c2d3e-0000-4000-8000-000000000001";
    orders.projectId = "p1";
    orders.name = "orders";
    orders.fields = {field("title", "string", "c1"), field("total", "float", "c2"), field("qty", "integer", "c3"),
                     field("paid", "bool", "c4"),    field("meta", "document", "c5"), field("tags", "select", "c6"),
                     field("at", "datetime", "c7")};
    orders.fields[5].multiple = true;
    orders.fields[5].values = {"a", "b", "vip"};
    orders.fields[0].indexed = true;
    orders.nextColumn = 8;
    orders.createdAt = orders.updatedAt = kNow;
    store->repos().models().create(orders);
  }

  json record(const std::string& id, json values, const std::string& created = kNow) {
    json r = {{"id", id}, {"created", created}, {"updated", created}};
    for (const auto& f : orders.fields) r[f.key] = values.contains(f.key) ? values[f.key] : json();
    return r;
  }

  void seed() {
    auto& rec = store->repos().records();
    rec.insert(orders, record("aaaaaaaaaaaaaa1", {{"title", "Apple pie"}, {"total", 10.5}, {"qty", 1}, {"paid", true},
                                                  {"meta", {{"src", "web"}, {"n", {1, 2}}}}, {"tags", {"a", "vip"}},
                                                  {"at", "2026-11-01T10:00:00.000Z"}},
                                      "2026-01-01T00:00:01.000Z"));
    rec.insert(orders, record("aaaaaaaaaaaaaa2", {{"title", "banana"}, {"total", 3}, {"qty", 5}, {"paid", false},
                                                  {"meta", {{"src", "app"}}}, {"tags", {"b"}},
                                                  {"at", "2026-11-02T10:00:00.000Z"}},
                                      "2026-01-01T00:00:02.000Z"));
    rec.insert(orders, record("aaaaaaaaaaaaaa3", {{"title", "Cherry"}, {"qty", 9007199254740993LL}},
                              "2026-01-01T00:00:03.000Z"));
  }

  std::vector<std::string> ids(const std::string& filter, const std::string& sort = "") {
    store::RecordQuery q;
    if (!filter.empty()) q.filter = store::query::parseFilter(filter);
    q.sort = store::query::parseSort(sort);
    q.limit = 100;
    std::vector<std::string> out;
    for (const auto& r : store->repos().records().find(orders, q, kNow).items) out.push_back(r["id"]);
    return out;
  }

  TempDir dir;
  std::unique_ptr<store::Store> store;
  domain::Model orders;
};

using Ids = std::vector<std::string>;
const std::string A = "aaaaaaaaaaaaaa1", B = "aaaaaaaaaaaaaa2", C = "aaaaaaaaaaaaaa3";

TEST_P(ModelStoreConformance, RecordsRoundTripEveryType) {
  seed();
  auto a = store->repos().records().get(orders, A);
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["title"], "Apple pie");
  EXPECT_EQ((*a)["total"], 10.5);
  EXPECT_EQ((*a)["qty"], 1);
  EXPECT_EQ((*a)["paid"], true);
  EXPECT_EQ((*a)["meta"], json({{"src", "web"}, {"n", {1, 2}}}));
  EXPECT_EQ((*a)["tags"], json({"a", "vip"}));
  EXPECT_EQ((*a)["at"], "2026-11-01T10:00:00.000Z");
  auto c = store->repos().records().get(orders, C);
  EXPECT_EQ((*c)["qty"].get<std::int64_t>(), 9007199254740993LL) << "64-bit integers are exact";
  EXPECT_TRUE((*c)["total"].is_null());
  EXPECT_FALSE(store->repos().records().get(orders, "zzzzzzzzzzzzzzz"));
  EXPECT_EQ(store->repos().records().getMany(orders, {A, C, "nope"}).size(), 2u);
}

TEST_P(ModelStoreConformance, EveryFilterOperator) {
  seed();
  EXPECT_EQ(ids("title = 'banana'"), Ids({B}));
  EXPECT_EQ(ids("title != 'banana'"), Ids({A, C}));
  EXPECT_EQ(ids("total > 3"), Ids({A}));
  EXPECT_EQ(ids("total >= 3"), Ids({A, B}));
  EXPECT_EQ(ids("total < 10.5"), Ids({B}));
  EXPECT_EQ(ids("total <= 10.5"), Ids({A, B}));
  EXPECT_EQ(ids("title ~ 'APPLE'"), Ids({A})) << "contains is case-insensitive";
  EXPECT_EQ(ids("title !~ 'an'"), Ids({A, C}));
  EXPECT_EQ(ids("total = null"), Ids({C}));
  EXPECT_EQ(ids("total != null"), Ids({A, B}));
  EXPECT_EQ(ids("paid = true"), Ids({A}));
  EXPECT_EQ(ids("(total > 5 && paid = true) || title = 'Cherry'"), Ids({A, C}));
  EXPECT_EQ(ids("total > 5 && paid = true || title = 'Cherry'"), Ids({A, C})) << "&& binds tighter";
  EXPECT_EQ(ids("tags ?= 'vip'"), Ids({A}));
  EXPECT_EQ(ids("meta.src = 'app'"), Ids({B}));
  EXPECT_EQ(ids("at > '2026-11-01T12:00:00+03:00'"), Ids({A, B})) << "09:00Z: both are later";
  EXPECT_EQ(ids("at > '2026-11-01T14:00:00+03:00'"), Ids({B})) << "11:00Z";
  EXPECT_EQ(ids("qty > 9007199254740992"), Ids({C}));
  EXPECT_EQ(ids("created > '2026-01-01T00:00:01.500Z'"), Ids({B, C}));
  EXPECT_EQ(ids("id = '" + B + "'"), Ids({B}));
}

TEST_P(ModelStoreConformance, SortAndPaging) {
  seed();
  EXPECT_EQ(ids("", ""), Ids({A, B, C})) << "default: created";
  EXPECT_EQ(ids("", "-created"), Ids({C, B, A}));
  EXPECT_EQ(ids("", "title"), Ids({A, C, B})) << "binary order: upper case first";
  EXPECT_EQ(ids("", "-qty"), Ids({C, B, A}));
  store::RecordQuery q;
  q.limit = 2;
  q.offset = 2;
  auto page = store->repos().records().find(orders, q, kNow);
  EXPECT_EQ(page.totalItems, 3);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0]["id"], C);
  q.countTotal = false;
  EXPECT_EQ(store->repos().records().find(orders, q, kNow).totalItems, -1);
  auto f = store::query::parseFilter("total > 1");
  EXPECT_EQ(store->repos().records().count(orders, &f, kNow), 2);
  EXPECT_EQ(store->repos().records().count(orders, nullptr, kNow), 3);
  EXPECT_EQ(store->repos().records().matchingIds(orders, &f, kNow), Ids({A, B}));
}

TEST_P(ModelStoreConformance, UpdateAndRemove) {
  seed();
  auto& rec = store->repos().records();
  EXPECT_TRUE(rec.update(orders, A, {{"title", "Apple tart"}, {"updated", "2026-11-24T13:00:00.000Z"}}));
  auto a = *rec.get(orders, A);
  EXPECT_EQ(a["title"], "Apple tart");
  EXPECT_EQ(a["updated"], "2026-11-24T13:00:00.000Z");
  EXPECT_EQ(a["total"], 10.5) << "keys not in the patch keep their values";
  EXPECT_FALSE(rec.update(orders, "zzzzzzzzzzzzzzz", {{"title", "x"}}));
  EXPECT_TRUE(rec.remove(orders, B));
  EXPECT_FALSE(rec.remove(orders, B));
  EXPECT_EQ(rec.scan(orders).size(), 2u);
}

TEST_P(ModelStoreConformance, UniqueAndCompositeUniqueNameTheirFields) {
  domain::Model subs;
  subs.id = "0b1c2d3e-0000-4000-8000-000000000002";
  subs.projectId = "p1";
  subs.name = "subs";
  subs.fields = {field("user", "string", "c1"), field("bot", "string", "c2"), field("email", "email", "c3")};
  subs.fields[2].unique = true;
  subs.indexes = {{{"user", "bot"}, true}};
  subs.nextColumn = 4;
  subs.createdAt = subs.updatedAt = kNow;
  store->repos().models().create(subs);
  auto rec = [&](const std::string& id, const char* user, const char* bot, const char* email) {
    return json{{"id", id}, {"created", kNow}, {"updated", kNow}, {"user", user}, {"bot", bot}, {"email", email}};
  };
  auto& records = store->repos().records();
  records.insert(subs, rec("bbbbbbbbbbbbbb1", "u1", "b1", "a@x.io"));
  records.insert(subs, rec("bbbbbbbbbbbbbb2", "u1", "b2", "b@x.io"));
  try {
    records.insert(subs, rec("bbbbbbbbbbbbbb3", "u1", "b1", "c@x.io"));
    FAIL() << "composite unique index not enforced";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UNIQUE_VIOLATION);
    EXPECT_EQ(e.fields().size(), 2u);
    EXPECT_TRUE(e.fields().count("user") && e.fields().count("bot"));
  }
  try {
    records.insert(subs, rec("bbbbbbbbbbbbbb3", "u2", "b1", "a@x.io"));
    FAIL() << "unique field not enforced";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UNIQUE_VIOLATION);
    EXPECT_EQ(e.fields().count("email"), 1u);
  }
  EXPECT_THROW(records.update(subs, "bbbbbbbbbbbbbb2", {{"bot", "b1"}}), Error);
  EXPECT_EQ((*records.get(subs, "bbbbbbbbbbbbbb2"))["bot"], "b2") << "a refused update changes nothing";
}

TEST_P(ModelStoreConformance, SchemaChangesKeepData) {
  seed();
  auto after = orders;
  after.fields[0].key = "name";                 // rename: same column
  after.fields.erase(after.fields.begin() + 1);  // remove total
  auto added = field("note", "string", "c8");
  after.fields.push_back(added);
  after.nextColumn = 9;
  store->repos().models().update(orders, after, {{"note", "n/a"}});
  auto a = *store->repos().records().get(after, A);
  EXPECT_EQ(a["name"], "Apple pie");
  EXPECT_FALSE(a.contains("total"));
  EXPECT_EQ(a["note"], "n/a");
  EXPECT_EQ(a["qty"], 1);
  auto stored = store->repos().models().find("p1", "orders");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->fields.size(), after.fields.size());
  EXPECT_EQ(stored->field("name")->column, "c1");
  // A unique index the data breaks is refused and changes nothing.
  auto unique = after;
  unique.fields[0].unique = true;
  store->repos().records().update(after, B, {{"name", "Apple pie"}});
  EXPECT_THROW(store->repos().models().update(after, unique, json::object()), Error);
  EXPECT_FALSE(store->repos().models().find("p1", "orders")->field("name")->unique);
}

TEST_P(ModelStoreConformance, ReferencingFindsSingleAndMultipleRefs) {
  domain::Model lines;
  lines.id = "0b1c2d3e-0000-4000-8000-000000000003";
  lines.projectId = "p1";
  lines.name = "lines";
  lines.fields = {field("order", "ref", "c1"), field("also", "ref", "c2")};
  lines.fields[0].refModel = lines.fields[1].refModel = "orders";
  lines.fields[1].multiple = true;
  lines.nextColumn = 3;
  lines.createdAt = lines.updatedAt = kNow;
  store->repos().models().create(lines);
  auto& rec = store->repos().records();
  rec.insert(lines, {{"id", "ccccccccccccc01"}, {"created", kNow}, {"updated", kNow}, {"order", A}, {"also", {B, A}}});
  rec.insert(lines, {{"id", "ccccccccccccc02"}, {"created", kNow}, {"updated", kNow}, {"order", B}, {"also", json::array()}});
  EXPECT_EQ(rec.referencing(lines, "order", A), Ids({"ccccccccccccc01"}));
  EXPECT_EQ(rec.referencing(lines, "also", B), Ids({"ccccccccccccc01"}));
  EXPECT_TRUE(rec.referencing(lines, "also", C).empty());
}

TEST_P(ModelStoreConformance, ModelsListFindRemove) {
  EXPECT_TRUE(store->repos().models().find("p1", orders.id));
  EXPECT_TRUE(store->repos().models().find("p1", "orders"));
  EXPECT_FALSE(store->repos().models().find("other", "orders"));
  auto dup = orders;
  dup.id = "0b1c2d3e-0000-4000-8000-0000000000ff";
  EXPECT_THROW(store->repos().models().create(dup), Error) << "names are unique per project";
  domain::PageRequest page;
  EXPECT_EQ(store->repos().models().list("p1", page).totalItems, 1);
  seed();
  EXPECT_TRUE(store->repos().models().remove(orders));
  EXPECT_FALSE(store->repos().models().find("p1", "orders"));
  // The same name can be created again, empty.
  store->repos().models().create(dup);
  EXPECT_EQ(store->repos().records().scan(dup).size(), 0u);
}

TEST_P(ModelStoreConformance, TransactionsRollBackRecordWrites) {
  seed();
  if (!store->atomicTransactions()) {
    // MongoDB without a replica set (FerretDB here): documented as not
    // atomic, each write stands alone (docs/cluster.md).
    EXPECT_EQ(store->driver(), "mongodb");
    EXPECT_THROW(store->transaction([&](store::Repositories& r) {
      r.records().remove(orders, A);
      throw std::runtime_error("undo");
    }),
                 std::runtime_error);
    EXPECT_FALSE(store->repos().records().get(orders, A)) << "no rollback without server transactions";
    return;
  }
  EXPECT_THROW(store->transaction([&](store::Repositories& r) {
    r.records().remove(orders, A);
    // Auto-commit repositories on this thread join the open transaction.
    EXPECT_FALSE(store->repos().records().get(orders, A));
    throw std::runtime_error("undo");
  }),
               std::runtime_error);
  EXPECT_TRUE(store->repos().records().get(orders, A));
}

INSTANTIATE_TEST_SUITE_P(Drivers, ModelStoreConformance,
                         ::testing::Values(Driver{"sqlite",
                                                  [](const TempDir& d) {
                                                    config::DatabaseConfig c;
                                                    c.path = d.file("m3m.db");
                                                    return store::openStore(c);
                                                  }},
                                           Driver{"mongodb",
                                                  [](const TempDir&) {
                                                    auto mongo = m3m::testing::testMongoConfig();
                                                    store::mongo::Database(mongo).dropDatabase();
                                                    config::DatabaseConfig c;
                                                    c.driver = "mongodb";
                                                    return store::openStore(c, mongo);
                                                  }}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
