// Project leases between nodes (issue 21, part 2), against a real MongoDB
// protocol server (FerretDB or $M3M_TEST_MONGODB_URI).
#include "cluster/lease_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "../store/test_mongodb.hpp"

using namespace m3m;
using namespace std::chrono_literals;

namespace {

class LeaseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = std::make_unique<store::mongo::Database>(m3m::testing::testMongoConfig());
    db->dropDatabase();
    cluster::ensureLeaseIndexes(*db);
    leases = std::make_unique<cluster::LeaseStore>(*db, 1s);
  }
  std::unique_ptr<store::mongo::Database> db;
  std::unique_ptr<cluster::LeaseStore> leases;
};

TEST_F(LeaseStoreTest, FirstComerHoldsUntilExpiry) {
  auto a = leases->acquire("p1", "node-a", 10s, 1'000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->owner, "node-a");
  EXPECT_EQ(a->epoch, 1);
  EXPECT_EQ(a->expiresAt, 11'000);
  EXPECT_FALSE(leases->acquire("p1", "node-b", 10s, 5'000)) << "still valid: another node cannot take it";
  auto again = leases->acquire("p1", "node-a", 10s, 5'000);
  ASSERT_TRUE(again) << "the holder renews it";
  EXPECT_EQ(again->epoch, 1) << "same owner, same epoch";
  EXPECT_EQ(again->expiresAt, 15'000);
  EXPECT_FALSE(leases->renew(*again, 10s, 14'500)) << "within the margin of its expiry: too late, stop";
}

TEST_F(LeaseStoreTest, ExpiredLeaseMovesWithANewEpochAndTheOldHolderIsFenced) {
  auto a = leases->acquire("p1", "node-a", 10s, 1'000);
  ASSERT_TRUE(a);
  auto b = leases->acquire("p1", "node-b", 10s, 11'001);
  ASSERT_TRUE(b) << "expired at 11,000";
  EXPECT_EQ(b->owner, "node-b");
  EXPECT_EQ(b->epoch, 2);
  EXPECT_FALSE(leases->renew(*a, 10s, 11'002)) << "node-a lost it: its renewal fails, it must stop the project";
  a->expiresAt = 99'000;  // even with a (wrongly) later expiry in hand, the newer epoch wins
  EXPECT_FALSE(leases->renew(*a, 10s, 11'003));
  EXPECT_TRUE(leases->renew(*b, 10s, 12'000));
  EXPECT_EQ(b->expiresAt, 22'000);
  leases->release(*a);  // a stale release is ignored
  EXPECT_EQ(leases->find("p1")->owner, "node-b");
  leases->release(*b);
  auto c = leases->acquire("p1", "node-c", 10s, 12'001);
  ASSERT_TRUE(c) << "a released lease is free at once";
  EXPECT_EQ(c->epoch, 3);
}

TEST_F(LeaseStoreTest, RacingNodesNeverBothWin) {
  for (int round = 0; round < 5; ++round) {
    const std::string project = "race-" + std::to_string(round);
    std::atomic<int> winners{0};
    std::vector<std::thread> nodes;
    for (int n = 0; n < 6; ++n)
      nodes.emplace_back([&, n] {
        if (leases->acquire(project, "node-" + std::to_string(n), 10s, 1'000)) ++winners;
      });
    for (auto& t : nodes) t.join();
    EXPECT_EQ(winners.load(), 1) << project;
  }
  // Expired: again exactly one of the racers takes it over.
  std::atomic<int> winners{0};
  std::vector<std::thread> nodes;
  for (int n = 10; n < 16; ++n)
    nodes.emplace_back([&, n] {
      if (leases->acquire("race-0", "node-" + std::to_string(n), 10s, 60'000)) ++winners;
    });
  for (auto& t : nodes) t.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(leases->find("race-0")->epoch, 2);
}

TEST_F(LeaseStoreTest, HeldByListsANodesLeases) {
  leases->acquire("p1", "node-a", 10s, 0);
  leases->acquire("p2", "node-a", 10s, 0);
  leases->acquire("p3", "node-b", 10s, 0);
  EXPECT_EQ(leases->heldBy("node-a").size(), 2u);
  EXPECT_EQ(leases->heldBy("node-b").size(), 1u);
  EXPECT_TRUE(leases->heldBy("node-z").empty());
}

}  // namespace
