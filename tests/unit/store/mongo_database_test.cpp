// The MongoDB driver's foundations against a real server (FerretDB, or
// $M3M_TEST_MONGODB_URI): JSON <-> BSON without loss or reinterpretation,
// errors mapped for the services, and a clear failure when no server answers.
#include <gtest/gtest.h>

#include <chrono>
#include <m3m/error.hpp>

#include "store/mongo/bson_json.hpp"
#include "store/mongo/database.hpp"
#include "store/mongo/mongo_store.hpp"
#include "test_mongodb.hpp"

using namespace m3m;
using namespace m3m::store::mongo;
using nlohmann::json;

namespace {

class MongoDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = std::make_unique<Database>(m3m::testing::testMongoConfig());
    db->dropDatabase();
  }
  std::unique_ptr<Database> db;
};

TEST(BsonJson, RoundTripKeepsTypesAndExactIntegers) {
  const json doc = {{"s", "héllo\u0001"},       {"i", 9007199254740993LL}, {"neg", -5},
                    {"f", 0.1},                 {"b", true},               {"n", nullptr},
                    {"arr", {1, "two", {{"x", 3}}}}, {"o", {{"deep", {{"er", {1, 2}}}}}}, {"empty", json::object()},
                    {"big", std::numeric_limits<std::int64_t>::max()}};
  Bson b = toBson(doc);
  EXPECT_EQ(toJson(b.get()), doc);
  EXPECT_TRUE(toJson(b.get())["i"].is_number_integer());
}

TEST(BsonJson, DollarKeysStayPlainKeys) {
  // libbson's extended-JSON parser would turn these into a date and an ObjectId.
  const json doc = {{"a", {{"$date", "2020-01-01T00:00:00Z"}}}, {"b", {{"$oid", "5f1d7f3e2b3c4d5e6f708192"}}}};
  EXPECT_EQ(toJson(toBson(doc).get()), doc);
}

TEST(BsonJson, DatesAndNulKeys) {
  EXPECT_EQ(millisToIso(isoToMillis("2026-02-28T23:59:59.999Z")), "2026-02-28T23:59:59.999Z");
  EXPECT_EQ(millisToIso(isoToMillis("1969-12-31T23:59:59.500Z")), "1969-12-31T23:59:59.500Z");
  EXPECT_EQ(millisToIso(0), "1970-01-01T00:00:00.000Z");
  Bson b;
  appendDatetime(b.get(), "at", "2026-11-24T12:00:00.123Z");
  EXPECT_EQ(toJson(b.get())["at"], "2026-11-24T12:00:00.123Z");
  EXPECT_THROW(toBson(json{{std::string("a\0b", 3), 1}}), Error);
  EXPECT_THROW(toBson(json::array()), Error);
}

TEST_F(MongoDatabaseTest, CrudAndDuplicateKeys) {
  Collection c(*db, "things");
  c.createIndex(toBson({{"email", 1}}), "email_unique", true);
  c.insertOne(toBson({{"_id", "a"}, {"email", "x@y.z"}, {"n", 1}}));
  EXPECT_THROW(c.insertOne(toBson({{"_id", "b"}, {"email", "x@y.z"}})), DuplicateKey);
  EXPECT_THROW(c.insertOne(toBson({{"_id", "a"}, {"email", "other"}})), DuplicateKey);
  EXPECT_EQ(c.count(Bson()), 1);
  EXPECT_EQ(c.updateOne(toBson({{"_id", "a"}}), toBson({{"$inc", {{"n", 41}}}})), 1);
  EXPECT_EQ(c.findOne(toBson({{"_id", "a"}}))->at("n"), 42);
  EXPECT_EQ(c.updateOne(toBson({{"_id", "zz"}}), toBson({{"$set", {{"n", 1}}}})), 0);
  EXPECT_EQ(c.updateOne(toBson({{"_id", "zz"}}), toBson({{"$set", {{"n", 1}}}}), true), 1) << "upsert";
  EXPECT_EQ(c.deleteMany(Bson()), 2);
  EXPECT_FALSE(c.findOne(toBson({{"_id", "a"}})));
}

TEST_F(MongoDatabaseTest, StoreOpensCreatesIndexesAndReportsHealth) {
  auto store = MongoStore::open(m3m::testing::testMongoConfig());
  EXPECT_TRUE(store->healthy());
  EXPECT_EQ(store->driver(), "mongodb");
  EXPECT_GE(store->schemaVersion(), 1);
  store->repos().settings().set("k", std::string("v\0w", 3));
  EXPECT_EQ(store->repos().settings().get("k"), std::string("v\0w", 3)) << "values are bytes, NUL included";
  store->repos().settings().set("k", "v2");
  EXPECT_EQ(store->repos().settings().list().size(), 1u);
  EXPECT_TRUE(store->repos().settings().remove("k"));
  EXPECT_FALSE(store->repos().settings().get("k"));
}

TEST(MongoUnreachable, StartFailsClearlyAfterConnectTimeout) {
  config::MongoConfig c;
  c.uri = "mongodb://127.0.0.1:" + std::to_string(m3m::testing::freePort()) + "/?serverSelectionTimeoutMS=200";
  c.connectTimeout = std::chrono::milliseconds(800);
  const auto start = std::chrono::steady_clock::now();
  try {
    Database db(c);
    FAIL() << "connected to nothing";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UNAVAILABLE);
    EXPECT_NE(std::string(e.what()).find("unreachable"), std::string::npos) << e.what();
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(600)) << "retried until connect_timeout";
  EXPECT_LT(took, std::chrono::seconds(6));
}

TEST(MongoUnreachable, BadUriIsAConfigError) {
  config::MongoConfig c;
  c.uri = "http://nope";
  try {
    Database db(c);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("mongodb.uri"), std::string::npos);
  }
}

}  // namespace
